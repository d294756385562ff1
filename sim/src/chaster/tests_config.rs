use std::time::Duration;

use serde_json::{json, Value};

use super::tests_support::{api_get, api_put, Receiver};
use super::*;

fn path(token: &str) -> String {
    format!("/api/extensions/configurations/{token}")
}

#[tokio::test]
async fn a_new_lock_configuration_has_no_session_and_the_default_config() {
    let sim = ChasterSim::spawn().await.unwrap();
    let (status, body) = api_get(&sim, &path(CONFIG_NEW_TOKEN)).await;
    assert_eq!(status, 200);
    assert_eq!(body["config"], json!({}));
    assert_eq!(body["role"], "keyholder");
    assert_eq!(body["user"], KEYHOLDER_ID);
    assert_eq!(body["sessionId"], Value::Null);
    assert_eq!(body["extensionSlug"], EXTENSION_SLUG);
    assert!(body["createdAt"].is_string());
}

#[tokio::test]
async fn saving_a_new_lock_configuration_stores_it_for_the_token() {
    let sim = ChasterSim::spawn().await.unwrap();
    let config = json!({"bindingId": "b-123", "relockAfterHygiene": true});
    let (status, body) = api_put(&sim, &path(CONFIG_NEW_TOKEN), json!({"config": config})).await;
    assert_eq!(status, 200);
    assert_eq!(body["config"], config);
    assert_eq!(sim.config_of(CONFIG_NEW_TOKEN), Some(config.clone()));
    assert_eq!(
        api_get(&sim, &path(CONFIG_NEW_TOKEN)).await.1["config"],
        config
    );
}

#[tokio::test]
async fn editing_a_running_session_changes_its_config_and_tells_the_webhook() {
    let sim = ChasterSim::spawn().await.unwrap();
    let receiver = Receiver::spawn(&[]).await;
    sim.set_webhook(WebhookConfig::new(receiver.url()));
    let (_, before) = api_get(&sim, &path(CONFIG_EDIT_TOKEN)).await;
    assert_eq!(before["sessionId"], SESSION_A_ID);

    let config = json!({"bindingId": "b-9"});
    let (status, _) = api_put(&sim, &path(CONFIG_EDIT_TOKEN), json!({"config": config})).await;
    assert_eq!(status, 200);
    let (_, session) = api_get(&sim, &format!("/api/extensions/sessions/{SESSION_A_ID}")).await;
    assert_eq!(session["session"]["config"], config);
    assert_eq!(sim.config_of(CONFIG_EDIT_TOKEN), Some(config.clone()));

    sim.wait_deliveries_idle().await;
    let received = receiver.received();
    assert_eq!(received.len(), 1);
    let envelope = &received[0].body;
    assert_eq!(envelope["event"], "extension_session.updated");
    assert_eq!(envelope["data"]["session"]["sessionId"], SESSION_A_ID);
    assert_eq!(envelope["data"]["session"]["config"], config);
    assert_eq!(
        envelope["data"]["extension"],
        json!({"slug": EXTENSION_SLUG})
    );
}

#[tokio::test]
async fn expired_unknown_tokens_and_bad_bodies_are_refused() {
    let sim = ChasterSim::spawn().await.unwrap();
    assert_eq!(api_get(&sim, &path(CONFIG_EXPIRED_TOKEN)).await.0, 401);
    let put = api_put(&sim, &path(CONFIG_EXPIRED_TOKEN), json!({"config": {}})).await;
    assert_eq!(put.0, 401);
    assert_eq!(api_get(&sim, &path("unknown-config-token")).await.0, 404);
    let (status, body) = api_put(&sim, &path(CONFIG_NEW_TOKEN), json!({"config": [1]})).await;
    assert_eq!(status, 400);
    assert_eq!(body["message"], json!(["config must be an object"]));
    sim.expire_token(CONFIG_NEW_TOKEN);
    assert_eq!(api_get(&sim, &path(CONFIG_NEW_TOKEN)).await.0, 401);
}

#[tokio::test]
async fn a_created_session_carries_the_config_it_was_given() {
    let sim = ChasterSim::spawn().await.unwrap();
    let receiver = Receiver::spawn(&[]).await;
    sim.set_webhook(WebhookConfig::new(receiver.url()).with_timeout(Duration::from_secs(5)));
    let spec = NewSessionSpec {
        config: Some(json!({"bindingId": "b-7"})),
        ..NewSessionSpec::default()
    };
    let (session_id, wearer, keyholder) = sim.create_session(spec).await;
    let (_, auth) = api_get(&sim, &format!("/api/extensions/auth/sessions/{wearer}")).await;
    assert_eq!(auth["role"], "wearer");
    assert_eq!(auth["session"]["sessionId"], session_id);
    assert_eq!(auth["session"]["config"]["bindingId"], "b-7");
    let (_, auth) = api_get(&sim, &format!("/api/extensions/auth/sessions/{keyholder}")).await;
    assert_eq!(
        auth["lockForUser"]["keyholder"]["username"],
        KEYHOLDER_USERNAME
    );

    sim.wait_deliveries_idle().await;
    let created = &receiver.received()[0].body;
    assert_eq!(created["event"], "extension_session.created");
    assert_eq!(created["data"]["session"]["config"]["bindingId"], "b-7");
    assert_eq!(created["data"]["session"]["sessionId"], session_id);
}
