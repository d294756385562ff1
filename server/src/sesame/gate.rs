//! Per-API-key admission: bans, throttling back-off, pacing, and the monthly request counter.
//!
//! Every request to CANDY HOUSE passes [`KeyGate::admit`] first, so all devices sharing a key
//! share one pace (v3: ≤ 1 request/s is never restricted), one ban and one counter.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

use super::error::DeviceError;
use super::secret::ApiKey;
use crate::store::Store;

#[derive(Default)]
struct Blocks {
    banned_until: Option<Instant>,
    throttled_until: Option<Instant>,
}

struct KeyState {
    next_slot: tokio::sync::Mutex<Instant>,
    blocks: Mutex<Blocks>,
    /// (month, requests) as last known; the store is the source of truth when present.
    usage: Mutex<Option<(String, u64)>>,
}

pub(crate) struct KeyGate {
    interval: Duration,
    ban_duration: Duration,
    keys: Mutex<HashMap<String, Arc<KeyState>>>,
    store: Option<Store>,
}

fn current_month() -> String {
    chrono::Utc::now().format("%Y-%m").to_string()
}

impl KeyGate {
    pub(crate) fn new(interval: Duration, ban_duration: Duration, store: Option<Store>) -> Self {
        Self {
            interval,
            ban_duration,
            keys: Mutex::new(HashMap::new()),
            store,
        }
    }

    fn state(&self, fingerprint: &str) -> Arc<KeyState> {
        let mut keys = self.keys.lock().expect("key registry poisoned");
        keys.entry(fingerprint.to_owned())
            .or_insert_with(|| {
                Arc::new(KeyState {
                    next_slot: tokio::sync::Mutex::new(Instant::now()),
                    blocks: Mutex::new(Blocks::default()),
                    usage: Mutex::new(None),
                })
            })
            .clone()
    }

    fn check_blocks(state: &KeyState) -> Result<(), DeviceError> {
        let now = Instant::now();
        let blocks = state.blocks.lock().expect("blocks poisoned");
        if let Some(until) = blocks.banned_until.filter(|u| *u > now) {
            return Err(DeviceError::Banned {
                remaining: until - now,
            });
        }
        if let Some(until) = blocks.throttled_until.filter(|u| *u > now) {
            return Err(DeviceError::Throttled {
                retry_after: until - now,
            });
        }
        Ok(())
    }

    /// Waits for this key's next request slot, then counts the request. Refuses at once while
    /// the key is banned or backing off, without reaching CANDY HOUSE.
    pub(crate) async fn admit(&self, key: &ApiKey) -> Result<(), DeviceError> {
        let fingerprint = key.fingerprint();
        let state = self.state(&fingerprint);
        Self::check_blocks(&state)?;
        let wait_until = {
            let mut next = state.next_slot.lock().await;
            let slot = (*next).max(Instant::now());
            *next = slot + self.interval;
            slot
        };
        tokio::time::sleep_until(wait_until).await;
        // A request that finished while we waited may have banned the key.
        Self::check_blocks(&state)?;
        self.count(&fingerprint, &state).await;
        Ok(())
    }

    pub(crate) fn ban(&self, key: &ApiKey) -> Duration {
        let state = self.state(&key.fingerprint());
        state.blocks.lock().expect("blocks poisoned").banned_until =
            Some(Instant::now() + self.ban_duration);
        tracing::warn!(
            ban_secs = self.ban_duration.as_secs(),
            "CANDY HOUSE denied access; pausing this API key"
        );
        self.ban_duration
    }

    pub(crate) fn throttle(&self, key: &ApiKey, for_: Duration) {
        let state = self.state(&key.fingerprint());
        let until = Instant::now() + for_;
        let mut blocks = state.blocks.lock().expect("blocks poisoned");
        blocks.throttled_until = Some(blocks.throttled_until.map_or(until, |u| u.max(until)));
    }

    async fn count(&self, fingerprint: &str, state: &KeyState) {
        let month = current_month();
        if let Some(store) = &self.store {
            match store.add_api_usage(fingerprint, &month).await {
                Ok(total) => {
                    let mut usage = state.usage.lock().expect("usage poisoned");
                    let known = usage
                        .as_ref()
                        .filter(|(m, _)| *m == month)
                        .map_or(0, |(_, n)| *n);
                    *usage = Some((month, known.max(total)));
                    return;
                }
                Err(e) => tracing::warn!(error = %e, "could not persist the API request counter"),
            }
        }
        let mut usage = state.usage.lock().expect("usage poisoned");
        match usage.as_mut() {
            Some((m, n)) if *m == month => *n += 1,
            _ => *usage = Some((month, 1)),
        }
    }

    /// Requests made with this key in the current calendar month (UTC).
    pub(crate) async fn requests_this_month(&self, key: &ApiKey) -> u64 {
        let fingerprint = key.fingerprint();
        let month = current_month();
        let state = self.state(&fingerprint);
        let known = state
            .usage
            .lock()
            .expect("usage poisoned")
            .as_ref()
            .filter(|(m, _)| *m == month)
            .map(|(_, n)| *n);
        if let Some(n) = known {
            return n;
        }
        let Some(store) = &self.store else { return 0 };
        match store.api_usage(&fingerprint, &month).await {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(error = %e, "could not read the API request counter");
                0
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn requests_with_one_key_are_spaced_by_the_interval() {
        let gate = KeyGate::new(Duration::from_secs(1), Duration::from_secs(1800), None);
        let key = ApiKey::parse("k1").unwrap();
        let start = Instant::now();
        for _ in 0..3 {
            gate.admit(&key).await.unwrap();
        }
        assert!(Instant::now() - start >= Duration::from_secs(2));
        let other = ApiKey::parse("k2").unwrap();
        let before = Instant::now();
        gate.admit(&other).await.unwrap();
        assert_eq!(Instant::now(), before, "another key has its own pace");
        assert_eq!(gate.requests_this_month(&key).await, 3);
    }

    #[tokio::test(start_paused = true)]
    async fn a_banned_key_is_refused_until_the_ban_ends() {
        let gate = KeyGate::new(Duration::ZERO, Duration::from_secs(1800), None);
        let key = ApiKey::parse("k1").unwrap();
        gate.ban(&key);
        assert!(matches!(
            gate.admit(&key).await,
            Err(DeviceError::Banned { .. })
        ));
        tokio::time::advance(Duration::from_secs(1801)).await;
        assert!(gate.admit(&key).await.is_ok());
        assert_eq!(
            gate.requests_this_month(&key).await,
            1,
            "refused calls are not counted"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_throttled_key_backs_off() {
        let gate = KeyGate::new(Duration::ZERO, Duration::from_secs(1800), None);
        let key = ApiKey::parse("k1").unwrap();
        gate.throttle(&key, Duration::from_secs(60));
        match gate.admit(&key).await {
            Err(DeviceError::Throttled { retry_after }) => {
                assert_eq!(retry_after, Duration::from_secs(60))
            }
            other => panic!("expected throttled, got {other:?}"),
        }
    }
}
