//! The shared reading of each box, with request coalescing.
//!
//! Each device has a slot guarded by an async mutex: the first reader past the allowed age
//! fetches while the others wait on the mutex and then find the fresh value, so N concurrent
//! viewers cost one upstream call. How old a reading may be is the caller's: page views and the
//! tamper watch allow what the month's request budget allows (see `budget`). Failures are cached
//! for the short `ttl` only, so a failing upstream is not hammered. A generation counter lets a
//! command invalidate the slot without waiting for a read in flight. Ages are counted with the
//! server's [`Clock`].

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use api_types::BoxStatus;
use chrono::{DateTime, Utc};

use super::error::DeviceError;
use crate::clock::Clock;

type Cached = Result<BoxStatus, DeviceError>;

struct Entry {
    at: DateTime<Utc>,
    generation: u64,
    value: Cached,
}

#[derive(Default)]
struct Slot {
    generation: AtomicU64,
    entry: tokio::sync::Mutex<Option<Entry>>,
    /// The last successful reading and when it was taken (kept across failures).
    last_ok: Mutex<Option<(BoxStatus, DateTime<Utc>)>>,
}

pub(crate) struct StatusCache {
    ttl: Duration,
    clock: Clock,
    slots: Mutex<HashMap<String, Arc<Slot>>>,
}

fn younger(at: DateTime<Utc>, now: DateTime<Utc>, max: Duration) -> bool {
    (now - at).to_std().unwrap_or_default() < max
}

impl StatusCache {
    pub(crate) fn new(ttl: Duration, clock: Clock) -> Self {
        Self {
            ttl,
            clock,
            slots: Mutex::new(HashMap::new()),
        }
    }

    fn slot(&self, key: &str) -> Arc<Slot> {
        self.slots
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(key.to_owned())
            .or_default()
            .clone()
    }

    /// The cached reading if younger than `max_age` (a failure: than the short ttl), else the
    /// result of `fetch` (run by one caller at a time).
    pub(crate) async fn get_or_fetch<F, Fut>(
        &self,
        key: &str,
        max_age: Duration,
        fetch: F,
    ) -> Cached
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Cached>,
    {
        let slot = self.slot(key);
        let mut entry = slot.entry.lock().await;
        let generation = slot.generation.load(Ordering::SeqCst);
        let now = self.clock.now();
        if let Some(e) = entry.as_ref() {
            let allowed = if e.value.is_ok() { max_age } else { self.ttl };
            if e.generation == generation && younger(e.at, now, allowed) {
                return e.value.clone();
            }
        }
        let value = fetch().await;
        let at = self.clock.now();
        if let Ok(status) = &value {
            *slot.last_ok.lock().unwrap_or_else(|p| p.into_inner()) = Some((status.clone(), at));
        }
        *entry = Some(Entry {
            at,
            generation,
            value: value.clone(),
        });
        value
    }

    /// The last successful reading and when it was taken.
    pub(crate) fn last_ok(&self, key: &str) -> Option<(BoxStatus, DateTime<Utc>)> {
        self.slot(key)
            .last_ok
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Drops the cached value (a command is about to change the state).
    pub(crate) fn invalidate(&self, key: &str) {
        self.slot(key).generation.fetch_add(1, Ordering::SeqCst);
    }

    /// Stores a status read by someone else (the verification after a command).
    pub(crate) async fn put(&self, key: &str, status: BoxStatus) {
        let slot = self.slot(key);
        let generation = slot.generation.fetch_add(1, Ordering::SeqCst) + 1;
        let at = self.clock.now();
        *slot.last_ok.lock().unwrap_or_else(|p| p.into_inner()) = Some((status.clone(), at));
        *slot.entry.lock().await = Some(Entry {
            at,
            generation,
            value: Ok(status),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use api_types::LatchState;
    use std::sync::atomic::AtomicUsize;

    fn status(latch: LatchState) -> BoxStatus {
        BoxStatus {
            latch,
            battery_percent: None,
            battery_low: false,
            reachable: true,
            last_update: None,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_readers_share_one_fetch_and_the_ttl_expires() {
        let clock = Clock::manual();
        let cache = Arc::new(StatusCache::new(Duration::from_secs(10), clock.clone()));
        let calls = Arc::new(AtomicUsize::new(0));
        let read = |cache: Arc<StatusCache>, calls: Arc<AtomicUsize>| async move {
            cache
                .get_or_fetch("d", Duration::from_secs(10), || async {
                    calls.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    Ok(status(LatchState::Locked))
                })
                .await
        };
        let readers: Vec<_> = (0..50)
            .map(|_| tokio::spawn(read(cache.clone(), calls.clone())))
            .collect();
        for r in readers {
            r.await.unwrap().unwrap();
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        clock.advance(Duration::from_secs(11));
        read(cache.clone(), calls.clone()).await.unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn invalidation_forces_a_new_fetch_and_put_serves_the_given_status() {
        let cache = StatusCache::new(Duration::from_secs(10), Clock::manual());
        cache
            .get_or_fetch("d", Duration::from_secs(10), || async {
                Ok(status(LatchState::Locked))
            })
            .await
            .unwrap();
        cache.invalidate("d");
        let s = cache
            .get_or_fetch("d", Duration::from_secs(10), || async {
                Ok(status(LatchState::Unlocked))
            })
            .await
            .unwrap();
        assert_eq!(s.latch, LatchState::Unlocked);
        cache.put("d", status(LatchState::Jammed)).await;
        let s = cache
            .get_or_fetch("d", Duration::from_secs(10), || async {
                Ok(status(LatchState::Unknown))
            })
            .await
            .unwrap();
        assert_eq!(s.latch, LatchState::Jammed);
    }
}
