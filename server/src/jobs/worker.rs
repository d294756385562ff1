//! One worker: claims jobs until told to stop. While a job runs, a heartbeat renews its lease,
//! so only a worker that really died loses its job to another. A job that panics is recorded
//! as failed with the reason (its heartbeat stops with it), and the worker goes on; should the
//! worker itself die, [`Worker::supervise`] starts it again.

use std::panic::AssertUnwindSafe;
use std::time::Duration;

use futures::FutureExt;
use tokio::sync::watch;
use tracing::Instrument;

use super::{Completion, Job, JobHandler, JobQueue, JobSettings, JobSignal};
use crate::clock::Clock;

#[derive(Clone)]
pub struct Worker<Q, H> {
    pub queue: Q,
    pub handler: H,
    pub settings: JobSettings,
    pub signal: JobSignal,
    /// The handler's clock, so a test that moves time forward also makes delayed jobs due.
    pub clock: Clock,
}

fn lease(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::seconds(120))
}

/// The text of a panic payload.
fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned())
}

impl<Q: JobQueue, H: JobHandler> Worker<Q, H> {
    /// Runs the worker, and starts it again if it ever dies of a panic, until `stop`.
    pub async fn supervise(self, stop: watch::Receiver<bool>) {
        loop {
            let run = tokio::spawn(self.clone().run(stop.clone()));
            match run.await {
                Ok(()) => return,
                Err(e) if e.is_panic() => {
                    tracing::error!(reason = %panic_text(&e.into_panic()), "a job worker died; starting it again");
                }
                Err(_) => return,
            }
            if *stop.borrow() {
                return;
            }
        }
    }

    /// Runs until `stop` turns true; a job in progress is finished first.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        let _alive = self.signal.alive_guard();
        loop {
            if *stop.borrow() {
                return;
            }
            // Registered before looking, so a wake-up between the look and the wait is not lost.
            let notified = self.signal.notify().notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let (now, until) = self.lease_from_now();
            match self.queue.claim_job(now, until).await {
                Ok(Some(job)) => {
                    // While there is work, each job's completion also claims the next one.
                    let mut next = Some(job);
                    while let Some(job) = next {
                        let claim_next = !*stop.borrow();
                        next = self.run_job(job, claim_next).await;
                    }
                    continue;
                }
                Ok(None) => {}
                Err(e) => tracing::error!(error = %e, "cannot claim a job"),
            }
            tokio::select! {
                _ = &mut notified => {}
                _ = tokio::time::sleep(self.settings.idle_poll) => {}
                _ = stop.changed() => {}
            }
        }
    }

    /// Now, and when a lease taken now ends.
    fn lease_from_now(&self) -> (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) {
        let now = self.clock.now();
        let until = now
            .checked_add_signed(lease(self.settings.lease))
            .unwrap_or(now);
        (now, until)
    }

    /// Runs `job` and records its outcome; with `claim_next`, the same commit claims the next
    /// runnable job, which is returned.
    async fn run_job(&self, job: Job, claim_next: bool) -> Option<Job> {
        let span =
            tracing::info_span!("job", id = %job.id, kind = %job.kind, attempt = job.attempts);
        let heartbeat = self.heartbeat(job.id.clone());
        let attempt = AssertUnwindSafe(self.handler.run(&job).instrument(span))
            .catch_unwind()
            .await;
        heartbeat.abort();
        let completion = attempt.unwrap_or_else(|payload| {
            let reason = panic_text(payload.as_ref());
            tracing::error!(job = %job.id, kind = %job.kind, %reason, "a job panicked");
            Completion {
                failed: true,
                error: Some(format!("internal error (panic): {reason}")),
                ..Completion::default()
            }
        });
        log_outcome(&job, &completion);
        let wake = !completion.follow_ups.is_empty() || completion.retry_at.is_some();
        let mut next = None;
        let mut recorded = false;
        if claim_next {
            let (now, until) = self.lease_from_now();
            match self
                .queue
                .complete_and_claim(&job.id, &completion, now, until)
                .await
            {
                Ok(claimed) => {
                    next = claimed;
                    recorded = true;
                }
                // Nothing was written (one transaction): record the outcome alone below.
                Err(e) => {
                    tracing::error!(job = %job.id, error = %e, "cannot record a job's outcome")
                }
            }
        }
        // A lost write leaves the job running; its lease expires and it runs again, which every
        // job kind tolerates (commands re-check the box first).
        for delay in [0u64, 200, 1000, 3000] {
            if recorded {
                break;
            }
            tokio::time::sleep(Duration::from_millis(delay)).await;
            match self.queue.complete_job(&job.id, &completion).await {
                Ok(()) => recorded = true,
                Err(e) => {
                    tracing::error!(job = %job.id, error = %e, "cannot record a job's outcome")
                }
            }
        }
        if wake {
            self.signal.wake();
        }
        next
    }

    fn heartbeat(&self, id: String) -> tokio::task::JoinHandle<()> {
        let queue = self.queue.clone();
        let every = (self.settings.lease / 3).max(Duration::from_millis(50));
        let lease = lease(self.settings.lease);
        let clock = self.clock.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                let until = clock
                    .now()
                    .checked_add_signed(lease)
                    .unwrap_or(chrono::DateTime::<chrono::Utc>::MAX_UTC);
                if let Err(e) = queue.renew_lease(&id, until).await {
                    tracing::warn!(job = %id, error = %e, "cannot renew a job's lease");
                }
            }
        })
    }
}

fn log_outcome(job: &Job, c: &Completion) {
    let error = c.error.as_deref().unwrap_or("");
    if c.failed {
        tracing::warn!(job = %job.id, kind = %job.kind, attempt = job.attempts, error, "job failed");
    } else if let Some(at) = c.retry_at {
        tracing::info!(job = %job.id, kind = %job.kind, attempt = job.attempts, %at, error, "job will retry");
    } else {
        tracing::info!(job = %job.id, kind = %job.kind, attempt = job.attempts, note = error, "job done");
    }
}
