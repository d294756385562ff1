//! mainToken → session, with a short cache: Chaster is asked at most once per token per TTL, and
//! concurrent misses for one token share ONE upstream call. Tokens are kept only as SHA-256
//! fingerprints. Tokens Chaster does not know (or no longer knows) are remembered for a short
//! `negative_ttl`, and misses per client address have their own budget, well below Chaster's:
//! a flood of random tokens from one address must not spend the Chaster budget others need.
//! Other failures are handed to the requests that waited for them, then forgotten.

mod bearer;
mod session;

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use futures::future::{BoxFuture, FutureExt, Shared};

pub use bearer::{bearer_token, Admitted, CurrentSession};
pub use session::ResolvedSession;

use crate::bucket::KeyedBucket;
use crate::chaster::{ChasterClient, ChasterError};
use crate::configuration::SessionCacheSettings;
use crate::domain::{MainToken, SessionId};

type Lookup = Result<Arc<ResolvedSession>, ChasterError>;
type SharedLookup = Shared<BoxFuture<'static, Lookup>>;
type Key = [u8; 32];

/// A lookup nobody awaited for this long is dropped (its requests were all cancelled).
const PENDING_STALE_AFTER: Duration = Duration::from_secs(120);
/// Lower bound between two sweeps, so a tiny TTL does not make every request scan the cache.
const MIN_SWEEP_INTERVAL: Duration = Duration::from_secs(1);

pub struct TokenResolver {
    client: ChasterClient,
    settings: SessionCacheSettings,
    cache: Arc<Mutex<Cache>>,
    /// Cache misses per client address.
    misses: KeyedBucket<IpAddr>,
}

struct Cache {
    entries: HashMap<Key, Slot>,
    next_generation: u64,
    last_sweep: Instant,
}

enum Slot {
    /// A lookup in flight; `generation` tells a finished lookup whether its slot is still its own.
    Pending {
        generation: u64,
        started: Instant,
        lookup: SharedLookup,
    },
    Ready {
        session: Arc<ResolvedSession>,
        expires: Instant,
    },
    /// Chaster said it does not know the token (401/404).
    Refused {
        error: ChasterError,
        expires: Instant,
    },
}

impl TokenResolver {
    pub fn new(client: ChasterClient, settings: SessionCacheSettings) -> TokenResolver {
        let cache = Cache {
            entries: HashMap::new(),
            next_generation: 0,
            last_sweep: Instant::now(),
        };
        TokenResolver {
            client,
            misses: KeyedBucket::new(settings.misses_per_ip),
            settings,
            cache: Arc::new(Mutex::new(cache)),
        }
    }

    /// The session behind `token`, from the cache or from Chaster.
    pub async fn resolve(&self, token: &MainToken) -> Result<Arc<ResolvedSession>, ChasterError> {
        self.resolve_from(token, None).await
    }

    /// Like [`resolve`](Self::resolve), a miss charged to the client's address budget.
    pub async fn resolve_from(
        &self,
        token: &MainToken,
        client: Option<IpAddr>,
    ) -> Result<Arc<ResolvedSession>, ChasterError> {
        let key = token.fingerprint();
        let lookup = {
            let mut cache = lock(&self.cache);
            let now = Instant::now();
            if now.duration_since(cache.last_sweep) >= self.settings.ttl.max(MIN_SWEEP_INTERVAL) {
                cache.sweep(now);
            }
            match cache.entries.get(&key) {
                Some(Slot::Ready { session, expires }) if *expires > now => {
                    tracing::debug!(token = %token.log_id(), "session cache hit");
                    return Ok(session.clone());
                }
                Some(Slot::Refused { error, expires }) if *expires > now => {
                    return Err(error.clone());
                }
                Some(Slot::Pending { lookup, .. }) => lookup.clone(),
                _ => {
                    if let Some(ip) = client {
                        if let Err(wait) = self.misses.check(&ip, now) {
                            tracing::debug!("too many unknown tokens from one address");
                            return Err(ChasterError::RateLimited {
                                retry_after: Some(Duration::from_secs(wait.as_secs().max(1))),
                            });
                        }
                    }
                    cache.next_generation += 1;
                    let generation = cache.next_generation;
                    let lookup = self.start_lookup(token.clone(), key, generation);
                    let slot = Slot::Pending {
                        generation,
                        started: now,
                        lookup: lookup.clone(),
                    };
                    cache.insert(key, slot, now, &self.settings);
                    lookup
                }
            }
        };
        lookup.await
    }

    /// Forgets a token, e.g. after an action changed what its session shows.
    pub fn invalidate(&self, token: &MainToken) {
        lock(&self.cache).entries.remove(&token.fingerprint());
    }

    /// Forgets every token of a session after an action changed it, so the other viewers (e.g.
    /// the wearer, when the keyholder acted) do not see the old state until their entry expires.
    /// Lookups still in flight may have read Chaster before the action; they are dropped too
    /// (their waiting requests still get their answer, it is just not cached). Lookups of other
    /// sessions dropped this way only cost one more Chaster call.
    pub fn invalidate_session(&self, session_id: &SessionId) {
        lock(&self.cache).entries.retain(|_, slot| match slot {
            Slot::Ready { session, .. } => session.session_id != *session_id,
            Slot::Refused { .. } => true,
            Slot::Pending { .. } => false,
        });
    }

    /// How many tokens the cache holds (pending or ready).
    pub fn cached_tokens(&self) -> usize {
        lock(&self.cache).entries.len()
    }

    /// The upstream call, shared by every request for this token until it finishes. It stores
    /// its own result, so it completes the cache even if the request that started it went away.
    fn start_lookup(&self, token: MainToken, key: Key, generation: u64) -> SharedLookup {
        let client = self.client.clone();
        let cache: Weak<Mutex<Cache>> = Arc::downgrade(&self.cache);
        let ttl = self.settings.ttl;
        let negative_ttl = self.settings.negative_ttl;
        async move {
            tracing::debug!(token = %token.log_id(), "resolving session with Chaster");
            let result = client
                .get_session_auth(&token)
                .await
                .and_then(ResolvedSession::from_auth)
                .map(Arc::new);
            if let Some(cache) = cache.upgrade() {
                let mut cache = lock(&cache);
                let ours = matches!(cache.entries.get(&key),
                    Some(Slot::Pending { generation: g, .. }) if *g == generation);
                if ours {
                    match &result {
                        Ok(session) => {
                            let expires = Instant::now() + ttl;
                            let slot = Slot::Ready {
                                session: session.clone(),
                                expires,
                            };
                            cache.entries.insert(key, slot);
                        }
                        Err(error @ (ChasterError::Unauthorized | ChasterError::NotFound))
                            if !negative_ttl.is_zero() =>
                        {
                            let slot = Slot::Refused {
                                error: error.clone(),
                                expires: Instant::now() + negative_ttl,
                            };
                            cache.entries.insert(key, slot);
                        }
                        Err(_) => {
                            cache.entries.remove(&key);
                        }
                    }
                }
            }
            result
        }
        .boxed()
        .shared()
    }
}

impl Cache {
    fn insert(&mut self, key: Key, slot: Slot, now: Instant, settings: &SessionCacheSettings) {
        if self.entries.len() >= settings.max_entries {
            self.sweep(now);
        }
        if self.entries.len() >= settings.max_entries {
            // Still full of live sessions: drop the one closest to expiry.
            let oldest = self
                .entries
                .iter()
                .filter_map(|(k, s)| match s {
                    Slot::Ready { expires, .. } | Slot::Refused { expires, .. } => {
                        Some((*k, *expires))
                    }
                    Slot::Pending { .. } => None,
                })
                .min_by_key(|(_, expires)| *expires);
            if let Some((k, _)) = oldest {
                self.entries.remove(&k);
            }
        }
        self.entries.insert(key, slot);
    }

    /// Drops expired sessions and abandoned lookups.
    fn sweep(&mut self, now: Instant) {
        self.entries.retain(|_, slot| match slot {
            Slot::Ready { expires, .. } | Slot::Refused { expires, .. } => *expires > now,
            Slot::Pending { started, .. } => now.duration_since(*started) < PENDING_STALE_AFTER,
        });
        self.last_sweep = now;
    }
}

/// The cache holds no invariant a panic could break, so a poisoned lock is still usable.
fn lock(cache: &Mutex<Cache>) -> MutexGuard<'_, Cache> {
    cache
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
