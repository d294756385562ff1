use serde_json::Value;
use sim::chaster::{
    CLIENT_ID, DEV_TOKEN, FROZEN_TOKEN, HIDDEN_TIMER_TOKEN, KEYHOLDER_TOKEN, WEARER_TOKEN,
};

use crate::helpers::spawn_app;

#[tokio::test]
async fn session_returns_the_wearer_view_for_a_wearer_token() {
    let app = spawn_app().await;
    let view = app.session_json(WEARER_TOKEN).await;
    assert_eq!(view["role"], "wearer");
    assert_eq!(view["extension_name"], "Sesame Opener");
    assert_eq!(view["wearer"]["username"], "demo-wearer");
    assert!(view["wearer"]["avatar_url"]
        .as_str()
        .unwrap()
        .ends_with("/avatars/demo-wearer.svg"));
    assert_eq!(view["keyholder"]["username"], "demo-keyholder");
    assert_eq!(view["lock"]["status"], "locked");
    assert_eq!(view["lock"]["timer_visible"], true);
    assert!(view["lock"]["end_date"].is_string());
    assert_eq!(view["lock"]["frozen"], false);
    assert_eq!(view["lock"]["frozen_at"], Value::Null);
    assert_eq!(view["lock"]["can_be_unlocked"], false);
}

#[tokio::test]
async fn session_returns_the_keyholder_view_for_a_keyholder_token() {
    let app = spawn_app().await;
    let view = app.session_json(KEYHOLDER_TOKEN).await;
    assert_eq!(view["role"], "keyholder");
    assert_eq!(view["wearer"]["username"], "demo-wearer");
    assert_eq!(view["lock"]["timer_visible"], true);
}

#[tokio::test]
async fn session_hides_the_end_date_when_chaster_hides_the_timer() {
    let app = spawn_app().await;
    let view = app.session_json(HIDDEN_TIMER_TOKEN).await;
    assert_eq!(view["role"], "wearer");
    assert_eq!(view["lock"]["end_date"], Value::Null);
    assert_eq!(view["lock"]["timer_visible"], false);
}

#[tokio::test]
async fn session_shows_a_frozen_self_lock_with_its_freeze_time() {
    let app = spawn_app().await;
    let view = app.session_json(FROZEN_TOKEN).await;
    assert_eq!(view["lock"]["frozen"], true);
    assert!(view["lock"]["frozen_at"].is_string());
    assert_eq!(view["keyholder"], Value::Null);
}

#[tokio::test]
async fn session_json_never_contains_the_session_id_lock_ids_or_secrets() {
    let app = spawn_app().await;
    for token in [
        WEARER_TOKEN,
        KEYHOLDER_TOKEN,
        HIDDEN_TIMER_TOKEN,
        FROZEN_TOKEN,
    ] {
        let response = app.get_session(token).await;
        assert_eq!(response.status(), 200);
        let text = response.text().await.unwrap();
        let forbidden = [
            app.chaster.session_id_of(token).unwrap(),
            app.chaster.session_object_id_of(token).unwrap(),
            app.chaster.lock_id_of(token).unwrap(),
            DEV_TOKEN.to_owned(),
            CLIENT_ID.to_owned(),
            token.to_owned(),
            "sessionId".to_owned(),
            "_id".to_owned(),
        ];
        for needle in forbidden {
            assert!(
                !text.contains(&needle),
                "{token}: response contains {needle}: {text}"
            );
        }
    }
}

#[tokio::test]
async fn session_calls_chaster_with_the_developer_token_and_client_id() {
    let app = spawn_app().await;
    app.session_json(WEARER_TOKEN).await;
    let requests = app.chaster.recorded_requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method, "GET");
    assert_eq!(
        request.path,
        format!("/api/extensions/auth/sessions/{WEARER_TOKEN}")
    );
    assert_eq!(
        request.authorization.as_deref(),
        Some("Bearer sim-developer-token")
    );
    assert_eq!(request.client_id.as_deref(), Some("sim-client-id"));
}

#[tokio::test]
async fn session_answers_are_marked_uncacheable() {
    let app = spawn_app().await;
    let response = app.get_session(WEARER_TOKEN).await;
    assert_eq!(response.headers()["cache-control"], "no-store");
}
