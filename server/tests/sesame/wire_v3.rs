//! v3 answers the simulator does not produce, served by wiremock.

use std::time::Duration;

use serde_json::json;
use server::sesame::{DeviceCredentials, DeviceError};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::*;

fn v3() -> DeviceCredentials {
    DeviceCredentials::LegacyV3 {
        device_id: "dev-1".into(),
        api_key: key("vk"),
    }
}

#[tokio::test]
async fn a_v3_lambda_unauthorized_with_status_200_is_bad_credentials() {
    let server = MockServer::start().await;
    let lambda =
        json!({"errorMessage":"UNAUTHORIZED","errorType":"RuntimeError","stackTrace":["at x"]});
    Mock::given(method("GET"))
        .and(path("/sesames"))
        .and(header("authorization", "vk"))
        .respond_with(ResponseTemplate::new(200).set_body_json(lambda))
        .mount(&server)
        .await;
    let err = hub_for(&server)
        .await
        .v3()
        .list(&key("vk"))
        .await
        .unwrap_err();
    assert_eq!(err, DeviceError::BadCredentials { status: Some(200) });
}

#[tokio::test]
async fn a_v3_list_that_is_not_a_list_is_an_upstream_error_not_a_panic() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/sesames"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!("string indices must be integers")),
        )
        .mount(&server)
        .await;
    let err = hub_for(&server)
        .await
        .v3()
        .list(&key("vk"))
        .await
        .unwrap_err();
    assert!(matches!(err, DeviceError::Upstream { .. }), "{err:?}");
}

async fn v3_task(server: &MockServer, result: serde_json::Value) {
    Mock::given(method("POST"))
        .and(path("/sesame/dev-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"task_id":"t-1"})))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/action-result"))
        .respond_with(ResponseTemplate::new(200).set_body_json(result))
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_v3_task_that_failed_for_low_battery_is_a_low_battery_error() {
    let server = MockServer::start().await;
    v3_task(
        &server,
        json!({"status":"terminated","successful":false,"error":"LOW_BATTERY"}),
    )
    .await;
    Mock::given(method("GET"))
        .and(path("/sesame/dev-1"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"locked":true,"battery":38,"responsive":true})),
        )
        .mount(&server)
        .await;
    let err = hub_for(&server)
        .await
        .device(v3())
        .unlock()
        .await
        .unwrap_err();
    assert_eq!(err, DeviceError::LowBattery { percent: Some(38) });
}

#[tokio::test]
async fn a_v3_task_that_failed_for_an_unknown_reason_says_so() {
    let server = MockServer::start().await;
    v3_task(
        &server,
        json!({"status":"terminated","successful":false,"error":"MOTOR_JAMMED"}),
    )
    .await;
    let err = hub_for(&server)
        .await
        .device(v3())
        .unlock()
        .await
        .unwrap_err();
    assert_eq!(
        err,
        DeviceError::CommandFailed {
            reason: "MOTOR_JAMMED".into()
        }
    );
    assert!(err.user_message().contains("MOTOR_JAMMED"));
}

#[tokio::test]
async fn a_v3_busy_without_seconds_is_retried_then_reported() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/sesame/dev-1"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"error":"DEVICE_IS_BUSY"})))
        .expect(4)
        .mount(&server)
        .await;
    let err = hub_for(&server)
        .await
        .device(v3())
        .lock()
        .await
        .unwrap_err();
    assert_eq!(err, DeviceError::Busy { retry_after: None });
    assert_eq!(err.retry_after(), Some(Duration::from_secs(10)));
}

#[tokio::test]
async fn a_bad_params_answer_is_a_bad_request() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/sesame/dev-1"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"error":"BAD_PARAMS"})))
        .mount(&server)
        .await;
    let err = hub_for(&server)
        .await
        .device(v3())
        .lock()
        .await
        .unwrap_err();
    assert!(matches!(err, DeviceError::BadRequest { .. }));
}
