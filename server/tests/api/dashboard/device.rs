//! The wearer's box on the keyholder dashboard: its status, and opening and locking it with the
//! dashboard's CSRF token.

use serde_json::{json, Value};
use server::sesame::{ApiKey, DeviceCredentials, DeviceSecret};
use server::store::NewDevice;
use sim::chaster::seed::WEARER_A_ID;
use sim::chaster::{KEYHOLDER_USERNAME, SESSION_A_ID, WEARER_TOKEN};
use sim::sesame::{CommandKind, DEMO_API_KEY, DEMO_SECRET_HEX, DEMO_WEBAPI_UUID};

use super::browser::{handle_of, sign_in, spawn_dashboard_app, PUBLIC_BASE_URL};
use crate::helpers::TestApp;

const LOCK_A: &str = "Demo lock with keyholder";
const LOCK_B: &str = "Demo lock with a hidden timer";

/// Connects the demo SESAME 5 to the wearer of session A, as the wearer's iframe would.
async fn connect_box_of_wearer_a(app: &TestApp) {
    let device = NewDevice {
        user_id: WEARER_A_ID.into(),
        nickname: "Key box".into(),
        model: "SESAME 5".into(),
        credentials: DeviceCredentials::WebApi {
            uuid: DEMO_WEBAPI_UUID.into(),
            api_key: ApiKey::parse(DEMO_API_KEY).unwrap(),
            secret: DeviceSecret::parse(DEMO_SECRET_HEX).unwrap().secret,
        },
    };
    app.state.store.upsert_device(&device).await.unwrap();
}

fn slot_of<'a>(view: &'a Value, title: &str) -> &'a Value {
    &view["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["session"]["lock"]["title"] == title)
        .unwrap_or_else(|| panic!("no session {title} in {view}"))["device"]
}

#[tokio::test]
async fn the_dashboard_shows_the_wearers_box_with_its_status_and_the_locks_settings() {
    let app = spawn_dashboard_app().await;
    connect_box_of_wearer_a(&app).await;
    // Above the keyholder's 20 % warning level, below the default 30 %.
    app.chaster.with_state(|s| {
        s.sessions.get_mut(SESSION_A_ID).unwrap().config = json!({"lowBatteryPercent": 20});
    });
    app.sesame.set_battery(DEMO_WEBAPI_UUID, 25);
    let mut browser = sign_in(&app, KEYHOLDER_USERNAME).await;
    let view = browser.dashboard().await;

    let slot = slot_of(&view, LOCK_A);
    assert_eq!(slot["can_manage"], false);
    let device = &slot["device"];
    assert_eq!(device["nickname"], "Key box");
    assert_eq!(device["model"], "SESAME 5");
    assert_eq!(device["can_open"], true);
    assert_eq!(device["can_lock"], true);
    assert_eq!(device["status"]["latch"], "locked");
    assert_eq!(device["status"]["battery_percent"], 25);
    assert_eq!(device["status"]["battery_low"], false);
    assert_eq!(
        *slot_of(&view, LOCK_B),
        json!({"device": null, "can_manage": false}),
        "the other wearer has no box"
    );
    let text = view.to_string().to_lowercase();
    for secret in [DEMO_API_KEY, DEMO_SECRET_HEX, DEMO_WEBAPI_UUID, WEARER_A_ID] {
        assert!(!text.contains(&secret.to_lowercase()), "{secret} leaked");
    }
}

#[tokio::test]
async fn the_keyholder_opens_and_locks_the_box_from_the_dashboard() {
    let app = spawn_dashboard_app().await;
    connect_box_of_wearer_a(&app).await;
    // The wearer's iframe has its session cached; a box command forgets it.
    app.session_json(WEARER_TOKEN).await;
    assert_eq!(app.state.sessions.cached_tokens(), 1);
    let mut browser = sign_in(&app, KEYHOLDER_USERNAME).await;
    let view = browser.dashboard().await;
    let a = handle_of(&view, LOCK_A);
    assert!(app.sesame.latch_locked(DEMO_WEBAPI_UUID));

    let response = browser.control(&a, "open-box", None).await;
    assert_eq!(response.status(), 200);
    let result: Value = response.json().await.unwrap();
    assert_eq!(result["outcome"], "confirmed");
    assert_eq!(result["status"]["latch"], "unlocked");
    assert!(!app.sesame.latch_locked(DEMO_WEBAPI_UUID));
    assert_eq!(app.state.sessions.cached_tokens(), 0);
    wait_for_log(&app, "Box opened by the keyholder").await;

    let view = browser.dashboard().await;
    assert_eq!(
        slot_of(&view, LOCK_A)["device"]["status"]["latch"],
        "unlocked"
    );

    let response = browser.control(&a, "lock-box", None).await;
    assert_eq!(response.status(), 200);
    let result: Value = response.json().await.unwrap();
    assert_eq!(result["outcome"], "confirmed");
    assert!(app.sesame.latch_locked(DEMO_WEBAPI_UUID));
    let log = wait_for_log(&app, "Box locked").await;
    assert_eq!(log["role"], "keyholder");
}

#[tokio::test]
async fn dashboard_box_commands_without_the_csrf_token_are_refused_and_reach_no_box() {
    let app = spawn_dashboard_app().await;
    connect_box_of_wearer_a(&app).await;
    let mut browser = sign_in(&app, KEYHOLDER_USERNAME).await;
    let view = browser.dashboard().await;
    let csrf = view["csrf_token"].as_str().unwrap().to_owned();
    let a = handle_of(&view, LOCK_A);
    let evil = [
        ("x-csrf-token", csrf.as_str()),
        ("origin", "https://evil.example"),
    ];
    let refused: [&[(&str, &str)]; 3] = [&[], &[("x-csrf-token", "wrong")], &evil];
    for action in ["open-box", "lock-box"] {
        let path = format!("/api/dashboard/sessions/{a}/{action}");
        for headers in refused {
            let response = browser.post(&path, headers, None).await;
            assert_eq!(response.status(), 403, "{action} {headers:?}");
            let error: Value = response.json().await.unwrap();
            assert_eq!(error["code"], "forbidden");
        }
    }
    for kind in [CommandKind::Unlock, CommandKind::Lock] {
        assert_eq!(app.sesame.commands_received(DEMO_WEBAPI_UUID, kind), 0);
    }
    assert!(app.sesame.latch_locked(DEMO_WEBAPI_UUID));

    // The same request from our page goes through.
    let ours = [("x-csrf-token", csrf.as_str()), ("origin", PUBLIC_BASE_URL)];
    let path = format!("/api/dashboard/sessions/{a}/open-box");
    assert_eq!(browser.post(&path, &ours, None).await.status(), 200);
    assert!(!app.sesame.latch_locked(DEMO_WEBAPI_UUID));
}

#[tokio::test]
async fn dashboard_box_commands_answer_404_for_a_lock_without_a_box_or_a_foreign_handle() {
    let app = spawn_dashboard_app().await;
    connect_box_of_wearer_a(&app).await;
    let mut browser = sign_in(&app, KEYHOLDER_USERNAME).await;
    let view = browser.dashboard().await;
    let b = handle_of(&view, LOCK_B);
    let response = browser.control(&b, "open-box", None).await;
    assert_eq!(response.status(), 404);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["message"], "No box is connected to this lock yet.");

    let response = browser.control(SESSION_A_ID, "open-box", None).await;
    assert_eq!(response.status(), 404, "a raw sessionId is not a handle");
    assert_eq!(
        app.sesame
            .commands_received(DEMO_WEBAPI_UUID, CommandKind::Unlock),
        0
    );
}

/// Waits (up to 2 s) for a custom log with this title in session A's history.
async fn wait_for_log(app: &TestApp, title: &str) -> Value {
    for _ in 0..200 {
        let logs = app.chaster.custom_logs(SESSION_A_ID);
        if let Some(log) = logs.into_iter().find(|l| l["title"] == title) {
            return log;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("no custom log titled {title:?}");
}
