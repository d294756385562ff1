//! What the runtime needs from its surroundings: a durable queue to claim from (the store) and
//! a handler that carries out one attempt of a job (the opener). Naming neither keeps `jobs`
//! free of the code that uses it.

use std::future::Future;

use chrono::{DateTime, Utc};

use super::{Completion, Job};

/// The durable queue the workers claim from.
pub trait JobQueue: Clone + Send + Sync + 'static {
    type Error: std::fmt::Display + Send;

    /// Takes the next runnable job, leased until `lease_until`.
    fn claim_job(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<Job>, Self::Error>> + Send;

    /// Extends the lease of a job still running.
    fn renew_lease(
        &self,
        id: &str,
        until: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send;

    /// Records how an attempt ended, with its follow-up jobs, atomically.
    fn complete_job(
        &self,
        id: &str,
        completion: &Completion,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send;

    /// [`complete_job`](Self::complete_job), then [`claim_job`](Self::claim_job), atomically
    /// (one commit for both).
    fn complete_and_claim(
        &self,
        id: &str,
        completion: &Completion,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<Job>, Self::Error>> + Send;
}

/// Carries out one attempt of a job and says what happens next.
pub trait JobHandler: Clone + Send + Sync + 'static {
    fn run(&self, job: &Job) -> impl Future<Output = Completion> + Send;
}
