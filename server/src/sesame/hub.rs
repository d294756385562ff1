//! [`SesameHub`]: the service the rest of the server holds (in its state) to reach any box.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use api_types::{BoxStatus, DeviceApi, LatchState};

use super::cache::StatusCache;
use super::device::{Device, DeviceCredentials};
use super::error::DeviceError;
use super::gate::KeyGate;
use super::product::capabilities_of_model;
use super::secret::{model_name, ApiKey};
use super::settings::SesameSettings;
use super::v3::{V3Client, V3Status};
use super::webapi::{WebApiClient, WebStatus};
use crate::store::Store;

/// What a registration check learned about a box.
#[derive(Clone, Debug, PartialEq)]
pub struct DeviceProbe {
    /// Human model name ("SESAME 5", "Sesame (original)", …).
    pub model: String,
    /// The nickname CANDY HOUSE knows (v3 only).
    pub nickname: Option<String>,
    pub status: BoxStatus,
}

pub(crate) struct HubInner {
    pub(crate) settings: Arc<SesameSettings>,
    pub(crate) v3: V3Client,
    pub(crate) web: WebApiClient,
    pub(crate) gate: Arc<KeyGate>,
    pub(crate) cache: StatusCache,
    command_locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// The second of the last history tag per box: a tag names its second, so two commands to
    /// one box in one second would carry the same tag, and a proof could find the other's.
    last_tag_second: Mutex<HashMap<String, i64>>,
}

/// Both CANDY HOUSE clients behind one interface, with per-key pacing, bans and counters,
/// per-device command serialization and a coalescing status cache. Cheap to clone.
#[derive(Clone)]
pub struct SesameHub {
    pub(crate) inner: Arc<HubInner>,
}

impl SesameHub {
    /// `store` persists the monthly request counters; without it they live in memory only.
    pub fn new(settings: SesameSettings, store: Option<Store>) -> Self {
        let settings = Arc::new(settings);
        let gate = Arc::new(KeyGate::new(
            settings.request_interval,
            settings.ban_duration,
            store,
            settings.quota.clone(),
            settings.clock.clone(),
        ));
        Self {
            inner: Arc::new(HubInner {
                v3: V3Client::new(settings.clone(), gate.clone()),
                web: WebApiClient::new(settings.clone(), gate.clone()),
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

    /// A handle on one box.
    pub fn device(&self, credentials: DeviceCredentials) -> Device {
        Device::new(self.clone(), credentials)
    }

    /// A handle on a saved box, limited to what its model accepts (a SESAME Bike only unlocks).
    pub fn device_of_model(&self, credentials: DeviceCredentials, model: &str) -> Device {
        self.device(credentials)
            .with_capabilities(capabilities_of_model(model))
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
    /// [`Device::prove_control`] does. A 5xx is asked again before it counts.
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
                    .find(|d| d.device_id.eq_ignore_ascii_case(device_id))
                    .ok_or(DeviceError::NotFound)?;
                let status = self.device(credentials.clone()).refresh_status().await?;
                Ok(DeviceProbe {
                    model: "Sesame (original)".into(),
                    nickname: Some(found.nickname).filter(|n| !n.is_empty()),
                    status,
                })
            }
            DeviceCredentials::WebApi { .. } => {
                let device = self.device(credentials.clone());
                let mut failures = 0;
                let status = loop {
                    match device.refresh_status().await {
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

    pub(crate) fn command_lock(&self, device_key: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self
            .inner
            .command_locks
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        locks.entry(device_key.to_owned()).or_default().clone()
    }

    /// Claims `second` for a tag to this box; `false` when a tag already named it (or a later
    /// one), so the caller waits for the next second. The caller holds the box's turn.
    pub(crate) fn claim_tag_second(&self, device_key: &str, second: i64) -> bool {
        let mut last = self
            .inner
            .last_tag_second
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        match last.get(device_key) {
            Some(&s) if s >= second => false,
            _ => {
                last.insert(device_key.to_owned(), second);
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

impl DeviceCredentials {
    /// Which API drives this box.
    pub fn api(&self) -> DeviceApi {
        match self {
            Self::WebApi { .. } => DeviceApi::WebApi,
            Self::LegacyV3 { .. } => DeviceApi::LegacyV3,
        }
    }
}
