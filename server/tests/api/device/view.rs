//! `GET /api/device`: what both roles see of the box, and how often CANDY HOUSE is asked.

use super::*;

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
async fn the_low_battery_warning_follows_the_keyholders_setting() {
    // The default warning level is 30 %.
    let app = spawn_app().await;
    app.sesame.set_battery(DEMO_WEBAPI_UUID, 30);
    let view = connect(&app, &web_registration(DEMO_SECRET_HEX)).await;
    assert_eq!(view["status"]["battery_low"], true);

    let app = spawn_app().await;
    set_lock_config(&app, json!({"lowBatteryPercent": 20}));
    app.sesame.set_battery(DEMO_WEBAPI_UUID, 30);
    save_directly(&app, DEMO_WEBAPI_UUID).await;
    let slot = get_slot(&app, KEYHOLDER_TOKEN).await;
    assert_eq!(slot["device"]["status"]["battery_percent"], 30);
    assert_eq!(slot["device"]["status"]["battery_low"], false);
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
async fn an_offline_box_answers_200_with_its_last_status_and_an_offline_reason_with_its_time() {
    let app = spawn_app().await;
    save_directly(&app, DEMO_WEBAPI_UUID).await;
    app.sesame.set_fault(DEMO_WEBAPI_UUID, Some(Fault::Offline));
    let slot = get_slot(&app, KEYHOLDER_TOKEN).await;
    let device = &slot["device"];
    assert_eq!(device["status"]["reachable"], false);
    let error = &device["status_error"];
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains("offline") && message.contains("hub"),
        "{error}"
    );
    // The page words it and shows the time in the reader's zone: the time is a param.
    assert_eq!(error["reason"], "box_offline_last_status_since", "{error}");
    let at = error["params"]["last_update_at"].as_str().unwrap();
    assert_eq!(Some(at), device["status"]["last_update"].as_str());
    assert!(chrono::DateTime::parse_from_rfc3339(at).is_ok(), "{at}");
}

#[tokio::test]
async fn a_status_that_cannot_be_read_answers_200_with_the_reason() {
    let app = spawn_app().await;
    save_directly(&app, DEMO_WEBAPI_UUID).await;
    app.sesame
        .set_fault(DEMO_WEBAPI_UUID, Some(Fault::InternalError));
    let slot = get_slot(&app, WEARER_TOKEN).await;
    assert_eq!(slot["device"]["status"], Value::Null);
    let error = &slot["device"]["status_error"];
    assert!(error["message"].as_str().unwrap().contains("CANDY HOUSE"));
    assert_eq!(error["reason"], "candy_house_failed", "{error}");
    assert_eq!(slot["device"]["nickname"], "Key box");
}
