//! Opening and locking the box: roles, outcomes, failures and the Chaster history.

use super::*;

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
    let log = wait_for_log(&app, "Box opened by the keyholder").await;
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
async fn the_wearer_cannot_lock_when_the_keyholder_disallows_it() {
    let app = spawn_app().await;
    set_lock_config(&app, json!({"wearerMayLock": false}));
    save_directly(&app, DEMO_WEBAPI_UUID).await;
    app.sesame.set_latch(DEMO_WEBAPI_UUID, false);
    let slot = get_slot(&app, WEARER_TOKEN).await;
    assert_eq!(slot["device"]["can_lock"], false);
    let (status, text) = call(&app, Method::POST, "/device/lock", WEARER_TOKEN, None).await;
    assert_eq!(status, 403, "{text}");
    assert_eq!(parse(&text)["code"], "forbidden");
    assert_eq!(
        app.sesame
            .commands_received(DEMO_WEBAPI_UUID, CommandKind::Lock),
        0
    );
    let slot = get_slot(&app, KEYHOLDER_TOKEN).await;
    assert_eq!(slot["device"]["can_lock"], true);
}

#[tokio::test]
async fn a_page_that_leaves_during_an_open_still_gets_the_opening_written_to_the_history() {
    let app = spawn_app().await;
    connect(&app, &web_registration(DEMO_SECRET_HEX)).await;
    let url = format!("{}/api/device/open", app.address);
    let request = app.client.post(url).bearer_auth(KEYHOLDER_TOKEN).send();
    let page = tokio::spawn(request);
    // The keyholder reloads the page once the command has reached the box.
    for _ in 0..500 {
        if app
            .sesame
            .commands_received(DEMO_WEBAPI_UUID, CommandKind::Unlock)
            > 0
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    page.abort();
    assert_eq!(
        app.sesame
            .commands_received(DEMO_WEBAPI_UUID, CommandKind::Unlock),
        1
    );

    let log = wait_for_log(&app, "Box opened by the keyholder").await;
    assert_eq!(log["role"], "keyholder");
    assert!(!app.sesame.latch_locked(DEMO_WEBAPI_UUID));
}
