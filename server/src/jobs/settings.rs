//! How the job runtime runs: workers, leases, deadlines, back-off, retention.
//! Environment names are listed in ARCHITECTURE.md; `configuration` fills these in.

use std::time::Duration;

#[derive(Clone, Debug)]
pub struct JobSettings {
    /// Concurrent workers (`JOBS_WORKERS`).
    pub workers: usize,
    /// How often an idle worker looks for due jobs (`JOBS_IDLE_POLL_MS`); new webhooks wake it at once.
    pub idle_poll: Duration,
    /// A claimed job is someone else's after this long without a heartbeat (`JOBS_LEASE_SECS`).
    pub lease: Duration,
    /// A box job gives up this long after it was created (`JOBS_DEADLINE_SECS`).
    pub deadline: Duration,
    /// History and penalty calls to Chaster give up after this long.
    pub chaster_deadline: Duration,
    /// First retry delay, doubled per attempt up to `retry_max` (`JOBS_RETRY_BASE_MS`, `JOBS_RETRY_MAX_MS`).
    pub retry_base: Duration,
    pub retry_max: Duration,
    /// Longest back-off of an opening Chaster asked for, which never gives up
    /// (`JOBS_OPEN_RETRY_MAX_SECS`).
    pub open_retry_max: Duration,
    /// The worker starts this long after the server (`JOBS_START_DELAY_MS`; for crash tests).
    pub start_delay: Duration,
    /// Finished jobs and stored webhook bodies are deleted after this long (`JOBS_RETENTION_DAYS`).
    pub retention: Duration,
    /// How long a graceful shutdown waits for running jobs.
    pub shutdown_grace: Duration,
}

impl Default for JobSettings {
    fn default() -> Self {
        JobSettings {
            workers: 8,
            idle_poll: Duration::from_secs(1),
            lease: Duration::from_secs(120),
            deadline: Duration::from_secs(15 * 60),
            chaster_deadline: Duration::from_secs(6 * 3600),
            retry_base: Duration::from_secs(5),
            retry_max: Duration::from_secs(120),
            open_retry_max: Duration::from_secs(3600),
            start_delay: Duration::ZERO,
            retention: Duration::from_secs(30 * 24 * 3600),
            shutdown_grace: Duration::from_secs(10),
        }
    }
}
