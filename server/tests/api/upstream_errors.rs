use std::time::Duration;

use serde_json::Value;
use sim::chaster::{
    EXPIRED_TOKEN, FAULT_404_TOKEN, FAULT_429_TOKEN, FAULT_500_TOKEN, FAULT_502_TOKEN, SLOW_TOKEN,
};

use crate::helpers::{spawn_app, spawn_app_with};

async fn error_of(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn session_returns_401_when_chaster_says_the_token_expired() {
    let app = spawn_app().await;
    let (status, body) = error_of(app.get_session(EXPIRED_TOKEN).await).await;
    assert_eq!(status, 401);
    assert_eq!(body["code"], "session_expired");
    assert_eq!(
        body["message"],
        "This session has expired. Reopen the extension from Chaster."
    );
}

#[tokio::test]
async fn session_returns_401_when_chaster_does_not_know_the_token() {
    let app = spawn_app().await;
    for token in [FAULT_404_TOKEN, "a-token-chaster-never-issued"] {
        let (status, body) = error_of(app.get_session(token).await).await;
        assert_eq!(status, 401, "{token}");
        assert_eq!(body["code"], "session_expired", "{token}");
    }
}

#[tokio::test]
async fn session_returns_502_when_chaster_fails() {
    let app = spawn_app().await;
    for token in [FAULT_500_TOKEN, FAULT_502_TOKEN] {
        let (status, body) = error_of(app.get_session(token).await).await;
        assert_eq!(status, 502, "{token}");
        assert_eq!(body["code"], "upstream_unavailable", "{token}");
        assert!(
            body["message"].as_str().unwrap().contains("try again"),
            "{body}"
        );
    }
}

#[tokio::test]
async fn session_returns_503_with_retry_after_when_chaster_rate_limits() {
    let app = spawn_app().await;
    let response = app.get_session(FAULT_429_TOKEN).await;
    assert_eq!(response.headers()["retry-after"], "7");
    let (status, body) = error_of(response).await;
    assert_eq!(status, 503);
    assert_eq!(body["code"], "rate_limited");
    assert_eq!(body["retry_after_secs"], 7);
}

#[tokio::test]
async fn session_returns_502_when_chaster_answers_too_slowly() {
    let app = spawn_app_with(|s| s.chaster.timeout = Duration::from_millis(300)).await;
    let (status, body) = error_of(app.get_session(SLOW_TOKEN).await).await;
    assert_eq!(status, 502);
    assert_eq!(body["code"], "upstream_unavailable");
}

#[tokio::test]
async fn session_returns_502_when_chaster_cannot_be_reached() {
    // A port that was just free: nothing listens there.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let app = spawn_app_with(|s| s.chaster.base_url = format!("http://{closed}")).await;
    let (status, body) = error_of(app.get_session("any-token").await).await;
    assert_eq!(status, 502);
    assert_eq!(body["code"], "upstream_unavailable");
}

#[tokio::test]
async fn error_messages_never_contain_the_token_or_upstream_details() {
    let app = spawn_app().await;
    for token in [FAULT_500_TOKEN, FAULT_502_TOKEN, EXPIRED_TOKEN] {
        let text = app.get_session(token).await.text().await.unwrap();
        for needle in [token, "127.0.0.1", "Bad Gateway", "Internal server error"] {
            assert!(!text.contains(needle), "{token}: {needle} in {text}");
        }
    }
}
