//! Webhook receipt → Sesame command sent: how long an unlock waits in our pipeline (store, queue,
//! Chaster confirmation, device lookup) before the command reaches the box.
//!
//! Not a test: it prints numbers. `cargo bench -p server --bench webhook_latency`
//! (`BENCH_RELEASES=n` to change the sample size). The start is taken just before the webhook is
//! POSTed over loopback; the end is when the Sesame simulator (same process, same clock)
//! received the unlock command.

use std::time::{Duration, Instant};

use futures::future::join_all;
use sim::chaster::{NewSessionSpec, Release};
use test_support::*;

struct Sample {
    ack: Duration,
    to_command: Duration,
}

async fn one_release(app: &OpenerApp, w: &Wearer) -> Sample {
    let log = app
        .chaster
        .release_lock(&w.session_id, Release::KeyholderUnlock)
        .await;
    let body = action_log_event(&w.session_id, log.as_str(), "unlocked");
    let start = Instant::now();
    let response = app
        .post_webhook(&body, Some((HOOK_USER, HOOK_PASSWORD)))
        .await;
    let ack = start.elapsed();
    assert_eq!(response.status(), 200);
    let received = loop {
        if let Some(c) = app.sesame.command_log(&w.uuid).first() {
            break c.received_at.into_std();
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    };
    Sample {
        ack,
        to_command: received.saturating_duration_since(start),
    }
}

fn report(label: &str, mut samples: Vec<Sample>) {
    let pct = |v: &mut Vec<Duration>, p: f64| {
        v.sort();
        v[((v.len() as f64 - 1.0) * p).round() as usize]
    };
    let mut acks: Vec<Duration> = samples.iter().map(|s| s.ack).collect();
    let mut cmds: Vec<Duration> = samples.drain(..).map(|s| s.to_command).collect();
    println!(
        "{label:<28} n={:<4} webhook 2xx: median {:>7.2?} p99 {:>7.2?} | receipt→command sent: median {:>7.2?} p99 {:>7.2?} max {:>7.2?}",
        cmds.len(),
        pct(&mut acks, 0.5),
        pct(&mut acks, 0.99),
        pct(&mut cmds, 0.5),
        pct(&mut cmds, 0.99),
        pct(&mut cmds, 1.0),
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 4)]
async fn main() {
    let n: usize = std::env::var("BENCH_RELEASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    // Default worker count; everything else as in the tests (simulated boxes answer in ~50 ms).
    let app = spawn_with(|s| {
        s.opener.jobs.workers = server::opener::OpenerSettings::default().jobs.workers
    })
    .await;
    let wearers =
        join_all((0..2 * n).map(|_| app.wearer_with_box(NewSessionSpec::default()))).await;
    app.settle().await;
    // The bench posts the webhooks itself, to time them.
    app.chaster.clear_webhook();

    let mut sequential = Vec::new();
    for w in &wearers[..n] {
        sequential.push(one_release(&app, w).await);
        app.settle().await;
    }
    report("one release at a time", sequential);

    let burst = join_all(wearers[n..].iter().map(|w| one_release(&app, w))).await;
    report(&format!("{n} releases at once"), burst);
    app.settle().await;
}
