//! The Web API through the device interface, against the simulator.

use std::time::Duration;

use api_types::{CommandOutcome, LatchState};
use server::sesame::{DeviceCredentials, DeviceError};
use sim::sesame::{CommandKind, Fault, DEMO_API_KEY, DEMO_LOW_BATTERY_UUID, DEMO_WEBAPI_UUID};

use crate::helpers::*;

#[tokio::test]
async fn unlock_is_confirmed_when_the_sesame_reports_unlocked() {
    let t = spawn().await;
    let result = t.hub.device(demo_web()).unlock().await.unwrap();
    assert_eq!(
        result.outcome,
        CommandOutcome::Confirmed,
        "{}",
        result.message
    );
    assert_eq!(result.status.unwrap().latch, LatchState::Unlocked);
    assert!(!t.sim.latch_locked(DEMO_WEBAPI_UUID));
    assert_eq!(result.message, "The Sesame reports it is unlocked.");
}

#[tokio::test]
async fn a_wrong_secret_gives_not_confirmed_with_an_honest_message() {
    let t = spawn().await;
    let wrong = DeviceCredentials::WebApi {
        uuid: DEMO_WEBAPI_UUID.into(),
        api_key: key(DEMO_API_KEY),
        secret: secret("00112233445566778899aabbccddeeff"),
    };
    let result = t.hub.device(wrong).unlock().await.unwrap();
    assert_eq!(result.outcome, CommandOutcome::NotConfirmed);
    assert!(
        result.message.contains("secret key may be wrong"),
        "{}",
        result.message
    );
    assert!(t.sim.latch_locked(DEMO_WEBAPI_UUID), "nothing moved");
    assert_eq!(
        t.sim
            .commands_received(DEMO_WEBAPI_UUID, CommandKind::Unlock),
        1,
        "sent once, not repeated"
    );
}

#[tokio::test]
async fn an_offline_hub_makes_the_box_not_reachable() {
    let t = spawn().await;
    t.sim.set_fault(DEMO_WEBAPI_UUID, Some(Fault::Offline));
    let status = t.hub.device(demo_web()).status().await.unwrap();
    assert!(!status.reachable);
    assert!(
        status.last_update.is_some(),
        "the last known timestamp is kept"
    );
}

#[tokio::test]
async fn a_command_to_an_offline_box_is_not_confirmed_and_says_since_when() {
    let t = spawn().await;
    t.sim.set_fault(DEMO_WEBAPI_UUID, Some(Fault::Offline));
    let result = t.hub.device(demo_web()).unlock().await.unwrap();
    assert_eq!(result.outcome, CommandOutcome::NotConfirmed);
    assert!(
        result.message.contains("hub has been offline since"),
        "{}",
        result.message
    );
    assert!(t.sim.latch_locked(DEMO_WEBAPI_UUID));
}

#[tokio::test]
async fn a_throttled_key_backs_off_without_calling_again() {
    let t = spawn().await;
    t.sim.set_fault(DEMO_WEBAPI_UUID, Some(Fault::Throttled));
    let err = t.hub.device(demo_web()).status().await.unwrap_err();
    assert_eq!(
        err,
        DeviceError::Throttled {
            retry_after: Duration::from_secs(60)
        }
    );
    let sent = t.sim.requests_for_key(DEMO_API_KEY);
    // Another box on the same key is held back too, without reaching CANDY HOUSE.
    let err = t
        .hub
        .device(web_creds(DEMO_LOW_BATTERY_UUID))
        .status()
        .await
        .unwrap_err();
    assert!(matches!(err, DeviceError::Throttled { .. }));
    assert_eq!(t.sim.requests_for_key(DEMO_API_KEY), sent);
    assert!(err.user_message().contains("Try again in"));
}

#[tokio::test]
async fn a_refused_api_key_is_bad_credentials() {
    let t = spawn().await;
    let creds = DeviceCredentials::WebApi {
        uuid: DEMO_WEBAPI_UUID.into(),
        api_key: key("not-the-key"),
        secret: secret(sim::sesame::DEMO_SECRET_HEX),
    };
    let err = t.hub.device(creds).status().await.unwrap_err();
    assert_eq!(err, DeviceError::BadCredentials { status: Some(403) });
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn an_unknown_uuid_is_not_found() {
    let t = spawn().await;
    let err = t
        .hub
        .device(web_creds("00000000-0000-0000-0000-00000000FFFF"))
        .unlock()
        .await
        .unwrap_err();
    assert_eq!(err, DeviceError::NotFound);
    assert!(err.user_message().contains("does not know this Sesame"));
}

#[tokio::test]
async fn a_lambda_error_with_status_200_is_a_typed_upstream_error() {
    let t = spawn().await;
    t.sim.set_fault(DEMO_WEBAPI_UUID, Some(Fault::LambdaError));
    let err = t.hub.device(demo_web()).status().await.unwrap_err();
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
    assert!(err.is_retryable());
}

#[tokio::test]
async fn a_500_before_acceptance_is_retried_once_and_the_command_goes_through() {
    let t = spawn().await;
    t.sim
        .set_fault_times(DEMO_WEBAPI_UUID, Fault::InternalError, 1);
    let result = t.hub.device(demo_web()).unlock().await.unwrap();
    assert_eq!(result.outcome, CommandOutcome::Confirmed);
    assert_eq!(
        t.sim
            .commands_received(DEMO_WEBAPI_UUID, CommandKind::Unlock),
        1
    );
}

#[tokio::test]
async fn a_box_turned_back_by_hand_right_after_the_command_is_a_mismatch() {
    let t = spawn_with(|s| s.verify.delay = Duration::from_millis(400), None).await;
    let device = t.hub.device(demo_web());
    let command = tokio::spawn(async move { device.unlock().await });
    wait_until(|| !t.sim.latch_locked(DEMO_WEBAPI_UUID)).await;
    t.sim.set_latch(DEMO_WEBAPI_UUID, true);
    let result = command.await.unwrap().unwrap();
    assert_eq!(
        result.outcome,
        CommandOutcome::Mismatch,
        "{}",
        result.message
    );
    assert!(
        result.message.contains("reports it is locked"),
        "{}",
        result.message
    );
}

#[tokio::test]
async fn a_low_battery_is_flagged_in_the_status() {
    let t = spawn().await;
    let status = t
        .hub
        .device(web_creds(DEMO_LOW_BATTERY_UUID))
        .status()
        .await
        .unwrap();
    assert_eq!(status.battery_percent, Some(8));
    assert!(status.battery_low);
}

#[tokio::test]
async fn a_motor_too_weak_to_move_gives_not_confirmed_naming_the_battery() {
    let t = spawn().await;
    t.sim.set_fault(DEMO_WEBAPI_UUID, Some(Fault::LowBattery));
    let result = t.hub.device(demo_web()).unlock().await.unwrap();
    assert_eq!(result.outcome, CommandOutcome::NotConfirmed);
    assert!(
        result.message.contains("battery is low (5 %)"),
        "{}",
        result.message
    );
}

#[tokio::test]
async fn a_busy_web_api_box_drops_the_command_and_says_so() {
    let t = spawn().await;
    t.sim
        .set_fault(DEMO_WEBAPI_UUID, Some(Fault::Busy { seconds: 2 }));
    let result = t.hub.device(demo_web()).lock().await.unwrap();
    // Already locked: the box reports the requested position, whatever happened to the command.
    assert_eq!(result.outcome, CommandOutcome::Confirmed);
    let result = t.hub.device(demo_web()).unlock().await.unwrap();
    assert_eq!(result.outcome, CommandOutcome::NotConfirmed);
}

#[tokio::test]
async fn the_history_shows_our_tag_for_a_web_unlock() {
    let t = spawn().await;
    t.hub.device(demo_web()).unlock().await.unwrap();
    let history = t
        .hub
        .webapi()
        .history(&key(DEMO_API_KEY), &DEMO_WEBAPI_UUID.into(), 0, 5)
        .await
        .unwrap();
    // Newest first: the motor's untagged entry, then our tagged command.
    assert_eq!(history[0].kind, 11);
    assert_eq!(history[1].kind, 17);
    let tag = history[1].tag.as_deref().unwrap();
    assert!(tag.starts_with("Chaster ") && tag.len() <= 21, "{tag}");
    assert!(t.hub.device(demo_web()).our_tag_sent_at(tag).is_some());
}
