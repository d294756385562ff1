//! A box that cannot be reached at once: retries, then success or an honest failure.

use std::time::Duration;

use sim::chaster::{NewSessionSpec, Release};
use sim::sesame::{CommandKind, Fault};

use crate::helpers::*;
use server::domain::SessionId;
use server::jobs::{JobKind, JobStatus};

#[tokio::test]
async fn a_busy_box_opens_after_a_retry_and_the_history_says_so_once() {
    let app = spawn().await;
    let w = app.wearer_with_box(NewSessionSpec::default()).await;
    app.settle().await;
    // The Web API accepts the first command, but the busy box drops it.
    app.sesame
        .set_fault_times(&w.uuid, Fault::Busy { seconds: 1 }, 1);
    app.chaster
        .release_lock(&w.session_id, Release::TimerEnded)
        .await;
    app.settle().await;

    assert!(!app.sesame.latch_locked(&w.uuid));
    assert_eq!(
        app.sesame.commands_received(&w.uuid, CommandKind::Unlock),
        2
    );
    assert_eq!(
        app.logs_starting(&w.session_id, "Box not opened yet")
            .await
            .len(),
        1
    );
    assert!(
        app.logs_starting(&w.session_id, "Box not opened yet").await[0]["title"]
            .as_str()
            .unwrap()
            .ends_with("retrying")
    );
    assert_eq!(
        app.logs_starting(&w.session_id, "Box opened after release")
            .await
            .len(),
        1
    );
    let job = &app
        .state
        .store
        .jobs_of_kind(JobKind::OpenRelease)
        .await
        .unwrap()[0];
    assert_eq!(job.status, JobStatus::Done);
    assert!(job.attempts >= 2);
}

#[tokio::test]
async fn a_hygiene_relock_past_its_deadline_is_reported_not_retried_for_days() {
    // Openings Chaster asked for never give up (see `release_path`); a relock keeps a deadline.
    let app = spawn_with(|s| s.opener.jobs.deadline = Duration::from_secs(2)).await;
    let w = app.wearer_with_box(NewSessionSpec::default()).await;
    app.settle().await;
    app.sesame.set_latch(&w.uuid, false);
    app.sesame.set_fault(&w.uuid, Some(Fault::Offline));
    let now = app.state.settings.clock.now();
    app.state
        .store
        .enqueue(&[server::jobs::JobKind::LockHygiene.job(
            &SessionId::new(&w.session_id),
            "relock-late".into(),
            serde_json::json!({}),
            now,
            now + chrono::Duration::seconds(2),
        )])
        .await
        .unwrap();
    app.state.jobs.wake();
    app.settle().await;

    let job = &app
        .state
        .store
        .jobs_of_kind(JobKind::LockHygiene)
        .await
        .unwrap()[0];
    assert_eq!(job.status, JobStatus::Failed);
    assert_eq!(
        app.logs_starting(&w.session_id, "Box was not locked again")
            .await
            .len(),
        1
    );
}
