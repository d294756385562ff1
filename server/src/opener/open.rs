//! Opening the box (release, hygiene opening, desertion), locking it when a lock starts and
//! after a hygiene opening. Custody decides under the box's lease whether this lock may move it;
//! these jobs confirm the event with Chaster first and write the outcome.
//!
//! Never twice: `command_sent_at` is written before a command goes out. An attempt that finds it
//! set (an earlier attempt crashed or was not confirmed), or finds that another box job of the
//! session already sent a command, reads the box first and sends nothing if it is already there.

use api_types::LatchState;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::messages::{self, OpenReason};
use super::steps::Purpose;
use super::{chrono_duration, note, retry, BoxLook, Opener, Policy, GUARD_WAIT};
use crate::chaster::models::LockStatus;
use crate::chaster::ExtensionSession;
use crate::custody::{BoxGuard, Desertion, Release, Start};
use crate::domain::SessionId;
use crate::jobs::JobKind;
use crate::sesame::{Device, Target};
use crate::store::{sessions, Completion, Job};

impl Opener {
    pub(super) async fn open(
        &self,
        job: &Job,
        sid: &SessionId,
        reason: OpenReason,
    ) -> anyhow::Result<Completion> {
        let confirmation = match reason {
            OpenReason::Release => self.confirm_release(sid).await,
            _ => self.read_session(&self.openings, sid).await,
        };
        let session = match confirmation {
            Ok(Some(s)) => s,
            Ok(None) => {
                tracing::warn!(
                    session = %sid,
                    "a webhook named a session Chaster does not know; ignored"
                );
                return Ok(note("ignored: Chaster does not know this session"));
            }
            Err(e) => return Ok(self.chaster_failure(job, "confirming with Chaster", &e)),
        };
        let status = session.lock.status;
        let confirmed = match reason {
            OpenReason::Release => status == LockStatus::Unlocked,
            OpenReason::Deserted => status == LockStatus::Deserted,
            OpenReason::Hygiene => status == LockStatus::Locked,
        };
        if !confirmed {
            tracing::warn!(
                session = %sid,
                ?reason,
                ?status,
                "Chaster does not confirm the event; not opening"
            );
            return Ok(note(format!(
                "ignored: Chaster says the lock is {status:?}"
            )));
        }
        // Chaster's own record of the lock, not the webhook body, says whether an opening runs.
        if reason == OpenReason::Hygiene && !session.lock.hygiene_opening_running() {
            return Ok(note("not opened: Chaster shows no hygiene opening running"));
        }
        let wearer = session.lock.user.id.clone();
        let Some(device) = self.custody.device_of(&wearer).await? else {
            let log = messages::no_box();
            return Ok(Completion {
                follow_ups: vec![self.log_job(sid, format!("log:{}:nobox", job.id), &log)],
                ..note("no box connected")
            });
        };
        let Some(guard) = self.custody.guard(&wearer, GUARD_WAIT).await? else {
            return Ok(busy());
        };
        let result = self.open_held(job, &session, reason, &device, &guard).await;
        guard.release().await;
        result
    }

    /// The opening itself, under the box's lease: custody decides whether this lock may open it.
    async fn open_held(
        &self,
        job: &Job,
        session: &ExtensionSession,
        reason: OpenReason,
        device: &Device,
        guard: &BoxGuard,
    ) -> anyhow::Result<Completion> {
        let sid = &session.session_id;
        let policy = Policy::read(&session.config, &self.settings.defaults);
        let not_holder = || {
            let log = messages::not_holding();
            Completion {
                follow_ups: vec![self.log_job(sid, format!("log:{}:notheld", job.id), &log)],
                ..note("not opened: this lock does not hold the box")
            }
        };
        let wanted = match reason {
            OpenReason::Release => match self.custody.release(guard, sid).await? {
                Release::Open => policy.open_on_release,
                Release::HandedOver | Release::NotHolder => return Ok(not_holder()),
            },
            OpenReason::Hygiene => {
                if !self.custody.holds_or_takes(guard, sid).await? {
                    return Ok(not_holder());
                }
                policy.open_for_hygiene
            }
            // Chaster gives a deserted lock's combination back after 7 days: so does the box,
            // whatever the settings say.
            OpenReason::Deserted => match self.custody.desertion(guard, sid).await? {
                Desertion::Open => true,
                Desertion::Wait { opens_at, first } => {
                    return Ok(self.wait_for_desertion(job, sid, opens_at, first))
                }
                Desertion::HandedOver | Desertion::NotHolder => return Ok(not_holder()),
            },
        };
        if !wanted {
            let log = messages::not_opened_by_policy(reason);
            return Ok(Completion {
                follow_ups: vec![self.log_job(sid, format!("log:{}:policy", job.id), &log)],
                ..note("not opened: policy")
            });
        }
        let reached = self
            .bring(
                job,
                sid,
                device,
                Target::Unlocked,
                guard,
                Purpose::open(reason),
            )
            .await?;
        self.finish(job, sid, Purpose::open(reason), reached).await
    }

    /// A deserted lock's box stays shut until `opens_at`: a durable job due then opens it.
    fn wait_for_desertion(
        &self,
        job: &Job,
        sid: &SessionId,
        opens_at: DateTime<Utc>,
        first: bool,
    ) -> Completion {
        if job.payload.get("due").and_then(Value::as_bool) == Some(true) {
            // The due job itself ran early (clocks differ): run again at the date.
            return retry(opens_at, "the desertion wait is not over");
        }
        let due = JobKind::OpenDeserted.job(
            sid,
            format!("deserted:{sid}:due"),
            json!({ "due": true }),
            opens_at,
            opens_at + chrono_duration(self.settings.jobs.deadline),
        );
        let mut follow_ups = vec![due];
        if first {
            let log = messages::opens_after_desertion(opens_at);
            follow_ups.push(self.log_job(sid, format!("log:{sid}:deserted"), &log));
        }
        Completion {
            follow_ups,
            ..note(format!("the box opens at {opens_at}"))
        }
    }

    /// A lock runs (it started, was first seen locked, or took the box over from an ended lock
    /// of the same wearer): it takes custody of the box and the box is locked and verified.
    pub(super) async fn start(&self, job: &Job, sid: &SessionId) -> anyhow::Result<Completion> {
        let session = match self.fetch_session(sid).await {
            Ok(Some(s)) => s,
            Ok(None) => return self.session_gone(sid).await,
            Err(e) => return Ok(self.chaster_failure(job, "confirming with Chaster", &e)),
        };
        match session.lock.status {
            LockStatus::Locked => {}
            // It ended before it could lock the box (a stale hand-over): the end decides.
            LockStatus::Unlocked => return self.open(job, sid, OpenReason::Release).await,
            LockStatus::Deserted => return self.open(job, sid, OpenReason::Deserted).await,
            // A status we do not know does not mean the lock runs: wait for the next event.
            LockStatus::Unknown => {
                return Ok(note("not locked: Chaster reports an unknown status"))
            }
        }
        let wearer = session.lock.user.id.clone();
        let Some(device) = self.custody.device_of(&wearer).await? else {
            self.tamper.show_box(sid, BoxLook::NotConnected).await;
            return Ok(note("no box connected"));
        };
        if !device.capabilities().can_lock {
            if let Some(waiting) = self.wait_for_hand_lock(job, sid, &device).await {
                return Ok(waiting);
            }
        }
        let Some(guard) = self.custody.guard(&wearer, GUARD_WAIT).await? else {
            return Ok(busy());
        };
        let result = async {
            if self.custody.start(&guard, sid).await? == Start::OtherHolds {
                return Ok::<_, anyhow::Error>(note("another lock holds the box"));
            }
            let reached = self
                .bring(job, sid, &device, Target::Locked, &guard, Purpose::Start)
                .await?;
            self.finish(job, sid, Purpose::Start, reached).await
        }
        .await;
        guard.release().await;
        result
    }

    /// Chaster no longer knows the session: it ends, and so does its custody.
    pub(super) async fn session_gone(&self, sid: &SessionId) -> anyhow::Result<Completion> {
        self.store.set_session_status(sid, sessions::ENDED).await?;
        // A penalty never outlives the session it holds.
        self.end_holds(sid).await;
        let Some(row) = self.store.get_session(sid).await? else {
            return Ok(note("Chaster does not know this session"));
        };
        let Some(guard) = self.custody.guard(&row.wearer_user_id, GUARD_WAIT).await? else {
            return Ok(busy());
        };
        let ended = self.custody.session_gone(&guard, sid).await;
        guard.release().await;
        ended?;
        Ok(note("the session ended"))
    }

    /// An unlock-only box (SESAME Bike) is locked by hand: a starting lock takes it only from the
    /// first fresh reading that shows it locked (earlier, the tamper watch would take the open
    /// box for tampering). `None` once it reads locked; otherwise look again later, and when the
    /// start gives up, say what the wearer can do.
    async fn wait_for_hand_lock(
        &self,
        job: &Job,
        sid: &SessionId,
        device: &Device,
    ) -> Option<Completion> {
        let reading = device.refresh_status().await;
        if matches!(&reading, Ok(s) if s.reachable && s.latch == LatchState::Locked) {
            return None;
        }
        let why = "waiting for the wearer to lock the unlock-only box by hand";
        Some(match self.retry_at(job, None) {
            Some(at) => retry(at, why),
            None => {
                let log = messages::not_locked_at_start(
                    "it can only be locked by hand (SESAME Bike) and no reading showed it locked",
                    "It still opens by itself when the lock ends.",
                );
                Completion {
                    follow_ups: vec![self.log_job(sid, format!("log:{}:bike", job.id), &log)],
                    ..note(why)
                }
            }
        })
    }

    /// `temporary_opening_locked(_late)`: lock the box and verify.
    pub(super) async fn relock(&self, job: &Job, sid: &SessionId) -> anyhow::Result<Completion> {
        let late = job.payload.get("late").and_then(serde_json::Value::as_bool) == Some(true);
        let session: ExtensionSession = match self.fetch_session(sid).await {
            Ok(Some(s)) => s,
            Ok(None) => return Ok(note("ignored: Chaster does not know this session")),
            Err(e) => return Ok(self.chaster_failure(job, "confirming with Chaster", &e)),
        };
        if session.lock.status != LockStatus::Locked {
            // Released meanwhile: the release decides what happens to the box.
            self.store.set_hygiene_opening(sid, false).await?;
            return Ok(note("not locked: the lock is no longer running"));
        }
        let wearer = session.lock.user.id.clone();
        let Some(device) = self.custody.device_of(&wearer).await? else {
            self.store.set_hygiene_opening(sid, false).await?;
            return Ok(note("no box connected"));
        };
        let Some(guard) = self.custody.guard(&wearer, GUARD_WAIT).await? else {
            return Ok(busy());
        };
        let result = async {
            if !self.custody.holds_or_takes(&guard, sid).await? {
                self.store.set_hygiene_opening(sid, false).await?;
                return Ok::<_, anyhow::Error>(note("not locked: this lock does not hold the box"));
            }
            let purpose = Purpose::Relock { late };
            let reached = self
                .bring(job, sid, &device, Target::Locked, &guard, purpose)
                .await?;
            self.finish(job, sid, purpose, reached).await
        }
        .await;
        guard.release().await;
        let completion = result?;
        if completion.retry_at.is_none() {
            self.store.set_hygiene_opening(sid, false).await?;
        }
        Ok(completion)
    }
}

/// Another decision about the box is under way: look again in a second.
pub(super) fn busy() -> Completion {
    retry(Utc::now() + chrono::Duration::seconds(1), "the box is busy")
}
