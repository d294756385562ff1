//! The `webhook_events` table: each delivery as received, stored with the jobs derived from
//! it in one transaction, and pruned with the finished jobs.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::rows::insert_job;
use super::{DONE, FAILED, QUEUED};
use crate::domain::SessionId;
use crate::jobs::{JobKind, NewJob};
use crate::store::time::ms;
use crate::store::{Store, StoreError};

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

impl Store {
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
