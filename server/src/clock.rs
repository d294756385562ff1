//! The server's notion of "now" for decisions that wait days (a deserted lock's box opens 7 days
//! later). Real time plus an offset that only tests move, so a week passes in a test without
//! sleeping. Cheap to clone; every clone shares the offset.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

#[derive(Clone, Debug, Default)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::milliseconds(self.offset_ms.load(Ordering::Relaxed))
    }

    /// Moves this clock (and every clone) forward; for tests.
    pub fn advance(&self, by: Duration) {
        self.offset_ms
            .fetch_add(by.num_milliseconds(), Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_a_clone_moves_every_clone() {
        let clock = Clock::default();
        let other = clock.clone();
        other.advance(Duration::days(7));
        assert!(clock.now() - Utc::now() >= Duration::days(7) - Duration::seconds(1));
    }
}
