//! [`SesameHub`]: the service the rest of the server holds (in its state) to reach any box.
//!
//! The hub owns the transport of both APIs (their clients, the key gate, the shared readings,
//! the per-box turns and tags); a [`Device`](super::Device) is a handle that works through the
//! hub's methods. The hub never names `Device`: `device.rs` depends on it, not the reverse.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use api_types::{BoxStatus, LatchState};

use super::cache::StatusCache;
use super::error::DeviceError;
use super::gate::KeyGate;
use super::product::model_name;
use super::settings::SesameSettings;
use super::v3::{V3Client, V3Status};
use super::webapi::{WebApiClient, WebStatus};
use crate::domain::{ApiKey, DeviceCredentials, RequestCounter};
use crate::upstream::{Transport, SESAME_BODY_LIMIT};

/// What a registration check learned about a box.
#[derive(Clone, Debug, PartialEq)]
pub struct DeviceProbe {
    /// Human model name ("SESAME 5", "Sesame (original)", …).
    pub model: String,
    /// The nickname CANDY HOUSE knows (v3 only).
    pub nickname: Option<String>,
    pub status: BoxStatus,
}

struct HubInner {
    settings: Arc<SesameSettings>,
    v3: V3Client,
    web: WebApiClient,
    gate: Arc<KeyGate>,
    cache: StatusCache,
    command_locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// The second of the last history tag per box: a tag names its second, so two commands to
    /// one box in one second would carry the same tag, and a proof could find the other's.
    last_tag_second: Mutex<HashMap<String, i64>>,
}

/// Both CANDY HOUSE clients behind one interface, with per-key pacing, bans and counters,
/// per-device command serialization and a coalescing status cache. Cheap to clone.
#[derive(Clone)]
pub struct SesameHub {
    inner: Arc<HubInner>,
}

impl SesameHub {
    /// `counter` persists the monthly request counters (the store); without it they live in
    /// memory only.
    pub fn new(settings: SesameSettings, counter: Option<Arc<dyn RequestCounter>>) -> Self {
        let settings = Arc::new(settings);
        let gate = Arc::new(KeyGate::new(
            settings.request_interval,
            settings.ban_duration,
            counter,
            settings.quota.clone(),
            settings.clock.clone(),
        ));
        // One transport (one connection pool) for both APIs.
        let transport = Transport::new(settings.timeout, SESAME_BODY_LIMIT)
            .expect("the HTTP client configuration is valid");
        Self {
            inner: Arc::new(HubInner {
                v3: V3Client::new(settings.clone(), gate.clone(), transport.clone()),
                web: WebApiClient::new(settings.clone(), gate.clone(), transport),
                cache: StatusCache::new(settings.status_ttl, settings.clock.clone()),
                command_locks: Mutex::new(HashMap::new()),
                last_tag_second: Mutex::new(HashMap::new()),
                gate,
                settings,
            }),
        }
    }

    pub fn settings(&self) -> &SesameSettings {
        &self.inner.settings
    }

    /// The legacy v3 client, for callers that need `list` or `sync`.
    pub fn v3(&self) -> &V3Client {
        &self.inner.v3
    }

    /// The Web API client, for callers that need the history.
    pub fn webapi(&self) -> &WebApiClient {
        &self.inner.web
    }

    /// The key's monthly quota is used up: `Some(time until the next probe)`.
    pub fn quota_out(&self, key: &ApiKey) -> Option<std::time::Duration> {
        self.inner.gate.quota_out(key)
    }

    /// "Try again now": the next request with this key checks the quota at once.
    pub fn probe_quota_now(&self, key: &ApiKey) {
        self.inner.gate.probe_now(key)
    }

    /// Requests made with this key this month (in the quota's time zone), as counted by this server.
    pub async fn requests_this_month(&self, key: &ApiKey) -> u64 {
        self.inner.gate.requests_this_month(key).await
    }

    /// Checks credentials before they are saved: the key must reach the device and its status
    /// must be readable. This proves neither ownership nor the secret (any key reads any UUID):
    /// [`Device::prove_control`](super::Device::prove_control) does. A 5xx is asked again before it counts.
    pub async fn probe(
        &self,
        credentials: &DeviceCredentials,
        product_type: Option<u8>,
    ) -> Result<DeviceProbe, DeviceError> {
        match credentials {
            DeviceCredentials::LegacyV3 { device_id, api_key } => {
                let devices = self.inner.v3.list(api_key).await?;
                let found = devices
                    .into_iter()
                    .find(|d| d.device_id.eq_ignore_ascii_case(device_id.as_str()))
                    .ok_or(DeviceError::NotFound)?;
                let status = self.refresh_status(credentials).await?;
                Ok(DeviceProbe {
                    model: "Sesame (original)".into(),
                    nickname: Some(found.nickname).filter(|n| !n.is_empty()),
                    status,
                })
            }
            DeviceCredentials::WebApi { .. } => {
                let mut failures = 0;
                let status = loop {
                    match self.refresh_status(credentials).await {
                        Err(DeviceError::Upstream {
                            status: Some(s), ..
                        }) if s >= 500 && failures < self.inner.settings.server_error_retries => {
                            failures += 1;
                            tokio::time::sleep(self.inner.settings.retry_backoff * failures).await;
                        }
                        other => break other?,
                    }
                };
                Ok(DeviceProbe {
                    model: model_name(product_type),
                    nickname: None,
                    status,
                })
            }
        }
    }

    /// The shared readings of every box.
    pub(super) fn cache(&self) -> &StatusCache {
        &self.inner.cache
    }

    /// The box's status read upstream now, whichever API drives it.
    pub(super) async fn read_status(
        &self,
        credentials: &DeviceCredentials,
    ) -> Result<BoxStatus, DeviceError> {
        match credentials {
            DeviceCredentials::WebApi { uuid, api_key, .. } => self
                .inner
                .web
                .status(api_key, uuid)
                .await
                .map(|s| self.box_status_from_web(s)),
            DeviceCredentials::LegacyV3 { device_id, api_key } => self
                .inner
                .v3
                .status(api_key, device_id)
                .await
                .map(|s| self.box_status_from_v3(s)),
        }
    }

    /// [`read_status`](Self::read_status), and the reading shared with every viewer.
    pub(super) async fn refresh_status(
        &self,
        credentials: &DeviceCredentials,
    ) -> Result<BoxStatus, DeviceError> {
        let status = self.read_status(credentials).await?;
        self.inner
            .cache
            .put(&cache_key(credentials), status.clone())
            .await;
        Ok(status)
    }

    /// The box's turn: one command at a time per physical box.
    pub(super) fn command_lock(
        &self,
        credentials: &DeviceCredentials,
    ) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self
            .inner
            .command_locks
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        locks.entry(device_key(credentials)).or_default().clone()
    }

    /// Claims `second` for a tag to this box; `false` when a tag already named it (or a later
    /// one), so the caller waits for the next second. The caller holds the box's turn.
    pub(super) fn claim_tag_second(&self, credentials: &DeviceCredentials, second: i64) -> bool {
        let mut last = self
            .inner
            .last_tag_second
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let key = device_key(credentials);
        match last.get(&key) {
            Some(&s) if s >= second => false,
            _ => {
                last.insert(key, second);
                true
            }
        }
    }

    pub(crate) fn box_status_from_web(&self, s: WebStatus) -> BoxStatus {
        BoxStatus {
            latch: s.latch,
            battery_percent: s.battery,
            battery_low: self.is_low(s.battery),
            reachable: s.hub_online,
            last_update: s
                .updated_at
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        }
    }

    pub(crate) fn box_status_from_v3(&self, s: V3Status) -> BoxStatus {
        BoxStatus {
            latch: if s.locked {
                LatchState::Locked
            } else {
                LatchState::Unlocked
            },
            battery_percent: s.battery,
            battery_low: self.is_low(s.battery),
            reachable: s.responsive,
            last_update: None,
        }
    }

    fn is_low(&self, battery: Option<u8>) -> bool {
        battery.is_some_and(|b| b <= self.inner.settings.low_battery_percent)
    }
}

/// Identifies the physical box: commands to it are serialized.
fn device_key(credentials: &DeviceCredentials) -> String {
    match credentials {
        DeviceCredentials::WebApi { uuid, .. } => {
            format!("web:{}", uuid.as_str().to_ascii_uppercase())
        }
        DeviceCredentials::LegacyV3 { device_id, .. } => {
            format!("v3:{}", device_id.as_str().to_ascii_lowercase())
        }
    }
}

/// Identifies a status view: the box as seen through one key.
pub(super) fn cache_key(credentials: &DeviceCredentials) -> String {
    format!(
        "{}:{}",
        device_key(credentials),
        credentials.api_key().fingerprint()
    )
}
