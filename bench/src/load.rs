//! A closed-loop HTTP load generator: `concurrency` clients on keep-alive connections, each
//! sending the next GET as soon as the last answer is read, until the time or the request budget
//! is used up. Loopback only.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::stats::Samples;

/// One client's request never waits longer than this; a stuck request counts as an error.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Clone, Copy, Debug)]
pub struct LoadSpec {
    pub concurrency: usize,
    pub duration: Duration,
    /// Upper bound of requests, whatever the duration.
    pub max_requests: u64,
}

#[derive(Debug)]
pub struct LoadResult {
    /// Answered 200.
    pub ok: u64,
    /// Any other status, or no answer.
    pub errors: u64,
    pub elapsed: Duration,
    /// Of the 200 answers, from sending to the last body byte.
    pub latencies: Samples,
    /// Length of the first 200 body.
    pub body_bytes: usize,
    /// CPU time the server process used during the run (user + system), when known.
    pub server_cpu: Option<Duration>,
}

impl LoadResult {
    pub fn per_second(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64()
    }

    /// Slices of one load, as if they had been one: counts, times and CPU added, latencies
    /// pooled.
    pub fn merged(slices: Vec<LoadResult>) -> LoadResult {
        let sum = |count: fn(&LoadResult) -> u64| slices.iter().map(count).sum();
        LoadResult {
            ok: sum(|r| r.ok),
            errors: sum(|r| r.errors),
            elapsed: slices.iter().map(|r| r.elapsed).sum(),
            body_bytes: slices.iter().map(|r| r.body_bytes).max().unwrap_or(0),
            // Unknown for the whole when unknown for a slice.
            server_cpu: slices.iter().map(|r| r.server_cpu).sum(),
            latencies: Samples::merged(slices.into_iter().map(|r| r.latencies)),
        }
    }

    /// Server CPU time per answered request, in µs: unlike requests per second, it hardly
    /// moves when other processes take the cores.
    pub fn cpu_us_per_request(&self) -> f64 {
        match self.server_cpu {
            Some(cpu) if self.ok > 0 => cpu.as_secs_f64() * 1e6 / self.ok as f64,
            _ => f64::NAN,
        }
    }
}

/// Loads `GET url` (with `Authorization: Bearer token` if given) as `spec` says; `server_pid`'s
/// CPU time is read before and after.
pub async fn run(
    url: &str,
    token: Option<&str>,
    spec: LoadSpec,
    server_pid: u32,
) -> anyhow::Result<LoadResult> {
    let cpu_before = crate::child::cpu_time(server_pid);
    let http = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(spec.concurrency)
        .timeout(REQUEST_TIMEOUT)
        .build()?;
    let url = reqwest::Url::parse(url).context("the load target URL")?;
    let auth = token.map(|t| format!("Bearer {t}"));
    let issued = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let deadline = start + spec.duration;

    let clients: Vec<_> = (0..spec.concurrency)
        .map(|_| {
            let (http, url, auth, issued) =
                (http.clone(), url.clone(), auth.clone(), issued.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(16 * 1024);
                let (mut errors, mut body_bytes) = (0u64, 0usize);
                while Instant::now() < deadline
                    && issued.fetch_add(1, Ordering::Relaxed) < spec.max_requests
                {
                    let mut request = http.get(url.clone());
                    if let Some(auth) = &auth {
                        request = request.header(reqwest::header::AUTHORIZATION, auth);
                    }
                    let sent = Instant::now();
                    let answer = match request.send().await {
                        Ok(r) if r.status() == reqwest::StatusCode::OK => r.bytes().await.ok(),
                        Ok(r) => {
                            let _ = r.bytes().await;
                            None
                        }
                        Err(_) => None,
                    };
                    match answer {
                        Some(body) => {
                            latencies.push(sent.elapsed());
                            body_bytes = body.len();
                        }
                        None => errors += 1,
                    }
                }
                (latencies, errors, body_bytes)
            })
        })
        .collect();

    let mut all = Vec::new();
    let (mut errors, mut body_bytes) = (0, 0);
    for client in clients {
        let (latencies, e, b) = client.await.context("a load client panicked")?;
        all.extend(latencies);
        errors += e;
        body_bytes = body_bytes.max(b);
    }
    let elapsed = start.elapsed();
    let server_cpu = crate::child::cpu_time(server_pid)
        .zip(cpu_before)
        .map(|(after, before)| after.saturating_sub(before));
    Ok(LoadResult {
        server_cpu,
        ok: all.len() as u64,
        errors,
        elapsed,
        latencies: Samples::new(all),
        body_bytes,
    })
}
