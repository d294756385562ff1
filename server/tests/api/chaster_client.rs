//! The Chaster client and the token resolver, called directly against the simulator.

use server::chaster::{ChasterError, CustomLog, LogRole};
use server::domain::{MainToken, Role, SessionId};
use server::error::AppError;
use sim::chaster::{KEYHOLDER_TOKEN, SESSION_A_ID, SESSION_B_ID, WEARER_TOKEN};

use crate::helpers::spawn_app;

#[tokio::test]
async fn get_session_returns_the_partner_session_with_its_complete_lock() {
    let app = spawn_app().await;
    let session = app
        .state
        .chaster
        .get_session(&SessionId::new(SESSION_B_ID))
        .await
        .unwrap();
    assert_eq!(session.session_id, SessionId::new(SESSION_B_ID));
    assert_ne!(session.id, SESSION_B_ID);
    // Hidden from B's wearer, but the backend sees the end date.
    assert!(session.lock.end_date.is_some());
    let missing = app
        .state
        .chaster
        .get_session(&SessionId::new("no-such-session"))
        .await;
    assert_eq!(missing.unwrap_err(), ChasterError::NotFound);
}

#[tokio::test]
async fn custom_logs_reach_the_lock_history() {
    let app = spawn_app().await;
    let log = CustomLog {
        title: "%USER% opened the box".into(),
        description: "The Sesame reports unlocked.".into(),
        role: Some(LogRole::Extension),
        icon: Some("lock-open".into()),
        color: None,
    };
    app.state
        .chaster
        .post_custom_log(&SessionId::new(SESSION_A_ID), &log)
        .await
        .unwrap();
    let logs = app.chaster.custom_logs(SESSION_A_ID);
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0]["title"], "%USER% opened the box");
    assert_eq!(logs[0]["role"], "extension");
}

#[tokio::test]
async fn tokens_are_escaped_as_one_path_segment() {
    let app = spawn_app().await;
    let token = MainToken::parse("a/../b?c#d").unwrap();
    let result = app.state.chaster.get_session_auth(&token).await;
    assert_eq!(result.unwrap_err(), ChasterError::NotFound);
    let path = &app.chaster.recorded_requests()[0].path;
    assert_eq!(path, "/api/extensions/auth/sessions/a%2F..%2Fb%3Fc%23d");
}

#[tokio::test]
async fn a_resolved_session_knows_the_role_and_the_wearer() {
    let app = spawn_app().await;
    let wearer = MainToken::parse(WEARER_TOKEN).unwrap();
    let keyholder = MainToken::parse(KEYHOLDER_TOKEN).unwrap();
    let w = app.state.sessions.resolve(&wearer).await.unwrap();
    let k = app.state.sessions.resolve(&keyholder).await.unwrap();
    assert_eq!((w.role, k.role), (Role::Wearer, Role::Keyholder));
    assert_eq!(w.session_id.as_str(), SESSION_A_ID);
    assert_eq!(k.wearer_id, w.user_id);
    assert_ne!(k.user_id, w.user_id);
    assert!(w.require_role(Role::Wearer, "connect a box").is_ok());
    let refused = k.require_role(Role::Wearer, "connect a box").unwrap_err();
    assert!(
        matches!(refused, AppError::Forbidden(ref m) if m.message == "Only the wearer may connect a box." && m.reason == Some("only_wearer"))
    );
}
