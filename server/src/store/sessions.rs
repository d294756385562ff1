//! The `sessions` table: what we last learned from Chaster about each extension session.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::Any;
use sqlx::Row;

use super::jobs::insert_job;
use super::time::{from_ms, ms};
use super::{NewJob, Store, StoreError};
use crate::domain::{LockId, SessionId, UserId};

pub const LOCKED: &str = "locked";
pub const UNLOCKED: &str = "unlocked";
pub const DESERTED: &str = "deserted";
/// Our extension was removed from the lock.
pub const ENDED: &str = "ended";

#[derive(Clone, Debug, PartialEq)]
pub struct SessionRecord {
    pub session_id: SessionId,
    pub lock_id: LockId,
    pub wearer_user_id: UserId,
    pub keyholder_user_id: Option<UserId>,
    /// `locked`, `unlocked`, `deserted` or `ended`.
    pub status: String,
    /// The extension's public configuration.
    pub config: Value,
    pub hygiene_opening_active: bool,
    /// The keyholder opened the box on purpose; cleared when it is seen locked.
    pub box_open_allowed: bool,
    pub updated_at: DateTime<Utc>,
}

/// A locked session whose wearer has a box: what the tamper watch checks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WatchedSession {
    pub session_id: SessionId,
    pub wearer_user_id: UserId,
    /// `devices.api`: `web_api` or `legacy_v3`.
    pub device_api: String,
}

/// Binds a session's eight values to an `INSERT INTO sessions (session_id, lock_id, wearer_user_id,
/// keyholder_user_id, status, config, hygiene_opening_active, updated_at)`, in that order.
fn bind_session<'q>(
    query: Query<'q, Any, AnyArguments<'q>>,
    s: &'q SessionRecord,
) -> Query<'q, Any, AnyArguments<'q>> {
    query
        .bind(s.session_id.as_str())
        .bind(s.lock_id.as_str())
        .bind(s.wearer_user_id.as_str())
        .bind(s.keyholder_user_id.as_ref().map(UserId::as_str))
        .bind(&s.status)
        .bind(s.config.to_string())
        .bind(i64::from(s.hygiene_opening_active))
        .bind(ms(s.updated_at))
}

const COLUMNS: &str = "session_id, lock_id, wearer_user_id, keyholder_user_id, status, config, \
     hygiene_opening_active, box_open_allowed, updated_at";

impl Store {
    /// Saves what Chaster just said about a session (the hygiene flag is ours and is kept).
    pub async fn upsert_session(&self, s: &SessionRecord) -> Result<(), StoreError> {
        self.upsert_sessions(std::slice::from_ref(s)).await
    }

    /// Saves several sessions in ONE transaction (one commit): what a batched confirmation of
    /// releases found. A row that already says the same is left alone (no write, no commit),
    /// so `updated_at` is when we last learned something new about the session.
    pub async fn upsert_sessions(&self, sessions: &[SessionRecord]) -> Result<(), StoreError> {
        let mut tx = self.writer().begin().await?;
        for s in sessions {
            bind_session(
                sqlx::query(
                "INSERT INTO sessions (session_id, lock_id, wearer_user_id, keyholder_user_id, status, config, \
                 hygiene_opening_active, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (session_id) DO UPDATE SET lock_id = excluded.lock_id, \
                 wearer_user_id = excluded.wearer_user_id, keyholder_user_id = excluded.keyholder_user_id, \
                 status = excluded.status, config = excluded.config, updated_at = excluded.updated_at \
                 WHERE sessions.lock_id <> excluded.lock_id \
                 OR sessions.wearer_user_id <> excluded.wearer_user_id \
                 OR sessions.keyholder_user_id IS DISTINCT FROM excluded.keyholder_user_id \
                 OR sessions.status <> excluded.status OR sessions.config <> excluded.config",
            ),
                s,
            )
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Saves a session only if we knew nothing of it (a possibly older view must not win).
    pub async fn insert_session_if_absent(&self, s: &SessionRecord) -> Result<bool, StoreError> {
        let done = bind_session(
            sqlx::query(
            "INSERT INTO sessions (session_id, lock_id, wearer_user_id, keyholder_user_id, status, config, \
             hygiene_opening_active, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (session_id) DO NOTHING",
        ),
            s,
        )
        .execute(self.writer())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    pub async fn get_session(
        &self,
        session_id: &SessionId,
    ) -> Result<Option<SessionRecord>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM sessions WHERE session_id = $1");
        let row = sqlx::query(&sql)
            .bind(session_id.as_str())
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| session_from_row(&r)).transpose()
    }

    pub async fn set_session_status(
        &self,
        session_id: &SessionId,
        status: &str,
    ) -> Result<(), StoreError> {
        self.set_stamped("status", status.to_owned(), session_id)
            .await
    }

    /// Marks a hygiene opening as running or over (the tamper watch pauses meanwhile).
    pub async fn set_hygiene_opening(
        &self,
        session_id: &SessionId,
        active: bool,
    ) -> Result<(), StoreError> {
        // Only when it changes: most calls confirm what is stored (every confirmation of a
        // release clears it), and an unchanged row then costs no commit.
        sqlx::query(
            "UPDATE sessions SET hygiene_opening_active = $1, updated_at = $2 \
             WHERE session_id = $3 AND hygiene_opening_active <> $1",
        )
        .bind(i64::from(active))
        .bind(ms(Utc::now()))
        .bind(session_id.as_str())
        .execute(self.writer())
        .await?;
        Ok(())
    }

    /// Sets one column of a session and stamps `updated_at`. `column` is always a literal of
    /// this module, never input.
    async fn set_stamped<T>(
        &self,
        column: &'static str,
        value: T,
        session_id: &SessionId,
    ) -> Result<(), StoreError>
    where
        T: for<'q> sqlx::Encode<'q, sqlx::Any> + sqlx::Type<sqlx::Any> + Send + 'static,
    {
        let sql =
            format!("UPDATE sessions SET {column} = $1, updated_at = $2 WHERE session_id = $3");
        sqlx::query(&sql)
            .bind(value)
            .bind(ms(Utc::now()))
            .bind(session_id.as_str())
            .execute(self.writer())
            .await?;
        Ok(())
    }

    /// Marks the box as opened on purpose by the keyholder (or no longer so).
    pub async fn set_box_open_allowed(
        &self,
        session_id: &SessionId,
        allowed: bool,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE sessions SET box_open_allowed = $1 WHERE session_id = $2")
            .bind(i64::from(allowed))
            .bind(session_id.as_str())
            .execute(self.writer())
            .await?;
        Ok(())
    }

    /// Remembers `entry` as the session's home action and enqueues `write` (the metadata job
    /// that shows it) in the same transaction, only when it differs from the last one and the
    /// session is locked. Returns whether it was new.
    pub async fn set_home_action(
        &self,
        session_id: &SessionId,
        entry: &str,
        write: &NewJob,
    ) -> Result<bool, StoreError> {
        let mut tx = self.writer().begin().await?;
        let changed = sqlx::query(
            "UPDATE sessions SET home_action = $1 WHERE session_id = $2 AND status = $3 \
             AND (home_action IS NULL OR home_action <> $4)",
        )
        .bind(entry)
        .bind(session_id.as_str())
        .bind(LOCKED)
        .bind(entry)
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() == 0 {
            return Ok(false);
        }
        insert_job(&mut tx, write, 0).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Locked sessions holding their wearer's connected box (custody). Those with a hygiene
    /// opening are included: their check asks Chaster whether the opening still runs.
    pub async fn watched_sessions(&self) -> Result<Vec<WatchedSession>, StoreError> {
        let rows = sqlx::query(
            "SELECT s.session_id, s.wearer_user_id, d.api FROM sessions s \
             JOIN devices d ON d.user_id = s.wearer_user_id \
             JOIN custody c ON c.session_id = s.session_id AND c.ended_at IS NULL \
             WHERE s.status = $1 ORDER BY s.session_id",
        )
        .bind(LOCKED)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(WatchedSession {
                    session_id: SessionId::new(r.try_get::<String, _>(0)?),
                    wearer_user_id: UserId::new(r.try_get::<String, _>(1)?),
                    device_api: r.try_get(2)?,
                })
            })
            .collect()
    }
}

fn session_from_row(row: &AnyRow) -> Result<SessionRecord, StoreError> {
    let config: String = row.try_get("config")?;
    Ok(SessionRecord {
        session_id: SessionId::new(row.try_get::<String, _>("session_id")?),
        lock_id: LockId::new(row.try_get::<String, _>("lock_id")?),
        wearer_user_id: UserId::new(row.try_get::<String, _>("wearer_user_id")?),
        keyholder_user_id: row
            .try_get::<Option<String>, _>("keyholder_user_id")?
            .map(UserId::new),
        status: row.try_get("status")?,
        config: serde_json::from_str(&config)
            .map_err(|e| StoreError::Corrupt(format!("session config: {e}")))?,
        hygiene_opening_active: row.try_get::<i64, _>("hygiene_opening_active")? != 0,
        box_open_allowed: row.try_get::<i64, _>("box_open_allowed")? != 0,
        updated_at: from_ms(row.try_get("updated_at")?)?,
    })
}

#[cfg(test)]
mod tests;
