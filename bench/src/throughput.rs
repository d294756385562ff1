//! Cached `GET /api/session` under concurrent load, against a bare axum handler answering the
//! same JSON bytes, both release builds in child processes on this machine, one after the other,
//! three times.

use std::path::Path;
use std::time::Duration;

use anyhow::{ensure, Context};
use sim::chaster::WEARER_TOKEN;

use crate::child::{fmt_kib, ChildServer};
use crate::load::{self, LoadResult, LoadSpec};
use crate::pageload::RUNS;
use crate::stats::{fmt_count, fmt_duration, fmt_ratio_spread, median_f64, ratio};
use crate::table::{Report, Row};
use crate::world::World;

const WARM_UP: Duration = Duration::from_secs(1);
/// Slices per server and run: each lasts the run's duration / `SLICES`.
const SLICES: usize = 5;

/// Runs the load against ours, then the baseline; leaves our server's peak RSS for later rows.
pub async fn report(
    report: &mut Report,
    world: &World,
    bench_bin: &Path,
    spec: LoadSpec,
) -> anyhow::Result<()> {
    // A token the server has resolved once: every request of the load is a cache hit.
    let token = world.fresh_token(WEARER_TOKEN);
    let ours_url = format!("{}/api/session", world.server.url);
    let first = world.http.get(&ours_url).bearer_auth(&token).send().await?;
    ensure!(
        first.status().is_success(),
        "GET /api/session answered {}",
        first.status()
    );
    let body = first.text().await?;

    let body_file =
        std::env::temp_dir().join(format!("sesame-bench-body-{}.json", std::process::id()));
    std::fs::write(&body_file, &body)?;
    let baseline = ChildServer::start(
        bench_bin,
        &["baseline-server"],
        &[("BASELINE_BODY_FILE".into(), body_file.display().to_string())],
        "/health",
        std::env::temp_dir().join(format!("sesame-bench-baseline-{}.log", std::process::id())),
    )
    .await
    .context("starting the bare axum baseline")?;
    let peer_url = format!("{}/api/session", baseline.url);

    let warm = LoadSpec {
        duration: WARM_UP,
        ..spec
    };
    let slice = LoadSpec {
        duration: spec.duration / SLICES as u32,
        max_requests: spec.max_requests / SLICES as u64,
        ..spec
    };
    let ours_pid = world.server.pid;
    load::run(&ours_url, Some(&token), warm, ours_pid).await?;
    load::run(&peer_url, None, warm, baseline.pid).await?;
    let mut runs = Vec::with_capacity(RUNS);
    for run in 0..RUNS {
        // Each run interleaves short slices of both servers (the first alternating), so a
        // change in what else the machine runs hits both alike, then adds each server's slices.
        let (mut ours, mut peer) = (Vec::new(), Vec::new());
        for turn in 0..2 * SLICES {
            if (turn + run) % 2 == 0 {
                ours.push(load::run(&ours_url, Some(&token), slice, ours_pid).await?);
            } else {
                peer.push(load::run(&peer_url, None, slice, baseline.pid).await?);
            }
        }
        runs.push((LoadResult::merged(ours), LoadResult::merged(peer)));
    }
    let ours_rss = world.server.peak_rss_kib();
    let peer_rss = baseline.peak_rss_kib();
    baseline.stop().await;
    let _ = std::fs::remove_file(&body_file);

    rows(report, spec, &runs);
    report.row(
        Row::new(
            "memory",
            "server peak RSS (VmHWM) after the load test",
            fmt_kib(ours_rss),
        )
        .vs(fmt_kib(peer_rss), ratio_kib(ours_rss, peer_rss)),
    );
    report.note(format!(
        "throughput: after a {} s warm-up of each server, {RUNS} runs, each of {SLICES} slices \
         per server interleaved (ours, peer, ours, … with the first alternating per run) and \
         added up per server, {} closed-loop clients on keep-alive connections (reqwest, tokio) \
         in the bench process, {} s per server and run, at most {} requests; loopback; the load \
         generator shares the 2 cores with the server. Ours/peer cells: median of the {RUNS} runs; ratio: \
         median of the {RUNS} per-run ratios (min–max). Peer = bare axum `GET /api/session` \
         answering the same {}-byte JSON body (bytes prepared once, the least a server can do), \
         no middleware, no logging, mimalloc like ours; ours goes through its whole middleware stack, \
         logs at its default filter (`info`: a sampled access log) to a file and allocates through \
         mimalloc, as the product's binary does. CPU per request = the server \
         process's user + system time over the run (10 ms ticks) / requests answered: the figure \
         that moves least when other processes share the cores.",
        WARM_UP.as_secs(),
        spec.concurrency,
        spec.duration.as_secs(),
        fmt_count(spec.max_requests),
        body.len()
    ));
    Ok(())
}

fn rows(report: &mut Report, spec: LoadSpec, runs: &[(LoadResult, LoadResult)]) {
    let what = format!("cached `GET /api/session`, {} clients", spec.concurrency);
    let median = |f: &dyn Fn(&LoadResult) -> f64, ours: bool| {
        median_f64(runs.iter().map(|(o, p)| f(if ours { o } else { p })))
    };
    let ratios = |f: &dyn Fn(&LoadResult) -> f64| -> Vec<f64> {
        runs.iter()
            .map(|(o, p)| f(o) / f(p))
            .filter(|r| r.is_finite())
            .collect()
    };
    let per_second = |r: &LoadResult| r.per_second();
    report.row(
        Row::new(
            "throughput",
            format!("{what}: requests/s"),
            format!("{:.0}", median(&per_second, true).unwrap_or_default()),
        )
        .vs(
            format!("{:.0}", median(&per_second, false).unwrap_or_default()),
            fmt_ratio_spread(&ratios(&per_second)),
        ),
    );
    for (label, p) in [("p50", 50.0), ("p99", 99.0)] {
        let latency = move |r: &LoadResult| secs(r.latencies.percentile(p));
        let as_duration = |s: Option<f64>| s.map(Duration::from_secs_f64);
        report.row(
            Row::new(
                "throughput",
                format!("{what}: latency {label}"),
                fmt_duration(as_duration(median(&latency, true))),
            )
            .vs(
                fmt_duration(as_duration(median(&latency, false))),
                fmt_ratio_spread(&ratios(&latency)),
            ),
        );
    }
    let cpu = |r: &LoadResult| r.cpu_us_per_request();
    report.row(
        Row::new(
            "throughput",
            format!("{what}: server CPU time per request (user + system)"),
            fmt_us(median(&cpu, true)),
        )
        .vs(fmt_us(median(&cpu, false)), fmt_ratio_spread(&ratios(&cpu))),
    );
    let sum = |ours: bool, f: fn(&LoadResult) -> u64| -> u64 {
        runs.iter().map(|(o, p)| f(if ours { o } else { p })).sum()
    };
    report.row(
        Row::new(
            "throughput",
            format!("{what}: answered 200 / errors (all runs)"),
            format!(
                "{} / {}",
                fmt_count(sum(true, |r| r.ok)),
                fmt_count(sum(true, |r| r.errors))
            ),
        )
        .vs(
            format!(
                "{} / {}",
                fmt_count(sum(false, |r| r.ok)),
                fmt_count(sum(false, |r| r.errors))
            ),
            "",
        ),
    );
    let body = |ours: bool| {
        runs.iter()
            .map(|(o, p)| if ours { o.body_bytes } else { p.body_bytes })
            .max()
            .unwrap_or_default()
    };
    report.row(
        Row::new(
            "throughput",
            "response body (bytes)",
            body(true).to_string(),
        )
        .vs(body(false).to_string(), ""),
    );
}

fn fmt_us(us: Option<f64>) -> String {
    us.map_or("–".into(), |us| format!("{us:.1} µs"))
}

fn secs(d: Option<Duration>) -> f64 {
    d.map_or(0.0, |d| d.as_secs_f64())
}

pub fn ratio_kib(ours: Option<u64>, peer: Option<u64>) -> String {
    match (ours, peer) {
        (Some(o), Some(p)) => ratio(o as f64, p as f64),
        _ => "–".into(),
    }
}
