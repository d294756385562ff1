//! `incidents` (a box found unlocked during a locked session) and `box_events`, the activity the
//! keyholder page shows.

use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use super::jobs::{from_ms, insert_job, ms, NewJob};
use super::{Store, StoreError};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Incident {
    pub id: String,
    pub session_id: String,
    pub detected_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub penalty_applied: bool,
    /// What was done, e.g. "add_time 60 min", "freeze", "none".
    pub penalty: Option<String>,
    /// One of [`kinds`]: `found_open` (the box seen unlocked), `opened_in_history`, `jammed`,
    /// `unreachable`.
    pub kind: String,
    /// For people: what the box's history showed, when that is how it was found.
    pub detail: Option<String>,
}

/// The kinds of incident.
pub mod kinds {
    pub const FOUND_OPEN: &str = "found_open";
    pub const OPENED_IN_HISTORY: &str = "opened_in_history";
    pub const JAMMED: &str = "jammed";
    pub const UNREACHABLE: &str = "unreachable";
}

/// A line of the box's activity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewActivity {
    pub wearer_user_id: String,
    pub session_id: Option<String>,
    /// One of the `activity::*` kinds in `opener`.
    pub kind: String,
    pub message: String,
}

/// A line of the box's activity, as the keyholder view shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Activity {
    pub at: DateTime<Utc>,
    /// `opened`, `open_failed`, `retrying`, `locked`, `lock_failed`, `skipped`, `incident`,
    /// `incident_resolved` (see `opener::activity_kind`).
    pub kind: String,
    /// A sentence for people; never holds a secret or a Chaster id.
    pub message: String,
}

const COLUMNS: &str =
    "id, session_id, detected_at, resolved_at, penalty_applied, penalty, kind, detail";

impl Store {
    /// Opens an incident unless one is open for the session; the job `follow_up` builds for it
    /// is enqueued in the same transaction. Returns the new incident's id.
    pub async fn open_incident(
        &self,
        session_id: &str,
        now: DateTime<Utc>,
        follow_up: impl FnOnce(&str) -> NewJob,
    ) -> Result<Option<String>, StoreError> {
        let id = uuid::Uuid::new_v4().to_string();
        let mut tx = self.pool().begin().await?;
        let done = sqlx::query(
            "INSERT INTO incidents (id, session_id, detected_at, penalty_applied) VALUES ($1, $2, $3, 0) \
             ON CONFLICT DO NOTHING",
        )
        .bind(&id)
        .bind(session_id)
        .bind(ms(now))
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(None);
        }
        insert_job(&mut tx, &follow_up(&id), 0).await?;
        tx.commit().await?;
        Ok(Some(id))
    }

    /// Closes the session's open incident, if any; returns it.
    pub async fn resolve_incident(
        &self,
        session_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Incident>, StoreError> {
        let sql = format!(
            "UPDATE incidents SET resolved_at = $1 WHERE session_id = $2 AND resolved_at IS NULL RETURNING {COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(ms(now))
            .bind(session_id)
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| incident_from_row(&r)).transpose()
    }

    pub async fn get_incident(&self, id: &str) -> Result<Option<Incident>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM incidents WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| incident_from_row(&r)).transpose()
    }

    /// Records the penalty of an incident (once: false if it was already recorded).
    pub async fn record_penalty(
        &self,
        id: &str,
        applied: bool,
        penalty: &str,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE incidents SET penalty_applied = $1, penalty = $2 WHERE id = $3 AND penalty IS NULL",
        )
        .bind(i64::from(applied))
        .bind(penalty)
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Every incident of a session, oldest first.
    pub async fn incidents(&self, session_id: &str) -> Result<Vec<Incident>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM incidents WHERE session_id = $1 ORDER BY detected_at, id"
        );
        let rows = sqlx::query(&sql)
            .bind(session_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(incident_from_row).collect()
    }

    pub async fn add_activity(&self, a: &NewActivity) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        insert_activity(&mut tx, a).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The wearer's box activity, newest first.
    pub async fn recent_activity(
        &self,
        wearer_user_id: &str,
        limit: u32,
    ) -> Result<Vec<Activity>, StoreError> {
        let rows = sqlx::query(
            "SELECT at, kind, message FROM box_events WHERE wearer_user_id = $1 \
             ORDER BY at DESC, id DESC LIMIT $2",
        )
        .bind(wearer_user_id)
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Activity {
                    at: from_ms(r.try_get("at")?)?,
                    kind: r.try_get("kind")?,
                    message: r.try_get("message")?,
                })
            })
            .collect()
    }
}

pub(crate) async fn insert_activity(
    tx: &mut Transaction<'static, Any>,
    a: &NewActivity,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO box_events (id, wearer_user_id, session_id, at, kind, message) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(&a.wearer_user_id)
    .bind(&a.session_id)
    .bind(ms(Utc::now()))
    .bind(&a.kind)
    .bind(&a.message)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn incident_from_row(row: &AnyRow) -> Result<Incident, StoreError> {
    Ok(Incident {
        id: row.try_get("id")?,
        session_id: row.try_get("session_id")?,
        detected_at: from_ms(row.try_get("detected_at")?)?,
        resolved_at: row
            .try_get::<Option<i64>, _>("resolved_at")?
            .map(from_ms)
            .transpose()?,
        penalty_applied: row.try_get::<i64, _>("penalty_applied")? != 0,
        penalty: row.try_get("penalty")?,
        kind: row.try_get("kind")?,
        detail: row.try_get("detail")?,
    })
}
