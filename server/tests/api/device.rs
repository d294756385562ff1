//! `/api/device`: connecting, viewing and driving the wearer's box, against both simulators.

use std::time::Duration;

use base64::Engine;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use server::sesame::{ApiKey, DeviceCredentials, DeviceSecret};
use server::store::NewDevice;
use sim::chaster::seed::WEARER_A_ID;
use sim::chaster::{KEYHOLDER_TOKEN, SESSION_A_ID, WEARER_TOKEN};
use sim::sesame::{
    CommandKind, Fault, DEMO_API_KEY, DEMO_LOW_BATTERY_UUID, DEMO_SECRET_HEX, DEMO_V3_DEVICE_ID,
    DEMO_WEBAPI_UUID,
};

use crate::helpers::{spawn_app, spawn_app_with, TestApp};

/// Sends `body` (if any) as JSON with the bearer token; returns the status and the raw text.
async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<&Value>,
) -> (StatusCode, String) {
    let mut request = app
        .client
        .request(method, format!("{}/api{path}", app.address))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(body);
    }
    let response = request.send().await.expect("the app answers");
    (response.status(), response.text().await.unwrap())
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

async fn get_slot(app: &TestApp, token: &str) -> Value {
    let (status, text) = call(app, Method::GET, "/device", token, None).await;
    assert_eq!(status, 200, "{text}");
    parse(&text)
}

fn web_registration(secret: &str) -> Value {
    json!({
        "api": "web_api",
        "nickname": "Key box",
        "api_key": DEMO_API_KEY,
        "device_id": DEMO_WEBAPI_UUID,
        "secret": secret,
    })
}

fn legacy_registration() -> Value {
    json!({
        "api": "legacy_v3",
        "nickname": "",
        "api_key": DEMO_API_KEY,
        "device_id": DEMO_V3_DEVICE_ID,
        "secret": null,
    })
}

/// The owner's key-share QR text of a SESAME 5 (product type 5, UUID at byte 23).
fn qr_text(uuid: &str, level: u8) -> String {
    let mut raw = vec![5u8];
    raw.extend(hex::decode(DEMO_SECRET_HEX).unwrap());
    raw.extend([1, 2, 3, 4, 0, 1]);
    raw.extend(hex::decode(uuid.replace('-', "")).unwrap());
    let sk = base64::engine::general_purpose::STANDARD.encode(raw);
    format!("ssm://UI?t=sk&sk={sk}&l={level}&n=Box")
}

/// Saves the demo box for the wearer of session A without asking CANDY HOUSE (so no status is
/// cached yet).
async fn save_directly(app: &TestApp, uuid: &str) {
    let credentials = DeviceCredentials::WebApi {
        uuid: uuid.into(),
        api_key: ApiKey::parse(DEMO_API_KEY).unwrap(),
        secret: DeviceSecret::parse(DEMO_SECRET_HEX).unwrap().secret,
    };
    let device = NewDevice {
        user_id: WEARER_A_ID.into(),
        nickname: "Key box".into(),
        model: "SESAME 5".into(),
        credentials,
    };
    app.state.store.upsert_device(&device).await.unwrap();
}

async fn connect(app: &TestApp, registration: &Value) -> Value {
    let (status, text) = call(
        app,
        Method::PUT,
        "/device",
        WEARER_TOKEN,
        Some(registration),
    )
    .await;
    assert_eq!(status, 200, "{text}");
    parse(&text)
}

/// Waits (up to 2 s) for a custom log with this title in session A's history.
async fn wait_for_log(app: &TestApp, title: &str) -> Value {
    for _ in 0..200 {
        let logs = app.chaster.custom_logs(SESSION_A_ID);
        if let Some(log) = logs.into_iter().find(|l| l["title"] == title) {
            return log;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("no custom log titled {title:?}");
}

fn assert_no_credentials(text: &str, extra: &[&str]) {
    let lower = text.to_lowercase();
    for needle in [DEMO_API_KEY, DEMO_SECRET_HEX, DEMO_WEBAPI_UUID]
        .iter()
        .chain(extra)
    {
        assert!(
            !lower.contains(&needle.to_lowercase()),
            "{needle} leaked in {text}"
        );
    }
}

#[tokio::test]
async fn a_wearer_connects_a_web_api_box_with_a_hex_secret_and_the_keyholder_sees_it_without_credentials(
) {
    let app = spawn_app().await;
    let (status, text) = call(
        &app,
        Method::PUT,
        "/device",
        WEARER_TOKEN,
        Some(&web_registration(DEMO_SECRET_HEX)),
    )
    .await;
    assert_eq!(status, 200, "{text}");
    assert_no_credentials(&text, &[]);
    let view = parse(&text);
    assert_eq!(view["nickname"], "Key box");
    assert_eq!(view["api"], "web_api");
    assert_eq!(view["status"]["latch"], "locked");

    let (status, text) = call(&app, Method::GET, "/device", KEYHOLDER_TOKEN, None).await;
    assert_eq!(status, 200, "{text}");
    assert_no_credentials(&text, &[]);
    let slot = parse(&text);
    assert_eq!(slot["can_manage"], false);
    let device = &slot["device"];
    assert_eq!(device["nickname"], "Key box");
    assert_eq!(device["model"], "SESAME (Web API)");
    assert_eq!(device["status"]["battery_percent"], 100);
    assert_eq!(device["status"]["battery_low"], false);
    assert_eq!(device["status_error"], Value::Null);
    assert!(device["requests_this_month"].as_u64().unwrap() >= 1);
    assert_eq!(device["can_open"], true);
    assert_eq!(device["can_lock"], true);

    let wearer = get_slot(&app, WEARER_TOKEN).await;
    assert_eq!(wearer["can_manage"], true);
    assert_eq!(wearer["device"]["can_open"], false);
    assert_eq!(wearer["device"]["can_lock"], true);

    let log = wait_for_log(&app, "The wearer connected a box").await;
    assert_no_credentials(&log.to_string(), &[]);
}

#[tokio::test]
async fn the_credentials_are_stored_encrypted() {
    let app = spawn_app().await;
    connect(&app, &web_registration(DEMO_SECRET_HEX)).await;
    let mut stored = Vec::new();
    for entry in std::fs::read_dir(app.dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("opener.db") {
            stored.extend(std::fs::read(&path).unwrap());
        }
    }
    assert!(!stored.is_empty(), "the database file exists");
    let secret = hex::decode(DEMO_SECRET_HEX).unwrap();
    for needle in [DEMO_API_KEY.as_bytes(), DEMO_SECRET_HEX.as_bytes(), &secret] {
        assert!(
            !stored.windows(needle.len()).any(|w| w == needle),
            "a credential is stored in clear"
        );
    }
}

#[tokio::test]
async fn a_wearer_connects_a_box_with_the_owner_qr_code_and_its_model_is_known() {
    let app = spawn_app().await;
    let qr = qr_text(DEMO_WEBAPI_UUID, 0);
    let mut registration = web_registration(&qr);
    registration["device_id"] = json!(DEMO_WEBAPI_UUID.to_lowercase());
    let view = connect(&app, &registration).await;
    assert_eq!(view["model"], "SESAME 5");

    let (_, text) = call(&app, Method::GET, "/device", KEYHOLDER_TOKEN, None).await;
    let sk = qr.split("sk=").nth(1).unwrap().split('&').next().unwrap();
    assert_no_credentials(&text, &[sk]);
    assert_eq!(parse(&text)["device"]["model"], "SESAME 5");

    let (status, text) = call(&app, Method::POST, "/device/open", KEYHOLDER_TOKEN, None).await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(parse(&text)["outcome"], "confirmed");
}

#[tokio::test]
async fn testing_a_connection_returns_the_box_status_and_saves_nothing() {
    let app = spawn_app().await;
    let (status, text) = call(
        &app,
        Method::POST,
        "/device/test",
        WEARER_TOKEN,
        Some(&web_registration(DEMO_SECRET_HEX)),
    )
    .await;
    assert_eq!(status, 200, "{text}");
    assert_no_credentials(&text, &[]);
    let status = parse(&text);
    assert_eq!(status["latch"], "locked");
    assert_eq!(status["reachable"], true);
    assert_eq!(get_slot(&app, WEARER_TOKEN).await["device"], Value::Null);
}

#[tokio::test]
async fn a_wrong_api_key_is_refused_with_a_clear_message_and_nothing_is_saved() {
    let app = spawn_app().await;
    let mut registration = web_registration(DEMO_SECRET_HEX);
    registration["api_key"] = json!("not-the-right-key-000000000000000000000");
    for (method, path) in [(Method::POST, "/device/test"), (Method::PUT, "/device")] {
        let (status, text) = call(&app, method, path, WEARER_TOKEN, Some(&registration)).await;
        assert_eq!(status, 422, "{path}: {text}");
        let error = parse(&text);
        assert_eq!(error["code"], "invalid");
        assert!(
            error["message"].as_str().unwrap().contains("API key"),
            "{text}"
        );
    }
    assert_eq!(get_slot(&app, WEARER_TOKEN).await["device"], Value::Null);
}

#[tokio::test]
async fn a_guest_qr_code_is_refused_with_an_explanation() {
    let app = spawn_app().await;
    let registration = web_registration(&qr_text(DEMO_WEBAPI_UUID, 2));
    let (status, text) = call(
        &app,
        Method::POST,
        "/device/test",
        WEARER_TOKEN,
        Some(&registration),
    )
    .await;
    assert_eq!(status, 422, "{text}");
    let message = parse(&text)["message"].as_str().unwrap().to_owned();
    assert!(
        message.contains("guest key") && message.contains("owner"),
        "{message}"
    );
    assert_eq!(app.sesame.requests_for_key(DEMO_API_KEY), 0);
}

#[tokio::test]
async fn a_malformed_secret_or_the_qr_code_of_another_box_is_refused() {
    let app = spawn_app().await;
    let cases = [
        (web_registration("0b3e5f"), "32 hexadecimal"),
        (
            web_registration(&qr_text(DEMO_LOW_BATTERY_UUID, 0)),
            "not to the device UUID you entered",
        ),
    ];
    for (registration, expected) in cases {
        let (status, text) = call(
            &app,
            Method::PUT,
            "/device",
            WEARER_TOKEN,
            Some(&registration),
        )
        .await;
        assert_eq!(status, 422, "{text}");
        assert!(text.contains(expected), "{text}");
    }
    let (status, text) = call(
        &app,
        Method::PUT,
        "/device",
        WEARER_TOKEN,
        Some(&json!({"api": "web_api"})),
    )
    .await;
    assert_eq!(status, 422, "{text}");
    assert_eq!(parse(&text)["code"], "invalid");
    assert_eq!(get_slot(&app, WEARER_TOKEN).await["device"], Value::Null);
}

#[tokio::test]
async fn the_keyholder_opens_and_locks_the_box_and_both_are_confirmed_and_logged() {
    let app = spawn_app().await;
    connect(&app, &web_registration(DEMO_SECRET_HEX)).await;
    assert!(app.sesame.latch_locked(DEMO_WEBAPI_UUID));

    let (status, text) = call(&app, Method::POST, "/device/open", KEYHOLDER_TOKEN, None).await;
    assert_eq!(status, 200, "{text}");
    let result = parse(&text);
    assert_eq!(result["outcome"], "confirmed");
    assert_eq!(result["status"]["latch"], "unlocked");
    assert!(!app.sesame.latch_locked(DEMO_WEBAPI_UUID));
    let log = wait_for_log(&app, "Keyholder opened the box").await;
    assert_eq!(log["role"], "keyholder");
    assert_eq!(log["icon"], "fa-lock-open");

    let slot = get_slot(&app, KEYHOLDER_TOKEN).await;
    assert_eq!(slot["device"]["status"]["latch"], "unlocked");

    let (status, text) = call(&app, Method::POST, "/device/lock", KEYHOLDER_TOKEN, None).await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(parse(&text)["outcome"], "confirmed");
    assert!(app.sesame.latch_locked(DEMO_WEBAPI_UUID));
    let log = wait_for_log(&app, "Box locked").await;
    assert!(log["description"]
        .as_str()
        .unwrap()
        .contains("by the keyholder"));
}

#[tokio::test]
async fn the_wearer_cannot_open_the_box_and_no_unlock_reaches_it() {
    let app = spawn_app().await;
    connect(&app, &web_registration(DEMO_SECRET_HEX)).await;
    let (status, text) = call(&app, Method::POST, "/device/open", WEARER_TOKEN, None).await;
    assert_eq!(status, 403, "{text}");
    let error = parse(&text);
    assert_eq!(error["code"], "forbidden");
    assert_eq!(
        error["message"],
        "The wearer cannot open the box while the session runs."
    );
    assert_eq!(
        app.sesame
            .commands_received(DEMO_WEBAPI_UUID, CommandKind::Unlock),
        0
    );
    assert!(app.sesame.latch_locked(DEMO_WEBAPI_UUID));
}

#[tokio::test]
async fn the_wearer_may_lock_the_box() {
    let app = spawn_app().await;
    connect(&app, &web_registration(DEMO_SECRET_HEX)).await;
    app.sesame.set_latch(DEMO_WEBAPI_UUID, false);
    let (status, text) = call(&app, Method::POST, "/device/lock", WEARER_TOKEN, None).await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(parse(&text)["outcome"], "confirmed");
    assert!(app.sesame.latch_locked(DEMO_WEBAPI_UUID));
    let log = wait_for_log(&app, "Box locked").await;
    assert_eq!(log["role"], "user");
}

#[tokio::test]
async fn the_keyholder_can_neither_test_connect_nor_remove_the_box() {
    let app = spawn_app().await;
    connect(&app, &web_registration(DEMO_SECRET_HEX)).await;
    let mut other = web_registration(DEMO_SECRET_HEX);
    other["device_id"] = json!(DEMO_LOW_BATTERY_UUID);
    for (method, path, body) in [
        (Method::POST, "/device/test", Some(&other)),
        (Method::PUT, "/device", Some(&other)),
        (Method::DELETE, "/device", None),
    ] {
        let (status, text) = call(&app, method.clone(), path, KEYHOLDER_TOKEN, body).await;
        assert_eq!(status, 403, "{method} {path}: {text}");
        assert_eq!(parse(&text)["code"], "forbidden");
    }
    let slot = get_slot(&app, WEARER_TOKEN).await;
    assert_eq!(slot["device"]["nickname"], "Key box");
    assert_eq!(app.sesame.status_reads(DEMO_LOW_BATTERY_UUID), 0);
}

#[tokio::test]
async fn the_wearer_removes_the_box_and_the_keyholder_sees_it_in_the_history() {
    let app = spawn_app().await;
    connect(&app, &web_registration(DEMO_SECRET_HEX)).await;
    let (status, text) = call(&app, Method::DELETE, "/device", WEARER_TOKEN, None).await;
    assert_eq!(status, 204, "{text}");
    assert_eq!(get_slot(&app, KEYHOLDER_TOKEN).await["device"], Value::Null);
    let log = wait_for_log(&app, "The wearer removed the box").await;
    assert_eq!(log["role"], "user");
    // Removing nothing is not an error.
    let (status, _) = call(&app, Method::DELETE, "/device", WEARER_TOKEN, None).await;
    assert_eq!(status, 204);
}

#[tokio::test]
async fn commands_without_a_box_answer_404_saying_no_box_is_connected() {
    let app = spawn_app().await;
    for path in ["/device/open", "/device/lock"] {
        let (status, text) = call(&app, Method::POST, path, KEYHOLDER_TOKEN, None).await;
        assert_eq!(status, 404, "{path}: {text}");
        let error = parse(&text);
        assert_eq!(error["code"], "not_found");
        assert_eq!(error["message"], "No box is connected to this lock yet.");
    }
    let slot = get_slot(&app, KEYHOLDER_TOKEN).await;
    assert_eq!(slot, json!({"device": null, "can_manage": false}));
}

#[tokio::test]
async fn device_routes_require_the_main_token() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(format!("{}/api/device", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(
        response.json::<Value>().await.unwrap()["code"],
        "missing_token"
    );
}

#[tokio::test]
async fn a_nearly_empty_battery_is_flagged_as_low() {
    let app = spawn_app().await;
    let mut registration = web_registration(DEMO_SECRET_HEX);
    registration["device_id"] = json!(DEMO_LOW_BATTERY_UUID);
    connect(&app, &registration).await;
    let slot = get_slot(&app, KEYHOLDER_TOKEN).await;
    assert_eq!(slot["device"]["status"]["battery_percent"], 8);
    assert_eq!(slot["device"]["status"]["battery_low"], true);
}

#[tokio::test]
async fn the_low_battery_threshold_is_configurable() {
    let app = spawn_app_with(|s| s.sesame.low_battery_percent = 30).await;
    app.sesame.set_battery(DEMO_WEBAPI_UUID, 30);
    let view = connect(&app, &web_registration(DEMO_SECRET_HEX)).await;
    assert_eq!(view["status"]["battery_low"], true);

    let default = spawn_app().await;
    default.sesame.set_battery(DEMO_WEBAPI_UUID, 30);
    let view = connect(&default, &web_registration(DEMO_SECRET_HEX)).await;
    assert_eq!(view["status"]["battery_low"], false);
}

#[tokio::test]
async fn a_hundred_concurrent_views_of_the_box_make_one_status_read() {
    let app = spawn_app().await;
    save_directly(&app, DEMO_WEBAPI_UUID).await;
    let requests = (0..100).map(|i| {
        let token = if i % 2 == 0 {
            WEARER_TOKEN
        } else {
            KEYHOLDER_TOKEN
        };
        call(&app, Method::GET, "/device", token, None)
    });
    let answers = futures::future::join_all(requests).await;
    for (status, text) in &answers {
        assert_eq!(*status, 200, "{text}");
        assert_eq!(parse(text)["device"]["status"]["latch"], "locked");
    }
    assert_eq!(app.sesame.status_reads(DEMO_WEBAPI_UUID), 1);
}

#[tokio::test]
async fn an_offline_box_answers_200_with_its_last_status_and_an_offline_message() {
    let app = spawn_app().await;
    save_directly(&app, DEMO_WEBAPI_UUID).await;
    app.sesame.set_fault(DEMO_WEBAPI_UUID, Some(Fault::Offline));
    let slot = get_slot(&app, KEYHOLDER_TOKEN).await;
    let device = &slot["device"];
    assert_eq!(device["status"]["reachable"], false);
    let error = device["status_error"].as_str().unwrap();
    assert!(
        error.contains("offline") && error.contains("hub"),
        "{error}"
    );
}

#[tokio::test]
async fn a_status_that_cannot_be_read_answers_200_with_the_reason() {
    let app = spawn_app().await;
    save_directly(&app, DEMO_WEBAPI_UUID).await;
    app.sesame
        .set_fault(DEMO_WEBAPI_UUID, Some(Fault::InternalError));
    let slot = get_slot(&app, WEARER_TOKEN).await;
    assert_eq!(slot["device"]["status"], Value::Null);
    assert!(slot["device"]["status_error"]
        .as_str()
        .unwrap()
        .contains("CANDY HOUSE"));
    assert_eq!(slot["device"]["nickname"], "Key box");
}

#[tokio::test]
async fn the_legacy_v3_box_can_be_connected_and_opened() {
    let app = spawn_app().await;
    let view = connect(&app, &legacy_registration()).await;
    assert_eq!(view["api"], "legacy_v3");
    assert_eq!(view["model"], "Sesame (original)");
    assert_eq!(view["nickname"], "Demo key box");
    let (status, text) = call(&app, Method::POST, "/device/open", KEYHOLDER_TOKEN, None).await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(parse(&text)["outcome"], "confirmed");
    assert!(!app.sesame.latch_locked(DEMO_V3_DEVICE_ID));
    let (_, text) = call(&app, Method::GET, "/device", KEYHOLDER_TOKEN, None).await;
    assert_no_credentials(&text, &[DEMO_V3_DEVICE_ID]);
}

#[tokio::test]
async fn a_command_the_box_refuses_answers_409_with_its_reason() {
    let app = spawn_app().await;
    connect(&app, &legacy_registration()).await;
    app.sesame
        .set_fault(DEMO_V3_DEVICE_ID, Some(Fault::LowBattery));
    let (status, text) = call(&app, Method::POST, "/device/open", KEYHOLDER_TOKEN, None).await;
    assert_eq!(status, 409, "{text}");
    let error = parse(&text);
    assert_eq!(error["code"], "device_error");
    assert!(
        error["message"].as_str().unwrap().contains("batter"),
        "{text}"
    );
    assert!(app.sesame.latch_locked(DEMO_V3_DEVICE_ID));
}

#[tokio::test]
async fn a_throttled_command_answers_503_with_retry_after() {
    let app = spawn_app().await;
    save_directly(&app, DEMO_WEBAPI_UUID).await;
    app.sesame
        .set_fault(DEMO_WEBAPI_UUID, Some(Fault::Throttled));
    let response = app
        .client
        .post(format!("{}/api/device/lock", app.address))
        .bearer_auth(KEYHOLDER_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 503);
    assert!(response.headers().contains_key("retry-after"));
    assert_eq!(
        response.json::<Value>().await.unwrap()["code"],
        "rate_limited"
    );
}

#[tokio::test]
async fn an_oversized_registration_is_refused_and_nothing_is_saved() {
    let app = spawn_app().await;
    let mut registration = web_registration(DEMO_SECRET_HEX);
    registration["nickname"] = json!("x".repeat(200 * 1024));
    let (status, text) = call(
        &app,
        Method::PUT,
        "/device",
        WEARER_TOKEN,
        Some(&registration),
    )
    .await;
    assert!(status.is_client_error(), "{status}: {text}");
    assert_eq!(get_slot(&app, WEARER_TOKEN).await["device"], Value::Null);
    assert_eq!(app.sesame.requests_for_key(DEMO_API_KEY), 0);
}
