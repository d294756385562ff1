//! Cached `GET /api/session` under concurrent load, against a bare axum handler answering the
//! same JSON bytes, both release builds in child processes on this machine, one after the other.

use std::path::Path;
use std::time::Duration;

use anyhow::{ensure, Context};
use sim::chaster::WEARER_TOKEN;

use crate::child::{fmt_kib, ChildServer};
use crate::load::{self, LoadResult, LoadSpec};
use crate::stats::{fmt_count, fmt_duration, ratio};
use crate::table::{Report, Row};
use crate::world::World;

const WARM_UP: Duration = Duration::from_secs(1);

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
    load::run(&ours_url, Some(&token), warm).await?;
    let ours = load::run(&ours_url, Some(&token), spec).await?;
    let ours_rss = world.server.peak_rss_kib();
    load::run(&peer_url, None, warm).await?;
    let peer = load::run(&peer_url, None, spec).await?;
    let peer_rss = baseline.peak_rss_kib();
    baseline.stop().await;
    let _ = std::fs::remove_file(&body_file);

    rows(report, spec, &ours, &peer);
    report.row(
        Row::new(
            "memory",
            "server peak RSS (VmHWM) after the load test",
            fmt_kib(ours_rss),
        )
        .vs(fmt_kib(peer_rss), ratio_kib(ours_rss, peer_rss)),
    );
    report.note(format!(
        "throughput: {} closed-loop clients on keep-alive connections (reqwest, tokio) in the bench \
         process, {} s per server after a {} s warm-up, at most {} requests; loopback; the load \
         generator shares the 2 cores with the server. Peer = bare axum `GET /api/session` \
         answering the same {}-byte JSON (serialized per request), no middleware, no logging; ours \
         logs every request at info (its default) to a file.",
        spec.concurrency,
        spec.duration.as_secs(),
        WARM_UP.as_secs(),
        fmt_count(spec.max_requests),
        body.len()
    ));
    Ok(())
}

fn rows(report: &mut Report, spec: LoadSpec, ours: &LoadResult, peer: &LoadResult) {
    let what = format!("cached `GET /api/session`, {} clients", spec.concurrency);
    report.row(
        Row::new(
            "throughput",
            format!("{what}: requests/s"),
            format!("{:.0}", ours.per_second()),
        )
        .vs(
            format!("{:.0}", peer.per_second()),
            ratio(ours.per_second(), peer.per_second()),
        ),
    );
    for (label, p) in [("p50", 50.0), ("p99", 99.0)] {
        let (o, q) = (ours.latencies.percentile(p), peer.latencies.percentile(p));
        report.row(
            Row::new(
                "throughput",
                format!("{what}: latency {label}"),
                fmt_duration(o),
            )
            .vs(fmt_duration(q), ratio(secs(o), secs(q))),
        );
    }
    report.row(
        Row::new(
            "throughput",
            format!("{what}: answered 200 / errors"),
            format!("{} / {}", fmt_count(ours.ok), fmt_count(ours.errors)),
        )
        .vs(
            format!("{} / {}", fmt_count(peer.ok), fmt_count(peer.errors)),
            "",
        ),
    );
    report.row(
        Row::new(
            "throughput",
            "response body (bytes)",
            ours.body_bytes.to_string(),
        )
        .vs(peer.body_bytes.to_string(), ""),
    );
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
