use serde_json::Value;
use sim::chaster::WEARER_TOKEN;

use crate::helpers::spawn_app;

async fn assert_missing_token(response: reqwest::Response) {
    assert_eq!(response.status(), 401);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "missing_token");
}

#[tokio::test]
async fn session_returns_401_missing_token_without_an_authorization_header() {
    let app = spawn_app().await;
    assert_missing_token(app.get("/api/session").await).await;
    assert_eq!(app.chaster.auth_session_calls(), 0);
}

#[tokio::test]
async fn session_returns_401_missing_token_for_a_malformed_authorization_header() {
    let app = spawn_app().await;
    for header in [
        "Bearer",
        "Bearer ",
        "Basic ZGVtbzpkZW1v",
        WEARER_TOKEN,
        "Bearer two words",
    ] {
        let response = app
            .client
            .get(format!("{}/api/session", app.address))
            .header("Authorization", header)
            .send()
            .await
            .unwrap();
        assert_missing_token(response).await;
    }
    assert_eq!(app.chaster.auth_session_calls(), 0);
}

#[tokio::test]
async fn session_does_not_accept_the_token_in_the_url() {
    let app = spawn_app().await;
    for query in ["mainToken", "token", "access_token"] {
        let response = app
            .get(&format!("/api/session?{query}={WEARER_TOKEN}"))
            .await;
        assert_missing_token(response).await;
    }
    let response = app.get(&format!("/api/session/{WEARER_TOKEN}")).await;
    assert_eq!(response.status(), 404);
    assert_eq!(app.chaster.auth_session_calls(), 0);
}
