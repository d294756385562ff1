//! The durable job runtime: typed jobs ([`JobKind`], [`Lane`], [`JobStatus`]), their settings,
//! the back-off and the workers that claim a job from a [`JobQueue`] (the store), run it through
//! a [`JobHandler`] (the opener), record the outcome, repeat. Jobs live in the database, so a
//! crash loses nothing: a claimed job whose worker died is claimed again once its lease expires.

mod backoff;
mod job;
mod kind;
mod runtime;
mod settings;
mod worker;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::sync::Notify;

pub use backoff::next_attempt;
pub use job::{Completion, Job, NewJob};
pub use kind::{JobKind, JobStatus, Lane};
pub use runtime::{JobHandler, JobQueue};
pub use settings::JobSettings;
pub use worker::Worker;

/// Wakes idle workers when new work was stored, and counts the workers alive. Cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct JobSignal {
    notify: Arc<Notify>,
    alive: Arc<AtomicUsize>,
}

impl JobSignal {
    pub fn wake(&self) {
        self.notify.notify_waiters();
    }

    pub(crate) fn notify(&self) -> &Notify {
        &self.notify
    }

    /// Workers running right now (a supervised worker that panicked is counted again once
    /// restarted).
    pub fn workers_alive(&self) -> usize {
        self.alive.load(Ordering::SeqCst)
    }

    pub(crate) fn alive_guard(&self) -> AliveGuard {
        self.alive.fetch_add(1, Ordering::SeqCst);
        AliveGuard(self.alive.clone())
    }
}

/// Counts a worker while it lives, also when it unwinds.
pub(crate) struct AliveGuard(Arc<AtomicUsize>);

impl Drop for AliveGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}
