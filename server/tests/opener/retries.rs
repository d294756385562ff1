//! A box that cannot be reached at once: retries, then success or an honest failure.

use std::time::Duration;

use sim::chaster::{NewSessionSpec, Release};
use sim::sesame::{CommandKind, Fault};

use crate::helpers::*;

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
        app.logs_starting(&w.session_id, "Box could not be opened")
            .await
            .len(),
        1
    );
    assert!(app
        .logs_starting(&w.session_id, "Box could not be opened")
        .await[0]["title"]
        .as_str()
        .unwrap()
        .ends_with("retrying"));
    assert_eq!(
        app.logs_starting(&w.session_id, "Box opened after release")
            .await
            .len(),
        1
    );
    let job = &app.state.store.jobs_of_kind("open.release").await.unwrap()[0];
    assert_eq!(job.status, "done");
    assert!(job.attempts >= 2);
}

#[tokio::test]
async fn a_box_offline_past_the_deadline_is_reported_as_not_opened() {
    let app = spawn_with(|s| s.opener.jobs.deadline = Duration::from_secs(2)).await;
    let w = app.wearer_with_box(NewSessionSpec::default()).await;
    app.settle().await;
    app.sesame.set_fault(&w.uuid, Some(Fault::Offline));
    app.chaster
        .release_lock(&w.session_id, Release::KeyholderUnlock)
        .await;
    app.settle().await;

    assert!(app.sesame.latch_locked(&w.uuid));
    let job = &app.state.store.jobs_of_kind("open.release").await.unwrap()[0];
    assert_eq!(job.status, "failed");
    let titles: Vec<String> = app
        .logs_starting(&w.session_id, "Box could not be opened")
        .await
        .iter()
        .map(|l| l["title"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        titles,
        vec![
            "Box could not be opened: hub offline, retrying".to_owned(),
            "Box could not be opened: hub offline".to_owned()
        ],
        "one note while retrying, one when giving up"
    );
    assert!(app
        .logs_starting(&w.session_id, "Box opened")
        .await
        .is_empty());
    let activity = app
        .state
        .store
        .recent_activity(&w.user_id, 10)
        .await
        .unwrap();
    assert_eq!(activity[0].kind, "open_failed");
    assert!(
        activity[0].message.contains("offline"),
        "{}",
        activity[0].message
    );
}
