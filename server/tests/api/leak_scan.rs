//! Every `/api` endpoint, called as wearer, keyholder, configuration page and dashboard against
//! the simulators: no answer (status, headers or body, success or error) may contain a secret
//! the server holds, a device credential, a Chaster id of the session or lock, or a token.

use reqwest::Method;
use serde_json::{json, Value};
use sim::chaster::seed::{KEYHOLDER_ID, KEYHOLDER_USERNAME, WEARER_A_ID};
use sim::chaster::{
    CONFIG_EDIT_TOKEN, DEV_TOKEN, EXPIRED_TOKEN, KEYHOLDER_TOKEN, OAUTH_CLIENT_SECRET,
    SESSION_A_ID, WEARER_TOKEN,
};
use sim::sesame::{DEMO_API_KEY, DEMO_SECRET_HEX, DEMO_WEBAPI_UUID};

use crate::dashboard::{sign_in, spawn_dashboard_app};
use crate::device::qr_text;
use crate::helpers::TestApp;

/// Everything the server answered, one entry per request.
#[derive(Default)]
struct Answers(Vec<(String, String)>);

impl Answers {
    /// Keeps the status line, every header and the body of `response` under `label`.
    async fn keep(&mut self, label: String, response: reqwest::Response) -> Value {
        let mut text = format!("{}\n", response.status());
        for (name, value) in response.headers() {
            text.push_str(&format!(
                "{name}: {}\n",
                String::from_utf8_lossy(value.as_bytes())
            ));
        }
        let body = response.text().await.unwrap();
        text.push_str(&body);
        self.0.push((label, text));
        serde_json::from_str(&body).unwrap_or(Value::Null)
    }

    async fn call(
        &mut self,
        app: &TestApp,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> Value {
        let mut request = app
            .client
            .request(method.clone(), format!("{}/api{path}", app.address))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the app answers");
        self.keep(format!("{method} /api{path} as {token}"), response)
            .await
    }
}

/// The values no answer may contain, with what each one is.
fn forbidden_values(app: &TestApp, qr: &str) -> Vec<(String, &'static str)> {
    let sk = qr.split("sk=").nth(1).unwrap().split('&').next().unwrap();
    let (session_object_id, lock_id, combination_id, hygiene_id) = app.chaster.with_state(|s| {
        let (session, lock) = s.session_and_lock(SESSION_A_ID).expect("session A");
        (
            session.object_id.clone(),
            lock.id.clone(),
            lock.combination_id.clone(),
            lock.hygiene_party_id.clone(),
        )
    });
    let secrets_key = std::fs::read(&app.state.settings.secrets_key_file).unwrap();
    let mut values = vec![
        (DEV_TOKEN.to_owned(), "the Chaster developer token"),
        (OAUTH_CLIENT_SECRET.to_owned(), "the OAuth client secret"),
        (DEMO_API_KEY.to_owned(), "the Sesame API key"),
        (DEMO_SECRET_HEX.to_owned(), "the device secret (hex)"),
        (qr.to_owned(), "the key-share QR text"),
        (sk.to_owned(), "the QR code's secret part"),
        (DEMO_WEBAPI_UUID.to_owned(), "the device UUID"),
        (
            DEMO_WEBAPI_UUID.replace('-', ""),
            "the device UUID (bare hex)",
        ),
        (SESSION_A_ID.to_owned(), "the Chaster sessionId"),
        (session_object_id, "the extension session's _id"),
        (lock_id, "the lock's _id"),
        (combination_id, "the lock's combination _id"),
        (WEARER_A_ID.to_owned(), "the wearer's Chaster user id"),
        (KEYHOLDER_ID.to_owned(), "the keyholder's Chaster user id"),
        (WEARER_TOKEN.to_owned(), "the wearer's mainToken"),
        (KEYHOLDER_TOKEN.to_owned(), "the keyholder's mainToken"),
        (CONFIG_EDIT_TOKEN.to_owned(), "the configuration token"),
        (hex::encode(&secrets_key), "the secrets key (hex)"),
    ];
    if let Some(id) = hygiene_id {
        values.push((id, "the hygiene extension's _id"));
    }
    if let Ok(text) = std::str::from_utf8(&secrets_key) {
        if text.trim().len() >= 16 {
            values.push((text.trim().to_owned(), "the secrets key file"));
        }
    }
    values
}

#[tokio::test]
async fn no_api_answer_contains_a_secret_a_credential_a_chaster_id_or_a_token() {
    let app = spawn_dashboard_app().await;
    let qr = qr_text(DEMO_WEBAPI_UUID, 0);
    let registration = json!({
        "api": "web_api", "nickname": "Key box", "api_key": DEMO_API_KEY,
        "device_id": DEMO_WEBAPI_UUID, "secret": qr,
    });
    let mut answers = Answers::default();
    let (get, put, post, delete) = (Method::GET, Method::PUT, Method::POST, Method::DELETE);

    // The wearer connects and drives the box, and tries what only the keyholder may do.
    let w = WEARER_TOKEN;
    answers.call(&app, get.clone(), "/session", w, None).await;
    answers.call(&app, get.clone(), "/device", w, None).await;
    answers
        .call(
            &app,
            post.clone(),
            "/device/test",
            w,
            Some(registration.clone()),
        )
        .await;
    let saved = answers
        .call(&app, put.clone(), "/device", w, Some(registration.clone()))
        .await;
    assert_eq!(saved["model"], "SESAME 5", "the box was connected: {saved}");
    answers.call(&app, get.clone(), "/device", w, None).await;
    answers
        .call(&app, post.clone(), "/device/lock", w, None)
        .await;
    answers
        .call(&app, post.clone(), "/device/open", w, None)
        .await;
    answers.call(&app, get.clone(), "/history", w, None).await;
    answers
        .call(
            &app,
            post.clone(),
            "/controls/time",
            w,
            Some(json!({"seconds": 60})),
        )
        .await;
    answers.call(&app, get.clone(), "/config", w, None).await;

    // The keyholder sees and drives it, changes the lock, and tries the wearer's actions.
    let k = KEYHOLDER_TOKEN;
    answers.call(&app, get.clone(), "/session", k, None).await;
    let device = answers.call(&app, get.clone(), "/device", k, None).await;
    assert!(
        device["device"].is_object(),
        "the keyholder sees the box: {device}"
    );
    answers
        .call(&app, post.clone(), "/device/open", k, None)
        .await;
    answers
        .call(&app, post.clone(), "/device/lock", k, None)
        .await;
    answers
        .call(
            &app,
            post.clone(),
            "/device/test",
            k,
            Some(registration.clone()),
        )
        .await;
    answers
        .call(&app, put.clone(), "/device", k, Some(registration.clone()))
        .await;
    answers.call(&app, delete.clone(), "/device", k, None).await;
    answers
        .call(
            &app,
            post.clone(),
            "/controls/time",
            k,
            Some(json!({"seconds": 60})),
        )
        .await;
    answers
        .call(
            &app,
            post.clone(),
            "/controls/freeze",
            k,
            Some(json!({"frozen": true})),
        )
        .await;
    answers
        .call(
            &app,
            post.clone(),
            "/controls/freeze",
            k,
            Some(json!({"frozen": false})),
        )
        .await;
    answers
        .call(&app, post.clone(), "/controls/hygiene-opening", k, None)
        .await;
    answers.call(&app, get.clone(), "/history", k, None).await;
    answers.call(&app, get.clone(), "/session", k, None).await;

    // The configuration page of the running session.
    let c = CONFIG_EDIT_TOKEN;
    let config = answers.call(&app, get.clone(), "/config", c, None).await;
    answers
        .call(
            &app,
            put.clone(),
            "/config",
            c,
            Some(config["config"].clone()),
        )
        .await;

    // The keyholder's dashboard (cookie sign-in), its view and its controls.
    let mut browser = sign_in(&app, KEYHOLDER_USERNAME).await;
    let response = browser.get("/api/dashboard").await;
    let view = answers.keep("GET /api/dashboard".into(), response).await;
    let csrf = view["csrf_token"]
        .as_str()
        .expect("a dashboard view")
        .to_owned();
    let handles: Vec<String> = view["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["handle"].as_str().map(str::to_owned))
        .collect();
    assert!(!handles.is_empty(), "the keyholder holds sessions: {view}");
    for handle in &handles {
        for (action, body) in [
            ("time", Some(json!({"seconds": 60}))),
            ("freeze", Some(json!({"frozen": true}))),
            ("freeze", Some(json!({"frozen": false}))),
            ("hygiene-opening", None),
        ] {
            let path = format!("/api/dashboard/sessions/{handle}/{action}");
            let response = browser.post(&path, &[("x-csrf-token", &csrf)], body).await;
            answers.keep(format!("POST {path}"), response).await;
        }
    }

    // Errors: an expired token, no token, and the wearer removing the box.
    answers
        .call(&app, get.clone(), "/session", EXPIRED_TOKEN, None)
        .await;
    let response = app.get("/api/device").await;
    answers
        .keep("GET /api/device without a token".into(), response)
        .await;
    answers.call(&app, delete, "/device", w, None).await;

    let forbidden = forbidden_values(&app, &qr);
    let mut leaks = Vec::new();
    for (label, text) in &answers.0 {
        let lower = text.to_lowercase();
        for (value, what) in &forbidden {
            if lower.contains(&value.to_lowercase()) {
                leaks.push(format!("{label}: {what} ({value})\n{text}"));
            }
        }
    }
    assert!(
        answers.0.len() >= 30,
        "only {} answers scanned",
        answers.0.len()
    );
    assert!(leaks.is_empty(), "leaks:\n{}", leaks.join("\n\n"));
}
