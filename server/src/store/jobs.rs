//! The `jobs` queue and the `webhook_events` it is fed from.
//!
//! Claiming is one atomic `UPDATE … WHERE id = (SELECT …) RETURNING`: on Postgres the inner
//! select takes `FOR UPDATE SKIP LOCKED`, on SQLite the single writer serializes claims. A job
//! whose lease expired (its worker died) is claimable again. Jobs of one session in the same
//! lane run strictly one after the other, oldest first. Box jobs are claimed before any other
//! runnable job, so routine work never holds an opening back.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use super::time::{from_ms, ms};
use super::{Store, StoreError};
use crate::domain::SessionId;
use crate::jobs::{Completion, Job, JobKind, JobQueue, JobStatus, Lane, NewJob};

const QUEUED: &str = JobStatus::Queued.as_str();
const RUNNING: &str = JobStatus::Running.as_str();
const DONE: &str = JobStatus::Done.as_str();
const FAILED: &str = JobStatus::Failed.as_str();

/// A webhook delivery as received.
#[derive(Clone, Debug)]
pub struct NewWebhookEvent {
    pub event: String,
    pub request_id: Option<String>,
    pub session_id: Option<String>,
    pub action_log_id: Option<String>,
    pub body: String,
}

/// Queued jobs of `kind` for one session that a newer event made pointless.
#[derive(Clone, Debug)]
pub struct Supersede {
    pub session_id: SessionId,
    pub kind: JobKind,
    pub reason: String,
}

const COLUMNS: &str =
    "id, kind, session_id, lane, dedupe_key, payload, status, attempts, run_after, \
     deadline, command_sent_at, retry_logged, last_error, created_at";

/// Runnable: queued (`$3`) and due, or running (`$4`) with an expired lease; and first in its
/// lane.
const RUNNABLE: &str =
    "((j.status = $3 AND j.run_after <= $2) OR (j.status = $4 AND j.lease_until < $2)) \
     AND (j.lane IS NULL OR NOT EXISTS (SELECT 1 FROM jobs e WHERE e.session_id = j.session_id \
     AND e.lane = j.lane AND e.status IN ($3, $4) \
     AND (e.created_at < j.created_at OR (e.created_at = j.created_at AND e.id < j.id))))";

impl Store {
    /// True when the database is Postgres (claims then use `SKIP LOCKED`).
    pub fn is_postgres(&self) -> bool {
        matches!(
            self.pool().connect_options().database_url.scheme(),
            "postgres" | "postgresql"
        )
    }

    /// Stores a delivery and the jobs derived from it, atomically; returns how many jobs were
    /// new (0 for a duplicate delivery).
    pub async fn ingest_webhook(
        &self,
        event: &NewWebhookEvent,
        jobs: &[NewJob],
        supersede: Option<&Supersede>,
    ) -> Result<usize, StoreError> {
        let created = self.ingest_webhooks(&[(event, jobs, supersede)]).await?;
        Ok(created[0])
    }

    /// Several deliveries in ONE transaction (one commit, one fsync): how a burst is stored.
    /// Returns the new-job count of each, in order.
    pub async fn ingest_webhooks(
        &self,
        deliveries: &[(&NewWebhookEvent, &[NewJob], Option<&Supersede>)],
    ) -> Result<Vec<usize>, StoreError> {
        let mut tx = self.writer().begin().await?;
        let mut counts = Vec::with_capacity(deliveries.len());
        for (event, jobs, supersede) in deliveries {
            let mut created = 0;
            for (seq, job) in jobs.iter().enumerate() {
                created += insert_job(&mut tx, job, seq).await? as usize;
            }
            if let (Some(s), true) = (supersede, created > 0) {
                sqlx::query(
                    "UPDATE jobs SET status = $1, last_error = $2, updated_at = $3 \
                     WHERE session_id = $4 AND kind = $5 AND status = $6",
                )
                .bind(DONE)
                .bind(&s.reason)
                .bind(ms(Utc::now()))
                .bind(s.session_id.as_str())
                .bind(s.kind.as_str())
                .bind(QUEUED)
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query(
                "INSERT INTO webhook_events (id, event, request_id, session_id, action_log_id, body, jobs_created, received_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(uuid::Uuid::new_v4().to_string())
            .bind(&event.event)
            .bind(&event.request_id)
            .bind(&event.session_id)
            .bind(&event.action_log_id)
            .bind(&event.body)
            .bind(created as i64)
            .bind(ms(Utc::now()))
            .execute(&mut *tx)
            .await?;
            counts.push(created);
        }
        tx.commit().await?;
        Ok(counts)
    }

    /// Enqueues jobs outside a webhook; returns how many were new.
    pub async fn enqueue(&self, jobs: &[NewJob]) -> Result<usize, StoreError> {
        let mut tx = self.writer().begin().await?;
        let mut created = 0;
        for (seq, job) in jobs.iter().enumerate() {
            created += insert_job(&mut tx, job, seq).await? as usize;
        }
        tx.commit().await?;
        Ok(created)
    }

    /// Takes the next runnable job, leased until `lease_until`.
    pub async fn claim_job(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Option<Job>, StoreError> {
        let mut conn = self.writer().acquire().await?;
        claim_on(&mut conn, self.is_postgres(), now, lease_until).await
    }

    /// Extends the lease of a job still running.
    pub async fn renew_lease(&self, id: &str, until: DateTime<Utc>) -> Result<(), StoreError> {
        sqlx::query("UPDATE jobs SET lease_until = $1 WHERE id = $2 AND status = $3")
            .bind(ms(until))
            .bind(id)
            .bind(RUNNING)
            .execute(self.writer())
            .await?;
        Ok(())
    }

    /// Records, before a command goes out, that it may have gone out (optionally with notes
    /// the next attempt needs to check it).
    pub async fn mark_command_sent(
        &self,
        id: &str,
        at: DateTime<Utc>,
        payload: Option<&Value>,
    ) -> Result<(), StoreError> {
        match payload {
            Some(p) => {
                sqlx::query("UPDATE jobs SET command_sent_at = $1, payload = $2 WHERE id = $3")
                    .bind(ms(at))
                    .bind(p.to_string())
                    .bind(id)
                    .execute(self.writer())
                    .await?
            }
            None => {
                sqlx::query("UPDATE jobs SET command_sent_at = $1 WHERE id = $2")
                    .bind(ms(at))
                    .bind(id)
                    .execute(self.writer())
                    .await?
            }
        };
        Ok(())
    }

    /// Forgets a send that provably did not happen (the upstream refused it unread).
    pub async fn clear_command_sent(&self, id: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE jobs SET command_sent_at = NULL WHERE id = $1")
            .bind(id)
            .execute(self.writer())
            .await?;
        Ok(())
    }

    /// Ends an attempt: the job's new state and its follow-up jobs, atomically.
    pub async fn complete_job(&self, id: &str, c: &Completion) -> Result<(), StoreError> {
        let mut tx = self.writer().begin().await?;
        complete_in(&mut tx, id, c).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Ends an attempt and takes the next runnable job, in ONE transaction (one commit): a busy
    /// worker pays one commit per job for both, which is what a burst of releases waits on.
    pub async fn complete_and_claim(
        &self,
        id: &str,
        c: &Completion,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Option<Job>, StoreError> {
        let mut tx = self.writer().begin().await?;
        complete_in(&mut tx, id, c).await?;
        // A corrupt row is marked failed inside the transaction: kept with the completion.
        let next = claim_on(&mut tx, self.is_postgres(), now, lease_until).await;
        tx.commit().await?;
        next
    }

    pub async fn get_job(&self, id: &str) -> Result<Option<Job>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM jobs WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| job_from_row(&r)).transpose()
    }

    /// Every job of a kind, oldest first (for inspection and tests).
    pub async fn jobs_of_kind(&self, kind: JobKind) -> Result<Vec<Job>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM jobs WHERE kind = $1 ORDER BY created_at, id");
        let rows = sqlx::query(&sql)
            .bind(kind.as_str())
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(job_from_row).collect()
    }

    /// The sessions with a queued or running job of `kind` that sent no command yet (at most
    /// `limit`): what one batched confirmation from Chaster can cover.
    pub async fn pending_sessions(
        &self,
        kind: JobKind,
        limit: i64,
    ) -> Result<Vec<SessionId>, StoreError> {
        let rows = sqlx::query(
            "SELECT DISTINCT session_id FROM jobs WHERE kind = $1 AND status IN ($2, $3) \
             AND session_id IS NOT NULL AND command_sent_at IS NULL LIMIT $4",
        )
        .bind(kind.as_str())
        .bind(QUEUED)
        .bind(RUNNING)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SessionId::new(
                    r.try_get::<String, _>("session_id")?.as_str(),
                ))
            })
            .collect()
    }

    /// Whether a job of this session in `lane` is queued or running, other than `except`.
    pub async fn lane_busy(
        &self,
        session_id: &SessionId,
        lane: Lane,
        except: Option<&str>,
    ) -> Result<bool, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) FROM jobs WHERE session_id = $1 AND lane = $2 \
             AND status IN ($4, $5) AND id <> $3",
        )
        .bind(session_id.as_str())
        .bind(lane.as_str())
        .bind(except.unwrap_or(""))
        .bind(QUEUED)
        .bind(RUNNING)
        .fetch_one(self.pool())
        .await?;
        Ok(row.try_get::<i64, _>(0)? > 0)
    }

    /// Whether another job of `kind` for this session is running under a live lease (a crashed
    /// run's expired lease does not count).
    pub async fn running_elsewhere(
        &self,
        session_id: &SessionId,
        kind: JobKind,
        except: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) FROM jobs WHERE session_id = $1 AND kind = $2 AND status = $3 \
             AND lease_until >= $4 AND id <> $5",
        )
        .bind(session_id.as_str())
        .bind(kind.as_str())
        .bind(RUNNING)
        .bind(ms(now))
        .bind(except)
        .fetch_one(self.pool())
        .await?;
        Ok(row.try_get::<i64, _>(0)? > 0)
    }

    /// Whether another job of this session in `lane` ever sent its command.
    pub async fn lane_sent_command(
        &self,
        session_id: &SessionId,
        lane: Lane,
        except: &str,
    ) -> Result<bool, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) FROM jobs WHERE session_id = $1 AND lane = $2 \
             AND command_sent_at IS NOT NULL AND id <> $3",
        )
        .bind(session_id.as_str())
        .bind(lane.as_str())
        .bind(except)
        .fetch_one(self.pool())
        .await?;
        Ok(row.try_get::<i64, _>(0)? > 0)
    }

    /// Counts jobs per status, in the order of [`JobStatus::ALL`] (queued, running, done,
    /// failed).
    pub async fn job_counts(&self) -> Result<[i64; 4], StoreError> {
        // ONE statement, so one snapshot: counted one status at a time, a job completing in
        // between (running -> queued for a retry, or done plus a queued follow-up) was missed
        // and "nothing queued or running" came too early; Postgres's concurrency showed it.
        let rows = sqlx::query("SELECT status, COUNT(*) FROM jobs GROUP BY status")
            .fetch_all(self.pool())
            .await?;
        let mut counts = [0; 4];
        for row in rows {
            let status = status_of(&row.try_get::<String, _>(0)?)?;
            if let Some(i) = JobStatus::ALL.iter().position(|s| *s == status) {
                counts[i] = row.try_get::<i64, _>(1)?;
            }
        }
        Ok(counts)
    }

    /// Jobs running, or queued and due by `by` (a job delayed past it, e.g. a penalty's bound
    /// hours away, is not work in progress; a retry due in a moment is).
    pub async fn due_job_count(&self, by: DateTime<Utc>) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) FROM jobs WHERE status = $2 \
             OR (status = $3 AND run_after <= $1)",
        )
        .bind(ms(by))
        .bind(RUNNING)
        .bind(QUEUED)
        .fetch_one(self.pool())
        .await?;
        Ok(row.try_get::<i64, _>(0)?)
    }

    /// Webhook deliveries stored so far.
    pub async fn webhook_event_count(&self) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) FROM webhook_events")
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get::<i64, _>(0)?)
    }

    /// Deletes finished jobs and webhook events older than `before`.
    pub async fn prune_jobs(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let jobs = sqlx::query("DELETE FROM jobs WHERE status IN ($2, $3) AND updated_at < $1")
            .bind(ms(before))
            .bind(DONE)
            .bind(FAILED)
            .execute(self.writer())
            .await?;
        let events = sqlx::query("DELETE FROM webhook_events WHERE received_at < $1")
            .bind(ms(before))
            .execute(self.writer())
            .await?;
        Ok(jobs.rows_affected() + events.rows_affected())
    }
}

/// The claim of [`Store::claim_job`] on `conn` (a connection, or a transaction that also
/// completes the previous job).
async fn claim_on(
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
async fn complete_in(
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
fn kind_of(name: &str) -> Result<JobKind, StoreError> {
    JobKind::parse(name).ok_or_else(|| StoreError::Corrupt(format!("unknown job kind {name:?}")))
}

fn status_of(name: &str) -> Result<JobStatus, StoreError> {
    JobStatus::parse(name)
        .ok_or_else(|| StoreError::Corrupt(format!("unknown job status {name:?}")))
}

fn lane_of(name: Option<String>) -> Result<Option<Lane>, StoreError> {
    name.map(|n| {
        Lane::parse(&n).ok_or_else(|| StoreError::Corrupt(format!("unknown job lane {n:?}")))
    })
    .transpose()
}

fn job_from_row(row: &AnyRow) -> Result<Job, StoreError> {
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

/// The runtime's queue is this table.
impl JobQueue for Store {
    type Error = StoreError;

    async fn claim_job(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Option<Job>, StoreError> {
        Store::claim_job(self, now, lease_until).await
    }

    async fn renew_lease(&self, id: &str, until: DateTime<Utc>) -> Result<(), StoreError> {
        Store::renew_lease(self, id, until).await
    }

    async fn complete_job(&self, id: &str, completion: &Completion) -> Result<(), StoreError> {
        Store::complete_job(self, id, completion).await
    }

    async fn complete_and_claim(
        &self,
        id: &str,
        completion: &Completion,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Option<Job>, StoreError> {
        Store::complete_and_claim(self, id, completion, now, lease_until).await
    }
}

#[cfg(test)]
mod tests;
