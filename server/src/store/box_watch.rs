//! `box_watch` (what the tamper watch saw at its last check of a session's box) and incidents
//! that are over when seen (an opening in the box's history, a jam, an unreachable hub).

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::jobs::insert_job;
use super::time::{from_ms, ms};
use super::{Store, StoreError};
use crate::domain::SessionId;
use crate::jobs::NewJob;

/// The tamper watch's memory of one session's box.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BoxWatch {
    /// The box's status timestamp at the last check (`None`: read the history next time).
    pub status_at: Option<DateTime<Utc>>,
    /// When the last check ran (the history is read from here when `status_at` is unknown).
    pub checked_at: Option<DateTime<Utc>>,
    /// First check that found the hub offline, while it stays offline.
    pub offline_since: Option<DateTime<Utc>>,
    /// First check that found the latch jammed, while it stays jammed.
    pub jammed_since: Option<DateTime<Utc>>,
}

/// An incident that is over when seen; `source_ref` makes it count once.
#[derive(Clone, Debug)]
pub struct PointIncident {
    pub session_id: SessionId,
    pub kind: &'static str,
    pub source_ref: String,
    pub at: DateTime<Utc>,
    pub detail: String,
    /// Recorded at once when the kind carries no penalty (e.g. "none").
    pub penalty: Option<String>,
}

fn opt_ms(v: Option<i64>) -> Result<Option<DateTime<Utc>>, StoreError> {
    v.map(from_ms).transpose()
}

impl Store {
    pub async fn box_watch(&self, session_id: &SessionId) -> Result<Option<BoxWatch>, StoreError> {
        let row = sqlx::query(
            "SELECT status_at, checked_at, offline_since, jammed_since FROM box_watch WHERE session_id = $1",
        )
        .bind(session_id.as_str())
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| {
            Ok(BoxWatch {
                status_at: opt_ms(r.try_get("status_at")?)?,
                checked_at: Some(from_ms(r.try_get("checked_at")?)?),
                offline_since: opt_ms(r.try_get("offline_since")?)?,
                jammed_since: opt_ms(r.try_get("jammed_since")?)?,
            })
        })
        .transpose()
    }

    pub async fn put_box_watch(
        &self,
        session_id: &SessionId,
        w: &BoxWatch,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO box_watch (session_id, status_at, checked_at, offline_since, jammed_since) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (session_id) DO UPDATE SET \
             status_at = excluded.status_at, checked_at = excluded.checked_at, \
             offline_since = excluded.offline_since, jammed_since = excluded.jammed_since",
        )
        .bind(session_id.as_str())
        .bind(w.status_at.map(ms))
        .bind(ms(w.checked_at.unwrap_or_else(Utc::now)))
        .bind(w.offline_since.map(ms))
        .bind(w.jammed_since.map(ms))
        .execute(self.writer())
        .await?;
        Ok(())
    }

    /// Notes when the keyholder opened the box from a page.
    pub async fn note_open_allowed(
        &self,
        session_id: &SessionId,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO box_watch (session_id, checked_at, open_allowed_at) VALUES ($1, $2, $3) \
             ON CONFLICT (session_id) DO UPDATE SET open_allowed_at = excluded.open_allowed_at",
        )
        .bind(session_id.as_str())
        .bind(ms(at))
        .bind(ms(at))
        .execute(self.writer())
        .await?;
        Ok(())
    }

    pub async fn open_allowed_at(
        &self,
        session_id: &SessionId,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        let row = sqlx::query("SELECT open_allowed_at FROM box_watch WHERE session_id = $1")
            .bind(session_id.as_str())
            .fetch_optional(self.pool())
            .await?;
        match row {
            Some(r) => opt_ms(r.try_get("open_allowed_at")?),
            None => Ok(None),
        }
    }

    /// Records the incident unless its `source_ref` is known, with its jobs in the same
    /// transaction. Returns the new incident's id.
    pub async fn record_point_incident(
        &self,
        incident: &PointIncident,
        follow_ups: impl FnOnce(&str) -> Vec<NewJob>,
    ) -> Result<Option<String>, StoreError> {
        let id = uuid::Uuid::new_v4().to_string();
        let mut tx = self.writer().begin().await?;
        let done = sqlx::query(
            "INSERT INTO incidents (id, session_id, detected_at, resolved_at, penalty_applied, penalty, kind, source_ref, detail) \
             VALUES ($1, $2, $3, $4, 0, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
        )
        .bind(&id)
        .bind(incident.session_id.as_str())
        .bind(ms(incident.at))
        .bind(ms(incident.at))
        .bind(&incident.penalty)
        .bind(incident.kind)
        .bind(&incident.source_ref)
        .bind(&incident.detail)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(None);
        }
        for (seq, job) in follow_ups(&id).iter().enumerate() {
            insert_job(&mut tx, job, seq).await?;
        }
        tx.commit().await?;
        Ok(Some(id))
    }
}
