//! The durable job queue's workers: claim a job, run it through the [`Opener`], record the
//! outcome, repeat. Jobs live in the database (`store::jobs`), so a crash loses nothing: a
//! claimed job whose worker died is claimed again once its lease expires.
//!
//! [`Opener`]: crate::opener::Opener

mod kind;
mod worker;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::Notify;

pub use kind::{JobKind, Lane};
pub use worker::Worker;

use crate::opener::JobSettings;
use crate::store::Job;

/// Wakes idle workers when new work was stored. Cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct JobSignal(Arc<Notify>);

impl JobSignal {
    pub fn wake(&self) {
        self.0.notify_waiters();
    }

    pub(crate) fn notify(&self) -> &Notify {
        &self.0
    }
}

/// When a failed attempt may run again: doubling back-off from `retry_base` up to `retry_max`,
/// never sooner than `hint` (an upstream's `retry_after`), never past the job's deadline.
/// `None` once the deadline has passed.
pub fn next_attempt(
    job: &Job,
    hint: Option<Duration>,
    settings: &JobSettings,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    if now >= job.deadline {
        return None;
    }
    let exponent = (job.attempts.max(1) - 1).min(16) as u32;
    let backoff = settings
        .retry_base
        .saturating_mul(2u32.saturating_pow(exponent))
        .min(settings.retry_max);
    let delay = backoff.max(hint.unwrap_or_default());
    let at = now + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::MAX);
    Some(at.min(job.deadline))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::opener::OpenerSettings;

    fn job(attempts: i64, deadline_in_secs: i64, now: DateTime<Utc>) -> Job {
        Job {
            id: "j".into(),
            kind: "open.release".into(),
            session_id: None,
            lane: None,
            dedupe_key: "k".into(),
            payload: serde_json::json!({}),
            status: "running".into(),
            attempts,
            run_after: now,
            deadline: now + chrono::Duration::seconds(deadline_in_secs),
            command_sent_at: None,
            retry_logged: false,
            last_error: None,
            created_at: now,
        }
    }

    #[test]
    fn retries_back_off_exponentially_up_to_the_maximum() {
        let settings = OpenerSettings::default().jobs;
        let now = Utc::now();
        let delays: Vec<i64> = (1..=7)
            .map(|a| {
                (next_attempt(&job(a, 3600, now), None, &settings, now).unwrap() - now)
                    .num_seconds()
            })
            .collect();
        assert_eq!(delays, vec![5, 10, 20, 40, 80, 120, 120]);
    }

    #[test]
    fn an_upstream_hint_is_honoured_but_the_deadline_wins() {
        let settings = OpenerSettings::default().jobs;
        let now = Utc::now();
        let at = next_attempt(
            &job(1, 3600, now),
            Some(Duration::from_secs(90)),
            &settings,
            now,
        );
        assert_eq!((at.unwrap() - now).num_seconds(), 90);
        let at = next_attempt(
            &job(1, 30, now),
            Some(Duration::from_secs(90)),
            &settings,
            now,
        );
        assert_eq!(
            (at.unwrap() - now).num_seconds(),
            30,
            "one last try at the deadline"
        );
        assert_eq!(next_attempt(&job(1, 0, now), None, &settings, now), None);
    }
}
