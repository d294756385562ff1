//! Both CANDY HOUSE APIs read their answers through the one upstream transport: an answer over
//! its body limit is a typed error, not read whole.

use serde_json::json;
use server::sesame::{DeviceCredentials, DeviceError};
use server::upstream::SESAME_BODY_LIMIT;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::*;

const UUID: &str = "12345678-1234-5678-1234-567812345678";

/// Valid JSON of `fields` padded past the limit: read whole, it would be a good answer.
fn oversized(mut fields: serde_json::Value) -> ResponseTemplate {
    fields["pad"] = json!("x".repeat(SESAME_BODY_LIMIT));
    ResponseTemplate::new(200).set_body_json(fields)
}

#[tokio::test]
async fn a_web_api_answer_over_the_body_limit_is_a_typed_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/api/sesame2/{UUID}")))
        .respond_with(oversized(
            json!({"CHSesame2Status": "locked", "batteryPercentage": 90}),
        ))
        .mount(&server)
        .await;
    let credentials = DeviceCredentials::WebApi {
        uuid: UUID.into(),
        api_key: key("wk"),
        secret: secret("0b3e5f1665e143b59180c915fa4b06d9"),
    };
    let err = hub_for(&server)
        .await
        .device(credentials)
        .refresh_status()
        .await
        .unwrap_err();
    assert_eq!(
        err,
        DeviceError::TooLarge {
            limit: SESAME_BODY_LIMIT
        }
    );
}

#[tokio::test]
async fn a_v3_answer_over_the_body_limit_is_a_typed_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/sesame/dev-1"))
        .respond_with(oversized(
            json!({"locked": true, "battery": 90, "responsive": true}),
        ))
        .mount(&server)
        .await;
    let credentials = DeviceCredentials::LegacyV3 {
        device_id: "dev-1".into(),
        api_key: key("vk"),
    };
    let err = hub_for(&server)
        .await
        .device(credentials)
        .refresh_status()
        .await
        .unwrap_err();
    assert_eq!(
        err,
        DeviceError::TooLarge {
            limit: SESAME_BODY_LIMIT
        }
    );
}
