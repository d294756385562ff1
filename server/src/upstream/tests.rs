use std::time::Duration;

use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::*;

async fn answering(template: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(template)
        .mount(&server)
        .await;
    server
}

fn transport(limit: usize) -> Transport {
    Transport::new(Duration::from_secs(5), limit).unwrap()
}

#[tokio::test]
async fn a_body_up_to_the_limit_is_read_and_one_byte_more_is_refused() {
    let server = answering(ResponseTemplate::new(200).set_body_string("x".repeat(16))).await;
    let t = transport(16);
    let answer = t.send(t.get(server.uri())).await.unwrap();
    assert_eq!(answer.body().len(), 16);
    let t = transport(15);
    assert_eq!(
        t.send(t.get(server.uri())).await.unwrap_err(),
        Failure::TooLarge { limit: 15 }
    );
}

#[tokio::test]
async fn retry_after_is_read_once_here_and_capped() {
    let server =
        answering(ResponseTemplate::new(429).insert_header("retry-after", "18446744073709551615"))
            .await;
    let t = transport(1024);
    let answer = t.send(t.get(server.uri())).await.unwrap();
    assert_eq!(
        answer.status(),
        Status::TooManyRequests {
            retry_after: Some(crate::retry_after::MAX_RETRY_AFTER)
        }
    );
}

#[tokio::test]
async fn an_unreachable_upstream_is_a_failure_without_the_url() {
    let t = transport(1024);
    // Port 9 (discard) on loopback: nothing listens there in tests.
    let failure = t
        .send(t.get("http://127.0.0.1:9/api/extensions/auth/sessions/secret-token"))
        .await
        .unwrap_err();
    match failure {
        Failure::Unreachable(text) => assert!(!text.contains("secret-token"), "{text}"),
        other => panic!("expected unreachable, got {other:?}"),
    }
}

#[test]
fn statuses_fall_into_the_same_classes_for_every_upstream() {
    let class = |status| Answer::from_parts(status, Some("7"), b"").status();
    assert_eq!(class(204), Status::Success);
    assert_eq!(class(401), Status::Unauthorized);
    assert_eq!(class(403), Status::Forbidden);
    assert_eq!(class(404), Status::NotFound);
    assert_eq!(
        class(429),
        Status::TooManyRequests {
            retry_after: Some(Duration::from_secs(7))
        }
    );
    assert_eq!(class(409), Status::OtherClientError(409));
    assert_eq!(class(503), Status::ServerError(503));
    assert_eq!(class(302), Status::ServerError(302));
}

#[test]
fn each_api_error_shape_gives_its_text() {
    let text = |shape: ErrorShape, body: serde_json::Value| shape.text(&body);
    assert_eq!(
        text(ErrorShape::Nest, json!({"message": ["a", "b"]})).as_deref(),
        Some("a; b")
    );
    assert_eq!(
        text(
            ErrorShape::Nest,
            json!({"message": "You cannot modify an unlocked lock."})
        )
        .as_deref(),
        Some("You cannot modify an unlocked lock.")
    );
    assert_eq!(
        text(ErrorShape::OAuth, json!({"error": "invalid_grant"})).as_deref(),
        Some("invalid_grant")
    );
    assert_eq!(
        text(
            ErrorShape::CandyHouse,
            json!({"errorMessage": "UNAUTHORIZED"})
        )
        .as_deref(),
        Some("UNAUTHORIZED")
    );
    assert_eq!(
        text(
            ErrorShape::CandyHouse,
            json!({"error": " ", "message": "Limit Exceeded"})
        )
        .as_deref(),
        Some("Limit Exceeded")
    );
    assert_eq!(
        text(ErrorShape::CandyHouse, json!("Forbidden")).as_deref(),
        Some("Forbidden")
    );
    assert_eq!(text(ErrorShape::Nest, json!([1])), None);
}
