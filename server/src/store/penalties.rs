//! `penalty_holds` (penalties the server holds on a lock until something ends them) and
//! `kept_history` (history lines Chaster refused, shown on our page instead).

use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::Row;

use super::jobs::insert_job;
use super::time::{from_ms, ms};
use super::{Store, StoreError};
use crate::domain::SessionId;
use crate::jobs::NewJob;

/// `penalty_holds.kind`: our metadata's `reasonsPreventingUnlocking` holds the lock.
pub const BLOCK_UNLOCKING: &str = "block_unlocking";
/// `penalty_holds.kind`: we froze the lock.
pub const FREEZE: &str = "freeze";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewHold {
    pub session_id: SessionId,
    pub incident_id: Option<String>,
    /// [`BLOCK_UNLOCKING`] or [`FREEZE`].
    pub kind: String,
    /// The sentence shown to the wearer (for a block, the reason Chaster shows).
    pub reason: String,
    pub started_at: DateTime<Utc>,
    /// Lifted at the latest then, whatever else happens.
    pub bound_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hold {
    pub id: String,
    pub session_id: SessionId,
    pub incident_id: Option<String>,
    pub kind: String,
    pub reason: String,
    pub started_at: DateTime<Utc>,
    pub bound_at: DateTime<Utc>,
    pub lifted_at: Option<DateTime<Utc>>,
    /// Why it ended: the box locked again, the keyholder, the bound, the session's end.
    pub lifted_why: Option<String>,
}

/// Which of a session's active holds to lift.
#[derive(Clone, Copy, Debug)]
pub enum Lift<'a> {
    All,
    Incident(&'a str),
    Hold(&'a str),
}

/// A history line Chaster refused, kept to be shown on our history page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeptLine {
    pub session_id: SessionId,
    pub at: DateTime<Utc>,
    /// `extension`, `keyholder` or `user`.
    pub role: String,
    pub title: String,
    pub description: String,
    pub icon: Option<String>,
    /// What Chaster answered, for the logs.
    pub refusal: String,
}

const COLUMNS: &str =
    "id, session_id, incident_id, kind, reason, started_at, bound_at, lifted_at, lifted_why";

impl Store {
    /// Starts a hold and enqueues the jobs that apply and bound it, in one transaction, so a
    /// crash never leaves a hold without the job that ends it. Returns the hold's id.
    pub async fn start_hold(&self, hold: &NewHold, jobs: &[NewJob]) -> Result<String, StoreError> {
        let id = uuid::Uuid::new_v4().to_string();
        self.start_hold_with_id(&id, hold, jobs).await?;
        Ok(id)
    }

    /// Like [`start_hold`](Self::start_hold) with an id chosen by the caller (its jobs name it).
    pub async fn start_hold_with_id(
        &self,
        id: &str,
        hold: &NewHold,
        jobs: &[NewJob],
    ) -> Result<(), StoreError> {
        let mut tx = self.writer().begin().await?;
        sqlx::query(
            "INSERT INTO penalty_holds (id, session_id, incident_id, kind, reason, started_at, bound_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(hold.session_id.as_str())
        .bind(&hold.incident_id)
        .bind(&hold.kind)
        .bind(&hold.reason)
        .bind(ms(hold.started_at))
        .bind(ms(hold.bound_at))
        .execute(&mut *tx)
        .await?;
        for (seq, job) in jobs.iter().enumerate() {
            insert_job(&mut tx, job, seq).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Lifts the matching active holds of a session and enqueues the jobs `follow_up` builds
    /// from them (the writes that undo them), in one transaction. Returns the holds lifted now.
    pub async fn lift_holds(
        &self,
        session_id: &SessionId,
        which: Lift<'_>,
        why: &str,
        now: DateTime<Utc>,
        follow_up: impl FnOnce(&[Hold]) -> Vec<NewJob>,
    ) -> Result<Vec<Hold>, StoreError> {
        let (filter, value) = match which {
            Lift::All => ("", ""),
            Lift::Incident(id) => (" AND incident_id = $4", id),
            Lift::Hold(id) => (" AND id = $4", id),
        };
        let sql = format!(
            "UPDATE penalty_holds SET lifted_at = $1, lifted_why = $2 \
             WHERE session_id = $3 AND lifted_at IS NULL{filter} RETURNING {COLUMNS}"
        );
        let mut tx = self.writer().begin().await?;
        let mut query = sqlx::query(&sql)
            .bind(ms(now))
            .bind(why)
            .bind(session_id.as_str());
        if !filter.is_empty() {
            query = query.bind(value);
        }
        let rows = query.fetch_all(&mut *tx).await?;
        let lifted = rows
            .iter()
            .map(hold_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        if !lifted.is_empty() {
            for (seq, job) in follow_up(&lifted).iter().enumerate() {
                insert_job(&mut tx, job, seq).await?;
            }
        }
        tx.commit().await?;
        Ok(lifted)
    }

    /// The session's holds still in force, oldest first.
    pub async fn active_holds(&self, session_id: &SessionId) -> Result<Vec<Hold>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM penalty_holds WHERE session_id = $1 AND lifted_at IS NULL \
             ORDER BY started_at, id"
        );
        let rows = sqlx::query(&sql)
            .bind(session_id.as_str())
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(hold_from_row).collect()
    }

    /// Every hold of a session, lifted or not, oldest first.
    pub async fn holds(&self, session_id: &SessionId) -> Result<Vec<Hold>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM penalty_holds WHERE session_id = $1 ORDER BY started_at, id"
        );
        let rows = sqlx::query(&sql)
            .bind(session_id.as_str())
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(hold_from_row).collect()
    }

    pub async fn get_hold(&self, id: &str) -> Result<Option<Hold>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM penalty_holds WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| hold_from_row(&r)).transpose()
    }

    pub async fn keep_history(&self, line: &KeptLine) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO kept_history (id, session_id, at, role, title, description, icon, refusal) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(line.session_id.as_str())
        .bind(ms(line.at))
        .bind(&line.role)
        .bind(&line.title)
        .bind(&line.description)
        .bind(&line.icon)
        .bind(&line.refusal)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    /// The session's kept lines, newest first.
    pub async fn kept_history(&self, session_id: &SessionId) -> Result<Vec<KeptLine>, StoreError> {
        let rows = sqlx::query(
            "SELECT session_id, at, role, title, description, icon, refusal FROM kept_history \
             WHERE session_id = $1 ORDER BY at DESC, id DESC",
        )
        .bind(session_id.as_str())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(KeptLine {
                    session_id: SessionId::new(r.try_get::<String, _>("session_id")?),
                    at: from_ms(r.try_get("at")?)?,
                    role: r.try_get("role")?,
                    title: r.try_get("title")?,
                    description: r.try_get("description")?,
                    icon: r.try_get("icon")?,
                    refusal: r.try_get("refusal")?,
                })
            })
            .collect()
    }
}

fn hold_from_row(row: &AnyRow) -> Result<Hold, StoreError> {
    Ok(Hold {
        id: row.try_get("id")?,
        session_id: SessionId::new(row.try_get::<String, _>("session_id")?),
        incident_id: row.try_get("incident_id")?,
        kind: row.try_get("kind")?,
        reason: row.try_get("reason")?,
        started_at: from_ms(row.try_get("started_at")?)?,
        bound_at: from_ms(row.try_get("bound_at")?)?,
        lifted_at: row
            .try_get::<Option<i64>, _>("lifted_at")?
            .map(from_ms)
            .transpose()?,
        lifted_why: row.try_get("lifted_why")?,
    })
}
