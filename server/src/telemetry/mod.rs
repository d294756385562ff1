//! Logging: a tracing subscriber filtered by `RUST_LOG`, and the HTTP layer ([`AccessLayer`],
//! around the whole application) that gives every request an id and a span. Credentials are
//! marked sensitive before anything can log them, and spans carry the path only (a query
//! string could carry anything).
//!
//! The access log is sampled at the default `info` filter: one request in [`ACCESS_LOG_SAMPLE`]
//! gets an `info` span and an "answered" line; every request gets them at `debug`
//! (`RUST_LOG=info,server::telemetry=debug`). Formatting a span and writing a line for every
//! request was the largest avoidable cost of a cached `/api/session`. Failures (5xx) are always
//! logged, at `error`.

mod access;

use tracing_subscriber::EnvFilter;

pub use access::{Access, AccessLayer, ACCESS_LOG_SAMPLE};

/// Installs the global subscriber; a second call (several tests in one process) is a no-op.
pub fn init_subscriber(default_filter: &str) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
}

/// Lets a repeated warning through at most once per `every`, counting what it held back, so an
/// attacker cannot fill the log (e.g. with failed webhook logins).
pub struct LogThrottle {
    every_ms: i64,
    last_ms: std::sync::atomic::AtomicI64,
    held_back: std::sync::atomic::AtomicU64,
}

impl LogThrottle {
    pub const fn new(every: std::time::Duration) -> LogThrottle {
        LogThrottle {
            every_ms: every.as_millis() as i64,
            last_ms: std::sync::atomic::AtomicI64::new(i64::MIN),
            held_back: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// `Some(how many were held back since the last one)` when this one may be logged.
    pub fn allow(&self) -> Option<u64> {
        use std::sync::atomic::Ordering;
        let now = chrono::Utc::now().timestamp_millis();
        let last = self.last_ms.load(Ordering::SeqCst);
        if now.saturating_sub(last) >= self.every_ms
            && self
                .last_ms
                .compare_exchange(last, now, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
        {
            return Some(self.held_back.swap(0, Ordering::SeqCst));
        }
        self.held_back.fetch_add(1, Ordering::SeqCst);
        None
    }
}

#[cfg(test)]
mod throttle_tests {
    use super::LogThrottle;

    #[test]
    fn a_flood_of_warnings_logs_one_and_counts_the_rest() {
        let throttle = LogThrottle::new(std::time::Duration::from_secs(3600));
        assert_eq!(throttle.allow(), Some(0));
        for _ in 0..1000 {
            assert_eq!(throttle.allow(), None);
        }
    }
}
