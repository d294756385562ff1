//! The request budget and the release path, in-process: the server library with a manual clock
//! (30 simulated days pass in seconds) against the simulators, which count every request.
//!
//! - Budget: a 30-day lock, tamper watch on, 50 page views a day, each open 2 minutes and
//!   refreshing every 20 s as the page does; page views through `GET /api/device`, tamper
//!   checks through the job queue. Sesame requests counted at the simulator (target ≤ 1,500).
//! - Flood: the release latency (Chaster's release → box open) while random bearer tokens
//!   arrive from one address, with the product's default budgets.
//!
//! The same scenario is an integration test (`server/tests/opener/quota.rs`).

use std::time::{Duration, Instant};

use anyhow::Context;
use server::clock::Clock;
use server::configuration::{RateLimitSettings, Settings, WebhookAuth};
use server::store::NewDevice;
use sim::chaster::{NewSessionSpec, Release};
use sim::sesame::DEMO_API_KEY;
use test_support::{new_box, TestApp, HOOK_PASSWORD, HOOK_USER};

use crate::table::{Report, Row};

/// The one test harness (`test-support`) with the product's defaults, Chaster's webhooks
/// delivered with Basic auth.
async fn spawn(configure: impl FnOnce(&mut Settings)) -> anyhow::Result<TestApp> {
    Ok(TestApp::spawn(|s| {
        s.chaster.webhook_auth = Some(WebhookAuth {
            username: HOOK_USER.into(),
            password: HOOK_PASSWORD.to_owned().into(),
        });
        configure(s);
    })
    .await)
}

/// A locked session whose wearer has a SESAME 5; returns (session id, wearer token, uuid).
async fn wearer(app: &TestApp) -> anyhow::Result<(String, String, String)> {
    let (session_id, token, _) = app.chaster.create_session(NewSessionSpec::default()).await;
    let user_id = app
        .chaster
        .with_state(|s| s.lock_of_session(&session_id).map(|l| l.wearer_id.clone()))
        .context("the session has a lock")?;
    let (uuid, credentials) = new_box(&app.sesame);
    app.state
        .store
        .upsert_device(&NewDevice {
            user_id: user_id.into(),
            nickname: "Key box".into(),
            model: "SESAME 5".into(),
            credentials,
        })
        .await?;
    Ok((session_id, token, uuid))
}

async fn view(app: &TestApp, token: &str) {
    let _ = app
        .client
        .get(format!("{}/api/device", app.address))
        .bearer_auth(token)
        .send()
        .await;
}

/// Waits until no job is running or due at the clock's time.
async fn settle_due(app: &TestApp) -> anyhow::Result<()> {
    app.state.jobs.wake();
    let start = Instant::now();
    while app
        .state
        .store
        .due_job_count(app.state.settings.clock.now())
        .await?
        > 0
    {
        anyhow::ensure!(
            start.elapsed() < Duration::from_secs(60),
            "jobs never settled"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    Ok(())
}

async fn budget_days(days: u32, views_per_day: u32) -> anyhow::Result<(usize, Duration)> {
    let clock = Clock::manual();
    let app = spawn(|s| {
        s.clock = clock.clone();
        s.rate_limits = RateLimitSettings::off();
        s.opener.tamper.scan_interval = Duration::from_secs(3600);
    })
    .await?;
    let (_, token, _) = wearer(&app).await?;
    let started = Instant::now();
    let before = app.sesame.requests_for_key(DEMO_API_KEY);
    let gap = Duration::from_secs(86_400 / u64::from(views_per_day.max(1)));
    let refresh = Duration::from_secs(20);
    let tamper = app.state.settings.opener.tamper.clone();
    for _ in 0..(days * views_per_day) {
        for _ in 0..6 {
            view(&app, &token).await;
            clock.advance(refresh);
        }
        let mut left = gap.saturating_sub(refresh * 6);
        while !left.is_zero() {
            let step = left.min(Duration::from_secs(10 * 60));
            clock.advance(step);
            left -= step;
            if app.state.tamper.schedule_checks(&tamper).await? > 0 {
                settle_due(&app).await?;
            }
        }
    }
    Ok((
        app.sesame.requests_for_key(DEMO_API_KEY) - before,
        started.elapsed(),
    ))
}

/// Release latency while `flood` random tokens arrive from one address, default budgets.
async fn flood_release(flood: usize) -> anyhow::Result<(Duration, u64, u64)> {
    let app = spawn(|_| {}).await?;
    let (session_id, _, uuid) = wearer(&app).await?;
    let url = format!("{}/api/session", app.address);
    let http = app.client.clone();
    let flooding = tokio::spawn(async move {
        // 5 a second, as in the demo's attack, for the whole measurement.
        for i in 0..flood {
            let (http, url) = (http.clone(), url.clone());
            tokio::spawn(async move {
                let _ = http
                    .get(url)
                    .bearer_auth(format!("flood-{i}-{}", rand::random::<u64>()))
                    .send()
                    .await;
            });
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });
    tokio::time::sleep(Duration::from_secs(3)).await;
    let released = Instant::now();
    app.chaster
        .release_lock(&session_id, Release::TimerEnded)
        .await;
    while app.sesame.latch_locked(&uuid) {
        anyhow::ensure!(
            released.elapsed() < Duration::from_secs(120),
            "the box did not open within 120 s"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let latency = released.elapsed();
    flooding.abort();
    let stats = app.state.chaster.limiter_stats();
    Ok((latency, stats.background_waited, stats.interactive_refused))
}

pub async fn report(report: &mut Report) -> anyhow::Result<()> {
    let (spent, took) = budget_days(30, 50).await?;
    report.row(Row::new(
        "budget",
        format!(
            "Sesame requests for a 30-day lock, tamper watch on, 50 page views a day (2 min each, \
             refresh every 20 s), simulated in {:.0} s; target ≤ 1,500 (half the free tier)",
            took.as_secs_f64()
        ),
        spent.to_string(),
    ));
    let (latency, waited, refused) = flood_release(100).await?;
    report.row(Row::new(
        "release",
        format!(
            "release → box open while random bearer tokens arrive from one address (5/s), \
             default budgets; background calls that waited: {waited}, page look-ups refused: {refused}"
        ),
        format!("{:.0} ms", latency.as_secs_f64() * 1000.0),
    ));
    Ok(())
}
