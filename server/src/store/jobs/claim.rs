//! The claim and the completion statements, on a connection or inside a transaction, so a
//! busy worker can end one job and take the next in one commit.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::{Any, Row, Transaction};

use super::rows::{insert_job, job_from_row, COLUMNS};
use super::{FAILED, QUEUED, RUNNING};
use crate::jobs::{Completion, Job, JobKind, Lane};
use crate::store::time::ms;
use crate::store::StoreError;

/// Runnable: queued (`$3`) and due, or running (`$4`) with an expired lease; and first in its
/// lane.
const RUNNABLE: &str =
    "((j.status = $3 AND j.run_after <= $2) OR (j.status = $4 AND j.lease_until < $2)) \
     AND (j.lane IS NULL OR NOT EXISTS (SELECT 1 FROM jobs e WHERE e.session_id = j.session_id \
     AND e.lane = j.lane AND e.status IN ($3, $4) \
     AND (e.created_at < j.created_at OR (e.created_at = j.created_at AND e.id < j.id))))";

/// The claim of [`Store::claim_job`] on `conn` (a connection, or a transaction that also
/// completes the previous job).
pub(super) async fn claim_on(
    conn: &mut sqlx::AnyConnection,
    postgres: bool,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
) -> Result<Option<Job>, StoreError> {
    let lock = if postgres {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    // Box jobs first (openings Chaster asked for, relocks, starts), then by due time: a burst
    // of releases must not queue behind routine work that happened to be due a moment
    // earlier (after a start, every box's tamper check is due at once).
    let box_kinds = JobKind::all()
        .into_iter()
        .filter(|k| k.lane() == Some(Lane::Box))
        .map(|k| format!("'{}'", k.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "UPDATE jobs SET status = $4, lease_until = $1, attempts = attempts + 1, updated_at = $2 \
         WHERE id = (SELECT j.id FROM jobs j WHERE {RUNNABLE} \
         ORDER BY CASE WHEN j.kind IN ({box_kinds}) THEN 0 ELSE 1 END, \
         j.run_after, j.created_at, j.id LIMIT 1{lock}) \
         AND (status = $3 OR lease_until < $2) RETURNING {COLUMNS}"
    );
    let row = sqlx::query(&sql)
        .bind(ms(lease_until))
        .bind(ms(now))
        .bind(QUEUED)
        .bind(RUNNING)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else { return Ok(None) };
    match job_from_row(&row) {
        Ok(job) => Ok(Some(job)),
        Err(e) => {
            // A row no handler could run (e.g. a kind this version does not know) ends as
            // failed with the reason, so it is not claimed again after every lease.
            let id: String = row.try_get("id")?;
            sqlx::query(
                "UPDATE jobs SET status = $1, lease_until = NULL, last_error = $2, updated_at = $3 \
                 WHERE id = $4",
            )
            .bind(FAILED)
            .bind(e.to_string())
            .bind(ms(Utc::now()))
            .bind(&id)
            .execute(&mut *conn)
            .await?;
            Err(e)
        }
    }
}

/// The completion of [`Store::complete_job`], inside `tx`.
pub(super) async fn complete_in(
    tx: &mut Transaction<'static, Any>,
    id: &str,
    c: &Completion,
) -> Result<(), StoreError> {
    let status = c.status().as_str();
    sqlx::query(
        "UPDATE jobs SET status = $1, run_after = COALESCE($2, run_after), lease_until = NULL, \
         last_error = $3, retry_logged = CASE WHEN $4 = 1 THEN 1 ELSE retry_logged END, \
         updated_at = $5, payload = COALESCE($7, payload), \
         attempts = CASE WHEN $8 = 1 AND attempts > 0 THEN attempts - 1 ELSE attempts END \
         WHERE id = $6",
    )
    .bind(status)
    .bind(c.retry_at.map(ms))
    .bind(&c.error)
    .bind(i64::from(c.retry_logged))
    .bind(ms(Utc::now()))
    .bind(id)
    .bind(c.payload.as_ref().map(Value::to_string))
    .bind(i64::from(c.step))
    .execute(&mut **tx)
    .await?;
    for (seq, job) in c.follow_ups.iter().enumerate() {
        insert_job(tx, job, seq).await?;
    }
    Ok(())
}
