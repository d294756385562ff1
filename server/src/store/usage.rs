//! The monthly request counter per API key (keyed by the key's sha256, never the key).

use futures::future::{BoxFuture, FutureExt};
use sqlx::Row;

use super::{Store, StoreError};
use crate::domain::RequestCounter;

/// The Sesame layer counts its requests through this, without knowing the store.
impl RequestCounter for Store {
    fn add<'a>(
        &'a self,
        key_fingerprint: &'a str,
        month: &'a str,
    ) -> BoxFuture<'a, anyhow::Result<u64>> {
        async move { Ok(self.add_api_usage(key_fingerprint, month).await?) }.boxed()
    }

    fn total<'a>(
        &'a self,
        key_fingerprint: &'a str,
        month: &'a str,
    ) -> BoxFuture<'a, anyhow::Result<u64>> {
        async move { Ok(self.api_usage(key_fingerprint, month).await?) }.boxed()
    }
}

impl Store {
    /// Adds one request and returns the month's total.
    pub async fn add_api_usage(&self, key_hash: &str, month: &str) -> Result<u64, StoreError> {
        let row = sqlx::query(
            "INSERT INTO api_usage (key_hash, month, requests) VALUES ($1, $2, 1) \
             ON CONFLICT (key_hash, month) DO UPDATE SET requests = api_usage.requests + 1 \
             RETURNING requests",
        )
        .bind(key_hash)
        .bind(month)
        .fetch_one(self.writer())
        .await?;
        Ok(row.try_get::<i64, _>(0)?.max(0) as u64)
    }

    /// The month's total so far (0 when none).
    pub async fn api_usage(&self, key_hash: &str, month: &str) -> Result<u64, StoreError> {
        let row = sqlx::query("SELECT requests FROM api_usage WHERE key_hash = $1 AND month = $2")
            .bind(key_hash)
            .bind(month)
            .fetch_optional(self.pool())
            .await?;
        Ok(match row {
            Some(row) => row.try_get::<i64, _>(0)?.max(0) as u64,
            None => 0,
        })
    }
}
