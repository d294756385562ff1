//! The server's one clock for everything that schedules: job claims and leases, penalty bounds,
//! the 7-day desertion wait, quotas and back-offs. It is the system time plus an offset that only
//! tests and the bench move forward, so a week or a month passes in seconds while HTTP, the
//! database and the Sesame sign keep real time. In production the offset stays zero.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

/// Cheap to clone; every clone shares the offset.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    /// Nanoseconds added to the system time.
    offset_ns: Arc<AtomicI64>,
}

/// A span to move the clock by: a `std` or a `chrono` duration.
pub trait Span {
    /// Nanoseconds, saturating.
    fn nanos(self) -> i64;
}

impl Span for Duration {
    fn nanos(self) -> i64 {
        i64::try_from(self.as_nanos()).unwrap_or(i64::MAX)
    }
}

impl Span for chrono::Duration {
    fn nanos(self) -> i64 {
        self.num_nanoseconds()
            .unwrap_or(if self < chrono::Duration::zero() {
                i64::MIN
            } else {
                i64::MAX
            })
    }
}

impl Clock {
    /// The system time (production).
    pub fn system() -> Clock {
        Clock::default()
    }

    /// A clock that tests move forward with [`advance`](Self::advance); it starts at the system
    /// time. (Any clock can be moved; the name says what the caller means to do.)
    pub fn manual() -> Clock {
        Clock::default()
    }

    pub fn now(&self) -> DateTime<Utc> {
        let offset = chrono::Duration::nanoseconds(self.offset_ns.load(Ordering::SeqCst));
        Utc::now()
            .checked_add_signed(offset)
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }

    /// Moves this clock and every clone forward.
    pub fn advance(&self, by: impl Span) {
        let ns = by.nanos();
        let _ = self
            .offset_ns
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |o| {
                Some(o.saturating_add(ns))
            });
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
    fn advancing_one_clone_moves_every_clone() {
        let clock = Clock::manual();
        let other = clock.clone();
        let before = other.now();
        clock.advance(chrono::Duration::hours(25));
        assert!(other.now() - before >= chrono::Duration::hours(25));
    }

    #[test]
    fn a_clock_moves_a_month_forward_and_huge_waits_saturate() {
        let clock = Clock::manual();
        let before = clock.now();
        clock.advance(Duration::from_secs(30 * 86_400));
        assert!(clock.now() - before >= chrono::Duration::days(30));
        assert_eq!(clock.after(Duration::MAX), DateTime::<Utc>::MAX_UTC);
        clock.advance(Duration::MAX);
        let _ = clock.now();
    }
}
