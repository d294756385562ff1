//! `incidents`: a box found unlocked (or opened, jammed, unreachable) during a locked session.

use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::Row;

use super::jobs::insert_job;
use super::time::{from_ms, ms};
use super::{Store, StoreError};
use crate::domain::SessionId;
use crate::jobs::NewJob;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Incident {
    pub id: String,
    pub session_id: SessionId,
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

const COLUMNS: &str =
    "id, session_id, detected_at, resolved_at, penalty_applied, penalty, kind, detail";

impl Store {
    /// Opens an incident unless one is open for the session; the job `follow_up` builds for it
    /// is enqueued in the same transaction. Returns the new incident's id.
    pub async fn open_incident(
        &self,
        session_id: &SessionId,
        now: DateTime<Utc>,
        follow_up: impl FnOnce(&str) -> NewJob,
    ) -> Result<Option<String>, StoreError> {
        let id = uuid::Uuid::new_v4().to_string();
        let mut tx = self.writer().begin().await?;
        let done = sqlx::query(
            "INSERT INTO incidents (id, session_id, detected_at, penalty_applied) VALUES ($1, $2, $3, 0) \
             ON CONFLICT DO NOTHING",
        )
        .bind(&id)
        .bind(session_id.as_str())
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
        session_id: &SessionId,
        now: DateTime<Utc>,
    ) -> Result<Option<Incident>, StoreError> {
        let sql = format!(
            "UPDATE incidents SET resolved_at = $1 WHERE session_id = $2 AND resolved_at IS NULL RETURNING {COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(ms(now))
            .bind(session_id.as_str())
            .fetch_optional(self.writer())
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
        .execute(self.writer())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Every incident of a session, oldest first.
    pub async fn incidents(&self, session_id: &SessionId) -> Result<Vec<Incident>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM incidents WHERE session_id = $1 ORDER BY detected_at, id"
        );
        let rows = sqlx::query(&sql)
            .bind(session_id.as_str())
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(incident_from_row).collect()
    }
}

fn incident_from_row(row: &AnyRow) -> Result<Incident, StoreError> {
    Ok(Incident {
        id: row.try_get("id")?,
        session_id: SessionId::new(row.try_get::<String, _>("session_id")?),
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
