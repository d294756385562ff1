//! Per-API-key admission: bans, throttling back-off, pacing, the monthly quota, and the monthly
//! request counter (kept through [`RequestCounter`], which the store implements).
//!
//! Every request to CANDY HOUSE passes [`KeyGate::admit`] first, so all devices sharing a key
//! share one pace (v3: ≤ 1 request/s is never restricted), one ban and one counter. Once CANDY
//! HOUSE says the month's quota is used up, nothing goes out with the key but one probe a day
//! (or one when the wearer asks) until the month turns in the quota's time zone.
//! No lock here panics on poisoning: the state stays usable after any panic elsewhere.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::time::Instant;

use super::budget::{self, QuotaSettings};
use super::error::DeviceError;
use crate::clock::Clock;
use crate::domain::{ApiKey, RequestCounter};

/// One probe a day while the quota is used up.
const QUOTA_PROBE_EVERY: Duration = Duration::from_secs(24 * 3600);

#[derive(Default)]
struct Blocks {
    banned_until: Option<Instant>,
    throttled_until: Option<Instant>,
}

/// The quota of `month` is used up; the next request may go out at `next_probe`.
#[derive(Clone, Debug)]
struct QuotaOut {
    month: String,
    next_probe: DateTime<Utc>,
}

struct KeyState {
    next_slot: tokio::sync::Mutex<Instant>,
    blocks: Mutex<Blocks>,
    /// (month, requests) as last known; the store is the source of truth when present.
    usage: Mutex<Option<(String, u64)>>,
    quota_out: Mutex<Option<QuotaOut>>,
}

/// A request the gate let through; it must be counted.
#[must_use = "an admitted request must be counted"]
pub(crate) struct Admission<'a> {
    gate: &'a KeyGate,
    key: &'a ApiKey,
}

impl Admission<'_> {
    /// Counts the request. Awaited together with the request, not before it: the counter's
    /// commit must not delay an opening, and the count is saved by the time the call returns.
    pub(crate) async fn count(self) {
        self.gate.count(self.key).await
    }
}

pub(crate) struct KeyGate {
    interval: Duration,
    ban_duration: Duration,
    keys: Mutex<HashMap<String, Arc<KeyState>>>,
    counter: Option<Arc<dyn RequestCounter>>,
    quota: QuotaSettings,
    clock: Clock,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// `Instant::now() + d`, saturating instead of panicking.
fn later(d: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(d)
        .or_else(|| now.checked_add(Duration::from_secs(365 * 86_400)))
        .unwrap_or(now)
}

impl KeyGate {
    pub(crate) fn new(
        interval: Duration,
        ban_duration: Duration,
        counter: Option<Arc<dyn RequestCounter>>,
        quota: QuotaSettings,
        clock: Clock,
    ) -> Self {
        Self {
            interval,
            ban_duration,
            keys: Mutex::new(HashMap::new()),
            counter,
            quota,
            clock,
        }
    }

    fn current_month(&self) -> String {
        budget::month_of(&self.quota, self.clock.now())
    }

    fn state(&self, fingerprint: &str) -> Arc<KeyState> {
        let mut keys = lock(&self.keys);
        keys.entry(fingerprint.to_owned())
            .or_insert_with(|| {
                Arc::new(KeyState {
                    next_slot: tokio::sync::Mutex::new(Instant::now()),
                    blocks: Mutex::new(Blocks::default()),
                    usage: Mutex::new(None),
                    quota_out: Mutex::new(None),
                })
            })
            .clone()
    }

    fn check_blocks(state: &KeyState) -> Result<(), DeviceError> {
        let now = Instant::now();
        let blocks = lock(&state.blocks);
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

    /// While the quota is used up: refuses, unless the day's probe is due (then it is taken).
    fn check_quota(&self, state: &KeyState) -> Result<(), DeviceError> {
        let now = self.clock.now();
        let month = budget::month_of(&self.quota, now);
        let mut out = lock(&state.quota_out);
        match out.as_mut() {
            Some(o) if o.month == month => {
                if now < o.next_probe {
                    let wait = (o.next_probe - now).to_std().unwrap_or_default();
                    return Err(DeviceError::QuotaExhausted { next_try: wait });
                }
                // This request is the probe; the next one waits another day.
                o.next_probe = crate::clock::add(now, QUOTA_PROBE_EVERY);
                tracing::info!("probing whether the CANDY HOUSE quota is available again");
                Ok(())
            }
            Some(_) => {
                // A new month: a new quota.
                *out = None;
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// Waits for this key's next request slot. Refuses at once while the key is banned, backing
    /// off or out of quota, without reaching CANDY HOUSE. The caller counts the admitted request
    /// with [`Admission::count`] while it goes out.
    pub(crate) async fn admit<'a>(&'a self, key: &'a ApiKey) -> Result<Admission<'a>, DeviceError> {
        let fingerprint = key.fingerprint();
        let state = self.state(&fingerprint);
        Self::check_blocks(&state)?;
        self.check_quota(&state)?;
        let wait_until = {
            let mut next = state.next_slot.lock().await;
            let slot = (*next).max(Instant::now());
            *next = slot.checked_add(self.interval).unwrap_or(slot);
            slot
        };
        tokio::time::sleep_until(wait_until).await;
        // A request that finished while we waited may have banned the key.
        Self::check_blocks(&state)?;
        Ok(Admission { gate: self, key })
    }

    pub(crate) fn ban(&self, key: &ApiKey) -> Duration {
        let state = self.state(&key.fingerprint());
        lock(&state.blocks).banned_until = Some(later(self.ban_duration));
        tracing::warn!(
            ban_secs = self.ban_duration.as_secs(),
            "CANDY HOUSE denied access; pausing this API key"
        );
        self.ban_duration
    }

    pub(crate) fn throttle(&self, key: &ApiKey, for_: Duration) {
        let state = self.state(&key.fingerprint());
        let until = later(crate::retry_after::cap(for_));
        let mut blocks = lock(&state.blocks);
        blocks.throttled_until = Some(blocks.throttled_until.map_or(until, |u| u.max(until)));
    }

    /// CANDY HOUSE answered `Limit Exceeded`: nothing but a daily probe until the month turns.
    /// Returns how long until the next probe.
    pub(crate) fn quota_exhausted(&self, key: &ApiKey) -> Duration {
        let state = self.state(&key.fingerprint());
        let now = self.clock.now();
        let next_probe = crate::clock::add(now, QUOTA_PROBE_EVERY);
        let first = lock(&state.quota_out).is_none();
        *lock(&state.quota_out) = Some(QuotaOut {
            month: budget::month_of(&self.quota, now),
            next_probe,
        });
        if first {
            tracing::warn!("the monthly CANDY HOUSE quota of an API key is used up; one probe a day until the month turns");
        }
        QUOTA_PROBE_EVERY
    }

    /// A request with the key succeeded: its quota is available.
    pub(crate) fn quota_available(&self, key: &ApiKey) {
        let state = self.state(&key.fingerprint());
        if lock(&state.quota_out).take().is_some() {
            tracing::info!("the CANDY HOUSE quota of an API key is available again");
        }
    }

    /// The wearer asks for a try now (e.g. after buying a paid plan): the next request probes.
    pub(crate) fn probe_now(&self, key: &ApiKey) {
        let state = self.state(&key.fingerprint());
        let mut out = lock(&state.quota_out);
        if let Some(o) = out.as_mut() {
            o.next_probe = self.clock.now();
        }
    }

    /// `Some(time until the next probe)` while the key's quota is used up this month.
    pub(crate) fn quota_out(&self, key: &ApiKey) -> Option<Duration> {
        let state = self.state(&key.fingerprint());
        let now = self.clock.now();
        let month = budget::month_of(&self.quota, now);
        let out = lock(&state.quota_out);
        out.as_ref()
            .filter(|o| o.month == month)
            .map(|o| (o.next_probe - now).to_std().unwrap_or_default())
    }

    /// Counts one request with `key` (the store's counter when there is one).
    async fn count(&self, key: &ApiKey) {
        let fingerprint = key.fingerprint();
        let state = self.state(&fingerprint);
        let month = self.current_month();
        if let Some(counter) = &self.counter {
            match counter.add(&fingerprint, &month).await {
                Ok(total) => {
                    let mut usage = lock(&state.usage);
                    let known = usage
                        .as_ref()
                        .filter(|(m, _)| *m == month)
                        .map_or(0, |(_, n)| *n);
                    *usage = Some((month, known.max(total)));
                    return;
                }
                Err(e) => {
                    tracing::warn!(error = %format!("{e:#}"), "could not persist the API request counter")
                }
            }
        }
        let mut usage = lock(&state.usage);
        match usage.as_mut() {
            Some((m, n)) if *m == month => *n += 1,
            _ => *usage = Some((month, 1)),
        }
    }

    /// Requests made with this key in the current month (in the quota's time zone).
    pub(crate) async fn requests_this_month(&self, key: &ApiKey) -> u64 {
        let fingerprint = key.fingerprint();
        let month = self.current_month();
        let state = self.state(&fingerprint);
        let known = lock(&state.usage)
            .as_ref()
            .filter(|(m, _)| *m == month)
            .map(|(_, n)| *n);
        if let Some(n) = known {
            return n;
        }
        let Some(counter) = &self.counter else {
            return 0;
        };
        match counter.total(&fingerprint, &month).await {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(error = %format!("{e:#}"), "could not read the API request counter");
                0
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate(interval: Duration) -> KeyGate {
        KeyGate::new(
            interval,
            Duration::from_secs(1800),
            None,
            QuotaSettings::default(),
            Clock::manual(),
        )
    }

    #[tokio::test]
    async fn a_used_up_quota_lets_one_probe_a_day_through_until_the_month_turns() {
        let g = gate(Duration::ZERO);
        let key = ApiKey::parse("k1").unwrap();
        g.quota_exhausted(&key);
        assert!(matches!(
            g.admit(&key).await,
            Err(DeviceError::QuotaExhausted { .. })
        ));
        g.clock.advance(Duration::from_secs(24 * 3600));
        assert!(g.admit(&key).await.is_ok(), "the day's probe");
        assert!(g.admit(&key).await.is_err(), "only one");
        g.probe_now(&key);
        assert!(g.admit(&key).await.is_ok(), "the wearer's try");
        assert!(g.admit(&key).await.is_err());
        g.clock.advance(Duration::from_secs(32 * 24 * 3600));
        assert!(g.admit(&key).await.is_ok(), "a new month");
        assert!(g.admit(&key).await.is_ok());
        assert_eq!(g.quota_out(&key), None);
    }

    #[tokio::test(start_paused = true)]
    async fn requests_with_one_key_are_spaced_by_the_interval() {
        let gate = gate(Duration::from_secs(1));
        let key = ApiKey::parse("k1").unwrap();
        let start = Instant::now();
        for _ in 0..3 {
            gate.admit(&key).await.unwrap().count().await;
        }
        assert!(Instant::now() - start >= Duration::from_secs(2));
        let other = ApiKey::parse("k2").unwrap();
        let before = Instant::now();
        gate.admit(&other).await.unwrap().count().await;
        assert_eq!(Instant::now(), before, "another key has its own pace");
        assert_eq!(gate.requests_this_month(&key).await, 3);
    }

    #[tokio::test(start_paused = true)]
    async fn a_banned_key_is_refused_until_the_ban_ends() {
        let gate = gate(Duration::ZERO);
        let key = ApiKey::parse("k1").unwrap();
        gate.ban(&key);
        assert!(matches!(
            gate.admit(&key).await,
            Err(DeviceError::Banned { .. })
        ));
        tokio::time::advance(Duration::from_secs(1801)).await;
        gate.admit(&key).await.unwrap().count().await;
        assert_eq!(
            gate.requests_this_month(&key).await,
            1,
            "refused calls are not counted"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_throttled_key_backs_off() {
        let gate = gate(Duration::ZERO);
        let key = ApiKey::parse("k1").unwrap();
        gate.throttle(&key, Duration::from_secs(60));
        match gate.admit(&key).await {
            Err(DeviceError::Throttled { retry_after }) => {
                assert_eq!(retry_after, Duration::from_secs(60))
            }
            Err(other) => panic!("expected throttled, got {other:?}"),
            Ok(_) => panic!("expected throttled, got admitted"),
        }
    }
}
