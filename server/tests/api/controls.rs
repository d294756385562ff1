//! The keyholder controls of the iframe, against the Chaster simulator.

use serde_json::{json, Value};
use sim::chaster::state::{SimRole, TokenGrant};
use sim::chaster::{KEYHOLDER_ID, KEYHOLDER_TOKEN, SESSION_A_ID, SESSION_B_ID, WEARER_TOKEN};

use crate::helpers::{spawn_app, TestApp};

/// A keyholder mainToken for session B (the seed has none): B has no Hygiene opening.
pub const KEYHOLDER_B_TOKEN: &str = "test-keyholder-b-token";

pub async fn post(
    app: &TestApp,
    token: &str,
    path: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = app
        .client
        .post(format!("{}/api/{path}", app.address))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.expect("the app answers")
}

pub fn add_keyholder_token_for_b(app: &TestApp) {
    app.chaster.with_state(|s| {
        let grant = TokenGrant {
            session_id: SESSION_B_ID.to_owned(),
            role: SimRole::Keyholder,
            user_id: KEYHOLDER_ID.to_owned(),
        };
        s.tokens.insert(KEYHOLDER_B_TOKEN.to_owned(), grant);
    });
}

/// Waits (up to 2 s) for a custom log whose title starts with `prefix`.
pub async fn wait_for_log_starting(app: &TestApp, session_id: &str, prefix: &str) -> Value {
    for _ in 0..200 {
        let logs = app.chaster.custom_logs(session_id);
        let found = logs
            .into_iter()
            .find(|l| l["title"].as_str().is_some_and(|t| t.starts_with(prefix)));
        if let Some(log) = found {
            return log;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("no custom log starting {prefix:?}");
}

#[tokio::test]
async fn a_keyholder_time_change_from_the_page_writes_a_keyholder_history_line_naming_them() {
    let app = spawn_app().await;
    let response = post(
        &app,
        KEYHOLDER_TOKEN,
        "controls/time",
        Some(json!({"seconds": 5400})),
    )
    .await;
    assert_eq!(response.status(), 200);
    let line = wait_for_log_starting(&app, SESSION_A_ID, "demo-keyholder added").await;
    assert_eq!(line["title"], "demo-keyholder added 1 h 30 min");
    assert_eq!(line["role"], "keyholder");

    let response = post(
        &app,
        KEYHOLDER_TOKEN,
        "controls/freeze",
        Some(json!({"frozen": true})),
    )
    .await;
    assert_eq!(response.status(), 200);
    let line = wait_for_log_starting(&app, SESSION_A_ID, "demo-keyholder froze").await;
    assert_eq!(line["role"], "keyholder");
}

fn seconds_between(a: &str, b: &str) -> i64 {
    let a = chrono::DateTime::parse_from_rfc3339(a).unwrap();
    let b = chrono::DateTime::parse_from_rfc3339(b).unwrap();
    (b - a).num_seconds()
}

#[tokio::test]
async fn adding_time_moves_the_end_date_in_chaster_and_in_the_answer() {
    let app = spawn_app().await;
    let before = app.chaster.end_date(SESSION_A_ID).unwrap();
    // Cache the session first: the answer must not be the cached one.
    app.session_json(KEYHOLDER_TOKEN).await;

    let response = post(
        &app,
        KEYHOLDER_TOKEN,
        "controls/time",
        Some(json!({"seconds": 5400})),
    )
    .await;
    assert_eq!(response.status(), 200);
    let result: Value = response.json().await.unwrap();
    let after = app.chaster.end_date(SESSION_A_ID).unwrap();
    assert_eq!(seconds_between(&before, &after), 5400);
    let shown = result["session"]["lock"]["end_date"].as_str().unwrap();
    assert_eq!(
        seconds_between(&after, shown),
        0,
        "the answer shows the new end date"
    );
    assert_eq!(result["message"], "Added 1 h 30 min to the lock.");
    assert_eq!(result["reason"], "time_added");
    assert_eq!(result["params"]["amount_secs"], "5400");
    assert_eq!(result["session"]["role"], "keyholder");
    assert_eq!(
        app.chaster.actions_received(SESSION_A_ID),
        [json!({"action": {"name": "add_time", "params": 5400}})]
    );
    // The next page load sees the new date too (the cache was forgotten).
    let view = app.session_json(KEYHOLDER_TOKEN).await;
    assert_eq!(view["lock"]["end_date"].as_str().unwrap(), shown);
}

#[tokio::test]
async fn removing_time_moves_the_end_date_back() {
    let app = spawn_app().await;
    let before = app.chaster.end_date(SESSION_A_ID).unwrap();
    let response = post(
        &app,
        KEYHOLDER_TOKEN,
        "controls/time",
        Some(json!({"seconds": -3600})),
    )
    .await;
    assert_eq!(response.status(), 200);
    let after = app.chaster.end_date(SESSION_A_ID).unwrap();
    assert_eq!(seconds_between(&before, &after), -3600);
    let result: Value = response.json().await.unwrap();
    assert_eq!(result["message"], "Removed 1 h from the lock.");
}

#[tokio::test]
async fn a_time_change_of_zero_or_more_than_a_year_is_refused_before_chaster_is_called() {
    let app = spawn_app().await;
    for seconds in [0, 366 * 24 * 3600, -366 * 24 * 3600] {
        let response = post(
            &app,
            KEYHOLDER_TOKEN,
            "controls/time",
            Some(json!({"seconds": seconds})),
        )
        .await;
        assert_eq!(response.status(), 422, "{seconds}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["code"], "invalid");
    }
    let response = post(
        &app,
        KEYHOLDER_TOKEN,
        "controls/time",
        Some(json!({"minutes": 5})),
    )
    .await;
    assert_eq!(response.status(), 422, "a body that is not a TimeChange");
    assert!(app.chaster.actions_received(SESSION_A_ID).is_empty());
}

#[tokio::test]
async fn freezing_shows_the_lock_frozen_and_unfreezing_runs_it_again() {
    let app = spawn_app().await;
    let response = post(
        &app,
        KEYHOLDER_TOKEN,
        "controls/freeze",
        Some(json!({"frozen": true})),
    )
    .await;
    assert_eq!(response.status(), 200);
    let result: Value = response.json().await.unwrap();
    assert_eq!(result["session"]["lock"]["frozen"], true);
    assert!(result["session"]["lock"]["frozen_at"].is_string());
    assert!(app.chaster.is_frozen(SESSION_A_ID));

    let response = post(
        &app,
        KEYHOLDER_TOKEN,
        "controls/freeze",
        Some(json!({"frozen": false})),
    )
    .await;
    assert_eq!(response.status(), 200);
    let result: Value = response.json().await.unwrap();
    assert_eq!(result["session"]["lock"]["frozen"], false);
    assert!(!app.chaster.is_frozen(SESSION_A_ID));
}

#[tokio::test]
async fn a_hygiene_opening_starts_on_a_lock_that_has_the_extension() {
    let app = spawn_app().await;
    let response = post(&app, KEYHOLDER_TOKEN, "controls/hygiene-opening", None).await;
    assert_eq!(response.status(), 200);
    assert!(app.chaster.is_hygiene_open(SESSION_A_ID));
}

#[tokio::test]
async fn a_hygiene_opening_on_a_lock_without_the_extension_says_how_to_enable_it() {
    let app = spawn_app().await;
    add_keyholder_token_for_b(&app);
    let response = post(&app, KEYHOLDER_B_TOKEN, "controls/hygiene-opening", None).await;
    assert_eq!(response.status(), 422);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["code"], "invalid");
    assert_eq!(
        error["message"],
        "This lock has no hygiene opening enabled. Add the Hygiene opening extension to the lock in Chaster first."
    );
    assert_eq!(error["reason"], "hygiene_not_enabled");
    assert!(!app.chaster.is_hygiene_open(SESSION_B_ID));
}

#[tokio::test]
async fn an_action_on_an_unlocked_lock_says_it_is_no_longer_locked() {
    let app = spawn_app().await;
    app.session_json(KEYHOLDER_TOKEN).await;
    app.chaster
        .release_lock(SESSION_A_ID, sim::chaster::Release::KeyholderUnlock)
        .await;
    let response = post(
        &app,
        KEYHOLDER_TOKEN,
        "controls/time",
        Some(json!({"seconds": 60})),
    )
    .await;
    assert_eq!(response.status(), 422);
    let error: Value = response.json().await.unwrap();
    assert!(error["message"]
        .as_str()
        .unwrap()
        .contains("no longer locked"));
}

#[tokio::test]
async fn after_the_keyholder_adds_time_the_wearers_cached_session_shows_the_new_end_date() {
    let app = spawn_app().await;
    let before = app.session_json(WEARER_TOKEN).await;
    let response = post(
        &app,
        KEYHOLDER_TOKEN,
        "controls/time",
        Some(json!({"seconds": 7200})),
    )
    .await;
    assert_eq!(response.status(), 200);

    let after = app.session_json(WEARER_TOKEN).await;
    assert_eq!(after["role"], "wearer");
    let (before, after) = (
        before["lock"]["end_date"].as_str().unwrap(),
        after["lock"]["end_date"].as_str().unwrap(),
    );
    assert_eq!(seconds_between(before, after), 7200);
    assert_eq!(after, app.chaster.end_date(SESSION_A_ID).unwrap());
}
