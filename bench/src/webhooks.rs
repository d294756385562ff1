//! Webhook → Sesame command: how long a release waits in our pipeline (store, queue, Chaster
//! confirmation, device lookup, signing) before the unlock reaches the box. The method of
//! `server/benches/webhook_latency.rs`, against the release binary: the clock starts just before
//! the bench POSTs `action_log.created` (`unlocked`) over loopback and stops when the Sesame
//! simulator, in this process and on the same clock, received the unlock command.

use std::time::{Duration, Instant};

use futures::stream::{self, StreamExt};
use serde_json::{json, Value};
use sim::chaster::Release;
use sim::sesame::CommandKind;

use crate::stats::{fmt_duration, Samples};
use crate::table::{Report, Row};
use crate::world::{Wearer, World, HOOK_PASSWORD, HOOK_USER};

/// A release whose command never arrives is reported as missing after this long.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(120);
/// How long the jobs may take to finish (command, verification, Chaster history line).
const DRAIN_TIMEOUT: Duration = Duration::from_secs(300);

struct Sample {
    ack: Duration,
    to_command: Option<Duration>,
}

/// `action_log.created` for Chaster's `unlocked` history entry, as Chaster sends it.
fn release_event(session_id: &str, log_id: &str) -> Value {
    let now = chrono::Utc::now().to_rfc3339();
    json!({
        "event": "action_log.created",
        "sentAt": now,
        "requestId": format!("bench-{:016x}", rand::random::<u64>()),
        "data": {"sessionId": session_id, "actionLog": {
            "_id": log_id, "type": "unlocked", "prefix": "default", "payload": {}, "role": "keyholder",
            "title": "%USER% unlocked the lock", "description": "", "createdAt": now
        }},
    })
}

async fn one_release(world: &World, w: &Wearer) -> anyhow::Result<Sample> {
    let log = world
        .chaster
        .release_lock(&w.session_id, Release::KeyholderUnlock)
        .await;
    let body = release_event(&w.session_id, log.as_str());
    let start = Instant::now();
    let response = world
        .http
        .post(format!("{}/webhooks/chaster", world.server.url))
        .basic_auth(HOOK_USER, Some(HOOK_PASSWORD))
        .json(&body)
        .send()
        .await?;
    let ack = start.elapsed();
    anyhow::ensure!(
        response.status().is_success(),
        "the webhook was answered {}",
        response.status()
    );
    let deadline = start + COMMAND_TIMEOUT;
    let to_command = loop {
        let first = world.sesame.command_log(&w.uuid).into_iter().next();
        if let Some(command) = first {
            break Some(
                command
                    .received_at
                    .into_std()
                    .saturating_duration_since(start),
            );
        }
        if Instant::now() > deadline {
            break None;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    };
    Ok(Sample { ack, to_command })
}

/// Whether the wearer's job wrote its "Box opened" line to Chaster (its last step).
fn finished(world: &World, w: &Wearer) -> bool {
    world.chaster.custom_logs(&w.session_id).iter().any(|l| {
        l["title"]
            .as_str()
            .is_some_and(|t| t.starts_with("Box opened"))
    })
}

/// Waits until every wearer's job finished; returns how many did.
async fn drain(world: &World, wearers: &[Wearer]) -> usize {
    let deadline = Instant::now() + DRAIN_TIMEOUT;
    loop {
        let done = wearers.iter().filter(|w| finished(world, w)).count();
        if done == wearers.len() || Instant::now() > deadline {
            return done;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// One release at a time, each after the previous command reached its box, and never more
/// than half the workers busy: otherwise jobs still verifying (2.5 s each) would make the
/// later releases queue, which is what the burst measures.
async fn one_at_a_time(world: &World, wearers: &[Wearer]) -> anyhow::Result<Vec<Sample>> {
    let limit = (world.jobs_workers / 2).max(1);
    let mut samples = Vec::with_capacity(wearers.len());
    for (i, w) in wearers.iter().enumerate() {
        let deadline = Instant::now() + DRAIN_TIMEOUT;
        while wearers[..i].iter().filter(|w| !finished(world, w)).count() >= limit
            && Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        samples.push(one_release(world, w).await?);
    }
    Ok(samples)
}

fn rows(report: &mut Report, label: &str, samples: Vec<Sample>, done: usize) {
    let n = samples.len();
    let acks = Samples::new(samples.iter().map(|s| s.ack).collect());
    let cmds = Samples::new(samples.iter().filter_map(|s| s.to_command).collect());
    let missing = n - cmds.len();
    report.row(Row::new(
        "webhook",
        format!("{label}: webhook answered 2xx, p50 / p99"),
        format!(
            "{} / {}",
            fmt_duration(acks.median()),
            fmt_duration(acks.percentile(99.0))
        ),
    ));
    report.row(Row::new(
        "webhook",
        format!("{label}: webhook → unlock received by the box, p50 / p99 / max"),
        format!(
            "{} / {} / {}",
            fmt_duration(cmds.median()),
            fmt_duration(cmds.percentile(99.0)),
            fmt_duration(cmds.max())
        ),
    ));
    let mut outcome = format!("{done}/{n} jobs finished");
    if missing > 0 {
        outcome.push_str(&format!(", {missing} commands never arrived"));
    }
    report.row(Row::new("webhook", format!("{label}: outcome"), outcome));
}

pub async fn report(report: &mut Report, world: &World, releases: usize) -> anyhow::Result<()> {
    let setup = Instant::now();
    let wearers: Vec<Wearer> = stream::iter(0..2 * releases)
        .map(|_| world.wearer_with_box())
        .buffer_unordered(8)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<anyhow::Result<_>>()?;
    // CANDY HOUSE is paced at one request a second per API key: let the registration's status
    // read age out of every key's slot, so no release waits for its own setup.
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    let setup = setup.elapsed();
    let (one_by_one, at_once) = wearers.split_at(releases);

    let sequential = one_at_a_time(world, one_by_one).await?;
    let done = drain(world, one_by_one).await;
    rows(
        report,
        &format!("{releases} releases one at a time"),
        sequential,
        done,
    );

    let burst: Vec<Sample> =
        futures::future::join_all(at_once.iter().map(|w| one_release(world, w)))
            .await
            .into_iter()
            .collect::<anyhow::Result<_>>()?;
    let done = drain(world, at_once).await;
    rows(report, &format!("{releases} releases at once"), burst, done);

    let exactly_once = wearers
        .iter()
        .filter(|w| world.sesame.commands_received(&w.uuid, CommandKind::Unlock) == 1)
        .count();
    report.row(Row::new(
        "webhook",
        "boxes that received exactly one unlock",
        format!("{exactly_once}/{}", wearers.len()),
    ));
    report.note(format!(
        "webhook: {} wearers each connected their own SESAME 5 (own API key) with `PUT /api/device` \
         ({:.1} s of setup). Releases happen in the Chaster simulator; the bench POSTs the webhook \
         itself with Basic auth. JOBS_WORKERS={} (default 2): each release job holds a worker \
         through the verification re-read (`verify.delay`, 2.5 s by default) after the command, \
         so 2 workers finish fewer than one release a second. \"One at a time\": each webhook \
         after the previous command arrived, with at most {} jobs unfinished. The Sesame layer \
         keeps its production defaults (1 request/s per API key, verification after 2.5 s); the \
         simulated box answers in ~50 ms.",
        wearers.len(),
        setup.as_secs_f64(),
        world.jobs_workers,
        (world.jobs_workers / 2).max(1)
    ));
    Ok(())
}
