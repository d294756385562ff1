//! `/api/device`: connecting, viewing and driving the wearer's box, against both simulators.
//! Shared helpers here; the tests are in the submodules.

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

use crate::helpers::{spawn_app, TestApp};

/// Sends `body` (if any) as JSON with the bearer token; returns the status and the raw text.
pub(super) async fn call(
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

pub(super) fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

pub(super) async fn get_slot(app: &TestApp, token: &str) -> Value {
    let (status, text) = call(app, Method::GET, "/device", token, None).await;
    assert_eq!(status, 200, "{text}");
    parse(&text)
}

pub(super) fn web_registration(secret: &str) -> Value {
    json!({
        "api": "web_api",
        "nickname": "Key box",
        "api_key": DEMO_API_KEY,
        "device_id": DEMO_WEBAPI_UUID,
        "secret": secret,
    })
}

pub(super) fn legacy_registration() -> Value {
    json!({
        "api": "legacy_v3",
        "nickname": "",
        "api_key": DEMO_API_KEY,
        "device_id": DEMO_V3_DEVICE_ID,
        "secret": null,
    })
}

/// The owner's key-share QR text of a SESAME 5 (product type 5, UUID at byte 23).
pub(super) fn qr_text(uuid: &str, level: u8) -> String {
    let mut raw = vec![5u8];
    raw.extend(hex::decode(DEMO_SECRET_HEX).unwrap());
    raw.extend([1, 2, 3, 4, 0, 1]);
    raw.extend(hex::decode(uuid.replace('-', "")).unwrap());
    let sk = base64::engine::general_purpose::STANDARD.encode(raw);
    format!("ssm://UI?t=sk&sk={sk}&l={level}&n=Box")
}

/// Sets the extension config of session A (camelCase keys), as the keyholder would in Chaster. Call it before
/// the first request, as resolved sessions are cached.
pub(super) fn set_lock_config(app: &TestApp, config: Value) {
    app.chaster.with_state(|s| {
        s.sessions.get_mut(SESSION_A_ID).expect("session A").config = config;
    });
}

/// Saves the demo box for the wearer of session A without asking CANDY HOUSE (so no status is
/// cached yet).
pub(super) async fn save_directly(app: &TestApp, uuid: &str) {
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

pub(super) async fn connect(app: &TestApp, registration: &Value) -> Value {
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
pub(super) async fn wait_for_log(app: &TestApp, title: &str) -> Value {
    for _ in 0..200 {
        let logs = app.chaster.custom_logs(SESSION_A_ID);
        if let Some(log) = logs.into_iter().find(|l| l["title"] == title) {
            return log;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("no custom log titled {title:?}");
}

/// Waits (up to 5 s) for a line with this title on the history page `token` sees.
pub(super) async fn wait_for_history_line(app: &TestApp, token: &str, title: &str) -> Value {
    for _ in 0..100 {
        let (status, text) = call(app, Method::GET, "/history", token, None).await;
        if status == 200 {
            let page = parse(&text);
            if let Some(line) = page["entries"]
                .as_array()
                .and_then(|e| e.iter().find(|l| l["title"] == title))
            {
                return line.clone();
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no history line titled {title:?}");
}

pub(super) fn assert_no_credentials(text: &str, extra: &[&str]) {
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

mod commands;
mod connect;
mod home_action;
mod view;
