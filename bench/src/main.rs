//! `scripts/bench.sh` runs this after building everything; it prints one markdown table.
//! Benchmarks print numbers, they assert nothing about time. Knobs (environment):
//! `BENCH_LOADS` (5 browsers per page per run, each loading cold then warm),
//! `BENCH_CONCURRENCY` (64), `BENCH_LOAD_SECS` (5 per server per run), `BENCH_MAX_REQUESTS`
//! (2,000,000), `BENCH_VIEWERS` (100), `BENCH_RELEASES` (100), `BENCH_JOBS_WORKERS` (32);
//! paths `SERVER_BIN`, `DIST_DIR`, `COUNTER_DIST`, `TARGET_DIR` (trunk's wasm-bindgen output,
//! for the WASM breakdown); `BENCH_ONLY=budget` runs only the request-budget and flood sections,
//! `BENCH_ONLY=throughput` only the `/api/session` load test, `BENCH_ONLY=page` sizes, page
//! loads and throughput, `BENCH_ONLY=webhooks` only the release sections, `BENCH_ONLY=burst`
//! only the releases at once. Every ratio of page loads and
//! throughput is the median of `pageload::RUNS` (3) runs, printed with its spread.
//!
//! `bench baseline-server` is the bare axum peer of the throughput test (see `baseline`).

/// Like `sesame-opener`'s: the bare axum peer (this binary) must not lose on the allocator alone.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod baseline;
mod breakdown;
mod budget;
mod child;
mod load;
mod pageload;
mod sizes;
mod stats;
mod table;
mod throughput;
mod upstream;
mod webhooks;
mod world;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;

use child::fmt_kib;
use table::{Report, Row};
use world::{World, OVERRIDES};

fn knob(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

fn path_knob(name: &str, default: &str) -> PathBuf {
    std::env::var_os(name).map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join(default),
        PathBuf::from,
    )
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

/// The bench's own knobs, as set in the environment (the defaults otherwise).
const KNOBS: &[&str] = &[
    "BENCH_LOADS",
    "BENCH_CONCURRENCY",
    "BENCH_LOAD_SECS",
    "BENCH_MAX_REQUESTS",
    "BENCH_VIEWERS",
    "BENCH_RELEASES",
    "BENCH_JOBS_WORKERS",
];

fn knobs_set() -> String {
    let set: Vec<String> = KNOBS
        .iter()
        .filter_map(|k| Some(format!("`{k}={}`", std::env::var(k).ok()?)))
        .collect();
    if set.is_empty() {
        "none (all defaults)".into()
    } else {
        set.join(", ")
    }
}

/// A section that fails leaves a row saying so; the others still run.
fn record(report: &mut Report, failed: &mut bool, section: &'static str, r: anyhow::Result<()>) {
    if let Err(e) = r {
        *failed = true;
        eprintln!("[bench] {section} failed: {e:#}");
        report.row(Row::new(section, "FAILED", format!("{e:#}")));
    }
}

fn say(what: &str, started: Instant) {
    eprintln!(
        "[bench] {what} ({:.0} s so far)",
        started.elapsed().as_secs_f64()
    );
}

async fn run() -> anyhow::Result<bool> {
    let started = Instant::now();
    if std::env::var("BENCH_ONLY").as_deref() == Ok("budget") {
        // The in-process sections alone (no browser, no release server binary needed).
        let mut report = Report::default();
        let mut failed = false;
        let r = budget::report(&mut report).await;
        record(&mut report, &mut failed, "budget", r);
        println!("{}", report.render());
        return Ok(failed);
    }
    let bench_bin = std::env::current_exe().context("locating the bench binary")?;
    let server_bin = std::env::var_os("SERVER_BIN")
        .map_or_else(|| bench_bin.with_file_name("sesame-opener"), PathBuf::from);
    let dist = path_knob("DIST_DIR", "../dist");
    let counter_dist = path_knob("COUNTER_DIST", "../target/bench-counter-dist");
    let target_dir = path_knob("TARGET_DIR", "../target");
    let spec = load::LoadSpec {
        concurrency: knob("BENCH_CONCURRENCY", 64).max(1) as usize,
        duration: Duration::from_secs(knob("BENCH_LOAD_SECS", 5).max(1)),
        max_requests: knob("BENCH_MAX_REQUESTS", 2_000_000).max(1),
    };
    let (loads, viewers, releases) = (
        knob("BENCH_LOADS", 5) as usize,
        knob("BENCH_VIEWERS", 100).max(1) as usize,
        knob("BENCH_RELEASES", 100).max(1) as usize,
    );
    let workers = knob("BENCH_JOBS_WORKERS", 32).clamp(1, 64) as usize;
    let load_before = load_average();
    let mut report = Report::default();
    let mut failed = false;
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    if only == "webhooks" || only == "burst" {
        // The release sections alone (the server binary and a dist are needed, no browser);
        // `burst` only the releases at once.
        let world = World::start(&server_bin, &dist, &counter_dist, workers).await?;
        let r = if only == "burst" {
            webhooks::burst(&mut report, &world, releases).await
        } else {
            webhooks::report(&mut report, &world, releases).await
        };
        record(&mut report, &mut failed, "webhook", r);
        report.note(format!(
            "machine: load average {load_before} before and {} after.",
            load_average()
        ));
        println!("{}", report.render());
        return Ok(failed);
    }

    let only_throughput = std::env::var("BENCH_ONLY").as_deref() == Ok("throughput");
    // Sizes, page loads and throughput only: the sections of the page and the proxy.
    let only_page = std::env::var("BENCH_ONLY").as_deref() == Ok("page");

    if !only_throughput {
        say("sizes and the WASM breakdown (twiggy)", started);
        let r = sizes::report(&mut report, &dist, &counter_dist);
        record(&mut report, &mut failed, "size", r);
        let r = breakdown::report(&mut report, &dist, &target_dir);
        record(&mut report, &mut failed, "wasm breakdown", r);
    }

    say("starting the simulators and the servers", started);
    let world = World::start(&server_bin, &dist, &counter_dist, workers).await?;
    // Connected now, so its status has left the 10 s cache when the upstream burst runs.
    let viewed = world.wearer_with_box().await?;
    let viewed_at = Instant::now();

    if !only_throughput {
        say(
            &format!(
                "page loads in Chromium: {} runs × {loads} browsers × 2 pages × cold and warm",
                pageload::RUNS
            ),
            started,
        );
        let r = pageload::report(&mut report, &world, loads).await;
        record(&mut report, &mut failed, "page load", r);
    }

    say(
        &format!(
            "load test: {} runs of ours and the bare axum peer",
            pageload::RUNS
        ),
        started,
    );
    let r = throughput::report(&mut report, &world, &bench_bin, spec).await;
    record(&mut report, &mut failed, "throughput", r);
    if only_throughput || only_page {
        if only_page {
            report.note(
                "`BENCH_ONLY=page`: upstream calls, webhook latency and the request budget were \
                 not run.",
            );
        }
        report.note(format!(
            "machine: {} cores, load average {load_before} before and {} after; bench knobs set: \
             {}.",
            std::thread::available_parallelism().map_or(0, |n| n.get()),
            load_average(),
            knobs_set()
        ));
        println!("{}", report.render());
        return Ok(failed);
    }

    tokio::time::sleep(Duration::from_secs(11).saturating_sub(viewed_at.elapsed())).await;
    say("upstream calls per burst of viewers", started);
    upstream::report(&mut report, &world, &viewed, viewers).await;

    say(
        &format!("webhook latency over {releases} + {releases} releases"),
        started,
    );
    let r = webhooks::report(&mut report, &world, releases).await;
    record(&mut report, &mut failed, "webhook", r);

    say(
        "request budget (30 simulated days) and release latency under a token flood",
        started,
    );
    let r = budget::report(&mut report).await;
    record(&mut report, &mut failed, "budget", r);

    report.row(Row::new(
        "memory",
        "server peak RSS (VmHWM) over the whole bench / RSS now",
        format!(
            "{} / {}",
            fmt_kib(world.server.peak_rss_kib()),
            fmt_kib(world.server.rss_kib())
        ),
    ));
    let overrides: Vec<String> = OVERRIDES
        .iter()
        .map(|(k, v, why)| format!("`{k}={v}` ({why})"))
        .collect();
    report.note(format!(
        "server: `{}` (release) as a child process, configured by environment only; changed from \
         the defaults: {}, `JOBS_WORKERS={workers}`.",
        server_bin.display(),
        overrides.join(", ")
    ));
    report.note(format!(
        "bench knobs set in the environment: {}; Chromium: headless, fresh profile per browser, \
         flags in `tests/e2e/src/browser.rs`.",
        knobs_set()
    ));
    report.note(format!(
        "machine: {} cores, load average {load_before} before and {} after; the bench took {:.0} s.",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load_average(),
        started.elapsed().as_secs_f64()
    ));
    println!("{}", report.render());
    drop(world);
    Ok(failed)
}

fn main() -> ExitCode {
    if std::env::args().nth(1).as_deref() == Some("baseline-server") {
        return match baseline::serve() {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("baseline server: {e:#}");
                ExitCode::FAILURE
            }
        };
    }
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    match runtime.block_on(run()) {
        Ok(false) => ExitCode::SUCCESS,
        Ok(true) => ExitCode::from(2),
        Err(e) => {
            eprintln!("[bench] {e:#}");
            ExitCode::FAILURE
        }
    }
}
