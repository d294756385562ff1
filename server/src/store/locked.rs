//! Sessions we know as locked, for the polling fallback's round robin.

use sqlx::Row;

use super::sessions::LOCKED;
use super::{Store, StoreError};
use crate::domain::SessionId;

impl Store {
    /// Up to `limit` sessions we know as locked, least recently refreshed first: the poller
    /// re-reads these from Chaster, as the search order is not documented.
    pub async fn locked_sessions_stalest(&self, limit: u32) -> Result<Vec<SessionId>, StoreError> {
        let rows = sqlx::query(
            "SELECT session_id FROM sessions WHERE status = $2 ORDER BY updated_at, session_id LIMIT $1",
        )
        .bind(i64::from(limit))
        .bind(LOCKED)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok(SessionId::new(r.try_get::<String, _>("session_id")?)))
            .collect()
    }
}
