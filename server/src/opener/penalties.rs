//! An incident's penalty, applied once. `add_time` is done when sent; `freeze` and
//! `block_unlocking` hold the lock, so each becomes a hold (`holds`) that the server also lifts.
//! `freeze` needs a keyholder at the moment of the incident: on a self-lock nobody could unfreeze
//! the wearer, so the incident blocks unlocking instead.

use chrono::Utc;
use serde_json::Value;

use super::holds::{self, bound_job, metadata_job};
use super::messages;
use super::{done, failed, note, retry, Opener, Penalty, Policy};
use crate::chaster::models::LockStatus;
use crate::chaster::{ChasterError, LockAction};
use crate::domain::SessionId;
use crate::store::penalties::{BLOCK_UNLOCKING, FREEZE};
use crate::store::{Completion, Job, Lift, NewHold};

/// The reason Chaster shows the wearer while the box is open.
pub const BLOCK_REASON: &str =
    "The key box was found open: unlocking is blocked until it is locked again.";

impl Opener {
    /// Applies an incident's penalty once: confirmed with Chaster first, and an uncertain earlier
    /// attempt is checked against the lock (end date moved, or frozen) before anything is resent.
    pub(super) async fn penalty(&self, job: &Job, sid: &SessionId) -> anyhow::Result<Completion> {
        let Some(incident_id) = job.payload.get("incidentId").and_then(Value::as_str) else {
            return Ok(failed("no incident named"));
        };
        let Some(incident) = self.store.get_incident(incident_id).await? else {
            return Ok(note("incident gone"));
        };
        if incident.penalty.is_some() {
            return Ok(note("penalty already recorded"));
        }
        let session = match self.fetch_session(sid).await {
            Ok(Some(s)) => s,
            Ok(None) => {
                self.store
                    .record_penalty(incident_id, false, "void: session gone")
                    .await?;
                return Ok(note("session gone"));
            }
            Err(e) => return Ok(self.chaster_failure(job, "confirming with Chaster", &e)),
        };
        if session.lock.status != LockStatus::Locked {
            // Released meanwhile: a box opened after the end is no incident.
            self.store
                .record_penalty(incident_id, false, "void: lock not running")
                .await?;
            self.store.resolve_incident(sid, Utc::now()).await?;
            return Ok(note("void: the lock is not running"));
        }
        let policy = Policy::read(&session.config, &self.settings.defaults);
        let self_lock = session.lock.keyholder.is_none();
        let penalty = match policy.penalty {
            Penalty::Freeze if self_lock => Penalty::BlockUnlocking,
            p => p,
        };
        let end = session.lock.end_date.map(|d| d.timestamp_millis());
        let sent_before = job.command_sent_at.is_some();
        let (action, in_effect) = match penalty {
            Penalty::None | Penalty::BlockUnlocking => (None, true),
            Penalty::Freeze => (Some(LockAction::Freeze), session.lock.is_frozen),
            Penalty::AddTime { minutes } => {
                let before = job.payload.get("endBefore").and_then(Value::as_i64);
                let in_effect = match (sent_before, before, end) {
                    (false, _, _) => false,
                    (true, Some(b), Some(e)) => e >= b + i64::from(minutes) * 60_000 - 1_000,
                    // Sent before, and nothing to compare with: do not risk a second penalty.
                    (true, _, _) => true,
                };
                (
                    Some(LockAction::AddTime(u64::from(minutes) * 60)),
                    in_effect,
                )
            }
        };
        if let (Some(action), false) = (&action, in_effect) {
            let mut payload = job.payload.clone();
            payload["endBefore"] = end.map_or(Value::Null, Value::from);
            self.store
                .mark_command_sent(&job.id, Utc::now(), Some(&payload))
                .await?;
            match self.chaster.do_action(sid, action).await {
                Ok(()) => {}
                Err(e @ ChasterError::RateLimited { .. }) => {
                    // Refused unread: nothing was applied.
                    self.store.clear_command_sent(&job.id).await?;
                    return Ok(self.chaster_failure(job, "applying the penalty", &e));
                }
                Err(e @ ChasterError::Rejected { .. }) => {
                    self.store
                        .record_penalty(incident_id, false, "refused by Chaster")
                        .await?;
                    return Ok(failed(format!("penalty refused: {e}")));
                }
                // Maybe applied: the next attempt looks at the lock before resending.
                Err(e) => {
                    return Ok(match self.retry_at(job, None) {
                        Some(at) => retry(at, format!("applying the penalty: {e}")),
                        None => failed(format!("applying the penalty: {e}")),
                    })
                }
            }
        }
        // A freeze the keyholder had already put on is theirs: we hold (and later lift) only
        // what we applied.
        let frozen_by_us = penalty == Penalty::Freeze && (!in_effect || sent_before);
        let hold_kind = match penalty {
            Penalty::BlockUnlocking => Some(BLOCK_UNLOCKING),
            Penalty::Freeze if frozen_by_us => Some(FREEZE),
            _ => None,
        };
        if let Some(kind) = hold_kind {
            self.hold(sid, incident_id, kind, policy.penalty_bound())
                .await?;
        }
        let mut described = if penalty == Penalty::Freeze && !frozen_by_us {
            "none (the lock was already frozen)".to_owned()
        } else {
            penalty.describe()
        };
        if penalty == Penalty::BlockUnlocking || frozen_by_us {
            described.push_str(&format!(
                " (at most {} h)",
                policy.penalty_bound().num_hours()
            ));
        }
        if policy.penalty == Penalty::Freeze && self_lock {
            described.push_str("; a self-lock is not frozen, since nobody could unfreeze it");
        }
        self.store
            .record_penalty(incident_id, penalty != Penalty::None, &penalty.label())
            .await?;
        // An opening found in the box's own history says when it happened.
        let log = match incident.detail.as_deref() {
            Some(detail) if incident.kind == crate::store::incidents::kinds::OPENED_IN_HISTORY => {
                messages::opened_in_history(detail, &described)
            }
            _ => messages::found_open(&described),
        };
        Ok(Completion {
            follow_ups: vec![self.log_job(sid, format!("log:{}:incident", job.id), &log)],
            ..done()
        })
    }

    /// Starts a hold for the incident (once), with the write that applies a block and the
    /// durable job that lifts it at its bound. If the box was locked again meanwhile, the
    /// incident's end already passed, so the hold is lifted at once.
    async fn hold(
        &self,
        sid: &SessionId,
        incident_id: &str,
        kind: &str,
        bound: chrono::Duration,
    ) -> anyhow::Result<()> {
        let existing = self.store.holds(sid).await?;
        if existing
            .iter()
            .any(|h| h.incident_id.as_deref() == Some(incident_id))
        {
            return Ok(());
        }
        let now = self.clock.now();
        let hold = NewHold {
            session_id: sid.to_owned(),
            incident_id: Some(incident_id.to_owned()),
            kind: kind.to_owned(),
            reason: match kind {
                BLOCK_UNLOCKING => BLOCK_REASON.to_owned(),
                _ => "The key box was found open: the lock is frozen until it is locked again."
                    .to_owned(),
            },
            started_at: now,
            bound_at: now + bound,
        };
        let hold_id = uuid::Uuid::new_v4().to_string();
        let mut jobs = vec![bound_job(sid, &hold_id, hold.bound_at)];
        if kind == BLOCK_UNLOCKING {
            jobs.push(metadata_job(sid, None, Utc::now()));
        }
        self.store
            .start_hold_with_id(&hold_id, &hold, &jobs)
            .await?;
        self.signal.wake();
        let resolved = self
            .store
            .get_incident(incident_id)
            .await?
            .is_some_and(|i| i.resolved_at.is_some());
        if resolved {
            holds::lift(
                &self.store,
                sid,
                Lift::Incident(incident_id),
                "the box is locked again",
                Utc::now(),
            )
            .await?;
            self.signal.wake();
        }
        Ok(())
    }
}
