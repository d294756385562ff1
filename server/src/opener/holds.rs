//! Penalty holds end: each is lifted by the first of its incident resolved (the box locked
//! again), the keyholder clearing it, its bound (a durable delayed job), or the session's end.
//! None depends on the box being reachable.
//!
//! Our session `metadata` has ONE writer, the `session.metadata` job in the session's Chaster
//! lane: it reads the whole field from Chaster, sets `reasonsPreventingUnlocking` from the holds
//! in force (and any keys its payload sets, e.g. a later `homeActions`), and writes the whole
//! field back. Chaster replaces the field on every PATCH, so two writers would undo each other.

use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use super::messages;
use super::{done, failed, note, Opener};
use crate::chaster::models::LockStatus;
use crate::chaster::{ChasterError, LockAction};
use crate::domain::SessionId;
use crate::jobs::JobKind;
use crate::store::penalties::{BLOCK_UNLOCKING, FREEZE};
use crate::store::{Completion, Hold, Job, Lift, NewJob, Store, StoreError};

/// Writes to Chaster that undo a penalty keep trying this long (a block must not outlive an
/// outage of Chaster).
const UNDO_DEADLINE_DAYS: i64 = 7;

/// Lifts the matching holds of a session and enqueues what undoes them, atomically. The caller
/// wakes the workers.
pub async fn lift(
    store: &Store,
    sid: &SessionId,
    which: Lift<'_>,
    why: &str,
    now: DateTime<Utc>,
) -> Result<Vec<Hold>, StoreError> {
    store
        .lift_holds(sid, which, why, now, |lifted| undo_jobs(sid, lifted, why))
        .await
}

/// The metadata write (for blocks), the unfreeze (for freezes), and a history line each.
fn undo_jobs(sid: &SessionId, lifted: &[Hold], why: &str) -> Vec<NewJob> {
    let now = Utc::now();
    let deadline = now + chrono::Duration::days(UNDO_DEADLINE_DAYS);
    let mut jobs = Vec::new();
    let log = |hold: &Hold, log: crate::chaster::CustomLog| {
        JobKind::ChasterLog.job(
            sid,
            format!("log:lifted:{}", hold.id),
            json!({"title": log.title, "description": log.description, "icon": log.icon}),
            now,
            deadline,
        )
    };
    if let Some(block) = lifted.iter().find(|h| h.kind == BLOCK_UNLOCKING) {
        jobs.push(metadata_job(sid, None, now));
        jobs.push(log(block, messages::unblocked(why)));
    }
    for hold in lifted.iter().filter(|h| h.kind == FREEZE) {
        jobs.push(JobKind::PenaltyUnfreeze.job(
            sid,
            format!("unfreeze:{}", hold.id),
            json!({ "holdId": hold.id }),
            now,
            deadline,
        ));
        jobs.push(log(hold, messages::unfrozen(why)));
    }
    jobs
}

/// A run of the one metadata writer; `set` replaces those metadata keys (for other users of the
/// metadata), `reasonsPreventingUnlocking` always follows the holds in force.
pub fn metadata_job(
    sid: &SessionId,
    set: Option<Map<String, Value>>,
    now: DateTime<Utc>,
) -> NewJob {
    JobKind::SessionMetadata.job(
        sid,
        format!("metadata:{}", uuid::Uuid::new_v4()),
        json!({ "set": set.map_or(Value::Null, Value::Object) }),
        now,
        now + chrono::Duration::days(UNDO_DEADLINE_DAYS),
    )
}

/// The durable job that lifts a hold at `bound_at` (on the server clock), wherever the box is.
pub fn bound_job(sid: &SessionId, hold_id: &str, bound_at: DateTime<Utc>) -> NewJob {
    let mut job = JobKind::PenaltyBound.job(
        sid,
        format!("bound:{hold_id}"),
        json!({ "holdId": hold_id }),
        bound_at,
        bound_at + chrono::Duration::days(UNDO_DEADLINE_DAYS),
    );
    job.run_after = bound_at;
    job
}

impl Opener {
    /// The one metadata writer: read the whole field, modify, write the whole field.
    pub(super) async fn write_metadata(
        &self,
        job: &Job,
        sid: &SessionId,
    ) -> anyhow::Result<Completion> {
        let session = match self.fetch_session(sid).await {
            Ok(Some(s)) => s,
            Ok(None) => return Ok(note("Chaster no longer knows the session")),
            Err(e) => return Ok(self.chaster_failure(job, "reading the metadata", &e)),
        };
        // After `fetch_session`, which lifts the holds of a session that ended.
        let mut reasons: Vec<String> = Vec::new();
        for hold in self.store.active_holds(sid).await? {
            if hold.kind == BLOCK_UNLOCKING && !reasons.contains(&hold.reason) {
                reasons.push(hold.reason);
            }
        }
        let mut metadata = session.metadata.clone();
        metadata.reasons_preventing_unlocking = reasons;
        if let Some(Value::Object(set)) = job.payload.get("set") {
            for (key, value) in set {
                match key.as_str() {
                    "reasonsPreventingUnlocking" => {} // only the holds decide these
                    "homeActions" => {
                        metadata.home_actions = value.as_array().cloned().unwrap_or_default()
                    }
                    _ => {
                        metadata.other.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        if metadata == session.metadata {
            return Ok(note("metadata already up to date"));
        }
        Ok(match self.chaster.patch_metadata(sid, &metadata).await {
            Ok(()) => done(),
            Err(ChasterError::NotFound) => note("Chaster no longer knows the session"),
            Err(e @ ChasterError::Rejected { .. }) => failed(format!("metadata refused: {e}")),
            Err(e) => self.chaster_failure(job, "writing the metadata", &e),
        })
    }

    /// Undoes a freeze we applied, if the lock still runs and is frozen.
    pub(super) async fn unfreeze(&self, job: &Job, sid: &SessionId) -> anyhow::Result<Completion> {
        let session = match self.fetch_session(sid).await {
            Ok(Some(s)) => s,
            Ok(None) => return Ok(note("Chaster no longer knows the session")),
            Err(e) => return Ok(self.chaster_failure(job, "reading the lock", &e)),
        };
        if session.lock.status != LockStatus::Locked {
            return Ok(note("the lock has ended"));
        }
        if !session.lock.is_frozen {
            return Ok(note("the lock is not frozen"));
        }
        Ok(
            match self.chaster.do_action(sid, &LockAction::Unfreeze).await {
                Ok(()) => done(),
                Err(e @ ChasterError::Rejected { .. }) => failed(format!("unfreeze refused: {e}")),
                // The next attempt reads the lock first, so a lost answer is not sent twice.
                Err(e) => self.chaster_failure(job, "unfreezing the lock", &e),
            },
        )
    }

    /// Lifts a hold whose bound has come (on the server clock).
    pub(super) async fn penalty_bound(
        &self,
        job: &Job,
        sid: &SessionId,
    ) -> anyhow::Result<Completion> {
        let Some(hold_id) = job.payload.get("holdId").and_then(Value::as_str) else {
            return Ok(failed("no hold named"));
        };
        let Some(hold) = self.store.get_hold(hold_id).await? else {
            return Ok(note("hold gone"));
        };
        if hold.lifted_at.is_some() {
            return Ok(note("already lifted"));
        }
        let now = self.clock.now();
        if now < hold.bound_at {
            return Ok(super::retry(hold.bound_at, "the bound has not come yet"));
        }
        let lifted = lift(
            &self.store,
            sid,
            Lift::Hold(hold_id),
            "its time limit passed",
            now,
        )
        .await?;
        if !lifted.is_empty() {
            self.signal.wake();
        }
        Ok(done())
    }

    /// A session that is no longer locked holds nothing: every hold ends with it.
    pub(super) async fn end_holds(&self, sid: &SessionId) {
        match lift(&self.store, sid, Lift::All, "the session ended", Utc::now()).await {
            Ok(lifted) if !lifted.is_empty() => self.signal.wake(),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "cannot lift the holds of an ended session"),
        }
    }
}
