//! Webhook → Sesame command: how long a release waits in our pipeline (store, queue, Chaster
//! confirmation, device lookup, signing) before the unlock reaches the box. The method of
//! `server/benches/webhook_latency.rs`, against the release binary: the clock starts just before
//! the bench POSTs `action_log.created` (`unlocked`) over loopback and stops when the Sesame
//! simulator, in this process and on the same clock, received the unlock command.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use futures::stream::{self, StreamExt};
use serde_json::{json, Value};
use sim::chaster::{NewSessionSpec, Release};
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
        // The registration's proof was a lock: the release's command is the first unlock.
        let first = world
            .sesame
            .command_log(&w.uuid)
            .into_iter()
            .find(|c| c.kind == CommandKind::Unlock);
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

/// History lines Chaster was asked to write on the wearer's lock so far (accepted or not).
fn log_requests(world: &World, w: &Wearer) -> usize {
    let path = format!("/api/extensions/sessions/{}/logs/custom", w.session_id);
    world
        .chaster
        .with_state(|s| s.requests.iter().filter(|r| r.path == path).count())
}

/// Whether the wearer's job sent its "Box opened" line to Chaster (its last step): one more
/// history line than before the release. Chaster may refuse a line on a lock that has ended
/// (the server then keeps it), so the request counts.
fn finished(world: &World, w: &Wearer, before: &HashMap<String, usize>) -> bool {
    log_requests(world, w) > before.get(&w.session_id).copied().unwrap_or(0)
}

fn baseline(world: &World, wearers: &[Wearer]) -> HashMap<String, usize> {
    wearers
        .iter()
        .map(|w| (w.session_id.clone(), log_requests(world, w)))
        .collect()
}

/// Waits until every wearer's job finished; returns how many did.
async fn drain(world: &World, wearers: &[Wearer], before: &HashMap<String, usize>) -> usize {
    let deadline = Instant::now() + DRAIN_TIMEOUT;
    loop {
        let done = wearers
            .iter()
            .filter(|w| finished(world, w, before))
            .count();
        if done == wearers.len() || Instant::now() > deadline {
            return done;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// One release at a time, each after the previous command reached its box, and never more
/// than half the workers busy: otherwise jobs still verifying (2.5 s each) would make the
/// later releases queue, which is what the burst measures.
async fn one_at_a_time(
    world: &World,
    wearers: &[Wearer],
    before: &HashMap<String, usize>,
) -> anyhow::Result<Vec<Sample>> {
    let limit = (world.jobs_workers / 2).max(1);
    let mut samples = Vec::with_capacity(wearers.len());
    for (i, w) in wearers.iter().enumerate() {
        let deadline = Instant::now() + DRAIN_TIMEOUT;
        while wearers[..i]
            .iter()
            .filter(|w| !finished(world, w, before))
            .count()
            >= limit
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

/// `n` wearers with their own box on `world`'s server, registered as the page does.
async fn wearers(world: &World, n: usize) -> anyhow::Result<Vec<Wearer>> {
    let wearers = stream::iter(0..n)
        .map(|_| world.wearer_with_box())
        .buffer_unordered(8)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<anyhow::Result<_>>()?;
    // CANDY HOUSE is paced at one request a second per API key: let the registration's status
    // read age out of every key's slot, so no release waits for its own setup.
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    Ok(wearers)
}

/// Chaster calls the simulator received so far: session searches, single session reads,
/// history lines.
fn chaster_calls(world: &World) -> [usize; 3] {
    world.chaster.with_state(|s| {
        let mut calls = [0; 3];
        for r in &s.requests {
            if r.path == "/api/extensions/sessions/search" {
                calls[0] += 1;
            } else if r.method == "GET" && r.path.starts_with("/api/extensions/sessions/") {
                calls[1] += 1;
            } else if r.path.ends_with("/logs/custom") {
                calls[2] += 1;
            }
        }
        calls
    })
}

fn exactly_once(world: &World, wearers: &[Wearer]) -> usize {
    wearers
        .iter()
        .filter(|w| world.sesame.commands_received(&w.uuid, CommandKind::Unlock) == 1)
        .count()
}

pub async fn report(report: &mut Report, world: &World, releases: usize) -> anyhow::Result<()> {
    let setup = Instant::now();
    let one_by_one = wearers(world, releases).await?;
    let setup = setup.elapsed();
    let before = baseline(world, &one_by_one);
    let sequential = one_at_a_time(world, &one_by_one, &before).await?;
    let done = drain(world, &one_by_one, &before).await;
    rows(
        report,
        &format!("{releases} releases one at a time"),
        sequential,
        done,
    );
    report.row(Row::new(
        "webhook",
        "one at a time: boxes that received exactly one unlock",
        format!("{}/{}", exactly_once(world, &one_by_one), one_by_one.len()),
    ));
    report.note(format!(
        "webhook, one at a time: {releases} wearers each connected their own SESAME 5 (own API \
         key) with `PUT /api/device` ({:.1} s of setup), on the bench's server (JOBS_WORKERS={}). \
         Releases happen in the Chaster simulator; the bench POSTs the webhook itself with Basic \
         auth, each after the previous command arrived, with at most {} jobs unfinished. The \
         Sesame layer keeps its production defaults (1 request/s per API key, verification \
         reads 2.5 s apart, as later steps of the job); the simulated box answers in ~50 ms.",
        setup.as_secs_f64(),
        world.jobs_workers,
        (world.jobs_workers / 2).max(1)
    ));
    burst(report, world, releases).await
}

/// The burst, on a server of its own with the product defaults that matter here: the default
/// worker count and Chaster budget, and the extension slug that batched confirmation needs.
pub async fn burst(report: &mut Report, main: &World, releases: usize) -> anyhow::Result<()> {
    let mut world = World::start(
        main.server_bin(),
        &main.dist,
        &main.counter_dist,
        main.jobs_workers,
    )
    .await?;
    let setup = Instant::now();
    // Locks released earlier (without a box) come first in the search's order, as the ended
    // locks of a running extension do.
    for _ in 0..releases {
        let (session_id, _, _) = world
            .chaster
            .create_session(NewSessionSpec::default())
            .await;
        world
            .chaster
            .release_lock(&session_id, Release::KeyholderUnlock)
            .await;
    }
    let at_once = wearers(&world, releases).await?;
    let setup = setup.elapsed();
    // The setup (registrations: one Chaster look-up per wearer) needs more than the default
    // budget; the burst runs on a fresh server with the defaults.
    world
        .restart_server(&[
            ("JOBS_WORKERS", None),
            ("CHASTER_MAX_REQUESTS_PER_MINUTE", None),
            ("CHASTER_EXTENSION_SLUG", Some(sim::chaster::EXTENSION_SLUG)),
        ])
        .await?;
    let before = chaster_calls(&world);
    let lines_before = baseline(&world, &at_once);
    let started = Instant::now();
    let burst: Vec<Sample> =
        futures::future::join_all(at_once.iter().map(|w| one_release(&world, w)))
            .await
            .into_iter()
            .collect::<anyhow::Result<_>>()?;
    let commands_in = started.elapsed();
    let at_commands = chaster_calls(&world);
    let done = drain(&world, &at_once, &lines_before).await;
    let drained_in = started.elapsed();
    let after = chaster_calls(&world);
    rows(
        report,
        &format!("{releases} releases at once (default workers and Chaster budget)"),
        burst,
        done,
    );
    report.row(Row::new(
        "webhook",
        "burst: Chaster calls until every command went out (searches / session reads)",
        format!(
            "{} / {} (all commands out in {})",
            at_commands[0] - before[0],
            at_commands[1] - before[1],
            fmt_duration(Some(commands_in))
        ),
    ));
    report.row(Row::new(
        "webhook",
        "burst: all calls until every \"Box opened\" line (searches / reads / history lines)",
        format!(
            "{} / {} / {} in {}",
            after[0] - before[0],
            after[1] - before[1],
            after[2] - before[2],
            fmt_duration(Some(drained_in))
        ),
    ));
    let exactly = exactly_once(&world, &at_once);
    report.row(Row::new(
        "webhook",
        "burst: boxes that received exactly one unlock",
        format!("{exactly}/{}", at_once.len()),
    ));
    report.note(format!(
        "webhook, at once: {releases} more wearers with their own SESAME 5 on a second server \
         ({:.1} s of setup with the bench's budget), then that server restarted on the same \
         database with JOBS_WORKERS unset (default 8) and CHASTER_MAX_REQUESTS_PER_MINUTE unset \
         (default 90 a minute for the whole server, of which pages may use 72 and history \
         lines 63, the rest kept for openings; Chaster allows about 100 a minute per address), \
         its budget window empty, plus CHASTER_EXTENSION_SLUG so releases are confirmed by \
         `sessions/search` pages (the simulator's search: 100 a page at most, oldest session \
         first; {releases} locks released earlier come first in it). The bench POSTs all webhooks \
         at once; each figure is from its webhook's start to the unlock at the simulated box. \
         History lines follow at the budget's pace.",
        setup.as_secs_f64(),
    ));
    Ok(())
}
