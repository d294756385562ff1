//! What the server does with the box on its own: open it when Chaster releases the lock (or a
//! hygiene opening starts, or the lock is deserted), lock it again after a hygiene opening,
//! watch it for tampering, and write every outcome to the Chaster history.
//!
//! Work arrives as durable jobs (`jobs`), from webhooks (`webhooks`), the polling fallback
//! (`poller`) or the tamper schedule (`tamper`); [`Opener::run`] carries out one attempt of one
//! job and says what happens next. Nothing here trusts a webhook body: each job re-reads the
//! session from Chaster before acting.

mod background;
mod confirm;
mod holds;
mod home_action;
mod messages;
mod open;
mod penalties;
mod poller;
mod quota;
mod steps;
mod tamper;
mod tamper_history;
mod verdict;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

pub use crate::configuration::{OpenerSettings, PollFallbackSettings, TamperSettings};
pub use crate::domain::policy::{parse_penalty, Penalty, Policy};
pub use background::{Background, BackgroundParts};
pub use holds::{lift as lift_holds, metadata_job};
pub use home_action::BoxLook;
pub use messages::OpenReason;
pub use penalties::BLOCK_REASON;
pub use tamper::TamperWatch;
pub use verdict::Verdict;

use crate::chaster::models::LockStatus;
use crate::chaster::{ChasterClient, ChasterError, CustomLog, ExtensionSession, LogRole};
use crate::clock::Clock;
use crate::custody::Custody;
use crate::domain::SessionId;
use crate::jobs::{self, JobHandler, JobKind, JobSignal};
use crate::sesame::SesameHub;
use crate::store::{sessions, Completion, Job, KeptLine, NewJob, SessionRecord, Store};

/// How long a job waits for another decision about the same box before trying again later.
const GUARD_WAIT: Duration = Duration::from_secs(2);

/// A job waits at most this long for a slot of Chaster's budget; then it runs again when one
/// is free, and its worker takes other jobs meanwhile.
const JOB_BUDGET_WAIT: Duration = Duration::from_secs(1);

/// Carries out jobs. Cheap to clone.
#[derive(Clone)]
pub struct Opener {
    store: Store,
    /// Background priority: people in front of a page go first.
    chaster: ChasterClient,
    /// Confirming openings: the budget's reserve for them.
    openings: ChasterClient,
    /// Releases confirmed by a batched search, for the jobs that wait for them.
    confirmations: Arc<confirm::Confirmations>,
    sesame: SesameHub,
    /// Every box movement goes through custody.
    custody: Custody,
    settings: Arc<OpenerSettings>,
    signal: JobSignal,
    tamper: TamperWatch,
    /// "Now" for penalty bounds and the job queue; tests move it forward.
    clock: Clock,
    /// Where the polling fallback's next search page starts (`None`: the first page).
    poll_cursor: Arc<std::sync::Mutex<Option<String>>>,
}

impl Opener {
    pub fn new(
        store: Store,
        chaster: &ChasterClient,
        sesame: SesameHub,
        custody: Custody,
        settings: Arc<OpenerSettings>,
        signal: JobSignal,
        clock: Clock,
    ) -> Opener {
        let tamper = TamperWatch::new(store.clone(), signal.clone(), settings.clock.clone());
        Opener {
            store,
            chaster: chaster.for_jobs(JOB_BUDGET_WAIT),
            openings: chaster.for_openings(JOB_BUDGET_WAIT),
            confirmations: Arc::default(),
            sesame,
            custody,
            settings,
            signal,
            tamper,
            clock,
            poll_cursor: Arc::default(),
        }
    }

    /// One attempt of `job`; the returned completion says whether it is done, failed or when it
    /// runs again, and what it leads to.
    pub async fn run(&self, job: &Job) -> Completion {
        let kind = job.kind;
        let Some(session_id) = job.session_id.clone() else {
            return failed("the job names no session");
        };
        let box_job = kind.lane() == Some(jobs::Lane::Box);
        let verifying = steps::Verifying::of(&job.payload).filter(|_| box_job);
        let result = match (verifying, kind) {
            // A command an earlier run sent: this run reads the box once.
            (Some(verifying), _) => self.verify_step(job, &session_id, verifying).await,
            (None, JobKind::OpenRelease) => self.open(job, &session_id, OpenReason::Release).await,
            (None, JobKind::OpenHygiene) => self.open(job, &session_id, OpenReason::Hygiene).await,
            (None, JobKind::OpenDeserted) => {
                self.open(job, &session_id, OpenReason::Deserted).await
            }
            (None, JobKind::LockHygiene) => self.relock(job, &session_id).await,
            (None, JobKind::SyncSession) => self.sync_session(job, &session_id).await,
            (None, JobKind::TamperCheck) => self.tamper_check(job, &session_id).await,
            (None, JobKind::TamperPenalty) => self.penalty(job, &session_id).await,
            (None, JobKind::ChasterLog) => self.post_log(job, &session_id).await,
            (None, JobKind::CustodyStart) => self.start(job, &session_id).await,
            (None, JobKind::SessionMetadata) => self.write_metadata(job, &session_id).await,
            (None, JobKind::PenaltyUnfreeze) => self.unfreeze(job, &session_id).await,
            (None, JobKind::PenaltyBound) => self.penalty_bound(job, &session_id).await,
        };
        let mut completion = result.unwrap_or_else(|e| self.internal(job, &e));
        if box_job && completion.payload.is_none() {
            // A verification marker written before a command ends with this attempt.
            completion.payload = Some(steps::without_marker(&job.payload));
        }
        completion
    }

    /// The database or another internal failure: try again, it is usually brief.
    fn internal(&self, job: &Job, e: &anyhow::Error) -> Completion {
        match self.retry_at(job, None) {
            Some(at) => retry(at, format!("internal error: {e:#}")),
            None => failed(format!("internal error: {e:#}")),
        }
    }

    pub fn tamper_watch(&self) -> &TamperWatch {
        &self.tamper
    }

    /// "Now" for claiming jobs and bounds: the one server clock, which tests move forward.
    pub fn clock(&self) -> &Clock {
        &self.clock
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
    async fn fetch_session(
        &self,
        id: &SessionId,
    ) -> Result<Option<ExtensionSession>, ChasterError> {
        self.read_session(&self.chaster, id).await
    }

    /// `fetch_session` through `client` (openings use their reserve of the budget).
    async fn read_session(
        &self,
        client: &ChasterClient,
        id: &SessionId,
    ) -> Result<Option<ExtensionSession>, ChasterError> {
        match client.get_session(id).await {
            Ok(session) => {
                self.saw_session(&session).await;
                Ok(Some(session))
            }
            Err(ChasterError::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// What Chaster just said about a session, saved in `sessions`.
    async fn saw_session(&self, session: &ExtensionSession) {
        let id = &session.session_id;
        if let Err(e) = self.store.upsert_session(&session_record(session)).await {
            tracing::warn!(error = %e, "cannot save a session");
        }
        // Our hygiene flag ends when Chaster shows no opening running.
        if !session.lock.hygiene_opening_running() {
            if let Err(e) = self.store.set_hygiene_opening(id, false).await {
                tracing::warn!(error = %e, "cannot clear the hygiene flag");
            }
        }
        if session.lock.status != LockStatus::Locked {
            self.end_holds(id).await;
        }
    }

    /// A history line, written by its own job so a Chaster outage delays it but never loses it.
    fn log_job(&self, session_id: &SessionId, dedupe: String, log: &CustomLog) -> NewJob {
        let now = self.clock().now();
        JobKind::ChasterLog.job(
            session_id,
            dedupe,
            json!({"title": log.title, "description": log.description, "icon": log.icon}),
            now,
            crate::clock::add(now, self.settings.jobs.chaster_deadline),
        )
    }

    /// Writes a history line as the role its payload names (`extension` unless it says
    /// `keyholder` or `user`). A line Chaster refuses (e.g. the lock has ended) is kept in our
    /// store and shown on our history page instead of being lost.
    async fn post_log(&self, job: &Job, session_id: &SessionId) -> anyhow::Result<Completion> {
        let text = |k: &str| {
            job.payload
                .get(k)
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let role = match text("role").as_deref() {
            Some("keyholder") => LogRole::Keyholder,
            Some("user") => LogRole::User,
            _ => LogRole::Extension,
        };
        let log = CustomLog {
            title: text("title").unwrap_or_default(),
            description: text("description").unwrap_or_default(),
            role: Some(role),
            icon: text("icon"),
            color: None,
        };
        Ok(match self.chaster.post_custom_log(session_id, &log).await {
            Ok(()) => done(),
            Err(ChasterError::NotFound) => note("Chaster no longer knows the session"),
            Err(e @ ChasterError::Rejected { .. }) => {
                let at = text("at")
                    .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
                    .map_or(job.created_at, |t| t.with_timezone(&Utc));
                self.store
                    .keep_history(&KeptLine {
                        session_id: session_id.to_owned(),
                        at,
                        role: role_name(role).to_owned(),
                        title: log.title,
                        description: log.description,
                        icon: log.icon,
                        refusal: e.to_string(),
                    })
                    .await?;
                note(format!("history line refused, kept in our store: {e}"))
            }
            Err(e) => self.chaster_failure(job, "writing the history", &e),
        })
    }

    /// A session event: only Chaster's answer counts, never the body. A lock Chaster shows
    /// running takes custody of a free box (once per session; the start job decides); a session
    /// Chaster no longer knows has ended.
    async fn sync_session(&self, job: &Job, session_id: &SessionId) -> anyhow::Result<Completion> {
        match self.fetch_session(session_id).await {
            Ok(Some(session)) => {
                let has_box = self
                    .store
                    .get_device(&session.lock.user.id)
                    .await?
                    .is_some();
                if session.lock.status == LockStatus::Locked && has_box {
                    let start = self
                        .custody
                        .start_job(session_id, format!("start:{session_id}:seen"));
                    return Ok(Completion {
                        follow_ups: vec![start],
                        ..done()
                    });
                }
                Ok(done())
            }
            Ok(None) => self.session_gone(session_id).await,
            Err(e) => Ok(self.chaster_failure(job, "reading the session", &e)),
        }
    }
}

/// A history line job for `session_id` written as `role`, stamped now (a line Chaster refuses
/// is kept with this time).
pub fn history_job(session_id: &SessionId, role: LogRole, log: &CustomLog) -> NewJob {
    let now = Utc::now();
    JobKind::ChasterLog.job(
        session_id,
        format!("log:{}", uuid::Uuid::new_v4()),
        json!({
            "title": log.title, "description": log.description, "icon": log.icon,
            "role": role_name(role), "at": now.to_rfc3339(),
        }),
        now,
        now + chrono::Duration::days(1),
    )
}

fn role_name(role: LogRole) -> &'static str {
    match role {
        LogRole::Keyholder => "keyholder",
        LogRole::User => "user",
        LogRole::Extension => "extension",
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
        LockStatus::Unknown => {
            tracing::warn!(
                "Chaster sent a lock status this server does not know; treated as not running"
            );
            "unknown"
        }
    }
}

/// The job runtime calls the opener for every job.
impl JobHandler for Opener {
    async fn run(&self, job: &Job) -> Completion {
        Opener::run(self, job).await
    }
}

pub(crate) fn chrono_duration(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::days(365))
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
