//! Many releases at once: batched confirmation, verification that holds no worker, and a
//! release that history lines waiting for Chaster's budget cannot hold back.

use std::time::{Duration, Instant};

use serde_json::json;
use server::chaster::{CustomLog, LogRole};
use server::domain::SessionId;
use server::jobs::{JobKind, JobStatus};
use sim::chaster::{NewSessionSpec, Release, EXTENSION_SLUG};
use sim::sesame::CommandKind;

use crate::helpers::*;

/// `GET /sessions/{id}` and `sessions/search` calls the Chaster simulator received so far for
/// `session_id` (reads) and in all (searches).
fn chaster_reads(app: &OpenerApp, session_id: &str) -> usize {
    let path = format!("/api/extensions/sessions/{session_id}");
    app.chaster.with_state(|s| {
        s.requests
            .iter()
            .filter(|r| r.method == "GET" && r.path == path)
            .count()
    })
}

fn chaster_searches(app: &OpenerApp) -> usize {
    app.chaster.with_state(|s| {
        s.requests
            .iter()
            .filter(|r| r.path == "/api/extensions/sessions/search")
            .count()
    })
}

#[tokio::test]
async fn a_burst_of_releases_is_confirmed_by_one_search_and_a_lock_still_running_opens_nothing() {
    let app = spawn_with(|s| {
        s.opener.poll.extension_slug = Some(EXTENSION_SLUG.into());
        s.opener.jobs.workers = 2;
    })
    .await;
    let mut wearers = Vec::new();
    for _ in 0..12 {
        wearers.push(app.wearer_with_box(NewSessionSpec::default()).await);
    }
    app.settle().await;
    // The jobs are stored at once, as a burst of webhooks stores them; the last lock still runs
    // (a webhook claimed otherwise): only Chaster's answer may open a box.
    app.chaster.clear_webhook();
    let (released, running) = wearers.split_at(11);
    for w in released {
        app.chaster
            .release_lock(&w.session_id, Release::KeyholderUnlock)
            .await;
    }
    let reads_before: Vec<usize> = wearers
        .iter()
        .map(|w| chaster_reads(&app, &w.session_id))
        .collect();
    let searches_before = chaster_searches(&app);
    let now = app.state.clock.now();
    let jobs: Vec<_> = wearers
        .iter()
        .map(|w| {
            JobKind::OpenRelease.job(
                &SessionId::new(&w.session_id),
                format!("burst:{}", w.session_id),
                json!({}),
                now,
                now + chrono::Duration::minutes(15),
            )
        })
        .collect();
    app.state.store.enqueue(&jobs).await.unwrap();
    app.state.jobs.wake();
    app.settle().await;

    for w in released {
        assert!(
            !app.sesame.latch_locked(&w.uuid),
            "every released box is open"
        );
        assert_eq!(
            app.sesame.commands_received(&w.uuid, CommandKind::Unlock),
            1
        );
    }
    let reads: usize = released
        .iter()
        .zip(&reads_before)
        .map(|(w, before)| chaster_reads(&app, &w.session_id) - before)
        .sum();
    assert_eq!(reads, 0, "no released session was read alone");
    assert_eq!(
        chaster_searches(&app) - searches_before,
        1,
        "one search page"
    );
    let still = &running[0];
    assert!(app.sesame.latch_locked(&still.uuid));
    assert_eq!(
        app.sesame
            .commands_received(&still.uuid, CommandKind::Unlock),
        0
    );
    assert!(
        chaster_reads(&app, &still.session_id) > reads_before[11],
        "a session the search does not show is read alone"
    );
}

#[tokio::test]
async fn with_one_worker_a_second_release_is_sent_while_the_first_command_is_still_verified() {
    let app = spawn_with(|s| {
        s.opener.jobs.workers = 1;
        // The production wait before the first verification reading, and more.
        s.sesame.verify.delay = Duration::from_secs(3);
    })
    .await;
    let first = app.wearer_with_box(NewSessionSpec::default()).await;
    let second = app.wearer_with_box(NewSessionSpec::default()).await;
    app.settle().await;
    let released_at = Instant::now();
    for w in [&first, &second] {
        app.chaster
            .release_lock(&w.session_id, Release::KeyholderUnlock)
            .await;
    }
    wait_for(
        "both boxes to receive their unlock",
        Duration::from_secs(10),
        || async {
            [&first, &second]
                .iter()
                .all(|w| app.sesame.commands_received(&w.uuid, CommandKind::Unlock) == 1)
        },
    )
    .await;
    assert!(
        released_at.elapsed() < Duration::from_millis(2500),
        "the second command waited for the first one's verification: {:?}",
        released_at.elapsed()
    );
    app.settle().await;
    for w in [&first, &second] {
        assert_eq!(
            app.logs_starting(&w.session_id, "Box opened after release")
                .await
                .len(),
            1,
            "the verification steps confirmed the opening"
        );
        assert_eq!(
            app.sesame.commands_received(&w.uuid, CommandKind::Unlock),
            1
        );
    }
}

#[tokio::test]
async fn history_lines_waiting_for_chasters_budget_hold_back_neither_a_worker_nor_a_release() {
    let app = spawn_with(|s| {
        // Small enough for history lines to use up the background share (20 − 4 − 2 = 14).
        s.chaster.max_requests_per_minute = 20;
        s.opener.jobs.workers = 1;
    })
    .await;
    let w = app.wearer_with_box(NewSessionSpec::default()).await;
    app.settle().await;
    app.chaster.accept_logs_on_ended_locks(true);
    let sid = SessionId::new(&w.session_id);
    let lines: Vec<_> = (0..30)
        .map(|i| {
            let log = CustomLog {
                title: format!("Line {i}"),
                description: String::new(),
                role: None,
                icon: None,
                color: None,
            };
            server::opener::history_job(&sid, LogRole::Extension, &log)
        })
        .collect();
    app.state.store.enqueue(&lines).await.unwrap();
    app.state.jobs.wake();
    wait_for(
        "history lines to use up the background share",
        Duration::from_secs(20),
        || async {
            let jobs = app
                .state
                .store
                .jobs_of_kind(JobKind::ChasterLog)
                .await
                .unwrap();
            jobs.iter()
                .filter(|j| j.status == JobStatus::Queued && j.attempts > 0)
                .count()
                > 0
        },
    )
    .await;
    let released_at = Instant::now();
    app.chaster
        .release_lock(&w.session_id, Release::KeyholderUnlock)
        .await;
    wait_for("the box to open", Duration::from_secs(10), || async {
        !app.sesame.latch_locked(&w.uuid)
    })
    .await;
    assert!(
        released_at.elapsed() < Duration::from_secs(5),
        "the release waited {:?} behind history lines",
        released_at.elapsed()
    );
}
