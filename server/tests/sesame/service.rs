//! Serialization, coalescing, caching and counting across the device service.

use api_types::{CommandOutcome, LatchState};
use sim::sesame::{DEMO_API_KEY, DEMO_WEBAPI_UUID};

use crate::helpers::*;
use server::crypto::SecretsKey;
use server::store::Store;

#[tokio::test]
async fn two_concurrent_commands_for_one_box_run_one_after_the_other() {
    let t = spawn().await;
    let (a, b) = (t.hub.device(demo_web()), t.hub.device(demo_web()));
    let (first, second) = tokio::join!(a.unlock(), b.lock());
    assert_eq!(first.unwrap().outcome, CommandOutcome::Confirmed);
    assert_eq!(second.unwrap().outcome, CommandOutcome::Confirmed);
    let log = t.sim.command_log(DEMO_WEBAPI_UUID);
    assert_eq!(log.len(), 2);
    let first_done = log[0].completed_at.expect("the first command completed");
    assert!(
        log[1].received_at >= first_done,
        "the second command arrived only after the first one finished"
    );
}

#[tokio::test]
async fn a_hundred_concurrent_viewers_cause_one_status_read() {
    let t = spawn().await;
    let viewers: Vec<_> = (0..100)
        .map(|_| {
            let device = t.hub.device(demo_web());
            tokio::spawn(async move { device.status().await })
        })
        .collect();
    for viewer in viewers {
        assert_eq!(viewer.await.unwrap().unwrap().latch, LatchState::Locked);
    }
    assert_eq!(t.sim.status_reads(DEMO_WEBAPI_UUID), 1);
}

#[tokio::test]
async fn a_command_replaces_the_cached_status() {
    let t = spawn().await;
    let device = t.hub.device(demo_web());
    assert_eq!(device.status().await.unwrap().latch, LatchState::Locked);
    device.unlock().await.unwrap();
    let reads = t.sim.status_reads(DEMO_WEBAPI_UUID);
    assert_eq!(device.status().await.unwrap().latch, LatchState::Unlocked);
    assert_eq!(
        t.sim.status_reads(DEMO_WEBAPI_UUID),
        reads,
        "served from the verified status"
    );
}

#[tokio::test]
async fn the_request_counter_counts_every_call_and_survives_a_restart() {
    let dir = TempDir::new();
    let secrets = SecretsKey::generate();
    let store = Store::connect(&dir.sqlite_url(), secrets.clone())
        .await
        .unwrap();
    let t = spawn_with(|_| {}, Some(store)).await;
    let device = t.hub.device(demo_web());
    device.status().await.unwrap();
    device.unlock().await.unwrap();
    let counted = device.requests_this_month().await;
    assert_eq!(counted as usize, t.sim.requests_for_key(DEMO_API_KEY));
    assert!(
        counted >= 3,
        "a status read, a command and at least one re-read: {counted}"
    );

    let reopened = Store::connect(&dir.sqlite_url(), secrets).await.unwrap();
    let hub = server::sesame::SesameHub::new(
        t.hub.settings().clone(),
        Some(std::sync::Arc::new(reopened)),
    );
    assert_eq!(hub.requests_this_month(&key(DEMO_API_KEY)).await, counted);
    assert_eq!(hub.requests_this_month(&key("another-key")).await, 0);
}

/// A request counter whose writes wait until the test lets them through (a slow disk).
struct HeldCounter {
    open: tokio::sync::Semaphore,
    added: std::sync::atomic::AtomicU64,
}

impl server::domain::RequestCounter for HeldCounter {
    fn add<'a>(
        &'a self,
        _key_fingerprint: &'a str,
        _month: &'a str,
    ) -> futures::future::BoxFuture<'a, anyhow::Result<u64>> {
        Box::pin(async move {
            let _written = self.open.acquire().await?;
            Ok(self.added.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1)
        })
    }

    fn total<'a>(
        &'a self,
        _key_fingerprint: &'a str,
        _month: &'a str,
    ) -> futures::future::BoxFuture<'a, anyhow::Result<u64>> {
        Box::pin(async move { Ok(self.added.load(std::sync::atomic::Ordering::SeqCst)) })
    }
}

#[tokio::test]
async fn a_request_goes_out_while_its_count_is_still_being_saved_and_returns_once_it_is() {
    let t = spawn().await;
    let counter = std::sync::Arc::new(HeldCounter {
        open: tokio::sync::Semaphore::new(0),
        added: 0.into(),
    });
    let hub = server::sesame::SesameHub::new(
        t.hub.settings().clone(),
        Some(counter.clone() as std::sync::Arc<dyn server::domain::RequestCounter>),
    );
    let device = hub.device(demo_web());
    let read = tokio::spawn(async move { device.status().await });
    test_support::wait_for(
        "the status read to reach CANDY HOUSE before its count is saved",
        std::time::Duration::from_secs(5),
        || async { t.sim.requests_for_key(DEMO_API_KEY) == 1 },
    )
    .await;
    assert!(!read.is_finished(), "the call waits for its count");
    counter.open.add_permits(10);
    assert_eq!(read.await.unwrap().unwrap().latch, LatchState::Locked);
    assert_eq!(hub.requests_this_month(&key(DEMO_API_KEY)).await, 1);
}
