//! The monthly request counter per CANDY HOUSE API key, as the Sesame layer needs it. The
//! store implements it (`store/usage.rs`); the Sesame layer holds only this trait, so it never
//! depends on the store.

use futures::future::BoxFuture;

/// Counts requests per API key fingerprint (never the key) and quota month (`2026-12`).
pub trait RequestCounter: Send + Sync {
    /// Adds one request and returns the month's total.
    fn add<'a>(
        &'a self,
        key_fingerprint: &'a str,
        month: &'a str,
    ) -> BoxFuture<'a, anyhow::Result<u64>>;
    /// The month's total so far (0 when none).
    fn total<'a>(
        &'a self,
        key_fingerprint: &'a str,
        month: &'a str,
    ) -> BoxFuture<'a, anyhow::Result<u64>>;
}
