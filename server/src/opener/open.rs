//! Opening the box (release, hygiene opening, desertion) and locking it after a hygiene opening.
//!
//! Never twice: `command_sent_at` is written before a command goes out. An attempt that finds it
//! set (an earlier attempt crashed or was not confirmed), or finds that another box job of the
//! session already sent a command, reads the box first and sends nothing if it is already there.

use api_types::{CommandOutcome, CommandResult, LatchState};
use chrono::Utc;
use serde_json::Value;

use super::messages::{self, kind, OpenReason};
use super::{activity, done, failed, note, retry, Opener, Policy};
use crate::chaster::models::LockStatus;
use crate::chaster::{ChasterError, ExtensionSession, LogSearch};
use crate::domain::SessionId;
use crate::jobs::{JobKind, Lane};
use crate::sesame::{Device, DeviceError, Target};
use crate::store::{Completion, Job};

/// Why a command attempt did not get the box where it should be.
enum Miss {
    Device(DeviceError),
    /// Accepted, but the box did not report the target position in time.
    NotConfirmed(String),
}

impl Miss {
    fn retryable(&self) -> bool {
        match self {
            Miss::Device(e) => e.is_retryable(),
            Miss::NotConfirmed(_) => true,
        }
    }

    fn short(&self) -> &'static str {
        match self {
            Miss::Device(e) => messages::short_reason(e),
            Miss::NotConfirmed(_) => "the box did not confirm",
        }
    }

    fn detail(&self) -> String {
        match self {
            Miss::Device(e) => e.user_message(),
            Miss::NotConfirmed(m) => m.clone(),
        }
    }

    fn hint(&self) -> Option<std::time::Duration> {
        match self {
            Miss::Device(e) => e.retry_after(),
            Miss::NotConfirmed(_) => None,
        }
    }
}

/// History pages (of 50) searched for a hygiene opening's entry.
const HISTORY_PAGES: usize = 3;
const ENDS_HYGIENE: [&str; 4] = [
    "temporary_opening_locked",
    "temporary_opening_locked_late",
    "unlocked",
    "deserted",
];

enum Hygiene {
    Running,
    Over,
    NotInHistory,
}

/// What the box did, in the end, for one attempt.
enum Reached {
    /// It reports the target; `already` when no command was needed.
    Yes {
        already: bool,
    },
    No(Miss),
}

impl Opener {
    pub(super) async fn open(
        &self,
        job: &Job,
        sid: &str,
        reason: OpenReason,
    ) -> anyhow::Result<Completion> {
        let session = match self.fetch_session(sid).await {
            Ok(Some(s)) => s,
            Ok(None) => {
                tracing::warn!(
                    session = sid,
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
                session = sid,
                ?reason,
                ?status,
                "Chaster does not confirm the event; not opening"
            );
            return Ok(note(format!(
                "ignored: Chaster says the lock is {status:?}"
            )));
        }
        if reason == OpenReason::Hygiene {
            let log_id = job.payload.get("actionLogId").and_then(Value::as_str);
            match self.hygiene_opening(sid, log_id.unwrap_or_default()).await {
                Ok(Hygiene::Running) => {}
                Ok(Hygiene::Over) => return Ok(note("not opened: the hygiene opening is over")),
                Ok(Hygiene::NotInHistory) => {
                    tracing::warn!(
                        session = sid,
                        "a hygiene opening is not in the lock's history; not opening"
                    );
                    return Ok(note("ignored: no such hygiene opening in the history"));
                }
                Err(e) => return Ok(self.chaster_failure(job, "confirming with Chaster", &e)),
            }
        }
        let wearer = session.lock.user.id.clone();
        if reason == OpenReason::Hygiene {
            // Before the box moves, so the tamper watch does not take the opening for tampering.
            self.store.set_hygiene_opening(sid, true).await?;
        }
        let policy = Policy::from_config(&session.config, &self.settings.defaults);
        let wanted = match reason {
            OpenReason::Release => policy.open_on_release,
            OpenReason::Hygiene => policy.open_for_hygiene,
            OpenReason::Deserted => policy.open_on_deserted,
        };
        if !wanted {
            let log = messages::not_opened_by_policy(reason);
            return Ok(Completion {
                follow_ups: vec![self.log_job(sid, format!("log:{}:policy", job.id), &log)],
                activity: vec![activity(&wearer, sid, kind::SKIPPED, log.description)],
                ..note("not opened: policy")
            });
        }
        let Some(device) = self.device_of(&wearer).await? else {
            let log = messages::no_box();
            return Ok(Completion {
                follow_ups: vec![self.log_job(sid, format!("log:{}:nobox", job.id), &log)],
                activity: vec![activity(&wearer, sid, kind::SKIPPED, log.description)],
                ..note("no box connected")
            });
        };
        Ok(
            match self.bring(job, sid, &device, Target::Unlocked).await? {
                Reached::Yes { already } => {
                    let log = messages::opened(reason, already);
                    Completion {
                        follow_ups: vec![self.log_job(sid, format!("log:{}:done", job.id), &log)],
                        activity: vec![activity(&wearer, sid, kind::OPENED, log.title)],
                        ..done()
                    }
                }
                Reached::No(miss) => {
                    let persistent = never_gives_up(job);
                    self.missed(job, sid, &wearer, &miss, |short, detail, last| {
                        if last {
                            (messages::open_failed(short, detail), kind::OPEN_FAILED)
                        } else {
                            (messages::open_retrying(short, persistent), kind::RETRYING)
                        }
                    })
                }
            },
        )
    }

    /// `temporary_opening_locked(_late)`: lock the box and verify.
    pub(super) async fn relock(&self, job: &Job, sid: &str) -> anyhow::Result<Completion> {
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
        let Some(device) = self.device_of(&wearer).await? else {
            self.store.set_hygiene_opening(sid, false).await?;
            return Ok(note("no box connected"));
        };
        let reached = self.bring(job, sid, &device, Target::Locked).await?;
        let completion = match reached {
            Reached::Yes { .. } => {
                let log = messages::relocked(late);
                Completion {
                    follow_ups: vec![self.log_job(sid, format!("log:{}:done", job.id), &log)],
                    activity: vec![activity(&wearer, sid, kind::LOCKED, log.title)],
                    ..done()
                }
            }
            Reached::No(miss) => self.missed(job, sid, &wearer, &miss, |short, detail, last| {
                if last {
                    (messages::not_relocked(short, detail), kind::LOCK_FAILED)
                } else {
                    (messages::relock_retrying(short), kind::RETRYING)
                }
            }),
        };
        if completion.retry_at.is_none() {
            self.store.set_hygiene_opening(sid, false).await?;
        }
        Ok(completion)
    }

    /// Finds the opening's entry in the lock's history (newest first) and whether a later entry
    /// ended it: a webhook body alone never opens the box in the middle of a session.
    async fn hygiene_opening(&self, sid: &str, log_id: &str) -> Result<Hygiene, ChasterError> {
        let id = SessionId::new(sid);
        let mut ended = false;
        let mut last_id = None;
        for _ in 0..HISTORY_PAGES {
            let query = LogSearch {
                role: "wearer",
                limit: 50,
                last_id: last_id.clone(),
            };
            let page = self.chaster.search_logs(&id, &query).await?;
            for entry in &page.results {
                let default = entry.prefix.as_deref() == Some("default");
                let kind = entry.kind.as_deref().unwrap_or_default();
                if entry.id == log_id {
                    return Ok(match (default, kind, ended) {
                        (true, "temporary_opening_opened", false) => Hygiene::Running,
                        (true, "temporary_opening_opened", true) => Hygiene::Over,
                        _ => Hygiene::NotInHistory,
                    });
                }
                ended |= default && ENDS_HYGIENE.contains(&kind);
            }
            last_id = page.results.last().map(|e| e.id.clone());
            if page.has_more != Some(true) || last_id.is_none() {
                break;
            }
        }
        Ok(Hygiene::NotInHistory)
    }

    async fn device_of(&self, wearer: &str) -> anyhow::Result<Option<Device>> {
        Ok(self
            .store
            .get_device(wearer)
            .await?
            .map(|record| self.sesame.device(record.credentials)))
    }

    /// Gets the box to `target`, sending the command at most once per need.
    async fn bring(
        &self,
        job: &Job,
        sid: &str,
        device: &Device,
        target: Target,
    ) -> anyhow::Result<Reached> {
        let wanted = match target {
            Target::Locked => LatchState::Locked,
            Target::Unlocked => LatchState::Unlocked,
        };
        // An opening that never gives up always looks first: one read while the hub is offline,
        // instead of a dropped command and its verification reads.
        let look_first = job.command_sent_at.is_some()
            || never_gives_up(job)
            || self
                .store
                .lane_sent_command(sid, Lane::Box.as_str(), &job.id)
                .await?;
        if look_first {
            match device.refresh_status().await {
                Ok(s) if s.reachable && s.latch == wanted => {
                    return Ok(Reached::Yes { already: true })
                }
                // A command would be dropped anyway; wait for the hub instead.
                Ok(s) if !s.reachable => {
                    let offline = DeviceError::Offline {
                        last_update: s.last_update,
                    };
                    return Ok(Reached::No(Miss::Device(offline)));
                }
                // Probably our earlier command still moving it: look again later.
                Ok(s) if s.latch == LatchState::Moving => {
                    return Ok(Reached::No(Miss::NotConfirmed(
                        "The Sesame is still moving.".into(),
                    )))
                }
                Ok(_) => {}
                Err(e) => return Ok(Reached::No(Miss::Device(e))),
            }
        }
        self.store
            .mark_command_sent(&job.id, Utc::now(), None)
            .await?;
        Ok(match device.command(target).await {
            Ok(CommandResult {
                outcome: CommandOutcome::Confirmed,
                ..
            }) => Reached::Yes { already: false },
            Ok(r) => Reached::No(Miss::NotConfirmed(r.message)),
            Err(e) => Reached::No(Miss::Device(e)),
        })
    }

    /// Retry (writing the "retrying" line once per job) or give up (writing the failure).
    fn missed(
        &self,
        job: &Job,
        sid: &str,
        wearer: &str,
        miss: &Miss,
        texts: impl Fn(&str, &str, bool) -> (crate::chaster::CustomLog, &'static str),
    ) -> Completion {
        let error = format!("{}: {}", miss.short(), miss.detail());
        let next = if miss.retryable() || never_gives_up(job) {
            self.retry_at(job, miss.hint())
        } else {
            None
        };
        match next {
            Some(at) if job.retry_logged => retry(at, error),
            Some(at) => {
                let (log, k) = texts(miss.short(), &miss.detail(), false);
                Completion {
                    retry_logged: true,
                    follow_ups: vec![self.log_job(sid, format!("log:{}:retrying", job.id), &log)],
                    activity: vec![activity(
                        wearer,
                        sid,
                        k,
                        format!("{} {}", log.title, miss.detail()),
                    )],
                    ..retry(at, error)
                }
            }
            None => {
                let (log, k) = texts(miss.short(), &miss.detail(), true);
                Completion {
                    follow_ups: vec![self.log_job(sid, format!("log:{}:failed", job.id), &log)],
                    activity: vec![activity(
                        wearer,
                        sid,
                        k,
                        format!("{}. {}", log.title, log.description),
                    )],
                    ..failed(error)
                }
            }
        }
    }
}

/// An opening Chaster asked for: it keeps trying until the box is open (see `jobs`).
fn never_gives_up(job: &Job) -> bool {
    JobKind::parse(&job.kind).is_some_and(JobKind::never_gives_up)
}
