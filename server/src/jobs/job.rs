//! A job as the runtime sees it (typed kind, lane and status; the store converts rows to these
//! at its edge), and how a new one is built.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{JobKind, JobStatus, Lane};
use crate::domain::SessionId;

/// A job to enqueue. Inserting one whose `dedupe_key` exists does nothing.
#[derive(Clone, Debug)]
pub struct NewJob {
    pub kind: JobKind,
    pub session_id: Option<SessionId>,
    pub lane: Option<Lane>,
    pub dedupe_key: String,
    pub payload: Value,
    pub run_after: DateTime<Utc>,
    pub deadline: DateTime<Utc>,
}

impl JobKind {
    /// A job of this kind for `session_id`, due now, given up at `deadline`.
    pub fn job(
        self,
        session_id: &SessionId,
        dedupe_key: String,
        payload: Value,
        now: DateTime<Utc>,
        deadline: DateTime<Utc>,
    ) -> NewJob {
        NewJob {
            kind: self,
            session_id: Some(session_id.clone()),
            lane: self.lane(),
            dedupe_key,
            payload,
            run_after: now,
            deadline,
        }
    }
}

/// A claimed (or inspected) job.
#[derive(Clone, Debug)]
pub struct Job {
    pub id: String,
    pub kind: JobKind,
    pub session_id: Option<SessionId>,
    pub lane: Option<Lane>,
    pub dedupe_key: String,
    pub payload: Value,
    pub status: JobStatus,
    /// Claims so far, this one included.
    pub attempts: i64,
    pub run_after: DateTime<Utc>,
    pub deadline: DateTime<Utc>,
    /// Set when an earlier attempt may already have sent the command.
    pub command_sent_at: Option<DateTime<Utc>>,
    /// True once the "retrying" note was written for this job.
    pub retry_logged: bool,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// How an attempt ended, with what it leads to. Written in one transaction.
#[derive(Clone, Debug, Default)]
pub struct Completion {
    /// `None`: done. `Some(t)`: queued again for `t`.
    pub retry_at: Option<DateTime<Utc>>,
    pub failed: bool,
    pub error: Option<String>,
    /// Set once the "retrying" note was written; never cleared.
    pub retry_logged: bool,
    pub follow_ups: Vec<NewJob>,
    /// The job's payload from now on (`None`: unchanged): what its next step needs.
    pub payload: Option<Value>,
    /// This run was a scheduled step of the same attempt (a verification read after a command),
    /// not an attempt: it does not count towards the back-off.
    pub step: bool,
}

impl Completion {
    /// The status the job has once this completion is recorded.
    pub fn status(&self) -> JobStatus {
        match (self.failed, self.retry_at) {
            (true, _) => JobStatus::Failed,
            (false, Some(_)) => JobStatus::Queued,
            (false, None) => JobStatus::Done,
        }
    }
}
