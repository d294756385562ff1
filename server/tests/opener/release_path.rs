//! The release path nothing can starve: page floods, absurd `Retry-After`s, panics and hubs
//! that stay offline for days.

use std::time::Duration;

use server::clock::Clock;
use server::jobs::{JobKind, JobStatus};
use sim::chaster::{NewSessionSpec, Release};
use sim::sesame::{CommandKind, Fault};

use crate::helpers::*;
use server::domain::SessionId;

#[tokio::test]
async fn under_a_flood_of_unknown_tokens_the_opening_job_gets_its_chaster_calls_at_once() {
    let app = spawn_with(|s| {
        // Chaster's own budget, small enough for a flood of 200 to exceed it many times.
        s.chaster.max_requests_per_minute = 30;
        s.rate_limits = server::configuration::RateLimitSettings::off();
    })
    .await;
    let w = app.wearer_with_box(NewSessionSpec::default()).await;
    app.settle().await;
    // 200 random bearer tokens from one address, as fast as the server takes them.
    let flood = (0..200).map(|i| {
        let client = app.client.clone();
        let url = format!("{}/api/session", app.address);
        async move {
            let _ = client
                .get(url)
                .bearer_auth(format!("random-token-{i}-{}", rand_u64()))
                .send()
                .await;
        }
    });
    futures::future::join_all(flood).await;
    let before = app.state.chaster.limiter_stats();
    assert!(
        before.interactive_granted <= 20,
        "pages took {} of the 30 calls a minute",
        before.interactive_granted
    );
    let released_at = std::time::Instant::now();
    app.chaster
        .release_lock(&w.session_id, Release::KeyholderUnlock)
        .await;
    wait_for("the box to open", Duration::from_secs(20), || async {
        !app.sesame.latch_locked(&w.uuid)
    })
    .await;
    let latency = released_at.elapsed();
    let after = app.state.chaster.limiter_stats();
    assert!(after.background_granted > before.background_granted);
    assert_eq!(
        after.background_waited, 0,
        "no background call waited behind page traffic ({after:?})"
    );
    eprintln!("release latency during the flood: {latency:?}");
}

#[tokio::test]
async fn a_retry_after_of_u64_max_neither_panics_nor_stops_a_worker_or_another_job() {
    let app = spawn().await;
    let w = app.wearer_with_box(NewSessionSpec::default()).await;
    // Our copy of the session, so the tamper watch knows it.
    let now = app.state.settings.clock.now();
    let sync = |sid: &str, key: &str| {
        JobKind::SyncSession.job(
            &SessionId::new(sid),
            key.to_owned(),
            serde_json::Value::Null,
            now,
            now + chrono::Duration::hours(1),
        )
    };
    app.state
        .store
        .enqueue(&[sync(&w.session_id, "sync-real")])
        .await
        .unwrap();
    app.state.jobs.wake();
    app.settle().await;

    app.state
        .store
        .enqueue(&[sync("fault-429-huge", "sync-huge")])
        .await
        .unwrap();
    app.state.jobs.wake();
    wait_for("the job to be retried", Duration::from_secs(10), || async {
        let jobs = app
            .state
            .store
            .jobs_of_kind(JobKind::SyncSession)
            .await
            .unwrap();
        let job = jobs.iter().find(|j| j.dedupe_key == "sync-huge").unwrap();
        job.status == JobStatus::Queued && job.attempts == 1
    })
    .await;
    let jobs = app
        .state
        .store
        .jobs_of_kind(JobKind::SyncSession)
        .await
        .unwrap();
    let job = jobs.iter().find(|j| j.dedupe_key == "sync-huge").unwrap();
    let wait = job.run_after - app.state.settings.clock.now();
    assert!(
        wait > chrono::Duration::zero() && wait <= chrono::Duration::hours(1),
        "retried later, within the cap: {wait}"
    );
    // Another job still runs, and every worker is alive.
    app.state
        .store
        .enqueue(&[JobKind::TamperCheck.job(
            &SessionId::new(&w.session_id),
            "tamper-after".into(),
            serde_json::Value::Null,
            now,
            now + chrono::Duration::hours(1),
        )])
        .await
        .unwrap();
    app.state.jobs.wake();
    wait_for(
        "the tamper check to run",
        Duration::from_secs(10),
        || async {
            let jobs = app
                .state
                .store
                .jobs_of_kind(JobKind::TamperCheck)
                .await
                .unwrap();
            jobs.iter().any(|j| j.status == JobStatus::Done)
        },
    )
    .await;
    assert_eq!(app.state.jobs.workers_alive(), 4);
}

#[tokio::test]
async fn a_hub_offline_at_release_for_an_hour_opens_the_box_once_when_it_is_back() {
    let clock = Clock::manual();
    let app = spawn_with(|s| s.clock = clock.clone()).await;
    let w = app.wearer_with_box(NewSessionSpec::default()).await;
    app.settle().await;
    app.sesame.set_fault(&w.uuid, Some(Fault::Offline));
    let reads_before = app.sesame.requests_for_key(sim::sesame::DEMO_API_KEY);
    app.chaster
        .release_lock(&w.session_id, Release::TimerEnded)
        .await;
    app.settle_due().await;

    // An hour offline: four times the old 15-minute deadline.
    let offline_for = Duration::from_secs(3600);
    let mut passed = Duration::ZERO;
    while passed < offline_for {
        let job = &app
            .state
            .store
            .jobs_of_kind(JobKind::OpenRelease)
            .await
            .unwrap()[0];
        assert_eq!(
            job.status,
            JobStatus::Queued,
            "still trying after {passed:?}"
        );
        let step = (job.run_after - clock.now())
            .to_std()
            .unwrap_or_default()
            .max(Duration::from_millis(1));
        clock.advance(step);
        passed += step;
        app.settle_due().await;
    }
    let job = &app
        .state
        .store
        .jobs_of_kind(JobKind::OpenRelease)
        .await
        .unwrap()[0];
    // The first attempt's command and its verification reading, then one reading per attempt.
    let spent = app.sesame.requests_for_key(sim::sesame::DEMO_API_KEY) - reads_before;
    assert!(
        spent as i64 <= job.attempts + 1,
        "{spent} requests for {} attempts while offline",
        job.attempts
    );
    // The first attempt sends at once (no reading first on the release path); the offline hub
    // drops it, its verification reading shows the hub offline, and every later attempt only
    // reads until the hub is back.
    assert_eq!(
        app.sesame.commands_received(&w.uuid, CommandKind::Unlock),
        1
    );
    assert!(
        app.sesame.latch_locked(&w.uuid),
        "the dropped command moved nothing"
    );
    assert!(
        (job.run_after - clock.now()) <= chrono::Duration::hours(1),
        "the back-off never exceeds an hour"
    );
    let notes = app
        .logs_starting(
            &w.session_id,
            "The box will open as soon as the hub is back",
        )
        .await;
    assert_eq!(notes.len(), 1, "one note, no failure");
    assert!(app
        .logs_starting(&w.session_id, "Box could not be opened")
        .await
        .is_empty());

    app.sesame.set_fault(&w.uuid, None);
    clock.advance(Duration::from_secs(3600));
    app.settle_due().await;
    app.settle().await;
    assert!(!app.sesame.latch_locked(&w.uuid));
    assert_eq!(
        app.sesame.commands_received(&w.uuid, CommandKind::Unlock),
        2,
        "one command more once the hub is back"
    );
    let job = &app
        .state
        .store
        .jobs_of_kind(JobKind::OpenRelease)
        .await
        .unwrap()[0];
    assert_eq!(job.status, JobStatus::Done);
    assert_eq!(
        app.logs_starting(&w.session_id, "Box opened after release")
            .await
            .len(),
        1
    );
}
