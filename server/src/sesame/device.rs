//! One box, whichever API is behind it: its handle, and its status (shared or fresh). The
//! commands are in `command.rs`, the proof of control in `proof.rs`.

use api_types::{BoxStatus, LatchState};
use chrono::{DateTime, Utc};

use super::error::DeviceError;
use super::hub::{cache_key, SesameHub};
use super::product::{capabilities_of_model, Capabilities};
use crate::domain::DeviceCredentials;

/// The position a command asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Locked,
    Unlocked,
}

impl Target {
    pub(super) fn latch(self) -> LatchState {
        match self {
            Self::Locked => LatchState::Locked,
            Self::Unlocked => LatchState::Unlocked,
        }
    }

    pub(super) fn opposite(self) -> LatchState {
        match self {
            Self::Locked => LatchState::Unlocked,
            Self::Unlocked => LatchState::Locked,
        }
    }
}

pub(crate) fn latch_words(latch: LatchState) -> &'static str {
    match latch {
        LatchState::Locked => "locked",
        LatchState::Unlocked => "unlocked",
        LatchState::Jammed => "between locked and unlocked (jammed or half-turned)",
        LatchState::Unknown => "in an unknown position",
    }
}

/// A handle on one box, obtained from [`SesameHub::device`]. Cheap to clone.
#[derive(Clone)]
pub struct Device {
    pub(super) hub: SesameHub,
    pub(super) credentials: DeviceCredentials,
    pub(super) caps: Capabilities,
}

impl SesameHub {
    /// A handle on one box.
    pub fn device(&self, credentials: DeviceCredentials) -> Device {
        Device {
            hub: self.clone(),
            credentials,
            caps: Capabilities::LOCK,
        }
    }

    /// A handle on a saved box, limited to what its model accepts (a SESAME Bike only unlocks).
    pub fn device_of_model(&self, credentials: DeviceCredentials, model: &str) -> Device {
        self.device(credentials)
            .with_capabilities(capabilities_of_model(model))
    }
}

impl Device {
    /// The same box, limited to what its model accepts (a SESAME Bike only unlocks).
    pub fn with_capabilities(mut self, caps: Capabilities) -> Self {
        self.caps = caps;
        self
    }

    pub fn capabilities(&self) -> Capabilities {
        self.caps
    }

    pub fn credentials(&self) -> &DeviceCredentials {
        &self.credentials
    }

    /// A history tag for a command sent now that no other command to this box carries (see
    /// `tags`): a tag names its second, so a second command within one second waits for the
    /// next. The caller holds the box's turn.
    pub(super) async fn new_tag(&self) -> String {
        let mut now = Utc::now();
        while !self
            .hub
            .claim_tag_second(&self.credentials, now.timestamp())
        {
            let into_second = u64::from(now.timestamp_subsec_millis());
            tokio::time::sleep(std::time::Duration::from_millis(
                1_001 - into_second.min(1_000),
            ))
            .await;
            now = Utc::now();
        }
        let settings = self.hub.settings();
        settings
            .tag_key
            .tag(&settings.history_tag, self.credentials.device_id(), now)
    }

    /// When our command with this history tag was sent, if the tag is one of ours for this box.
    pub fn our_tag_sent_at(&self, tag: &str) -> Option<DateTime<Utc>> {
        self.hub
            .settings()
            .tag_key
            .sent_at(self.credentials.device_id(), tag)
    }

    /// The shared reading of the box, for page views and the tamper watch: served from the
    /// cache while it is younger than the month's request budget allows, and read again (once,
    /// for every concurrent caller) only when it is older. When only the openings' reserve is
    /// left, or the quota is used up, the last reading is served (its age is shown) and nothing
    /// goes out. Commands read the box fresh instead ([`refresh_status`](Self::refresh_status)).
    pub async fn status(&self) -> Result<BoxStatus, DeviceError> {
        let key = cache_key(&self.credentials);
        let cache = self.hub.cache();
        let refused = match self.max_reading_age().await {
            Ok(max_age) => {
                match cache
                    .get_or_fetch(&key, max_age, || self.read_status())
                    .await
                {
                    Err(e @ DeviceError::QuotaExhausted { .. }) => e,
                    other => return other,
                }
            }
            Err(e) => e,
        };
        match cache.last_ok(&key) {
            Some((status, _)) => Ok(status),
            None => Err(refused),
        }
    }

    /// How old a shared reading may be: the short cache for the legacy API (not metered); for
    /// the Web API, what the month's budget allows. An error when no routine read may go out.
    async fn max_reading_age(&self) -> Result<std::time::Duration, DeviceError> {
        let settings = self.hub.settings();
        let ttl = settings.status_ttl;
        let DeviceCredentials::WebApi { api_key, .. } = &self.credentials else {
            return Ok(ttl);
        };
        if let Some(next_try) = self.hub.quota_out(api_key).filter(|d| !d.is_zero()) {
            return Err(DeviceError::QuotaExhausted { next_try });
        }
        let used = self.hub.requests_this_month(api_key).await;
        let now = settings.clock.now();
        match super::budget::routine_interval(&settings.quota, used, now) {
            Some(interval) => Ok(interval.max(ttl)),
            None => Err(DeviceError::ReserveOnly),
        }
    }

    /// The request budget as the page shows it (`None` for the legacy API, which is not metered).
    pub async fn budget(&self) -> Option<api_types::RequestBudget> {
        let DeviceCredentials::WebApi { api_key, .. } = &self.credentials else {
            return None;
        };
        let settings = self.hub.settings();
        let now = settings.clock.now();
        let age = self
            .hub
            .cache()
            .last_ok(&cache_key(&self.credentials))
            .map(|(_, at)| (now - at).num_seconds().max(0) as u64);
        let quota_out = self.hub.quota_out(api_key);
        Some(api_types::RequestBudget {
            monthly_quota: settings.quota.monthly_quota,
            reserve: settings.quota.opening_reserve,
            reading_age_secs: age,
            // Worded by the page like the error of a command refused for the same reason.
            quota_message: quota_out.map(|_| {
                api_types::Sentence::new("quota_used_up", super::error::QUOTA_MESSAGE, &[])
            }),
            can_retry_now: false,
        })
    }

    /// The status read upstream now (and put in the cache).
    pub async fn refresh_status(&self) -> Result<BoxStatus, DeviceError> {
        self.hub.refresh_status(&self.credentials).await
    }

    /// Requests made with this box's API key this month.
    pub async fn requests_this_month(&self) -> u64 {
        self.hub
            .requests_this_month(self.credentials.api_key())
            .await
    }

    pub(super) async fn read_status(&self) -> Result<BoxStatus, DeviceError> {
        self.hub.read_status(&self.credentials).await
    }
}
