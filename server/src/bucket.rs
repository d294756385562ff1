//! A keyed token bucket in its GCRA form: per key only the time at which the bucket will be full
//! again. A request is allowed when that time is at most `burst − 1` intervals ahead; the answer
//! to a refused one is exactly how long to wait.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::configuration::Rate;

/// Beyond this many keys, idle ones are dropped; if all are busy, new keys pass unchecked (the
/// other limit still applies) rather than growing memory without bound.
const DEFAULT_MAX_KEYS: usize = 100_000;
/// Full buckets are forgotten at most this often, so the sweep costs nothing per request.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

pub struct KeyedBucket<K> {
    /// Time one request costs; `None` when the limit is off.
    interval: Option<Duration>,
    /// How far ahead of now a key's "full again" time may be and still allow a request.
    tolerance: Duration,
    max_keys: usize,
    state: Mutex<State<K>>,
}

struct State<K> {
    full_at: HashMap<K, Instant>,
    last_sweep: Option<Instant>,
}

impl<K: Hash + Eq + Clone> KeyedBucket<K> {
    pub fn new(rate: Rate) -> KeyedBucket<K> {
        Self::with_max_keys(rate, DEFAULT_MAX_KEYS)
    }

    pub fn with_max_keys(rate: Rate, max_keys: usize) -> KeyedBucket<K> {
        let interval = (rate.per_minute > 0).then(|| Duration::from_secs(60) / rate.per_minute);
        let tolerance = interval.unwrap_or_default() * rate.burst.saturating_sub(1);
        KeyedBucket {
            interval,
            tolerance,
            max_keys,
            state: Mutex::new(State {
                full_at: HashMap::new(),
                last_sweep: None,
            }),
        }
    }

    /// Whether the limit is on (a rate of 0 turns it off).
    pub fn is_on(&self) -> bool {
        self.interval.is_some()
    }

    /// Takes one request from `key`'s budget, or says how long until one is available.
    pub fn check(&self, key: &K, now: Instant) -> Result<(), Duration> {
        let Some(interval) = self.interval else {
            return Ok(());
        };
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if state
            .last_sweep
            .is_none_or(|last| now.saturating_duration_since(last) >= SWEEP_EVERY)
        {
            state.sweep(now);
        }
        let full_at = state.full_at.get(key).copied().unwrap_or(now).max(now);
        let ahead = full_at - now;
        if ahead > self.tolerance {
            return Err(ahead - self.tolerance);
        }
        if !state.full_at.contains_key(key) && state.full_at.len() >= self.max_keys {
            state.sweep(now);
            if state.full_at.len() >= self.max_keys {
                tracing::warn!(
                    keys = state.full_at.len(),
                    "rate limiter full; not tracking a new client"
                );
                return Ok(());
            }
        }
        state.full_at.insert(key.clone(), full_at + interval);
        Ok(())
    }

    /// Keys whose bucket is not full (tests).
    pub fn tracked_keys(&self) -> usize {
        self.state
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .full_at
            .len()
    }
}

impl<K> State<K> {
    /// Drops keys whose bucket is full again: they behave exactly like unknown keys.
    fn sweep(&mut self, now: Instant) {
        self.full_at.retain(|_, full_at| *full_at > now);
        self.last_sweep = Some(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(per_minute: u32, burst: u32) -> Rate {
        Rate { per_minute, burst }
    }

    #[test]
    fn a_burst_passes_then_one_request_per_interval() {
        let bucket = KeyedBucket::new(rate(30, 3));
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(bucket.check(&"a", t0), Ok(()));
        }
        // 30 a minute: the next request is due 2 s after the first.
        assert_eq!(bucket.check(&"a", t0), Err(Duration::from_secs(2)));
        assert_eq!(
            bucket.check(&"a", t0 + Duration::from_millis(500)),
            Err(Duration::from_millis(1500))
        );
        assert_eq!(bucket.check(&"a", t0 + Duration::from_secs(2)), Ok(()));
        assert!(bucket.check(&"a", t0 + Duration::from_secs(2)).is_err());
    }

    #[test]
    fn keys_have_separate_budgets() {
        let bucket = KeyedBucket::new(rate(60, 1));
        let t0 = Instant::now();
        assert!(bucket.check(&"a", t0).is_ok());
        assert!(bucket.check(&"a", t0).is_err());
        assert!(bucket.check(&"b", t0).is_ok());
    }

    #[test]
    fn refused_requests_do_not_cost_budget() {
        let bucket = KeyedBucket::new(rate(60, 1));
        let t0 = Instant::now();
        assert!(bucket.check(&"a", t0).is_ok());
        for _ in 0..100 {
            assert!(bucket.check(&"a", t0).is_err());
        }
        assert!(bucket.check(&"a", t0 + Duration::from_secs(1)).is_ok());
    }

    #[test]
    fn a_limit_of_zero_is_off() {
        let bucket = KeyedBucket::new(Rate::OFF);
        let t0 = Instant::now();
        for _ in 0..1000 {
            assert!(bucket.check(&"a", t0).is_ok());
        }
        assert_eq!(bucket.tracked_keys(), 0);
    }

    #[test]
    fn idle_keys_are_forgotten_and_memory_stays_bounded() {
        let bucket = KeyedBucket::with_max_keys(rate(60, 2), 2);
        let t0 = Instant::now();
        assert!(bucket.check(&1, t0).is_ok());
        assert!(bucket.check(&2, t0).is_ok());
        // Full: a new key passes unchecked instead of growing the map.
        assert!(bucket.check(&3, t0).is_ok());
        assert_eq!(bucket.tracked_keys(), 2);
        // After their buckets refilled, old keys make room.
        assert!(bucket.check(&3, t0 + Duration::from_secs(2)).is_ok());
        assert_eq!(bucket.tracked_keys(), 1);
    }
}
