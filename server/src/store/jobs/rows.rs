//! How a job row is written (deduplicated by its key) and read back typed: a name this server
//! does not know is corrupt data, never a panic.

use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use super::QUEUED;
use crate::domain::SessionId;
use crate::jobs::{Job, JobKind, JobStatus, Lane, NewJob};
use crate::store::time::{from_ms, ms};
use crate::store::StoreError;

pub(super) const COLUMNS: &str =
    "id, kind, session_id, lane, dedupe_key, payload, status, attempts, run_after, \
     deadline, command_sent_at, retry_logged, last_error, created_at";

/// Inserts unless the dedupe key exists; true when a row was added. `created_at` is in
/// microseconds, offset by `seq`, so jobs enqueued together keep their order in a lane.
pub(crate) async fn insert_job(
    tx: &mut Transaction<'static, Any>,
    job: &NewJob,
    seq: usize,
) -> Result<bool, StoreError> {
    let now = Utc::now();
    let created = now.timestamp_micros() + seq as i64;
    let done = sqlx::query(
        "INSERT INTO jobs (id, kind, session_id, lane, dedupe_key, payload, status, attempts, run_after, \
         deadline, retry_logged, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $11, 0, $7, $8, 0, $9, $10) ON CONFLICT (dedupe_key) DO NOTHING",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(job.kind.as_str())
    .bind(job.session_id.as_ref().map(SessionId::as_str))
    .bind(job.lane.map(Lane::as_str))
    .bind(&job.dedupe_key)
    .bind(job.payload.to_string())
    .bind(ms(job.run_after))
    .bind(ms(job.deadline))
    .bind(created)
    .bind(ms(now))
    .bind(QUEUED)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// A row's kind, status and lane, typed; a name this server does not know is corrupt data
/// (e.g. a row written by a newer version), never a panic.
pub(super) fn kind_of(name: &str) -> Result<JobKind, StoreError> {
    JobKind::parse(name).ok_or_else(|| StoreError::Corrupt(format!("unknown job kind {name:?}")))
}

pub(super) fn status_of(name: &str) -> Result<JobStatus, StoreError> {
    JobStatus::parse(name)
        .ok_or_else(|| StoreError::Corrupt(format!("unknown job status {name:?}")))
}

pub(super) fn lane_of(name: Option<String>) -> Result<Option<Lane>, StoreError> {
    name.map(|n| {
        Lane::parse(&n).ok_or_else(|| StoreError::Corrupt(format!("unknown job lane {n:?}")))
    })
    .transpose()
}

pub(super) fn job_from_row(row: &AnyRow) -> Result<Job, StoreError> {
    let payload: String = row.try_get("payload")?;
    let opt_time = |name: &str| -> Result<Option<DateTime<Utc>>, StoreError> {
        row.try_get::<Option<i64>, _>(name)?
            .map(from_ms)
            .transpose()
    };
    Ok(Job {
        id: row.try_get("id")?,
        kind: kind_of(&row.try_get::<String, _>("kind")?)?,
        session_id: row
            .try_get::<Option<String>, _>("session_id")?
            .map(SessionId::new),
        lane: lane_of(row.try_get("lane")?)?,
        dedupe_key: row.try_get("dedupe_key")?,
        payload: serde_json::from_str(&payload)
            .map_err(|e| StoreError::Corrupt(format!("job payload: {e}")))?,
        status: status_of(&row.try_get::<String, _>("status")?)?,
        attempts: row.try_get("attempts")?,
        run_after: from_ms(row.try_get("run_after")?)?,
        deadline: from_ms(row.try_get("deadline")?)?,
        command_sent_at: opt_time("command_sent_at")?,
        retry_logged: row.try_get::<i64, _>("retry_logged")? != 0,
        last_error: row.try_get("last_error")?,
        created_at: DateTime::from_timestamp_micros(row.try_get("created_at")?)
            .ok_or_else(|| StoreError::Corrupt("bad job creation time".into()))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_names_become_typed_values() {
        assert_eq!(kind_of("open.release").unwrap(), JobKind::OpenRelease);
        assert_eq!(status_of("queued").unwrap(), JobStatus::Queued);
        assert_eq!(lane_of(Some("box".into())).unwrap(), Some(Lane::Box));
        assert_eq!(lane_of(None).unwrap(), None);
    }

    #[test]
    fn an_unknown_kind_status_or_lane_is_corrupt_data_not_a_panic() {
        for e in [
            kind_of("open.teleport").map(|_| ()),
            status_of("paused").map(|_| ()),
            status_of("QUEUED").map(|_| ()),
            lane_of(Some("fast".into())).map(|_| ()),
        ] {
            assert!(matches!(e, Err(StoreError::Corrupt(_))), "{e:?}");
        }
    }
}
