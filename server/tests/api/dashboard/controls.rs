//! What a signed-in keyholder sees and may change: only their own sessions, under opaque
//! handles, with the CSRF token from our own origin.

use serde_json::{json, Value};
use sim::chaster::{
    KEYHOLDER_USERNAME, OTHER_KEYHOLDER_USERNAME, SESSION_A_ID, SESSION_B_ID, SESSION_C_ID,
    SESSION_D_ID, WEARER_TOKEN,
};

use super::browser::{
    handle_of, sign_in, spawn_dashboard_app, titles, PUBLIC_BASE_URL, SESSION_COOKIE,
};

#[tokio::test]
async fn a_keyholder_signs_in_and_sees_only_their_own_sessions_without_any_session_id() {
    let app = spawn_dashboard_app().await;
    let mut browser = sign_in(&app, KEYHOLDER_USERNAME).await;
    let session_cookie = browser
        .set_cookies
        .iter()
        .find(|c| c.starts_with(SESSION_COOKIE))
        .unwrap()
        .clone();
    for attribute in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
        assert!(
            session_cookie.contains(attribute),
            "{session_cookie} lacks {attribute}"
        );
    }
    let view = browser.dashboard().await;
    assert_eq!(view["keyholder"]["username"], KEYHOLDER_USERNAME);
    assert_eq!(
        titles(&view),
        ["Demo lock with a hidden timer", "Demo lock with keyholder"]
    );
    for s in view["sessions"].as_array().unwrap() {
        assert_eq!(s["session"]["role"], "keyholder");
        assert_eq!(
            s["session"]["lock"]["timer_visible"], true,
            "the keyholder sees the timer"
        );
        assert_eq!(s["device"], json!({"device": null, "can_manage": false}));
    }
    assert!(view["csrf_token"].as_str().unwrap().len() >= 32);
    let text = view.to_string();
    for forbidden in [
        SESSION_A_ID,
        SESSION_B_ID,
        SESSION_C_ID,
        SESSION_D_ID,
        "sessionId",
        "refresh",
        "access_token",
        "other-keyholder",
    ] {
        assert!(
            !text.contains(forbidden),
            "the dashboard contains {forbidden}: {text}"
        );
    }
    assert_no_id_keys(&view);
}

/// No object in the answer has a Chaster id field.
pub fn assert_no_id_keys(v: &Value) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                let forbidden = ["_id", "sessionId", "userId", "token", "accessToken"];
                assert!(
                    !forbidden.contains(&k.as_str()),
                    "the answer has a {k} field"
                );
                assert_no_id_keys(v);
            }
        }
        Value::Array(items) => items.iter().for_each(assert_no_id_keys),
        _ => {}
    }
}

#[tokio::test]
async fn another_keyholder_sees_only_the_session_they_hold() {
    let app = spawn_dashboard_app().await;
    let mut browser = sign_in(&app, OTHER_KEYHOLDER_USERNAME).await;
    let view = browser.dashboard().await;
    assert_eq!(titles(&view), ["Other keyholder's lock"]);
    assert!(!view.to_string().contains("demo-wearer"));
}

#[tokio::test]
async fn dashboard_controls_need_the_csrf_token_from_our_own_origin() {
    let app = spawn_dashboard_app().await;
    let mut browser = sign_in(&app, KEYHOLDER_USERNAME).await;
    let view = browser.dashboard().await;
    let csrf = view["csrf_token"].as_str().unwrap().to_owned();
    let handle = handle_of(&view, "Demo lock with keyholder");
    let path = format!("/api/dashboard/sessions/{handle}/time");
    let body = Some(json!({"seconds": 3600}));
    let evil = [
        ("x-csrf-token", csrf.as_str()),
        ("origin", "https://evil.example"),
    ];
    let cross_site = [
        ("x-csrf-token", csrf.as_str()),
        ("sec-fetch-site", "cross-site"),
    ];
    let refused: [&[(&str, &str)]; 4] = [&[], &[("x-csrf-token", "wrong")], &evil, &cross_site];
    for headers in refused {
        let response = browser.post(&path, headers, body.clone()).await;
        assert_eq!(response.status(), 403, "{headers:?}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["code"], "forbidden");
    }
    assert!(app.chaster.actions_received(SESSION_A_ID).is_empty());

    let ours = [
        ("x-csrf-token", csrf.as_str()),
        ("origin", PUBLIC_BASE_URL),
        ("sec-fetch-site", "same-origin"),
    ];
    let before = app.chaster.end_date(SESSION_A_ID).unwrap();
    let response = browser.post(&path, &ours, body).await;
    assert_eq!(response.status(), 200);
    let result: Value = response.json().await.unwrap();
    let after = app.chaster.end_date(SESSION_A_ID).unwrap();
    assert_eq!(seconds_between(&before, &after), 3600);
    assert_eq!(
        seconds_between(
            &after,
            result["session"]["lock"]["end_date"].as_str().unwrap()
        ),
        0
    );
    assert_eq!(app.chaster.actions_received(SESSION_A_ID).len(), 1);
}

#[tokio::test]
async fn dashboard_freeze_and_hygiene_opening_act_on_the_chosen_session() {
    let app = spawn_dashboard_app().await;
    let mut browser = sign_in(&app, KEYHOLDER_USERNAME).await;
    let view = browser.dashboard().await;
    let a = handle_of(&view, "Demo lock with keyholder");
    let b = handle_of(&view, "Demo lock with a hidden timer");

    let response = browser
        .control(&b, "freeze", Some(json!({"frozen": true})))
        .await;
    assert_eq!(response.status(), 200);
    let result: Value = response.json().await.unwrap();
    assert_eq!(result["session"]["lock"]["frozen"], true);
    assert!(app.chaster.is_frozen(SESSION_B_ID));
    assert!(!app.chaster.is_frozen(SESSION_A_ID));

    let response = browser.control(&b, "hygiene-opening", None).await;
    assert_eq!(response.status(), 422);
    let error: Value = response.json().await.unwrap();
    assert!(error["message"]
        .as_str()
        .unwrap()
        .contains("no hygiene opening enabled"));

    let response = browser.control(&a, "hygiene-opening", None).await;
    assert_eq!(response.status(), 200);
    assert!(app.chaster.is_hygiene_open(SESSION_A_ID));
}

#[tokio::test]
async fn an_unknown_handle_is_not_found() {
    let app = spawn_dashboard_app().await;
    let mut browser = sign_in(&app, KEYHOLDER_USERNAME).await;
    let response = browser
        .control(SESSION_A_ID, "time", Some(json!({"seconds": 60})))
        .await;
    assert_eq!(response.status(), 404, "a raw sessionId is not a handle");
    assert!(app.chaster.actions_received(SESSION_A_ID).is_empty());
}

#[tokio::test]
async fn a_dashboard_time_change_reaches_the_wearers_cached_iframe_session() {
    let app = spawn_dashboard_app().await;
    let before = app.session_json(WEARER_TOKEN).await;
    let mut browser = sign_in(&app, KEYHOLDER_USERNAME).await;
    let view = browser.dashboard().await;
    let a = handle_of(&view, "Demo lock with keyholder");
    let response = browser
        .control(&a, "time", Some(json!({"seconds": 3600})))
        .await;
    assert_eq!(response.status(), 200);

    let after = app.session_json(WEARER_TOKEN).await;
    let (before, after) = (
        before["lock"]["end_date"].as_str().unwrap(),
        after["lock"]["end_date"].as_str().unwrap(),
    );
    assert_eq!(seconds_between(before, after), 3600);
}

fn seconds_between(a: &str, b: &str) -> i64 {
    let a = chrono::DateTime::parse_from_rfc3339(a).unwrap();
    let b = chrono::DateTime::parse_from_rfc3339(b).unwrap();
    (b - a).num_seconds()
}

#[tokio::test]
async fn a_dashboard_time_change_writes_a_keyholder_history_line_naming_the_keyholder() {
    let app = spawn_dashboard_app().await;
    let mut browser = sign_in(&app, KEYHOLDER_USERNAME).await;
    let view = browser.dashboard().await;
    let a = handle_of(&view, "Demo lock with keyholder");
    let response = browser
        .control(&a, "time", Some(json!({"seconds": 3600})))
        .await;
    assert_eq!(response.status(), 200);
    let line =
        crate::controls::wait_for_log_starting(&app, SESSION_A_ID, "demo-keyholder added").await;
    assert_eq!(line["title"], "demo-keyholder added 1 h");
    assert_eq!(line["role"], "keyholder");
}

#[tokio::test]
async fn an_action_on_a_listed_session_reads_that_session_instead_of_listing_again() {
    let app = spawn_dashboard_app().await;
    let mut browser = sign_in(&app, KEYHOLDER_USERNAME).await;
    let view = browser.dashboard().await;
    let a = handle_of(&view, "Demo lock with keyholder");
    let csrf = view["csrf_token"].as_str().unwrap().to_owned();
    let searches = |app: &crate::helpers::TestApp| {
        app.chaster
            .recorded_requests()
            .iter()
            .filter(|r| r.path.ends_with("/sessions/search"))
            .count()
    };
    let before = searches(&app);
    let response = browser
        .post(
            &format!("/api/dashboard/sessions/{a}/time"),
            &[("x-csrf-token", &csrf)],
            Some(json!({"seconds": 60})),
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(searches(&app), before, "no search page was listed again");
    assert_eq!(app.chaster.actions_received(SESSION_A_ID).len(), 1);
}
