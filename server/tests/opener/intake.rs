//! What the webhook endpoint accepts, refuses and ignores.

use std::time::Duration;

use serde_json::json;
use sim::chaster::{NewSessionSpec, Release};
use sim::sesame::CommandKind;

use crate::helpers::*;
use server::jobs::{JobKind, JobStatus};

#[tokio::test]
async fn webhooks_without_the_right_basic_credentials_get_401_and_nothing_is_stored() {
    let app = spawn().await;
    let body = action_log_event("some-session", "log-1", "unlocked");
    for auth in [
        None,
        Some((HOOK_USER, "wrong")),
        Some(("someone", HOOK_PASSWORD)),
    ] {
        let response = app.post_webhook(&body, auth).await;
        assert_eq!(response.status(), 401, "{auth:?}");
        assert!(response.headers().contains_key("www-authenticate"));
    }
    assert_eq!(app.state.store.webhook_event_count().await.unwrap(), 0);
    assert_eq!(app.state.store.job_counts().await.unwrap(), [0, 0, 0, 0]);
}

#[tokio::test]
async fn a_release_of_a_session_chaster_does_not_know_is_acknowledged_and_ignored() {
    let app = spawn().await;
    let body = action_log_event("no-such-session", "log-2", "unlocked");
    let response = app
        .post_webhook(&body, Some((HOOK_USER, HOOK_PASSWORD)))
        .await;
    assert_eq!(response.status(), 200);
    app.settle().await;
    let jobs = app
        .state
        .store
        .jobs_of_kind(JobKind::OpenRelease)
        .await
        .unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].status, JobStatus::Done);
    assert!(jobs[0]
        .last_error
        .as_deref()
        .unwrap()
        .starts_with("ignored"));
    assert!(app.chaster.custom_logs("no-such-session").is_empty());
}

#[tokio::test]
async fn unknown_events_and_other_history_entries_are_acknowledged_without_work() {
    let app = spawn().await;
    let auth = Some((HOOK_USER, HOOK_PASSWORD));
    let time_changed = action_log_event("s", "log-3", "time_changed");
    let other = envelope("peer_verification.ended", json!({"sessionId": "s"}));
    for body in [time_changed, other] {
        let response = app.post_webhook(&body, auth).await;
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.json::<serde_json::Value>().await.unwrap()["status"],
            "ignored"
        );
    }
    assert_eq!(app.state.store.webhook_event_count().await.unwrap(), 2);
    assert_eq!(app.state.store.job_counts().await.unwrap(), [0, 0, 0, 0]);
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_with_413() {
    let app = spawn_with(|s| s.opener.webhook_body_limit_bytes = 1024).await;
    let mut body = action_log_event("s", "log-4", "unlocked");
    body["data"]["padding"] = json!("x".repeat(4096));
    let response = app
        .post_webhook(&body, Some((HOOK_USER, HOOK_PASSWORD)))
        .await;
    assert_eq!(response.status(), 413);
    assert_eq!(app.state.store.webhook_event_count().await.unwrap(), 0);
}

#[tokio::test]
async fn the_wrapped_envelope_variant_opens_the_box_too() {
    let app = spawn().await;
    let w = app.wearer_with_box(NewSessionSpec::default()).await;
    app.chaster.clear_webhook();
    let log = app
        .chaster
        .release_lock(&w.session_id, Release::KeyholderUnlock)
        .await;
    let body = json!({"payload": action_log_event(&w.session_id, log.as_str(), "unlocked")});
    let response = app
        .post_webhook(&body, Some((HOOK_USER, HOOK_PASSWORD)))
        .await;
    assert_eq!(response.status(), 200);
    app.settle().await;
    assert!(!app.sesame.latch_locked(&w.uuid));
    assert_eq!(
        app.sesame.commands_received(&w.uuid, CommandKind::Unlock),
        1
    );
}

#[tokio::test]
async fn a_forged_release_of_a_running_lock_does_not_open_the_box() {
    let app = spawn().await;
    let w = app.wearer_with_box(NewSessionSpec::default()).await;
    let body = action_log_event(&w.session_id, "forged-log", "unlocked");
    let response = app
        .post_webhook(&body, Some((HOOK_USER, HOOK_PASSWORD)))
        .await;
    assert_eq!(response.status(), 200);
    app.settle().await;
    assert!(app.sesame.latch_locked(&w.uuid));
    assert_eq!(
        app.sesame.commands_received(&w.uuid, CommandKind::Unlock),
        0
    );
}

#[tokio::test]
async fn a_forged_hygiene_opening_does_not_open_the_box() {
    let app = spawn().await;
    let spec = NewSessionSpec {
        hygiene_opening: true,
        ..NewSessionSpec::default()
    };
    let w = app.wearer_with_box(spec).await;
    let body = action_log_event(&w.session_id, "forged-hygiene", "temporary_opening_opened");
    let response = app
        .post_webhook(&body, Some((HOOK_USER, HOOK_PASSWORD)))
        .await;
    assert_eq!(response.status(), 200);
    app.settle().await;
    assert_eq!(
        app.sesame.commands_received(&w.uuid, CommandKind::Unlock),
        0
    );
}

#[tokio::test]
async fn a_deserted_lock_does_not_open_the_box_at_once_even_by_default() {
    let app = spawn().await;
    let w = app.wearer_with_box(NewSessionSpec::default()).await;
    app.chaster.desert(&w.session_id).await;
    app.chaster.wait_deliveries_idle().await;
    wait_for(
        "the desertion to be noted",
        Duration::from_secs(30),
        || async {
            !app.logs_starting(&w.session_id, "The box will open on")
                .await
                .is_empty()
        },
    )
    .await;
    assert!(app.sesame.latch_locked(&w.uuid));
    assert!(app
        .logs_starting(&w.session_id, "Box opened after the lock was deserted")
        .await
        .is_empty());
}

#[tokio::test]
async fn a_keyholder_who_keeps_the_box_closed_on_release_is_obeyed_and_told() {
    let app = spawn().await;
    let spec = NewSessionSpec {
        config: Some(json!({"openOnRelease": false})),
        ..NewSessionSpec::default()
    };
    let w = app.wearer_with_box(spec).await;
    app.chaster
        .release_lock(&w.session_id, Release::TimerEnded)
        .await;
    app.settle().await;
    assert!(app.sesame.latch_locked(&w.uuid));
    assert_eq!(
        app.sesame.commands_received(&w.uuid, CommandKind::Unlock),
        0
    );
    assert_eq!(
        app.logs_starting(&w.session_id, "Box stays closed")
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn a_600_kb_session_event_is_accepted_under_the_default_limit() {
    let app = spawn().await;
    // Real session events embed every extension's config and userData (~20 KB, growing).
    let body = envelope(
        "extension_session.updated",
        json!({"session": {
            "sessionId": "s-big",
            "extensions": [{"slug": "verification-picture", "userData": {"history": "x".repeat(600 * 1024)}}]
        }}),
    );
    assert!(body.to_string().len() > 600 * 1024);
    let response = app
        .post_webhook(&body, Some((HOOK_USER, HOOK_PASSWORD)))
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(app.state.store.webhook_event_count().await.unwrap(), 1);
}
