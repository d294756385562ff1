//! A short-lived status cache with request coalescing.
//!
//! Each device has a slot guarded by an async mutex: the first reader past the TTL fetches while
//! the others wait on the mutex and then find the fresh value, so N concurrent viewers cost one
//! upstream call per TTL. Failures are cached too, so a failing upstream is not hammered.
//! A generation counter lets a command invalidate the slot without waiting for a read in flight.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use api_types::BoxStatus;
use tokio::time::Instant;

use super::error::DeviceError;

type Cached = Result<BoxStatus, DeviceError>;

struct Entry {
    at: Instant,
    generation: u64,
    value: Cached,
}

#[derive(Default)]
struct Slot {
    generation: AtomicU64,
    entry: tokio::sync::Mutex<Option<Entry>>,
}

pub(crate) struct StatusCache {
    ttl: Duration,
    slots: Mutex<HashMap<String, Arc<Slot>>>,
}

impl StatusCache {
    pub(crate) fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            slots: Mutex::new(HashMap::new()),
        }
    }

    fn slot(&self, key: &str) -> Arc<Slot> {
        self.slots
            .lock()
            .expect("cache poisoned")
            .entry(key.to_owned())
            .or_default()
            .clone()
    }

    /// The cached value if fresh, else the result of `fetch` (run by one caller at a time).
    pub(crate) async fn get_or_fetch<F, Fut>(&self, key: &str, fetch: F) -> Cached
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Cached>,
    {
        let slot = self.slot(key);
        let mut entry = slot.entry.lock().await;
        let generation = slot.generation.load(Ordering::SeqCst);
        if let Some(e) = entry.as_ref() {
            if e.generation == generation && e.at.elapsed() < self.ttl {
                return e.value.clone();
            }
        }
        let value = fetch().await;
        *entry = Some(Entry {
            at: Instant::now(),
            generation,
            value: value.clone(),
        });
        value
    }

    /// Drops the cached value (a command is about to change the state).
    pub(crate) fn invalidate(&self, key: &str) {
        self.slot(key).generation.fetch_add(1, Ordering::SeqCst);
    }

    /// Stores a status read by someone else (the verification after a command).
    pub(crate) async fn put(&self, key: &str, status: BoxStatus) {
        let slot = self.slot(key);
        let generation = slot.generation.fetch_add(1, Ordering::SeqCst) + 1;
        *slot.entry.lock().await = Some(Entry {
            at: Instant::now(),
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
        let cache = Arc::new(StatusCache::new(Duration::from_secs(10)));
        let calls = Arc::new(AtomicUsize::new(0));
        let read = |cache: Arc<StatusCache>, calls: Arc<AtomicUsize>| async move {
            cache
                .get_or_fetch("d", || async {
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
        tokio::time::advance(Duration::from_secs(11)).await;
        read(cache.clone(), calls.clone()).await.unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn invalidation_forces_a_new_fetch_and_put_serves_the_given_status() {
        let cache = StatusCache::new(Duration::from_secs(10));
        cache
            .get_or_fetch("d", || async { Ok(status(LatchState::Locked)) })
            .await
            .unwrap();
        cache.invalidate("d");
        let s = cache
            .get_or_fetch("d", || async { Ok(status(LatchState::Unlocked)) })
            .await
            .unwrap();
        assert_eq!(s.latch, LatchState::Unlocked);
        cache.put("d", status(LatchState::Jammed)).await;
        let s = cache
            .get_or_fetch("d", || async { Ok(status(LatchState::Unknown)) })
            .await
            .unwrap();
        assert_eq!(s.latch, LatchState::Jammed);
    }
}
