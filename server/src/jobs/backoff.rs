//! When a failed attempt runs again.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::{Job, JobSettings};

/// When a failed attempt may run again: doubling back-off from `retry_base` up to `retry_max`,
/// never sooner than `hint` (an upstream's `retry_after`), never past the job's deadline.
/// `None` once the deadline has passed.
///
/// An opening Chaster asked for ([`JobKind::never_gives_up`]) has no deadline: its back-off
/// grows to `open_retry_max` (an hour) and it tries until the box is open, across restarts.
/// All arithmetic saturates: an upstream can name any wait.
///
/// [`JobKind::never_gives_up`]: super::JobKind::never_gives_up
pub fn next_attempt(
    job: &Job,
    hint: Option<Duration>,
    settings: &JobSettings,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let persistent = job.kind.never_gives_up();
    if !persistent && now >= job.deadline {
        return None;
    }
    let exponent = (job.attempts.max(1) - 1).clamp(0, 20) as u32;
    let max = if persistent {
        settings.open_retry_max
    } else {
        settings.retry_max
    };
    let backoff = settings
        .retry_base
        .saturating_mul(2u32.saturating_pow(exponent))
        .min(max);
    let hint = hint.map(crate::retry_after::cap).unwrap_or_default();
    let delay = if persistent {
        backoff.max(hint).min(max)
    } else {
        backoff.max(hint)
    };
    let at = crate::clock::add(now, delay);
    Some(if persistent { at } else { at.min(job.deadline) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::{JobKind, JobStatus};

    fn job(attempts: i64, deadline_in_secs: i64, now: DateTime<Utc>) -> Job {
        Job {
            id: "j".into(),
            kind: JobKind::ChasterLog,
            session_id: None,
            lane: None,
            dedupe_key: "k".into(),
            payload: serde_json::json!({}),
            status: JobStatus::Running,
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
        let settings = JobSettings::default();
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
        let settings = JobSettings::default();
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

    #[test]
    fn a_huge_hint_neither_panics_nor_outlasts_the_cap() {
        let settings = JobSettings::default();
        let now = Utc::now();
        let j = job(1, 7200, now);
        let at = next_attempt(&j, Some(Duration::MAX), &settings, now).unwrap();
        assert!(at - now <= chrono::Duration::hours(1));
        let mut opening = job(1, 3600, now);
        opening.kind = JobKind::OpenRelease;
        let at = next_attempt(&opening, Some(Duration::MAX), &settings, now).unwrap();
        assert!(at - now <= chrono::Duration::hours(1));
    }

    #[test]
    fn an_opening_outlives_its_deadline_with_a_back_off_of_at_most_an_hour() {
        let settings = JobSettings::default();
        let now = Utc::now();
        let mut long_ago = job(40, -86_400, now);
        long_ago.kind = JobKind::OpenRelease;
        let at = next_attempt(&long_ago, None, &settings, now).expect("still trying");
        assert_eq!((at - now).num_seconds(), 3600);
        let mut relock = job(3, -1, now);
        relock.kind = JobKind::LockHygiene;
        assert_eq!(next_attempt(&relock, None, &settings, now), None);
    }
}
