//! Web API answers the simulator does not produce, served by wiremock.

use std::time::Duration;

use api_types::{CommandOutcome, LatchState};
use serde_json::json;
use server::sesame::{sign, DeviceCredentials, DeviceError, SesameHub};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::helpers::*;

const UUID: &str = "12345678-1234-5678-1234-567812345678";
const SECRET_HEX: &str = "0b3e5f1665e143b59180c915fa4b06d9";

fn web() -> DeviceCredentials {
    DeviceCredentials::WebApi {
        uuid: UUID.into(),
        api_key: key("wk"),
        secret: secret(SECRET_HEX),
    }
}

async fn web_status(server: &MockServer, template: ResponseTemplate) {
    Mock::given(method("GET"))
        .and(path(format!("/api/sesame2/{UUID}")))
        .respond_with(template)
        .mount(server)
        .await;
}
#[tokio::test]
async fn a_web_status_in_milliseconds_with_unknown_fields_is_read() {
    let server = MockServer::start().await;
    let body = json!({"batteryPercentage":94,"batteryVoltage":5.87,"position":11,"CHSesame2Status":"moved",
                      "timestamp":1598523693000u64,"wm2State":true,"isRechargeBattery":0,"brandNew":{"x":1}});
    web_status(&server, ResponseTemplate::new(200).set_body_json(body)).await;
    let status = hub_for(&server).await.device(web()).status().await.unwrap();
    assert_eq!(status.latch, LatchState::Jammed);
    assert_eq!(status.battery_percent, Some(94));
    assert_eq!(status.last_update.as_deref(), Some("2020-08-27T10:21:33Z"));
}

#[tokio::test]
async fn web_api_error_shapes_become_typed_errors() {
    let cases = [
        (
            ResponseTemplate::new(502).set_body_string("Bad Gateway"),
            "upstream",
        ),
        (
            ResponseTemplate::new(500).set_body_json(json!({"message":"Internal server error"})),
            "upstream",
        ),
        (
            ResponseTemplate::new(429).set_body_json(json!({"message":"Limit Exceeded"})),
            "quota",
        ),
        (
            ResponseTemplate::new(200).set_body_json(json!({"message":"Too Many Requests"})),
            "throttled",
        ),
        (
            ResponseTemplate::new(401).set_body_json(json!({"error":"Unauthorized"})),
            "credentials",
        ),
        (
            ResponseTemplate::new(404).set_body_json(json!({"message":"Not Found"})),
            "not found",
        ),
        (
            ResponseTemplate::new(200).set_body_string("<html>oops</html>"),
            "upstream",
        ),
        (
            ResponseTemplate::new(200).set_body_json(json!([1, 2])),
            "upstream",
        ),
    ];
    for (template, expected) in cases {
        let server = MockServer::start().await;
        web_status(&server, template).await;
        let err = hub_for(&server)
            .await
            .device(web())
            .status()
            .await
            .unwrap_err();
        let kind = match err {
            DeviceError::Upstream { .. } => "upstream",
            DeviceError::Throttled { .. } => "throttled",
            DeviceError::QuotaExhausted { .. } => "quota",
            DeviceError::BadCredentials { .. } => "credentials",
            DeviceError::NotFound => "not found",
            ref other => panic!("unexpected {other:?}"),
        };
        assert_eq!(kind, expected, "{err:?}");
    }
}

#[tokio::test]
async fn the_web_command_carries_the_key_the_cmd_our_tag_and_a_fresh_sign() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/api/sesame2/{UUID}/cmd")))
        .and(header("x-api-key", "wk"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"statusCode":200})))
        .expect(1)
        .mount(&server)
        .await;
    web_status(
        &server,
        ResponseTemplate::new(200)
            .set_body_json(json!({"CHSesame2Status":"unlocked","timestamp":1})),
    )
    .await;
    let result = hub_for(&server).await.device(web()).unlock().await.unwrap();
    assert_eq!(result.outcome, CommandOutcome::Confirmed);
    let requests: Vec<Request> = server.received_requests().await.unwrap();
    let cmd = requests
        .iter()
        .find(|r| r.url.path().ends_with("/cmd"))
        .unwrap();
    let body: serde_json::Value = serde_json::from_slice(&cmd.body).unwrap();
    assert_eq!(body["cmd"], 83);
    use base64::Engine;
    let tag = base64::engine::general_purpose::STANDARD
        .decode(body["history"].as_str().unwrap())
        .unwrap();
    let tag = String::from_utf8(tag).unwrap();
    assert!(tag.starts_with("Chaster ") && tag.len() <= 21, "{tag}");
    assert!(
        hub_for(&server)
            .await
            .device(web())
            .our_tag_sent_at(&tag)
            .is_none(),
        "another hub's key"
    );
    let sent = body["sign"].as_str().unwrap();
    let now = chrono::Utc::now().timestamp() as u32;
    let valid = [now, now - 256].map(|t| sign::sign_at(&secret(SECRET_HEX), t));
    assert!(
        valid.iter().any(|s| s == sent),
        "the sign is the CMAC of the current time"
    );
    assert_eq!(sent.len(), 32);
    assert!(sent
        .chars()
        .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
}

#[tokio::test]
async fn a_command_answered_404_is_an_ownership_problem() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/api/sesame2/{UUID}/cmd")))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"message":"Not Found"})))
        .mount(&server)
        .await;
    let err = hub_for(&server)
        .await
        .device(web())
        .unlock()
        .await
        .unwrap_err();
    assert_eq!(err, DeviceError::NotFound);
}

#[tokio::test]
async fn a_command_answered_200_with_an_error_object_is_not_taken_as_accepted() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/api/sesame2/{UUID}/cmd")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"errorMessage":"Forbidden"})))
        .mount(&server)
        .await;
    let err = hub_for(&server)
        .await
        .device(web())
        .unlock()
        .await
        .unwrap_err();
    assert!(matches!(err, DeviceError::BadCredentials { .. }), "{err:?}");
}

#[tokio::test]
async fn a_hung_upstream_hits_the_timeout() {
    let server = MockServer::start().await;
    web_status(
        &server,
        ResponseTemplate::new(200).set_delay(Duration::from_secs(2)),
    )
    .await;
    let mut settings = fast_settings(server.uri(), server.uri());
    settings.timeout = Duration::from_millis(200);
    let err = SesameHub::new(settings, None)
        .device(web())
        .status()
        .await
        .unwrap_err();
    assert!(matches!(err, DeviceError::Timeout { .. }), "{err:?}");
}
