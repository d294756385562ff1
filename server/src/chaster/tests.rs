//! Every request path to Chaster (the Extensions API, the profile, the sign-in's token
//! endpoint) through the one transport: a 429 pauses every caller, and an answer over the body
//! limit is a typed error, whichever path it came on.

use std::time::Duration;

use secrecy::SecretString;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::*;
use crate::configuration::OAuthApp;
use crate::upstream::CHASTER_BODY_LIMIT;

fn client_for(server: &MockServer) -> ChasterClient {
    ChasterClient::new(&ChasterSettings {
        base_url: server.uri(),
        developer_token: SecretString::from("developer-token"),
        client_id: "client-id".into(),
        origins: vec![],
        timeout: Duration::from_secs(5),
        webhook_auth: None,
        max_requests_per_minute: 90,
    })
    .unwrap()
}

fn oauth_for(server: &MockServer) -> OAuthClient {
    client_for(server).oauth(OAuthApp {
        sso_base_url: server.uri(),
        client_id: "app".into(),
        client_secret: SecretString::from("app-secret"),
        redirect_uri: "https://opener.example/auth/callback".into(),
    })
}

/// Valid JSON of `fields` padded past the Chaster body limit.
fn oversized(mut fields: serde_json::Value) -> ResponseTemplate {
    fields["pad"] = json!("x".repeat(CHASTER_BODY_LIMIT));
    ResponseTemplate::new(200).set_body_json(fields)
}

#[tokio::test]
async fn the_profile_call_pauses_every_chaster_call_on_429_like_any_other() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/auth/profile"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "30"))
        .mount(&server)
        .await;
    let client = client_for(&server);
    let refused = client
        .get_profile(&SecretString::from("user-token"))
        .await
        .unwrap_err();
    assert_eq!(
        refused,
        ChasterError::RateLimited {
            retry_after: Some(Duration::from_secs(30))
        }
    );
    // The pause holds the next call back before it reaches Chaster.
    let next = client.get_session(&SessionId::new("s1")).await.unwrap_err();
    assert!(matches!(next, ChasterError::RateLimited { .. }), "{next:?}");
    let sent = server.received_requests().await.unwrap();
    assert_eq!(sent.len(), 1, "only the profile call reached Chaster");
}

#[tokio::test]
async fn the_profile_call_honours_a_capped_retry_after() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/auth/profile"))
        .respond_with(
            ResponseTemplate::new(429).insert_header("retry-after", "18446744073709551615"),
        )
        .mount(&server)
        .await;
    let refused = client_for(&server)
        .get_profile(&SecretString::from("user-token"))
        .await
        .unwrap_err();
    assert_eq!(
        refused,
        ChasterError::RateLimited {
            retry_after: Some(crate::retry_after::MAX_RETRY_AFTER)
        }
    );
}

#[tokio::test]
async fn an_answer_over_the_body_limit_is_a_typed_error_on_the_extensions_api() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/extensions/sessions/s1"))
        .respond_with(oversized(json!({"session": {}})))
        .mount(&server)
        .await;
    let error = client_for(&server)
        .get_session(&SessionId::new("s1"))
        .await
        .unwrap_err();
    assert_eq!(
        error,
        ChasterError::TooLarge {
            limit: CHASTER_BODY_LIMIT
        }
    );
}

#[tokio::test]
async fn an_answer_over_the_body_limit_is_a_typed_error_on_the_profile_call() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/auth/profile"))
        .respond_with(oversized(json!({"_id": "u1", "username": "kh"})))
        .mount(&server)
        .await;
    let error = client_for(&server)
        .get_profile(&SecretString::from("user-token"))
        .await
        .unwrap_err();
    assert_eq!(
        error,
        ChasterError::TooLarge {
            limit: CHASTER_BODY_LIMIT
        }
    );
}

#[tokio::test]
async fn an_answer_over_the_body_limit_is_a_typed_error_on_the_token_endpoint() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/auth/realms/app/protocol/openid-connect/token"))
        .respond_with(oversized(
            json!({"access_token": "a", "refresh_token": "r", "expires_in": 300}),
        ))
        .mount(&server)
        .await;
    let error = oauth_for(&server)
        .exchange_code("code", &"verifier".into())
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            OAuthError::Unavailable(ChasterError::TooLarge {
                limit: CHASTER_BODY_LIMIT
            })
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn the_token_endpoint_reads_the_oauth_error_shape() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/auth/realms/app/protocol/openid-connect/token"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"error": "invalid_grant", "error_description": "x"})),
        )
        .mount(&server)
        .await;
    let error = oauth_for(&server)
        .exchange_code("code", &"verifier".into())
        .await
        .unwrap_err();
    assert!(matches!(error, OAuthError::InvalidGrant), "{error:?}");
}
