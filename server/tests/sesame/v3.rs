//! The legacy v3 API through the device interface, against the simulator.

use std::time::Duration;

use api_types::{CommandOutcome, LatchState};
use server::sesame::{DeviceCredentials, DeviceError};
use sim::sesame::{CommandKind, Fault, DEMO_API_KEY, DEMO_V3_DEVICE_ID};

use crate::helpers::*;

#[tokio::test]
async fn a_v3_unlock_waits_for_its_task_and_is_confirmed() {
    let t = spawn().await;
    let result = t.hub.device(demo_v3()).unlock().await.unwrap();
    assert_eq!(
        result.outcome,
        CommandOutcome::Confirmed,
        "{}",
        result.message
    );
    assert_eq!(result.reason.as_deref(), Some("box_task_done"));
    assert_eq!(result.params["latch"], "unlocked");
    assert_eq!(result.status.unwrap().latch, LatchState::Unlocked);
    assert!(!t.sim.latch_locked(DEMO_V3_DEVICE_ID));
}

#[tokio::test]
async fn a_busy_v3_device_is_retried_after_the_wait_and_succeeds() {
    let t = spawn().await;
    t.sim
        .set_fault_times(DEMO_V3_DEVICE_ID, Fault::Busy { seconds: 2 }, 1);
    let result = t.hub.device(demo_v3()).unlock().await.unwrap();
    assert_eq!(result.outcome, CommandOutcome::Confirmed);
    assert_eq!(
        t.sim
            .commands_received(DEMO_V3_DEVICE_ID, CommandKind::Unlock),
        2,
        "refused once, then accepted"
    );
}

#[tokio::test]
async fn a_v3_device_that_stays_busy_gives_a_busy_error_with_the_wait() {
    let t = spawn().await;
    t.sim
        .set_fault(DEMO_V3_DEVICE_ID, Some(Fault::Busy { seconds: 2 }));
    let err = t.hub.device(demo_v3()).unlock().await.unwrap_err();
    assert_eq!(
        err,
        DeviceError::Busy {
            retry_after: Some(Duration::from_secs(2))
        }
    );
    assert_eq!(
        t.sim
            .commands_received(DEMO_V3_DEVICE_ID, CommandKind::Unlock),
        4,
        "one try and three retries"
    );
    assert!(err.user_message().contains("Try again in 2 s"));
}

#[tokio::test]
async fn a_v3_low_battery_refusal_names_the_battery_level() {
    let t = spawn().await;
    t.sim.set_fault(DEMO_V3_DEVICE_ID, Some(Fault::LowBattery));
    let err = t.hub.device(demo_v3()).unlock().await.unwrap_err();
    assert_eq!(err, DeviceError::LowBattery { percent: Some(5) });
    assert!(err.user_message().contains("batteries are low (5 %)"));
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn a_403_bans_the_key_and_later_calls_do_not_reach_candy_house() {
    let t = spawn().await;
    t.sim.set_fault(DEMO_V3_DEVICE_ID, Some(Fault::Banned));
    let device = t.hub.device(demo_v3());
    let err = device.status().await.unwrap_err();
    assert!(
        matches!(err, DeviceError::Banned { remaining } if remaining > Duration::from_secs(29 * 60)),
        "{err:?}"
    );
    assert!(
        err.user_message().contains("30 min"),
        "{}",
        err.user_message()
    );
    let sent = t.sim.requests_for_key(DEMO_API_KEY);
    t.sim.set_fault(DEMO_V3_DEVICE_ID, None);
    assert!(matches!(
        device.unlock().await,
        Err(DeviceError::Banned { .. })
    ));
    assert!(matches!(
        t.hub.v3().list(&key(DEMO_API_KEY)).await,
        Err(DeviceError::Banned { .. })
    ));
    assert_eq!(
        t.sim.requests_for_key(DEMO_API_KEY),
        sent,
        "nothing reached the simulator"
    );
    assert!(t.sim.latch_locked(DEMO_V3_DEVICE_ID));
}

#[tokio::test]
async fn an_unknown_v3_key_is_bad_credentials() {
    let t = spawn().await;
    let creds = DeviceCredentials::LegacyV3 {
        device_id: DEMO_V3_DEVICE_ID.into(),
        api_key: key("wrong-key"),
    };
    let err = t.hub.device(creds).status().await.unwrap_err();
    assert_eq!(err, DeviceError::BadCredentials { status: Some(401) });
}

#[tokio::test]
async fn disabled_cloud_integration_is_reported_with_the_setting_to_change() {
    let t = spawn().await;
    t.sim
        .set_fault(DEMO_V3_DEVICE_ID, Some(Fault::IntegrationDisabled));
    let err = t.hub.device(demo_v3()).lock().await.unwrap_err();
    assert_eq!(err, DeviceError::IntegrationDisabled);
    assert!(err.user_message().contains("Integration"));
}

#[tokio::test]
async fn a_throttled_v3_key_gets_a_throttled_error() {
    let t = spawn().await;
    t.sim.set_fault(DEMO_V3_DEVICE_ID, Some(Fault::Throttled));
    let err = t.hub.device(demo_v3()).unlock().await.unwrap_err();
    assert!(matches!(err, DeviceError::Throttled { .. }), "{err:?}");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(60)));
}

#[tokio::test]
async fn a_v3_internal_error_is_retried_and_the_command_goes_through() {
    let t = spawn().await;
    t.sim
        .set_fault_times(DEMO_V3_DEVICE_ID, Fault::InternalError, 1);
    let result = t.hub.device(demo_v3()).unlock().await.unwrap();
    assert_eq!(result.outcome, CommandOutcome::Confirmed);
}

#[tokio::test]
async fn a_v3_lambda_error_with_status_200_is_a_typed_error_not_a_panic() {
    let t = spawn().await;
    t.sim.set_fault(DEMO_V3_DEVICE_ID, Some(Fault::LambdaError));
    let err = t.hub.device(demo_v3()).status().await.unwrap_err();
    assert!(
        matches!(
            err,
            DeviceError::Upstream {
                status: Some(200),
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.user_message(),
        "CANDY HOUSE's service had a problem. Try again in a minute."
    );
}

#[tokio::test]
async fn an_offline_v3_device_is_not_reachable_and_commands_are_not_confirmed() {
    let t = spawn().await;
    t.sim.set_fault(DEMO_V3_DEVICE_ID, Some(Fault::Offline));
    let device = t.hub.device(demo_v3());
    assert!(!device.status().await.unwrap().reachable);
    let result = device.unlock().await.unwrap();
    assert_eq!(result.outcome, api_types::CommandOutcome::NotConfirmed);
    assert!(result.message.contains("offline"), "{}", result.message);
    assert!(t.sim.latch_locked(DEMO_V3_DEVICE_ID));
}

#[tokio::test]
async fn probing_a_v3_device_finds_its_nickname_and_an_unknown_one_is_not_found() {
    let t = spawn().await;
    let probe = t.hub.probe(&demo_v3(), None).await.unwrap();
    assert_eq!(probe.nickname.as_deref(), Some("Demo key box"));
    assert_eq!(probe.model, "Sesame (original)");
    let other = DeviceCredentials::LegacyV3 {
        device_id: "not-mine".into(),
        api_key: key(DEMO_API_KEY),
    };
    assert_eq!(
        t.hub.probe(&other, None).await.unwrap_err(),
        DeviceError::NotFound
    );
}

#[tokio::test]
async fn a_v3_internal_error_on_a_status_read_is_retried() {
    let t = spawn().await;
    t.sim
        .set_fault_times(DEMO_V3_DEVICE_ID, Fault::InternalError, 1);
    let status = t.hub.device(demo_v3()).status().await.unwrap();
    assert_eq!(status.latch, LatchState::Locked);
    assert_eq!(t.sim.status_reads(DEMO_V3_DEVICE_ID), 2);
}
