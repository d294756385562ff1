//! Connecting, testing and removing the box: who may, what is checked, what is kept.

use super::*;

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
    // The running lock holds the box now: it is changed after the lock ends.
    assert_eq!(wearer["can_manage"], false);
    assert_eq!(wearer["device"]["holds_box"], true);
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
    // The running lock holds the box and its config opens it at the end: the page says so.
    assert_eq!(parse(&text)["device"]["opens_on_release"], true);

    let (status, text) = call(&app, Method::POST, "/device/open", KEYHOLDER_TOKEN, None).await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(parse(&text)["outcome"], "confirmed");
}

#[tokio::test]
async fn testing_a_connection_returns_the_box_status_and_how_control_was_proven_and_saves_nothing()
{
    let app = spawn_app().await;
    let mut picked = web_registration(DEMO_SECRET_HEX);
    picked["model"] = json!("SESAME 5 Pro");
    let (status, text) = call(
        &app,
        Method::POST,
        "/device/test",
        WEARER_TOKEN,
        Some(&picked),
    )
    .await;
    assert_eq!(status, 200, "{text}");
    assert_no_credentials(&text, &[]);
    let test = parse(&text);
    assert_eq!(test["status"]["latch"], "locked");
    assert_eq!(test["status"]["reachable"], true);
    // The test says what it checked: our tagged lock in the box's own history.
    assert_eq!(test["proof"], "tagged_lock_in_history");
    assert_eq!(test["model"], "SESAME 5 Pro");
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
    assert_eq!(parse(&text)["reason"], "qr_code_guest_key", "{text}");
    assert_eq!(app.sesame.requests_for_key(DEMO_API_KEY), 0);
}

#[tokio::test]
async fn a_malformed_secret_or_the_qr_code_of_another_box_is_refused() {
    let app = spawn_app().await;
    let cases = [
        (
            web_registration("0b3e5f"),
            "32 hexadecimal",
            "secret_key_malformed",
        ),
        (
            web_registration(&qr_text(DEMO_LOW_BATTERY_UUID, 0)),
            "not to the device UUID you entered",
            "qr_code_of_other_box",
        ),
    ];
    for (registration, expected, reason) in cases {
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
        assert_eq!(parse(&text)["reason"], reason, "{text}");
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
async fn the_wearer_removes_the_box_after_the_lock_ended_and_the_keyholder_sees_it_in_the_history()
{
    let app = spawn_app().await;
    connect(&app, &web_registration(DEMO_SECRET_HEX)).await;
    let (status, text) = call(&app, Method::DELETE, "/device", WEARER_TOKEN, None).await;
    assert_eq!(status, 409, "{text}");
    app.chaster
        .release_lock(SESSION_A_ID, sim::chaster::Release::TimerEnded)
        .await;
    // No webhooks here: the page learns the end from Chaster once its cached view is dropped.
    app.state
        .sessions
        .invalidate_session(&server::domain::SessionId::new(SESSION_A_ID));
    let (status, text) = call(&app, Method::DELETE, "/device", WEARER_TOKEN, None).await;
    assert_eq!(status, 204, "{text}");
    assert_eq!(get_slot(&app, KEYHOLDER_TOKEN).await["device"], Value::Null);
    // Chaster refuses history lines on an ended lock: ours keeps the line and shows it.
    let line = wait_for_history_line(&app, KEYHOLDER_TOKEN, "The wearer removed the box").await;
    assert_eq!(line["by_this_extension"], true, "{line}");
    // Removing nothing is not an error.
    let (status, _) = call(&app, Method::DELETE, "/device", WEARER_TOKEN, None).await;
    assert_eq!(status, 204);
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

#[tokio::test]
async fn a_wrong_secret_is_refused_at_registration_because_the_tagged_lock_never_shows_up() {
    let app = spawn_app().await;
    let registration = web_registration("00112233445566778899aabbccddeeff");
    for (method, path) in [(Method::POST, "/device/test"), (Method::PUT, "/device")] {
        let (status, text) = call(&app, method, path, WEARER_TOKEN, Some(&registration)).await;
        assert_eq!(status, 422, "{path}: {text}");
        let message = parse(&text)["message"].as_str().unwrap().to_owned();
        assert!(message.contains("secret key is wrong"), "{message}");
    }
    assert_eq!(get_slot(&app, WEARER_TOKEN).await["device"], Value::Null);
    assert_eq!(
        app.sesame
            .commands_received(DEMO_WEBAPI_UUID, CommandKind::Lock),
        2,
        "one tagged lock per attempt"
    );
}

#[tokio::test]
async fn a_touch_2_pro_qr_code_and_a_160_byte_payload_are_refused_with_their_messages() {
    let app = spawn_app().await;
    let qr = |raw: Vec<u8>| {
        let sk = base64::engine::general_purpose::STANDARD.encode(raw);
        format!("ssm://UI?t=sk&sk={sk}&l=0&n=Box")
    };
    let mut touch = vec![26u8];
    touch.extend(hex::decode(DEMO_SECRET_HEX).unwrap());
    touch.extend([1, 2, 3, 4, 0, 1]);
    touch.extend(hex::decode(DEMO_WEBAPI_UUID.replace('-', "")).unwrap());
    let mut long = vec![5u8];
    long.extend(hex::decode(DEMO_SECRET_HEX).unwrap());
    long.resize(160, 0x42);
    let cases = [
        (
            qr(touch),
            "belongs to a SESAME Touch 2 Pro, not a lock",
            (
                "qr_code_of_non_lock",
                json!({ "name": "SESAME Touch 2 Pro" }),
            ),
        ),
        (
            qr(long),
            "(160 bytes instead of 39 or 99)",
            ("qr_code_unknown_layout", json!({ "bytes": "160" })),
        ),
    ];
    for (text_of_qr, expected, (reason, params)) in cases {
        let registration = web_registration(&text_of_qr);
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
        let body = parse(&text);
        assert_eq!(body["reason"], reason, "{text}");
        assert_eq!(body["params"], params, "{text}");
    }
    assert_eq!(app.sesame.requests_for_key(DEMO_API_KEY), 0);
}

#[tokio::test]
async fn a_bike_is_registered_as_an_unlock_only_box() {
    let app = spawn_app().await;
    let mut registration = web_registration(DEMO_SECRET_HEX);
    registration["model"] = json!("SESAME Bike 2");
    let (status, text) = call(
        &app,
        Method::PUT,
        "/device",
        WEARER_TOKEN,
        Some(&registration),
    )
    .await;
    assert_eq!(status, 200, "{text}");
    let view = parse(&text);
    assert_eq!(view["model"], "SESAME Bike 2");
    assert_eq!(view["can_lock"], false);
    assert!(view["notice"]["message"]
        .as_str()
        .unwrap()
        .contains("cannot be locked from here"));
    assert_eq!(view["notice"]["reason"], "unlock_only_box", "{view}");
    assert_eq!(
        app.sesame
            .commands_received(DEMO_WEBAPI_UUID, CommandKind::Lock),
        0,
        "a Bike is never sent a lock"
    );
    let slot = get_slot(&app, KEYHOLDER_TOKEN).await;
    assert_eq!(slot["device"]["can_lock"], false);
    let (status, text) = call(&app, Method::POST, "/device/lock", KEYHOLDER_TOKEN, None).await;
    assert_ne!(status, 200, "{text}");
    assert!(text.contains("only be unlocked remotely"), "{text}");
}
