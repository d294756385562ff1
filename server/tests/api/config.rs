//! The configuration page's API, with partnerConfigurationTokens of the Chaster simulator.

use serde_json::{json, Value};
use sim::chaster::{CONFIG_EDIT_TOKEN, CONFIG_EXPIRED_TOKEN, CONFIG_NEW_TOKEN, SESSION_A_ID};

use crate::helpers::{spawn_app, spawn_app_with, TestApp};

fn defaults() -> Value {
    json!({
        "openOnRelease": true,
        "openForHygiene": true,
        "openOnDeserted": true,
        "penalty": {"kind": "none", "minutes": 0, "boundHours": 24},
        "wearerMayLock": true,
        "lowBatteryPercent": 30
    })
}

async fn get_config(app: &TestApp, token: &str) -> reqwest::Response {
    app.client
        .get(format!("{}/api/config", app.address))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

async fn put_config(app: &TestApp, token: &str, body: Value) -> reqwest::Response {
    app.client
        .put(format!("{}/api/config", app.address))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

fn config_puts(app: &TestApp) -> usize {
    app.chaster
        .recorded_requests()
        .iter()
        .filter(|r| r.method == "PUT" && r.path.starts_with("/api/extensions/configurations/"))
        .count()
}

#[tokio::test]
async fn a_new_lock_gets_the_default_config() {
    let app = spawn_app().await;
    let response = get_config(&app, CONFIG_NEW_TOKEN).await;
    assert_eq!(response.status(), 200);
    let view: Value = response.json().await.unwrap();
    assert_eq!(view["config"], defaults());
    assert_eq!(view["role"], "keyholder");
    assert_eq!(view["editing_running_session"], false);
}

#[tokio::test]
async fn editing_a_running_session_is_flagged_and_never_shows_its_session_id() {
    let app = spawn_app().await;
    let response = get_config(&app, CONFIG_EDIT_TOKEN).await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    assert!(!text.contains(SESSION_A_ID));
    let view: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(view["editing_running_session"], true);
}

#[tokio::test]
async fn stored_values_win_over_defaults_and_unknown_or_broken_keys_are_tolerated() {
    let app = spawn_app().await;
    app.chaster.with_state(|s| {
        s.config_tokens.get_mut(CONFIG_NEW_TOKEN).unwrap().config = json!({
            "openOnRelease": false,
            "lowBatteryPercent": "high",
            "somethingOld": {"x": 1}
        });
    });
    let view: Value = get_config(&app, CONFIG_NEW_TOKEN)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["config"]["openOnRelease"], false);
    assert_eq!(view["config"]["lowBatteryPercent"], 30);
    assert!(view["config"].get("somethingOld").is_none());
}

#[tokio::test]
async fn a_valid_config_is_saved_in_chaster_with_only_its_own_fields() {
    let app = spawn_app().await;
    let config = json!({
        "openOnRelease": true,
        "openForHygiene": false,
        "openOnDeserted": true,
        "penalty": {"kind": "add_time", "minutes": 120, "boundHours": 24},
        "wearerMayLock": false,
        "lowBatteryPercent": 25
    });
    let response = put_config(&app, CONFIG_EDIT_TOKEN, config.clone()).await;
    assert_eq!(response.status(), 200);
    let view: Value = response.json().await.unwrap();
    assert_eq!(view["config"], config);
    assert_eq!(app.chaster.config_of(CONFIG_EDIT_TOKEN).unwrap(), config);
}

#[tokio::test]
async fn the_page_shows_the_servers_environment_defaults_the_jobs_apply() {
    let app = spawn_app_with(|s| {
        let d = &mut s.opener.defaults;
        d.penalty = server::opener::Penalty::Freeze;
        d.penalty_bound_hours = 12;
        d.open_for_hygiene = false;
    })
    .await;
    let view: Value = get_config(&app, CONFIG_NEW_TOKEN)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        view["config"]["penalty"],
        json!({"kind": "freeze", "minutes": 0, "boundHours": 12})
    );
    assert_eq!(view["config"]["openForHygiene"], false);
    // What the page shows is what the jobs apply for the same stored config.
    let jobs = server::opener::Policy::read(&json!({}), &app.state.settings.opener.defaults);
    assert_eq!(serde_json::to_value(jobs.view()).unwrap(), view["config"]);
}

#[tokio::test]
async fn a_block_on_unlocking_needs_a_bound_between_an_hour_and_a_week() {
    let app = spawn_app().await;
    let mut body = defaults();
    body["penalty"] = json!({"kind": "block_unlocking", "minutes": 0, "boundHours": 6});
    let response = put_config(&app, CONFIG_EDIT_TOKEN, body.clone()).await;
    assert_eq!(response.status(), 200);
    assert_eq!(app.chaster.config_of(CONFIG_EDIT_TOKEN).unwrap(), body);
    body["penalty"]["boundHours"] = json!(0);
    let response = put_config(&app, CONFIG_EDIT_TOKEN, body).await;
    assert_eq!(response.status(), 422);
}

#[tokio::test]
async fn an_invalid_config_is_refused_with_a_sentence_and_chaster_is_unchanged() {
    let app = spawn_app().await;
    let mut bad_penalty = defaults();
    bad_penalty["penalty"] = json!({"kind": "add_time", "minutes": 0});
    let mut bad_battery = defaults();
    bad_battery["lowBatteryPercent"] = json!(95);
    for (body, words) in [
        (bad_penalty, "between 1 minute and 7 days"),
        (bad_battery, "between 5 and 80 percent"),
        (json!({"penalty": {"kind": "explode"}}), "not valid"),
    ] {
        let response = put_config(&app, CONFIG_NEW_TOKEN, body).await;
        assert_eq!(response.status(), 422);
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["code"], "invalid");
        let message = error["message"].as_str().unwrap();
        assert!(message.contains(words), "{message}");
    }
    assert_eq!(config_puts(&app), 0);
    assert_eq!(app.chaster.config_of(CONFIG_NEW_TOKEN).unwrap(), json!({}));
}

#[tokio::test]
async fn an_expired_configuration_token_is_401_session_expired() {
    let app = spawn_app().await;
    for response in [
        get_config(&app, CONFIG_EXPIRED_TOKEN).await,
        put_config(&app, CONFIG_EXPIRED_TOKEN, defaults()).await,
    ] {
        assert_eq!(response.status(), 401);
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["code"], "session_expired");
    }
}

#[tokio::test]
async fn without_a_token_the_config_is_401_missing_token() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(format!("{}/api/config", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["code"], "missing_token");
}

#[tokio::test]
async fn a_config_put_answered_201_with_an_empty_body_is_a_saved_config() {
    let app = spawn_app().await;
    app.chaster.set_config_put_empty(true);
    let config = json!({
        "openOnRelease": true,
        "openForHygiene": true,
        "openOnDeserted": false,
        "penalty": {"kind": "add_time", "minutes": 90, "boundHours": 24},
        "wearerMayLock": true,
        "lowBatteryPercent": 30
    });
    let response = put_config(&app, CONFIG_EDIT_TOKEN, config.clone()).await;
    assert_eq!(response.status(), 200);
    let view: Value = response.json().await.unwrap();
    assert_eq!(view["config"], config);
    assert_eq!(app.chaster.config_of(CONFIG_EDIT_TOKEN).unwrap(), config);
}
