//! Sessions we know as locked, for the polling fallback's round robin.

use sqlx::Row;

use super::{Store, StoreError};

impl Store {
    /// Up to `limit` sessions we know as locked, least recently refreshed first: the poller
    /// re-reads these from Chaster, as the search order is not documented.
    pub async fn locked_sessions_stalest(&self, limit: u32) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT session_id FROM sessions WHERE status = 'locked' ORDER BY updated_at, session_id LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|r| Ok(r.try_get("session_id")?)).collect()
    }
}
