//! The tamper watch: while a session is locked and no hygiene opening runs, a box found unlocked
//! is an incident: written to the history, penalised once (`penalties`), resolved
//! when the box is seen locked again, which also lifts a penalty that holds the lock. Checks come from a schedule that fits the Sesame request budget
//! and from every status read a page makes anyway ([`TamperWatch::observe`]).

use api_types::{BoxStatus, LatchState};
use chrono::Utc;
use serde_json::{json, Map, Value};

use super::holds::metadata_job;
use super::home_action::{self, BoxLook};
use super::messages;
use super::{chrono_duration, note, status_name, Opener, Verdict};
use crate::chaster::models::Lock;
use crate::domain::SessionId;
use crate::jobs::{JobKind, JobSignal, Lane};
use crate::store::{sessions, Completion, Job, Lift, SessionRecord, Store, StoreError};

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
    /// `lock` and `config`: the session's complete lock and public config, as Chaster just
    /// reported them.
    pub async fn observe(
        &self,
        session_id: &SessionId,
        lock: &Lock,
        config: &Value,
        status: &BoxStatus,
    ) -> Verdict {
        if !self.remember(session_id, lock, config).await {
            return Verdict::Inconclusive;
        }
        self.observe_known(session_id, status).await
    }

    /// Shows `look` on the wearer's lock page without judging it (a box just connected, or
    /// none): for a caller with a resolved session.
    pub async fn show(
        &self,
        session_id: &SessionId,
        lock: &Lock,
        config: &Value,
        look: BoxLook<'_>,
    ) {
        if self.remember(session_id, lock, config).await {
            self.show_box(session_id, look).await;
        }
    }

    /// Saves a session we knew nothing of; false when the database failed (logged).
    async fn remember(&self, session_id: &SessionId, lock: &Lock, config: &Value) -> bool {
        let record = SessionRecord {
            session_id: session_id.clone(),
            lock_id: lock.id.clone(),
            wearer_user_id: lock.user.id.clone(),
            keyholder_user_id: lock.keyholder.as_ref().map(|k| k.id.clone()),
            status: status_name(lock.status).to_owned(),
            config: config.clone(),
            hygiene_opening_active: false,
            box_open_allowed: false,
            updated_at: Utc::now(),
        };
        // Only if unknown: a cached view of the lock must not overwrite what a job learned since.
        match self.store.insert_session_if_absent(&record).await {
            Ok(_) => true,
            Err(e) => {
                tracing::warn!(error = %e, "tamper watch could not save a session");
                false
            }
        }
    }

    /// Like [`observe`](Self::observe) for a caller without a resolved session (the dashboard):
    /// judged only if the session is already known.
    pub async fn observe_known(&self, session_id: &SessionId, status: &BoxStatus) -> Verdict {
        self.looked(session_id, status).await.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "tamper watch could not evaluate a status");
            Verdict::Inconclusive
        })
    }

    /// Judges one look at the session's box and shows it on the wearer's lock page.
    pub async fn looked(&self, sid: &SessionId, status: &BoxStatus) -> Result<Verdict, StoreError> {
        let verdict = self.evaluate(sid, status).await?;
        let look = BoxLook::Read {
            status,
            open_during_lock: matches!(verdict, Verdict::Incident { .. }),
        };
        self.show_box(sid, look).await;
        Ok(verdict)
    }

    /// Shows `look` on the wearer's lock page if it changed what is shown, while the session is
    /// locked. Costs no request to CANDY HOUSE or Chaster here (the metadata job asks Chaster
    /// later, once per change). Never fails the caller.
    pub async fn show_box(&self, sid: &SessionId, look: BoxLook<'_>) {
        let action = home_action::entry(look);
        let Ok(text) = serde_json::to_string(&action) else {
            return;
        };
        let mut set = Map::new();
        set.insert("homeActions".to_owned(), json!([action]));
        let job = metadata_job(sid, Some(set), Utc::now());
        match self.store.set_home_action(sid, &text, &job).await {
            Ok(true) => self.signal.wake(),
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "cannot queue the lock page's box entry"),
        }
    }

    /// Judges one look at the session's box.
    pub async fn evaluate(
        &self,
        sid: &SessionId,
        status: &BoxStatus,
    ) -> Result<Verdict, StoreError> {
        let Some(row) = self.store.get_session(sid).await? else {
            return Ok(Verdict::NotWatched);
        };
        if row.status != sessions::LOCKED || row.hygiene_opening_active {
            return Ok(Verdict::NotWatched);
        }
        // Only the lock holding the box watches it: another lock's box movements are not ours.
        let holder = self.store.custody_holder(&row.wearer_user_id).await?;
        if holder.is_none_or(|p| p.session_id != *sid) {
            return Ok(Verdict::NotWatched);
        }
        // A box command of ours is queued or under way (a job's, or a page's under the box's
        // lease): what the box shows now may be its movement.
        if self.store.lane_busy(sid, Lane::Box, None).await?
            || self.store.box_busy(&row.wearer_user_id, Utc::now()).await?
        {
            return Ok(Verdict::CommandInFlight);
        }
        if !status.reachable {
            return Ok(Verdict::Inconclusive);
        }
        if row.box_open_allowed {
            if status.latch != LatchState::Locked {
                return Ok(Verdict::OpenedByKeyholder);
            }
            // A "locked" reading from before the keyholder's command (the motor takes seconds,
            // the cloud lags) does not end the allowance.
            let granted = self.store.open_allowed_at(sid).await?;
            let stale = match (granted, super::tamper_history::status_time(status)) {
                (Some(g), Some(t)) => t.timestamp() <= g.timestamp(),
                _ => false,
            };
            if stale {
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
                    tracing::warn!(session = %sid, "box found unlocked during a locked session");
                    self.signal.wake();
                }
                Ok(Verdict::Incident {
                    new: opened.is_some(),
                })
            }
            LatchState::Locked => match self.store.resolve_incident(sid, now).await? {
                None => Ok(Verdict::Locked),
                Some(incident) => {
                    // The penalty that held the lock for this incident ends with it.
                    super::holds::lift(
                        &self.store,
                        sid,
                        Lift::Incident(&incident.id),
                        "the box is locked again",
                        now,
                    )
                    .await?;
                    let log = messages::locked_after_incident();
                    let job = JobKind::ChasterLog.job(
                        sid,
                        format!("log:resolved:{}", incident.id),
                        json!({"title": log.title, "description": log.description, "icon": log.icon}),
                        now,
                        now + chrono::Duration::hours(6),
                    );
                    self.store.enqueue(&[job]).await?;
                    self.signal.wake();
                    Ok(Verdict::Resolved)
                }
            },
            LatchState::Jammed | LatchState::Unknown => Ok(Verdict::Inconclusive),
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
    pub(super) async fn tamper_check(
        &self,
        job: &Job,
        sid: &SessionId,
    ) -> anyhow::Result<Completion> {
        // One look at a time per box: a slow check overlapping the next slot's would judge an
        // older reading after a newer one (resolving an incident on a stale "locked", or counting
        // one opening twice). Both may skip; the next slot looks again.
        if self
            .store
            .running_elsewhere(sid, JobKind::TamperCheck, &job.id, self.clock.now())
            .await?
        {
            return Ok(note("another check of this box is running"));
        }
        let Some(mut row) = self.store.get_session(sid).await? else {
            return Ok(note("unknown session"));
        };
        if row.status == sessions::LOCKED && row.hygiene_opening_active {
            // Only Chaster ends a hygiene opening: ask it (reading clears the flag when no
            // opening runs), so the watch never stays off because a webhook was lost.
            if let Err(e) = self.fetch_session(sid).await {
                return Ok(note(format!("cannot ask Chaster about the opening: {e}")));
            }
            match self.store.get_session(sid).await? {
                Some(fresh) => row = fresh,
                None => return Ok(note("unknown session")),
            }
        }
        if row.status != sessions::LOCKED || row.hygiene_opening_active {
            self.pause_history_watch(sid).await?;
            return Ok(note("not watched now"));
        }
        let Some(record) = self.store.get_device(&row.wearer_user_id).await? else {
            return Ok(note("no box connected"));
        };
        let key = record.credentials.api_key().clone();
        let device = self
            .sesame
            .device_of_model(record.credentials, &record.model);
        // The shared reading: read again only when older than the month's budget allows.
        let read = device.status().await;
        if self.sesame.quota_out(&key).is_some() {
            self.tamper.quota_used_up(sid).await;
        }
        let status = match read {
            Ok(s) => s,
            // The next scheduled check tries again; no retry storm against the budget.
            Err(e) => return Ok(note(format!("status unreadable: {e}"))),
        };
        let verdict = self.tamper.looked(sid, &status).await?;
        self.watch_history(&row, &device, &status, &verdict).await
    }
}
