use std::collections::HashSet;
use std::time::Duration;

use base64::Engine;
use serde_json::Value;

use super::tests_support::{Receiver, Reply};
use super::*;

fn fast(receiver: &Receiver) -> WebhookConfig {
    WebhookConfig::new(receiver.url())
        .with_retry_delays(vec![Duration::from_millis(10); 4])
        .with_timeout(Duration::from_secs(5))
}

fn request_ids(bodies: &[Value]) -> HashSet<String> {
    bodies
        .iter()
        .map(|b| b["requestId"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_release_is_posted_as_action_log_created_with_basic_auth() {
    let sim = ChasterSim::spawn().await.unwrap();
    let receiver = Receiver::spawn(&[]).await;
    sim.set_webhook(fast(&receiver).with_basic_auth("chaster", "s3cret"));
    let log_id = sim
        .release_lock(SESSION_A_ID, Release::KeyholderUnlock)
        .await;
    sim.wait_deliveries_idle().await;

    assert_eq!(sim.lock_status(SESSION_A_ID), "unlocked");
    let received = receiver.received();
    assert_eq!(received.len(), 1);
    let basic = base64::engine::general_purpose::STANDARD.encode("chaster:s3cret");
    assert_eq!(received[0].authorization, Some(format!("Basic {basic}")));
    let envelope = &received[0].body;
    assert_eq!(envelope["event"], "action_log.created");
    assert!(envelope["sentAt"].is_string() && envelope["requestId"].is_string());
    assert_eq!(envelope["data"]["sessionId"], SESSION_A_ID);
    let log = &envelope["data"]["actionLog"];
    assert_eq!(log["_id"], log_id.as_str());
    assert_eq!(log["type"], "unlocked");
    assert_eq!(log["prefix"], "default");
    assert_eq!(log["role"], "keyholder");
    assert_eq!(log["user"]["username"], KEYHOLDER_USERNAME);

    let delivery = &sim.deliveries()[0];
    assert_eq!(delivery.attempt, 1);
    assert_eq!(delivery.status, Some(200));
    assert_eq!(delivery.action_log_id.as_deref(), Some(log_id.as_str()));
}

#[tokio::test]
async fn a_receiver_that_fails_twice_gets_three_attempts_with_new_request_ids() {
    let sim = ChasterSim::spawn().await.unwrap();
    let receiver = Receiver::spawn(&[Reply::Status(500), Reply::Status(503)]).await;
    sim.set_webhook(fast(&receiver));
    let log_id = sim.release_lock(SESSION_A_ID, Release::TimerEnded).await;
    sim.wait_deliveries_idle().await;

    let bodies: Vec<Value> = receiver.received().into_iter().map(|r| r.body).collect();
    assert_eq!(bodies.len(), 3);
    assert_eq!(request_ids(&bodies).len(), 3);
    assert!(bodies
        .iter()
        .all(|b| b["data"]["actionLog"]["_id"] == log_id.as_str()));
    let attempts: Vec<(u32, Option<u16>)> = sim
        .deliveries()
        .iter()
        .map(|d| (d.attempt, d.status))
        .collect();
    assert_eq!(attempts, [(1, Some(500)), (2, Some(503)), (3, Some(200))]);
}

#[tokio::test]
async fn chaster_gives_up_after_four_retries() {
    let sim = ChasterSim::spawn().await.unwrap();
    let receiver = Receiver::spawn(&[Reply::Status(500); 10]).await;
    sim.set_webhook(fast(&receiver));
    sim.desert(SESSION_B_ID).await;
    sim.wait_deliveries_idle().await;
    assert_eq!(receiver.received().len(), 5);
    assert!(sim.deliveries().iter().all(|d| !d.succeeded()));
}

#[tokio::test]
async fn a_slow_receiver_counts_as_a_timeout_and_is_retried() {
    let sim = ChasterSim::spawn().await.unwrap();
    let slow = Reply::SlowStatus(Duration::from_millis(800), 200);
    let receiver = Receiver::spawn(&[slow]).await;
    sim.set_webhook(fast(&receiver).with_timeout(Duration::from_millis(100)));
    sim.start_hygiene_opening(SESSION_A_ID).await;
    sim.wait_deliveries_idle().await;
    let deliveries = sim.deliveries();
    assert_eq!(deliveries.len(), 2);
    assert_eq!(deliveries[0].error.as_deref(), Some("timeout"));
    assert_eq!(deliveries[1].status, Some(200));
}

#[tokio::test]
async fn an_unreachable_receiver_is_recorded_as_an_error() {
    let sim = ChasterSim::spawn().await.unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    drop(listener);
    let config = WebhookConfig::new(url).with_retry_delays(vec![Duration::from_millis(1)]);
    sim.set_webhook(config);
    sim.desert(SESSION_A_ID).await;
    sim.wait_deliveries_idle().await;
    let deliveries = sim.deliveries();
    assert_eq!(deliveries.len(), 2);
    assert!(deliveries
        .iter()
        .all(|d| d.status.is_none() && d.error.is_some()));
}

#[tokio::test]
async fn redeliver_sends_copies_of_the_same_action_log_with_new_request_ids() {
    for concurrent in [true, false] {
        let sim = ChasterSim::spawn().await.unwrap();
        let receiver = Receiver::spawn(&[]).await;
        sim.set_webhook(fast(&receiver));
        let log_id = sim
            .release_lock(SESSION_A_ID, Release::KeyholderUnlock)
            .await;
        sim.redeliver(&log_id, 5, concurrent).await;
        sim.wait_deliveries_idle().await;
        let bodies: Vec<Value> = receiver.received().into_iter().map(|r| r.body).collect();
        assert_eq!(bodies.len(), 6);
        assert_eq!(request_ids(&bodies).len(), 6);
        assert!(bodies
            .iter()
            .all(|b| b["data"]["actionLog"]["_id"] == log_id.as_str()));
        assert!(bodies.iter().all(|b| b["data"] == bodies[0]["data"]));
    }
}

#[tokio::test]
async fn hygiene_openings_and_sessions_coming_and_going_are_all_delivered() {
    let sim = ChasterSim::spawn().await.unwrap();
    let receiver = Receiver::spawn(&[]).await;
    sim.set_webhook(fast(&receiver));
    sim.start_hygiene_opening(SESSION_A_ID).await;
    sim.end_hygiene_opening(SESSION_A_ID, false).await;
    sim.start_hygiene_opening(SESSION_A_ID).await;
    sim.end_hygiene_opening(SESSION_A_ID, true).await;
    let (session_id, _, _) = sim.create_session(NewSessionSpec::default()).await;
    sim.wait_deliveries_idle().await;
    sim.delete_session(&session_id).await;
    sim.wait_deliveries_idle().await;

    let received: Vec<Value> = receiver.received().into_iter().map(|r| r.body).collect();
    let mut kinds: Vec<String> = received
        .iter()
        .map(|b| match b["data"]["actionLog"]["type"].as_str() {
            Some(t) => t.to_owned(),
            None => b["event"].as_str().unwrap().to_owned(),
        })
        .collect();
    kinds.sort();
    let mut expected = [
        "temporary_opening_opened",
        "temporary_opening_locked",
        "temporary_opening_opened",
        "temporary_opening_locked_late",
        "extension_session.created",
        "extension_session.deleted",
    ];
    expected.sort();
    assert_eq!(kinds, expected);
    let deleted = received
        .iter()
        .find(|b| b["event"] == "extension_session.deleted")
        .unwrap();
    assert_eq!(deleted["data"]["session"]["sessionId"], session_id);
    assert!(deleted["data"]["session"]["lock"]["_id"].is_string());
    assert_eq!(deleted["data"]["extension"]["slug"], EXTENSION_SLUG);
    let (status, _) =
        super::tests_support::api_get(&sim, &format!("/api/extensions/sessions/{session_id}"))
            .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn nothing_is_delivered_without_a_webhook_url() {
    let sim = ChasterSim::spawn().await.unwrap();
    sim.release_lock(SESSION_A_ID, Release::KeyholderUnlock)
        .await;
    sim.wait_deliveries_idle().await;
    assert!(sim.deliveries().is_empty());
    assert_eq!(
        sim.action_logs(SESSION_A_ID).last().unwrap()["type"],
        "unlocked"
    );
}
