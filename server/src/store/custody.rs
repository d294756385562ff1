//! The `custody` and `custody_boxes` tables: which session holds each wearer's box, and the
//! per-box lease every decision and movement takes first (`custody::Custody` is the only user).

use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::Row;

use super::sessions::LOCKED;
use super::time::{from_ms, ms};
use super::{Store, StoreError};
use crate::domain::{SessionId, UserId};

/// How a custody period ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CustodyEnd {
    /// Chaster confirmed the holding session unlocked.
    Release,
    /// The lock was deserted and Chaster's 7-day wait is over.
    DesertionWaitOver,
    /// Our extension left the lock (Chaster no longer knows the session).
    SessionEnded,
}

impl CustodyEnd {
    pub fn as_str(self) -> &'static str {
        match self {
            CustodyEnd::Release => "release",
            CustodyEnd::DesertionWaitOver => "desertion_wait_over",
            CustodyEnd::SessionEnded => "session_ended",
        }
    }
}

/// One period of a session holding a box.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustodyPeriod {
    pub id: String,
    pub wearer_user_id: UserId,
    pub session_id: SessionId,
    pub since: DateTime<Utc>,
    /// Set once the lock was deserted: when the box opens.
    pub opens_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    /// `release`, `desertion_wait_over` or `session_ended`.
    pub ended_how: Option<String>,
}

const COLUMNS: &str = "id, wearer_user_id, session_id, since, opens_at, ended_at, ended_how";

impl Store {
    /// Takes the box's lease until `until` unless someone else holds an unexpired one.
    pub async fn acquire_box(
        &self,
        wearer: &UserId,
        token: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE custody_boxes SET lease_token = $1, lease_until = $2 WHERE wearer_user_id = $3 \
             AND (lease_token IS NULL OR lease_until < $4 OR lease_token = $1)",
        )
        .bind(token)
        .bind(ms(until))
        .bind(wearer.as_str())
        .bind(ms(now))
        .execute(self.writer())
        .await?;
        if done.rows_affected() == 1 {
            return Ok(true);
        }
        // The box's first lease creates its row, holding it (one statement, one commit; the
        // row existing already means someone else holds the lease).
        let done = sqlx::query(
            "INSERT INTO custody_boxes (wearer_user_id, lease_token, lease_until) \
             VALUES ($1, $2, $3) ON CONFLICT (wearer_user_id) DO NOTHING",
        )
        .bind(wearer.as_str())
        .bind(token)
        .bind(ms(until))
        .execute(self.writer())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Gives the lease back (only if it is still ours).
    pub async fn release_box(&self, wearer: &UserId, token: &str) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE custody_boxes SET lease_token = NULL, lease_until = NULL \
             WHERE wearer_user_id = $1 AND lease_token = $2",
        )
        .bind(wearer.as_str())
        .bind(token)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    /// Whether someone holds the box's lease now (a decision or a movement is under way).
    pub async fn box_busy(&self, wearer: &UserId, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) FROM custody_boxes WHERE wearer_user_id = $1 \
             AND lease_token IS NOT NULL AND lease_until >= $2",
        )
        .bind(wearer.as_str())
        .bind(ms(now))
        .fetch_one(self.pool())
        .await?;
        Ok(row.try_get::<i64, _>(0)? > 0)
    }

    /// The session holding the wearer's box now, if any.
    pub async fn custody_holder(
        &self,
        wearer: &UserId,
    ) -> Result<Option<CustodyPeriod>, StoreError> {
        let sql =
            format!("SELECT {COLUMNS} FROM custody WHERE wearer_user_id = $1 AND ended_at IS NULL");
        let row = sqlx::query(&sql)
            .bind(wearer.as_str())
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| period_from_row(&r)).transpose()
    }

    /// The session's latest custody period (open or ended).
    pub async fn last_custody_of_session(
        &self,
        session_id: &SessionId,
    ) -> Result<Option<CustodyPeriod>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM custody WHERE session_id = $1 ORDER BY since DESC, id DESC LIMIT 1"
        );
        let row = sqlx::query(&sql)
            .bind(session_id.as_str())
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| period_from_row(&r)).transpose()
    }

    /// Starts a period; fails (unique index) if the box is already held.
    pub async fn begin_custody(
        &self,
        wearer: &UserId,
        session_id: &SessionId,
        now: DateTime<Utc>,
    ) -> Result<CustodyPeriod, StoreError> {
        let period = CustodyPeriod {
            id: uuid::Uuid::new_v4().to_string(),
            wearer_user_id: wearer.clone(),
            session_id: session_id.clone(),
            since: now,
            opens_at: None,
            ended_at: None,
            ended_how: None,
        };
        sqlx::query(
            "INSERT INTO custody (id, wearer_user_id, session_id, since) VALUES ($1, $2, $3, $4)",
        )
        .bind(&period.id)
        .bind(wearer.as_str())
        .bind(session_id.as_str())
        .bind(ms(now))
        .execute(self.writer())
        .await?;
        Ok(period)
    }

    pub async fn end_custody(
        &self,
        id: &str,
        how: CustodyEnd,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE custody SET ended_at = $1, ended_how = $2 WHERE id = $3 AND ended_at IS NULL",
        )
        .bind(ms(now))
        .bind(how.as_str())
        .bind(id)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    /// Records when a deserted lock's box opens (the first date set wins).
    pub async fn set_custody_opens_at(
        &self,
        id: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE custody SET opens_at = $1 WHERE id = $2 AND opens_at IS NULL")
            .bind(ms(at))
            .bind(id)
            .execute(self.writer())
            .await?;
        Ok(())
    }

    /// The wearer's other sessions we last saw locked, oldest first: who takes the box over.
    pub async fn other_locked_sessions(
        &self,
        wearer: &UserId,
        except: &SessionId,
    ) -> Result<Vec<SessionId>, StoreError> {
        let rows = sqlx::query(
            "SELECT session_id FROM sessions WHERE wearer_user_id = $1 AND status = $3 \
             AND session_id <> $2 ORDER BY updated_at, session_id",
        )
        .bind(wearer.as_str())
        .bind(except.as_str())
        .bind(LOCKED)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok(SessionId::new(r.try_get::<String, _>(0)?)))
            .collect()
    }
}

fn period_from_row(row: &AnyRow) -> Result<CustodyPeriod, StoreError> {
    let opt = |name: &str| -> Result<Option<DateTime<Utc>>, StoreError> {
        row.try_get::<Option<i64>, _>(name)?
            .map(from_ms)
            .transpose()
    };
    Ok(CustodyPeriod {
        id: row.try_get("id")?,
        wearer_user_id: UserId::new(row.try_get::<String, _>("wearer_user_id")?),
        session_id: SessionId::new(row.try_get::<String, _>("session_id")?),
        since: from_ms(row.try_get("since")?)?,
        opens_at: opt("opens_at")?,
        ended_at: opt("ended_at")?,
        ended_how: row.try_get("ended_how")?,
    })
}
