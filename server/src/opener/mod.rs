//! What the server does with the box on its own: open it when Chaster releases the lock (or a
//! hygiene opening starts, or the lock is deserted), lock it again after a hygiene opening,
//! watch it for tampering, and write every outcome to the Chaster history and our activity log.
//!
//! Work arrives as durable jobs (`jobs`), from webhooks (`webhooks`), the polling fallback
//! (`poller`) or the tamper schedule (`tamper`); [`Opener::run`] carries out one attempt of one
//! job and says what happens next. Nothing here trusts a webhook body: each job re-reads the
//! session from Chaster before acting.

mod background;
mod messages;
mod open;
mod policy;
mod poller;
mod quota;
mod settings;
mod tamper;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

pub use background::Background;
pub use messages::{kind as activity_kind, OpenReason};
pub use policy::{parse_penalty, Penalty, Policy};
pub use settings::{JobSettings, OpenerSettings, PollFallbackSettings, TamperSettings};
pub use tamper::{TamperWatch, Verdict};

use crate::chaster::models::LockStatus;
use crate::chaster::{ChasterClient, ChasterError, CustomLog, ExtensionSession, LogRole};
use crate::domain::SessionId;
use crate::jobs::{self, JobKind, JobSignal};
use crate::sesame::SesameHub;
use crate::store::{sessions, Completion, Job, NewActivity, NewJob, SessionRecord, Store};

/// Carries out jobs. Cheap to clone.
#[derive(Clone)]
pub struct Opener {
    store: Store,
    /// Background priority: people in front of a page go first.
    chaster: ChasterClient,
    sesame: SesameHub,
    settings: Arc<OpenerSettings>,
    signal: JobSignal,
    tamper: TamperWatch,
}

impl Opener {
    pub fn new(
        store: Store,
        chaster: &ChasterClient,
        sesame: SesameHub,
        settings: Arc<OpenerSettings>,
        signal: JobSignal,
    ) -> Opener {
        let tamper = TamperWatch::new(store.clone(), signal.clone(), settings.clock.clone());
        Opener {
            store,
            chaster: chaster.background(),
            sesame,
            settings,
            signal,
            tamper,
        }
    }

    /// One attempt of `job`; the returned completion says whether it is done, failed or when it
    /// runs again, and what it leads to.
    pub async fn run(&self, job: &Job) -> Completion {
        let Some(kind) = JobKind::parse(&job.kind) else {
            return failed(format!("unknown job kind {:?}", job.kind));
        };
        let Some(session_id) = job.session_id.clone() else {
            return failed("the job names no session");
        };
        let result = match kind {
            JobKind::OpenRelease => self.open(job, &session_id, OpenReason::Release).await,
            JobKind::OpenHygiene => self.open(job, &session_id, OpenReason::Hygiene).await,
            JobKind::OpenDeserted => self.open(job, &session_id, OpenReason::Deserted).await,
            JobKind::LockHygiene => self.relock(job, &session_id).await,
            JobKind::SyncSession => self.sync_session(job, &session_id).await,
            JobKind::TamperCheck => self.tamper_check(&session_id).await,
            JobKind::TamperPenalty => self.penalty(job, &session_id).await,
            JobKind::ChasterLog => self.post_log(job, &session_id).await,
        };
        result.unwrap_or_else(|e| match self.retry_at(job, None) {
            // The database or another internal failure: try again, it is usually brief.
            Some(at) => retry(at, format!("internal error: {e:#}")),
            None => failed(format!("internal error: {e:#}")),
        })
    }

    pub fn tamper_watch(&self) -> &TamperWatch {
        &self.tamper
    }

    /// The wall clock of schedules and back-offs.
    pub fn clock(&self) -> &crate::clock::Clock {
        &self.settings.clock
    }

    fn retry_at(&self, job: &Job, hint: Option<Duration>) -> Option<DateTime<Utc>> {
        jobs::next_attempt(job, hint, &self.settings.jobs, self.clock().now())
    }

    /// Retries a Chaster failure until the deadline (honouring a 429's `Retry-After`).
    fn chaster_failure(&self, job: &Job, what: &str, e: &ChasterError) -> Completion {
        let hint = match e {
            ChasterError::RateLimited { retry_after } => *retry_after,
            _ => None,
        };
        let error = format!("{what}: {e}");
        match self.retry_at(job, hint) {
            Some(at) => retry(at, error),
            None => failed(error),
        }
    }

    /// `GET /sessions/{id}` (the only source we trust), saved in `sessions`; `None` for a
    /// session Chaster does not know.
    async fn fetch_session(&self, id: &str) -> Result<Option<ExtensionSession>, ChasterError> {
        match self.chaster.get_session(&SessionId::new(id)).await {
            Ok(session) => {
                if let Err(e) = self.store.upsert_session(&session_record(&session)).await {
                    tracing::warn!(error = %e, "cannot save a session");
                }
                Ok(Some(session))
            }
            Err(ChasterError::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// A history line, written by its own job so a Chaster outage delays it but never loses it.
    fn log_job(&self, session_id: &str, dedupe: String, log: &CustomLog) -> NewJob {
        let now = self.clock().now();
        JobKind::ChasterLog.job(
            session_id,
            dedupe,
            json!({"title": log.title, "description": log.description, "icon": log.icon}),
            now,
            crate::clock::add(now, self.settings.jobs.chaster_deadline),
        )
    }

    async fn post_log(&self, job: &Job, session_id: &str) -> anyhow::Result<Completion> {
        let text = |k: &str| {
            job.payload
                .get(k)
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let log = CustomLog {
            title: text("title").unwrap_or_default(),
            description: text("description").unwrap_or_default(),
            role: Some(LogRole::Extension),
            icon: text("icon"),
            color: None,
        };
        Ok(
            match self
                .chaster
                .post_custom_log(&SessionId::new(session_id), &log)
                .await
            {
                Ok(()) => done(),
                Err(ChasterError::NotFound) => note("Chaster no longer knows the session"),
                Err(e @ ChasterError::Rejected { .. }) => {
                    failed(format!("history line refused: {e}"))
                }
                Err(e) => self.chaster_failure(job, "writing the history", &e),
            },
        )
    }

    async fn sync_session(&self, job: &Job, session_id: &str) -> anyhow::Result<Completion> {
        let deleted =
            job.payload.get("event").and_then(Value::as_str) == Some("extension_session.deleted");
        match self.fetch_session(session_id).await {
            Ok(found) => {
                if deleted || found.is_none() {
                    self.store
                        .set_session_status(session_id, sessions::ENDED)
                        .await?;
                }
                Ok(done())
            }
            Err(e) => Ok(self.chaster_failure(job, "reading the session", &e)),
        }
    }
}

/// Our row for a session Chaster just described.
pub fn session_record(s: &ExtensionSession) -> SessionRecord {
    SessionRecord {
        session_id: s.session_id.clone(),
        lock_id: s.lock.id.clone(),
        wearer_user_id: s.lock.user.id.clone(),
        keyholder_user_id: s.lock.keyholder.as_ref().map(|k| k.id.clone()),
        status: status_name(s.lock.status).to_owned(),
        config: s.config.clone(),
        hygiene_opening_active: false,
        box_open_allowed: false,
        updated_at: Utc::now(),
    }
}

pub(crate) fn status_name(status: LockStatus) -> &'static str {
    match status {
        LockStatus::Locked => sessions::LOCKED,
        LockStatus::Unlocked => sessions::UNLOCKED,
        LockStatus::Deserted => sessions::DESERTED,
    }
}

pub(crate) fn chrono_duration(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::days(365))
}

fn activity(wearer: &str, session_id: &str, kind: &str, message: impl Into<String>) -> NewActivity {
    NewActivity {
        wearer_user_id: wearer.to_owned(),
        session_id: Some(session_id.to_owned()),
        kind: kind.to_owned(),
        message: message.into(),
    }
}

fn done() -> Completion {
    Completion::default()
}

/// Done, with a note on why nothing was done.
fn note(text: impl Into<String>) -> Completion {
    Completion {
        error: Some(text.into()),
        ..Completion::default()
    }
}

fn retry(at: DateTime<Utc>, error: impl Into<String>) -> Completion {
    Completion {
        retry_at: Some(at),
        error: Some(error.into()),
        ..Completion::default()
    }
}

fn failed(error: impl Into<String>) -> Completion {
    Completion {
        failed: true,
        error: Some(error.into()),
        ..Completion::default()
    }
}
