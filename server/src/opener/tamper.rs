//! The tamper watch: while a session is locked and no hygiene opening runs, a box found unlocked
//! is an incident: written to the history and the activity, penalised once, resolved when the
//! box is seen locked again. Checks come from a schedule that fits the Sesame request budget
//! and from every status read a page makes anyway ([`TamperWatch::observe`]).

use api_types::{BoxStatus, LatchState};
use chrono::Utc;
use serde_json::{json, Value};

use super::messages::{self, kind};
use super::{
    activity, chrono_duration, done, failed, note, retry, status_name, Opener, Penalty, Policy,
};
use crate::auth::ResolvedSession;
use crate::chaster::models::LockStatus;
use crate::chaster::{ChasterError, LockAction};
use crate::domain::SessionId;
use crate::jobs::{JobKind, JobSignal, Lane};
use crate::store::{sessions, Completion, Job, SessionRecord, Store, StoreError};

/// What a look at the box meant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The session is not watched now (not locked, hygiene opening, unknown).
    NotWatched,
    /// A box command for the session is queued or running: its movement is ours.
    CommandInFlight,
    /// Offline, moving or unknown position: nothing can be concluded.
    Inconclusive,
    /// Open because the keyholder opened it from a page.
    OpenedByKeyholder,
    Locked,
    /// Found unlocked; `new` when this look opened the incident.
    Incident {
        new: bool,
    },
    /// Locked again: the open incident was closed.
    Resolved,
}

/// Cheap to clone; the device routes hold one in the app state.
#[derive(Clone)]
pub struct TamperWatch {
    pub(super) store: Store,
    pub(super) signal: JobSignal,
    pub(super) clock: crate::clock::Clock,
}

impl TamperWatch {
    pub fn new(store: Store, signal: JobSignal, clock: crate::clock::Clock) -> TamperWatch {
        TamperWatch {
            store,
            signal,
            clock,
        }
    }

    /// Call after any status read of the session's box (e.g. when a page shows it): costs no
    /// request to CANDY HOUSE or Chaster, only a few database reads. Never fails the caller.
    pub async fn observe(&self, session: &ResolvedSession, status: &BoxStatus) -> Verdict {
        let record = SessionRecord {
            session_id: session.session_id.to_string(),
            lock_id: session.lock_id.to_string(),
            wearer_user_id: session.wearer_id.to_string(),
            keyholder_user_id: session.lock.keyholder.as_ref().map(|k| k.id.clone()),
            status: status_name(session.lock.status).to_owned(),
            config: session.config.clone(),
            hygiene_opening_active: false,
            box_open_allowed: false,
            updated_at: Utc::now(),
        };
        // Only if unknown: a cached view of the lock must not overwrite what a job learned since.
        let result = async {
            self.store.insert_session_if_absent(&record).await?;
            self.evaluate(session.session_id.as_str(), status).await
        };
        result.await.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "tamper watch could not evaluate a status");
            Verdict::Inconclusive
        })
    }

    /// Like [`observe`](Self::observe) for a caller without a resolved session (the dashboard):
    /// judged only if the session is already known.
    pub async fn observe_known(&self, session_id: &str, status: &BoxStatus) -> Verdict {
        self.evaluate(session_id, status).await.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "tamper watch could not evaluate a status");
            Verdict::Inconclusive
        })
    }

    /// Call BEFORE the keyholder's own unlock command from a page: the box being open is then
    /// no incident until it is seen locked again.
    pub async fn keyholder_opens(&self, session_id: &str) {
        if let Err(e) = self.store.set_box_open_allowed(session_id, true).await {
            tracing::warn!(error = %e, "cannot note the keyholder's opening");
        }
    }

    /// Judges one look at the session's box.
    pub async fn evaluate(&self, sid: &str, status: &BoxStatus) -> Result<Verdict, StoreError> {
        let Some(row) = self.store.get_session(sid).await? else {
            return Ok(Verdict::NotWatched);
        };
        if row.status != sessions::LOCKED || row.hygiene_opening_active {
            return Ok(Verdict::NotWatched);
        }
        if self.store.lane_busy(sid, Lane::Box.as_str(), None).await? {
            return Ok(Verdict::CommandInFlight);
        }
        if !status.reachable {
            return Ok(Verdict::Inconclusive);
        }
        if row.box_open_allowed {
            if status.latch != LatchState::Locked {
                return Ok(Verdict::OpenedByKeyholder);
            }
            self.store.set_box_open_allowed(sid, false).await?;
        }
        let now = Utc::now();
        match status.latch {
            LatchState::Unlocked => {
                let opened = self
                    .store
                    .open_incident(sid, now, |incident| {
                        JobKind::TamperPenalty.job(
                            sid,
                            format!("penalty:{incident}"),
                            json!({ "incidentId": incident }),
                            now,
                            now + chrono::Duration::hours(6),
                        )
                    })
                    .await?;
                if opened.is_some() {
                    tracing::warn!(session = sid, "box found unlocked during a locked session");
                    self.signal.wake();
                }
                Ok(Verdict::Incident {
                    new: opened.is_some(),
                })
            }
            LatchState::Locked => match self.store.resolve_incident(sid, now).await? {
                None => Ok(Verdict::Locked),
                Some(incident) => {
                    let log = messages::locked_after_incident();
                    let job = JobKind::ChasterLog.job(
                        sid,
                        format!("log:resolved:{}", incident.id),
                        json!({"title": log.title, "description": log.description, "icon": log.icon}),
                        now,
                        now + chrono::Duration::hours(6),
                    );
                    self.store.enqueue(&[job]).await?;
                    self.store
                        .add_activity(&activity(
                            &row.wearer_user_id,
                            sid,
                            kind::INCIDENT_RESOLVED,
                            "The box is locked again.",
                        ))
                        .await?;
                    self.signal.wake();
                    Ok(Verdict::Resolved)
                }
            },
            LatchState::Moving | LatchState::Unknown => Ok(Verdict::Inconclusive),
        }
    }

    /// Enqueues one check per watched session and interval (the dedupe key names the interval,
    /// so several instances or scans schedule it once).
    pub async fn schedule_checks(
        &self,
        settings: &super::TamperSettings,
    ) -> Result<usize, StoreError> {
        let now = self.clock.now();
        let mut jobs = Vec::new();
        for w in self.store.watched_sessions().await? {
            let every = if w.device_api == "legacy_v3" {
                settings.v3_interval
            } else {
                settings.webapi_interval
            };
            let every_ms = (every.as_millis() as i64).max(1);
            let slot = now.timestamp_millis() / every_ms;
            jobs.push(JobKind::TamperCheck.job(
                &w.session_id,
                format!("tamper:{}:{every_ms}:{slot}", w.session_id),
                Value::Null,
                now,
                now + chrono_duration(every),
            ));
        }
        let created = self.store.enqueue(&jobs).await?;
        if created > 0 {
            self.signal.wake();
        }
        Ok(created)
    }
}

impl Opener {
    pub(super) async fn tamper_check(&self, sid: &str) -> anyhow::Result<Completion> {
        let Some(row) = self.store.get_session(sid).await? else {
            return Ok(note("unknown session"));
        };
        if row.status != sessions::LOCKED || row.hygiene_opening_active {
            return Ok(note("not watched now"));
        }
        let Some(device) = self.store.get_device(&row.wearer_user_id).await? else {
            return Ok(note("no box connected"));
        };
        // The shared reading: read again only when older than the month's budget allows.
        let key = device.credentials.api_key().clone();
        let read = self.sesame.device(device.credentials).status().await;
        if self.sesame.quota_out(&key).is_some() {
            self.tamper.quota_used_up(sid).await;
        }
        let status = match read {
            Ok(s) => s,
            // The next scheduled check tries again; no retry storm against the budget.
            Err(e) => return Ok(note(format!("status unreadable: {e}"))),
        };
        let verdict = self.tamper.evaluate(sid, &status).await?;
        Ok(note(format!("{verdict:?}")))
    }

    /// Applies an incident's penalty once: confirmed with Chaster first, and an uncertain earlier
    /// attempt is checked against the lock (end date moved, or frozen) before anything is resent.
    pub(super) async fn penalty(&self, job: &Job, sid: &str) -> anyhow::Result<Completion> {
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
        let wearer = session.lock.user.id.clone();
        let penalty = Policy::from_config(&session.config, &self.settings.defaults).penalty;
        let end = session.lock.end_date.map(|d| d.timestamp_millis());
        let sent_before = job.command_sent_at.is_some();
        let (action, in_effect) = match penalty {
            Penalty::None => (None, true),
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
        if let (Some(action), false) = (action, in_effect) {
            let mut payload = job.payload.clone();
            payload["endBefore"] = end.map_or(Value::Null, Value::from);
            self.store
                .mark_command_sent(&job.id, Utc::now(), Some(&payload))
                .await?;
            match self.chaster.do_action(&SessionId::new(sid), &action).await {
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
        let described = if penalty == Penalty::Freeze && in_effect && !sent_before {
            "none (the lock was already frozen)".to_owned()
        } else {
            penalty.describe()
        };
        self.store
            .record_penalty(incident_id, penalty != Penalty::None, &penalty.label())
            .await?;
        let log = messages::found_open(&described);
        Ok(Completion {
            follow_ups: vec![self.log_job(sid, format!("log:{}:incident", job.id), &log)],
            activity: vec![activity(
                &wearer,
                sid,
                kind::INCIDENT,
                format!("The box was found open during the session. Penalty: {described}."),
            )],
            ..done()
        })
    }
}
