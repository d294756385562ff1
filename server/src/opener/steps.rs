//! A box job's command and its verification, as steps of the job: the attempt sends the command
//! and ends, queued again `verify.delay` later; each later run reads the box once, until it shows
//! the target (or `verify.attempts` readings are done). No worker waits while a box turns, so a
//! burst of releases gets every command out first.
//!
//! Never twice: before the command goes out, `command_sent_at` and the verification marker
//! (`payload.verifying`) are written. A run that finds the marker only reads; an attempt that
//! finds `command_sent_at` set reads the box first and sends nothing if it is already there.

use api_types::{CommandOutcome, CommandResult, LatchState};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::messages::{self, OpenReason};
use super::{done, failed, note, retry, Opener, GUARD_WAIT};
use crate::custody::{BoxGuard, Dispatched};
use crate::domain::{SessionId, UserId};
use crate::jobs::{JobKind, Lane};
use crate::sesame::{Device, DeviceError, Sent, Step, Target};
use crate::store::{Completion, Job};

/// Where a job keeps its verification between steps.
const MARKER: &str = "verifying";

/// What the command was for: it decides the history lines once the box reached its target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "what")]
pub(super) enum Purpose {
    OpenRelease,
    OpenHygiene,
    OpenDeserted,
    Relock { late: bool },
    Start,
}

impl Purpose {
    pub(super) fn open(reason: OpenReason) -> Purpose {
        match reason {
            OpenReason::Release => Purpose::OpenRelease,
            OpenReason::Hygiene => Purpose::OpenHygiene,
            OpenReason::Deserted => Purpose::OpenDeserted,
        }
    }

    fn reason(self) -> Option<OpenReason> {
        match self {
            Purpose::OpenRelease => Some(OpenReason::Release),
            Purpose::OpenHygiene => Some(OpenReason::Hygiene),
            Purpose::OpenDeserted => Some(OpenReason::Deserted),
            Purpose::Relock { .. } | Purpose::Start => None,
        }
    }
}

/// A command sent and not yet verified (`payload.verifying`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(super) struct Verifying {
    purpose: Purpose,
    wearer: String,
    unlock: bool,
    sent_at: DateTime<Utc>,
    #[serde(default)]
    task: bool,
    #[serde(default)]
    reads: u32,
    #[serde(default)]
    resent: bool,
}

impl Verifying {
    /// The marker of a job in its verification, if any (an unreadable one counts as none: the
    /// attempt then reads the box first, since `command_sent_at` is set).
    pub(super) fn of(payload: &Value) -> Option<Verifying> {
        serde_json::from_value(payload.get(MARKER)?.clone()).ok()
    }

    fn target(&self) -> Target {
        if self.unlock {
            Target::Unlocked
        } else {
            Target::Locked
        }
    }

    fn sent(&self) -> Sent {
        Sent {
            at: self.sent_at,
            task_succeeded: self.task,
        }
    }
}

/// `payload` with the marker set.
fn with_marker(payload: &Value, marker: &Verifying) -> Value {
    let mut p = match payload {
        Value::Object(m) => Value::Object(m.clone()),
        _ => Value::Object(Default::default()),
    };
    p[MARKER] = serde_json::to_value(marker).unwrap_or(Value::Null);
    p
}

/// `payload` without the marker: the job is no longer verifying.
pub(super) fn without_marker(payload: &Value) -> Value {
    let mut p = payload.clone();
    if let Value::Object(m) = &mut p {
        m.remove(MARKER);
    }
    p
}

/// Why a command attempt did not get the box where it should be.
pub(super) enum Miss {
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

/// Where one run left the box.
pub(super) enum Reached {
    /// It reports the target; `already` when no command was needed.
    Yes {
        already: bool,
    },
    No(Miss),
    /// The command went out; this completion queues the verification.
    Sent(Completion),
}

/// What a verified command (or its failure) means for the job.
fn reached_from(result: Result<CommandResult, DeviceError>) -> Reached {
    match result {
        Ok(CommandResult {
            outcome: CommandOutcome::Confirmed,
            ..
        }) => Reached::Yes { already: false },
        // The hub is offline: the command was dropped; wait for the hub.
        Ok(CommandResult {
            status: Some(s), ..
        }) if !s.reachable => Reached::No(Miss::Device(DeviceError::Offline {
            last_update: s.last_update,
        })),
        Ok(r) => Reached::No(Miss::NotConfirmed(r.message)),
        Err(e) => Reached::No(Miss::Device(e)),
    }
}

impl Opener {
    /// Gets the box to `target`, sending the command at most once per need; the verification
    /// follows as later steps of the job.
    pub(super) async fn bring(
        &self,
        job: &Job,
        sid: &SessionId,
        device: &Device,
        target: Target,
        guard: &BoxGuard,
        purpose: Purpose,
    ) -> anyhow::Result<Reached> {
        let wanted = match target {
            Target::Locked => LatchState::Locked,
            Target::Unlocked => LatchState::Unlocked,
        };
        // A start looks first (a box already locked needs no command), and so does every
        // attempt after a command or a failure. An opening's first attempt sends at once: a
        // reading first would cost the pace of one CANDY HOUSE request per key (a second) on
        // the release path, and a command dropped by an offline hub shows in the first
        // verification reading anyway.
        let look_first = job.command_sent_at.is_some()
            || job.kind == JobKind::CustodyStart
            || (job.kind.never_gives_up() && job.attempts > 1)
            || self
                .store
                .lane_sent_command(sid, Lane::Box, &job.id)
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
                Ok(_) => {}
                Err(e) => return Ok(Reached::No(Miss::Device(e))),
            }
        }
        let marker = Verifying {
            purpose,
            wearer: guard.wearer().as_str().to_owned(),
            unlock: target == Target::Unlocked,
            sent_at: Utc::now(),
            task: false,
            reads: 0,
            resent: false,
        };
        self.store
            .mark_command_sent(
                &job.id,
                Utc::now(),
                Some(&with_marker(&job.payload, &marker)),
            )
            .await?;
        Ok(match self.custody.dispatch(guard, device, target).await {
            Ok(Dispatched::Sent(sent)) => Reached::Sent(self.verify_later(
                job,
                &Verifying {
                    sent_at: sent.at,
                    task: sent.task_succeeded,
                    ..marker
                },
            )),
            Ok(Dispatched::Finished(result)) => reached_from(Ok(result)),
            Err(e) => Reached::No(Miss::Device(e)),
        })
    }

    /// Queues the job's next verification reading: a step of this attempt, not a new attempt,
    /// so verifying never uses up the job's attempts or lengthens its back-off.
    fn verify_later(&self, job: &Job, marker: &Verifying) -> Completion {
        let at = crate::clock::add(self.clock().now(), self.sesame.settings().verify.delay);
        Completion {
            payload: Some(with_marker(&without_marker(&job.payload), marker)),
            step: true,
            ..retry(at, "command sent; verifying")
        }
    }

    /// One verification reading of a command an earlier run of `job` sent.
    pub(super) async fn verify_step(
        &self,
        job: &Job,
        sid: &SessionId,
        v: Verifying,
    ) -> anyhow::Result<Completion> {
        let wearer = UserId::new(v.wearer.as_str());
        let Some(device) = self.custody.device_of(&wearer).await? else {
            return Ok(note("no box connected"));
        };
        let target = v.target();
        let reached = match device
            .verify_step(target, &v.sent(), v.reads, v.resent)
            .await
        {
            Step::Again => {
                let next = Verifying {
                    reads: v.reads + 1,
                    ..v
                };
                return Ok(self.verify_later(job, &next));
            }
            Step::Done(result) => reached_from(Ok(result)),
            Step::Resend => {
                let Some(guard) = self.custody.guard(&wearer, GUARD_WAIT).await? else {
                    // Someone else decides about the box right now: read again shortly.
                    return Ok(self.verify_later(job, &v));
                };
                let again = Verifying {
                    resent: true,
                    reads: 0,
                    sent_at: Utc::now(),
                    ..v.clone()
                };
                self.store
                    .mark_command_sent(
                        &job.id,
                        Utc::now(),
                        Some(&with_marker(&job.payload, &again)),
                    )
                    .await?;
                let dispatched = self.custody.dispatch(&guard, &device, target).await;
                guard.release().await;
                match dispatched {
                    Ok(Dispatched::Sent(sent)) => {
                        let next = Verifying {
                            sent_at: sent.at,
                            task: sent.task_succeeded,
                            ..again
                        };
                        return Ok(self.verify_later(job, &next));
                    }
                    Ok(Dispatched::Finished(result)) => reached_from(Ok(result)),
                    Err(e) => Reached::No(Miss::Device(e)),
                }
            }
        };
        self.finish(job, sid, v.purpose, reached).await
    }

    /// What the job does once the box reached its target (a history line), or did not (retry or
    /// give up, saying so), or while the command is being verified.
    pub(super) async fn finish(
        &self,
        job: &Job,
        sid: &SessionId,
        purpose: Purpose,
        reached: Reached,
    ) -> anyhow::Result<Completion> {
        let line = |log: &crate::chaster::CustomLog| {
            vec![self.log_job(sid, format!("log:{}:done", job.id), log)]
        };
        Ok(match reached {
            Reached::Sent(c) => c,
            Reached::Yes { already } => {
                let log = match purpose {
                    Purpose::Relock { late } => {
                        self.store.set_hygiene_opening(sid, false).await?;
                        messages::relocked(late)
                    }
                    Purpose::Start => messages::locked_at_start(),
                    open => {
                        let reason = open.reason().unwrap_or(OpenReason::Release);
                        if reason == OpenReason::Hygiene {
                            // Only now that the box is open: the tamper watch pauses for it.
                            self.store.set_hygiene_opening(sid, true).await?;
                        }
                        messages::opened(reason, already)
                    }
                };
                Completion {
                    follow_ups: line(&log),
                    ..done()
                }
            }
            Reached::No(miss) => match purpose {
                Purpose::Relock { .. } => {
                    let c = self.missed(job, sid, &miss, |short, detail, last| {
                        if last {
                            messages::not_relocked(short, detail)
                        } else {
                            messages::relock_retrying(short)
                        }
                    });
                    if c.retry_at.is_none() {
                        self.store.set_hygiene_opening(sid, false).await?;
                    }
                    c
                }
                Purpose::Start => self.missed(job, sid, &miss, |short, detail, last| {
                    if last {
                        messages::not_locked_at_start(short, detail)
                    } else {
                        messages::lock_retrying(short)
                    }
                }),
                _ => {
                    let persistent = job.kind.never_gives_up();
                    self.missed(job, sid, &miss, |short, detail, last| {
                        if last {
                            messages::open_failed(short, detail)
                        } else {
                            messages::open_retrying(short, persistent)
                        }
                    })
                }
            },
        })
    }

    /// Retry (writing the "retrying" line once per job) or give up (writing the failure).
    fn missed(
        &self,
        job: &Job,
        sid: &SessionId,
        miss: &Miss,
        texts: impl Fn(&str, &str, bool) -> crate::chaster::CustomLog,
    ) -> Completion {
        let error = format!("{}: {}", miss.short(), miss.detail());
        let next = if miss.retryable() || job.kind.never_gives_up() {
            self.retry_at(job, miss.hint())
        } else {
            None
        };
        match next {
            Some(at) if job.retry_logged => retry(at, error),
            Some(at) => {
                let log = texts(miss.short(), &miss.detail(), false);
                Completion {
                    retry_logged: true,
                    follow_ups: vec![self.log_job(sid, format!("log:{}:retrying", job.id), &log)],
                    ..retry(at, error)
                }
            }
            None => {
                let log = texts(miss.short(), &miss.detail(), true);
                Completion {
                    follow_ups: vec![self.log_job(sid, format!("log:{}:failed", job.id), &log)],
                    ..failed(error)
                }
            }
        }
    }
}
