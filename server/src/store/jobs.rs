//! The `jobs` queue and the `webhook_events` it is fed from.
//!
//! Claiming is one atomic `UPDATE … WHERE id = (SELECT …) RETURNING`: on Postgres the inner
//! select takes `FOR UPDATE SKIP LOCKED`, on SQLite the single writer serializes claims. A job
//! whose lease expired (its worker died) is claimable again. Jobs of one session in the same
//! lane run strictly one after the other, oldest first. Box jobs are claimed before any other
//! runnable job, so routine work never holds an opening back.

//!
//! Here the queue's operations; `claim` the claim and completion statements, `rows` how a job
//! is written and read back, `webhooks` the deliveries the jobs come from.

mod claim;
mod rows;
mod webhooks;

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::Row;

use super::time::ms;
use super::{Store, StoreError};
use crate::domain::SessionId;
use crate::jobs::{Completion, Job, JobKind, JobQueue, JobStatus, Lane, NewJob};
use claim::{claim_on, complete_in};
pub(crate) use rows::insert_job;
use rows::{job_from_row, status_of, COLUMNS};
pub use webhooks::{NewWebhookEvent, Supersede};

const QUEUED: &str = JobStatus::Queued.as_str();
const RUNNING: &str = JobStatus::Running.as_str();
const DONE: &str = JobStatus::Done.as_str();
const FAILED: &str = JobStatus::Failed.as_str();

impl Store {
    /// True when the database is Postgres (claims then use `SKIP LOCKED`).
    pub fn is_postgres(&self) -> bool {
        matches!(
            self.pool().connect_options().database_url.scheme(),
            "postgres" | "postgresql"
        )
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
