//! What the server concludes from the box: only a fresh, reachable reading confirms; a latch
//! between the ranges is jammed; control is proven by the box's own history.

use api_types::{CommandOutcome, LatchState};
use server::sesame::{Capabilities, DeviceCredentials, DeviceError, ProofOutcome};
use sim::sesame::{CommandKind, Fault, DEMO_API_KEY, DEMO_WEBAPI_UUID};

use crate::helpers::*;

#[tokio::test]
async fn with_the_hub_offline_a_lock_on_an_already_locked_box_is_not_confirmed() {
    let t = spawn().await;
    assert!(t.sim.latch_locked(DEMO_WEBAPI_UUID));
    t.sim.set_fault(DEMO_WEBAPI_UUID, Some(Fault::Offline));
    let result = t.hub.device(demo_web()).lock().await.unwrap();
    assert_eq!(
        result.outcome,
        CommandOutcome::NotConfirmed,
        "{}",
        result.message
    );
    assert!(result.message.contains("offline"), "{}", result.message);
    assert!(result
        .reason
        .as_deref()
        .is_some_and(|r| r.starts_with("box_not_confirmed_offline")));
    assert_eq!(result.params["latch"], "locked");
    assert!(!result.status.unwrap().reachable);
}

#[tokio::test]
async fn a_box_that_ends_between_the_ranges_gets_one_resend_then_is_reported_jammed() {
    let t = spawn().await;
    t.sim.set_jammed(DEMO_WEBAPI_UUID, true);
    let result = t.hub.device(demo_web()).unlock().await.unwrap();
    assert_eq!(result.outcome, CommandOutcome::Jammed, "{}", result.message);
    assert!(
        result.message.contains("jammed or half-turned"),
        "{}",
        result.message
    );
    assert_eq!(result.reason.as_deref(), Some("box_jammed_after_resend"));
    assert_eq!(result.status.unwrap().latch, LatchState::Jammed);
    assert_eq!(
        t.sim
            .commands_received(DEMO_WEBAPI_UUID, CommandKind::Unlock),
        2,
        "sent once more, not more"
    );
}

#[tokio::test]
async fn the_right_secret_is_proven_by_its_tag_in_the_history_and_the_box_ends_locked() {
    let t = spawn().await;
    t.sim.set_latch(DEMO_WEBAPI_UUID, false);
    let proof = t.hub.device(demo_web()).prove_control().await.unwrap();
    assert!(proof.is_proven(), "{proof:?}");
    assert!(t.sim.latch_locked(DEMO_WEBAPI_UUID));
    let tagged = t
        .sim
        .history(DEMO_WEBAPI_UUID)
        .into_iter()
        .filter(|(kind, _, tag)| *kind == 16 && tag.starts_with("Chaster "))
        .count();
    assert_eq!(tagged, 1);
}

#[tokio::test]
async fn a_wrong_secret_is_not_proven_because_the_tagged_lock_never_shows_up() {
    let t = spawn().await;
    let wrong = DeviceCredentials::WebApi {
        uuid: DEMO_WEBAPI_UUID.into(),
        api_key: key(DEMO_API_KEY),
        secret: secret("00112233445566778899aabbccddeeff"),
    };
    let proof = t.hub.device(wrong).prove_control().await.unwrap();
    assert!(
        matches!(proof, ProofOutcome::NotRecorded { .. }),
        "{proof:?}"
    );
    let refusal = proof.refusal().unwrap();
    assert!(refusal.message.contains("secret key is wrong"));
    assert_eq!(refusal.reason, Some("proof_tag_not_recorded"));
    assert!(t.sim.history(DEMO_WEBAPI_UUID).is_empty());
}

#[tokio::test]
async fn an_offline_hub_proves_nothing_and_says_so() {
    let t = spawn().await;
    t.sim.set_fault(DEMO_WEBAPI_UUID, Some(Fault::Offline));
    let proof = t.hub.device(demo_web()).prove_control().await.unwrap();
    assert!(
        matches!(proof, ProofOutcome::HubOffline { .. }),
        "{proof:?}"
    );
    let refusal = proof.refusal().unwrap();
    assert!(refusal.message.contains("hub"));
    assert!(refusal
        .reason
        .is_some_and(|r| r.starts_with("proof_hub_offline")));
}

#[tokio::test]
async fn a_bike_is_never_sent_a_lock_and_its_proof_waits_for_the_first_opening() {
    let t = spawn().await;
    let bike = t
        .hub
        .device(demo_web())
        .with_capabilities(Capabilities::UNLOCK_ONLY);
    assert_eq!(
        bike.lock().await.unwrap_err(),
        DeviceError::LockNotSupported
    );
    assert_eq!(bike.prove_control().await.unwrap(), ProofOutcome::Deferred);
    let (result, proven) = bike.unlock_proving().await.unwrap();
    assert_eq!(result.outcome, CommandOutcome::Confirmed);
    assert!(proven);
    assert_eq!(
        t.sim.commands_received(DEMO_WEBAPI_UUID, CommandKind::Lock),
        0
    );
}
