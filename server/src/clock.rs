//! The server's wall clock. Production reads the system time; tests and the bench use a manual
//! clock that runs with the system time plus an offset they move forward, so a month of
//! schedules, quotas and back-offs passes in seconds while HTTP, the database and the Sesame
//! sign keep real time.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

#[derive(Clone, Debug, Default)]
pub struct Clock {
    /// Nanoseconds added to the system time; `None` for the system clock.
    offset_ns: Option<Arc<AtomicI64>>,
}

impl Clock {
    pub fn system() -> Clock {
        Clock::default()
    }

    /// A clock at the system time that [`advance`](Self::advance) moves forward.
    pub fn manual() -> Clock {
        Clock {
            offset_ns: Some(Arc::new(AtomicI64::new(0))),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        let now = Utc::now();
        let Some(offset) = &self.offset_ns else {
            return now;
        };
        now.checked_add_signed(chrono::Duration::nanoseconds(offset.load(Ordering::SeqCst)))
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }

    /// Moves a manual clock forward (a system clock cannot be moved and ignores this).
    pub fn advance(&self, by: Duration) {
        if let Some(offset) = &self.offset_ns {
            let ns = i64::try_from(by.as_nanos()).unwrap_or(i64::MAX);
            let _ = offset.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |o| {
                Some(o.saturating_add(ns))
            });
        }
    }

    /// `now + by`, saturating instead of overflowing (an upstream may name any wait).
    pub fn after(&self, by: Duration) -> DateTime<Utc> {
        add(self.now(), by)
    }
}

/// `t + by`, capped at the largest time chrono can hold: no arithmetic on waits can panic.
pub fn add(t: DateTime<Utc>, by: Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(by)
        .ok()
        .and_then(|d| t.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_forward_and_huge_waits_saturate() {
        let clock = Clock::manual();
        let before = clock.now();
        clock.advance(Duration::from_secs(30 * 86_400));
        assert!(clock.now() - before >= chrono::Duration::days(30));
        assert_eq!(clock.after(Duration::MAX), DateTime::<Utc>::MAX_UTC);
        clock.advance(Duration::MAX);
        let _ = clock.now();
    }
}
