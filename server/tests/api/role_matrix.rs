//! Who may do what: the wearer is refused every keyholder action and Chaster never hears of it;
//! a keyholder of another session sees and changes only their own.

use serde_json::{json, Value};
use sim::chaster::{
    KEYHOLDER_USERNAME, OTHER_KEYHOLDER_TOKEN, OTHER_KEYHOLDER_USERNAME, SESSION_A_ID,
    SESSION_D_ID, WEARER_TOKEN,
};

use crate::controls::post;
use crate::dashboard::{sign_in, spawn_dashboard_app, titles};
use crate::helpers::spawn_app;

/// Every keyholder-only endpoint of the iframe, with a body it would accept.
fn keyholder_endpoints() -> Vec<(&'static str, Option<Value>)> {
    vec![
        ("controls/time", Some(json!({"seconds": 3600}))),
        ("controls/time", Some(json!({"seconds": -3600}))),
        ("controls/freeze", Some(json!({"frozen": true}))),
        ("controls/hygiene-opening", None),
        ("device/open", None),
    ]
}

#[tokio::test]
async fn the_wearer_is_refused_every_keyholder_endpoint_and_chaster_receives_no_action() {
    let app = spawn_app().await;
    let end_date = app.chaster.end_date(SESSION_A_ID);
    for (path, body) in keyholder_endpoints() {
        let response = post(&app, WEARER_TOKEN, path, body).await;
        assert_eq!(response.status(), 403, "{path}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["code"], "forbidden", "{path}");
        let message = error["message"].as_str().unwrap();
        assert!(
            message.contains("keyholder") || message.contains("wearer cannot"),
            "{path}: {message}"
        );
    }
    assert!(app.chaster.actions_received(SESSION_A_ID).is_empty());
    assert!(!app.chaster.is_hygiene_open(SESSION_A_ID));
    assert!(!app.chaster.is_frozen(SESSION_A_ID));
    assert_eq!(app.chaster.end_date(SESSION_A_ID), end_date);
    let touched = app.chaster.recorded_requests().into_iter().any(|r| {
        r.method == "POST" && (r.path.ends_with("/action") || r.path.contains("temporary-opening"))
    });
    assert!(!touched, "no lock action reached Chaster");
}

#[tokio::test]
async fn a_keyholder_of_another_session_changes_only_their_own_session() {
    let app = spawn_app().await;
    let end_a = app.chaster.end_date(SESSION_A_ID);
    for (path, body) in keyholder_endpoints().into_iter().take(3) {
        let response = post(&app, OTHER_KEYHOLDER_TOKEN, path, body).await;
        assert_eq!(response.status(), 200, "{path}");
        let result: Value = response.json().await.unwrap();
        assert_eq!(result["session"]["lock"]["title"], "Other keyholder's lock");
    }
    assert_eq!(app.chaster.actions_received(SESSION_D_ID).len(), 3);
    assert!(app.chaster.actions_received(SESSION_A_ID).is_empty());
    assert_eq!(app.chaster.end_date(SESSION_A_ID), end_a);
    assert!(!app.chaster.is_frozen(SESSION_A_ID));
}

#[tokio::test]
async fn a_keyholder_of_another_session_sees_nothing_of_session_a_on_the_dashboard() {
    let app = spawn_dashboard_app().await;
    let mut ours = sign_in(&app, KEYHOLDER_USERNAME).await;
    let our_view = ours.dashboard().await;
    let handle_a = our_view["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["session"]["lock"]["title"] == "Demo lock with keyholder")
        .unwrap()["handle"]
        .as_str()
        .unwrap()
        .to_owned();

    let mut theirs = sign_in(&app, OTHER_KEYHOLDER_USERNAME).await;
    let their_view = theirs.dashboard().await;
    assert_eq!(titles(&their_view), ["Other keyholder's lock"]);
    let text = their_view.to_string();
    for forbidden in [
        "Demo lock",
        "demo-wearer",
        "hidden-timer-wearer",
        handle_a.as_str(),
    ] {
        assert!(!text.contains(forbidden), "{forbidden} in {text}");
    }
    // Our handle does not open session A for them.
    for action in ["time", "freeze", "hygiene-opening"] {
        let body = match action {
            "time" => Some(json!({"seconds": 60})),
            "freeze" => Some(json!({"frozen": true})),
            _ => None,
        };
        let response = theirs.control(&handle_a, action, body).await;
        assert_eq!(response.status(), 404, "{action}");
    }
    assert!(app.chaster.actions_received(SESSION_A_ID).is_empty());
    assert!(!app.chaster.is_hygiene_open(SESSION_A_ID));
}
