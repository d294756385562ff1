//! Waiting for a condition, logging, random values.

use std::sync::Once;
use std::time::Duration;

/// Polls `condition` every 20 ms until it holds; panics after `limit`.
pub async fn wait_for<F, Fut>(what: &str, limit: Duration, mut condition: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = std::time::Instant::now();
    while !condition().await {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Logs only when `TEST_LOG` is set (its value is the filter, `info` when empty), so test
/// output stays readable.
pub fn init_test_logging() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if let Some(filter) = std::env::var_os("TEST_LOG") {
            let filter = filter.to_string_lossy();
            let filter = if filter.is_empty() || filter == "1" {
                "info"
            } else {
                &filter
            };
            server::telemetry::init_subscriber(filter);
        }
    });
}

pub fn rand_u64() -> u64 {
    uuid::Uuid::new_v4().as_u64_pair().0
}
