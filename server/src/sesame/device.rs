//! One box, whichever API is behind it: status, lock, unlock, each verified.

use api_types::{BoxStatus, CommandOutcome, CommandResult, LatchState};
use chrono::{DateTime, Utc};

use super::error::DeviceError;
use super::hub::SesameHub;
use super::secret::{ApiKey, DeviceSecret};
use super::v3::V3Command;
use super::webapi::WebCommand;

/// What is needed to drive one box. `Debug` shows ids only, never a credential.
#[derive(Clone, Debug)]
pub enum DeviceCredentials {
    WebApi {
        uuid: String,
        api_key: ApiKey,
        secret: DeviceSecret,
    },
    LegacyV3 {
        device_id: String,
        api_key: ApiKey,
    },
}

impl DeviceCredentials {
    pub fn api_key(&self) -> &ApiKey {
        match self {
            Self::WebApi { api_key, .. } | Self::LegacyV3 { api_key, .. } => api_key,
        }
    }

    /// The Web API UUID or the v3 device id.
    pub fn device_id(&self) -> &str {
        match self {
            Self::WebApi { uuid, .. } => uuid,
            Self::LegacyV3 { device_id, .. } => device_id,
        }
    }

    /// Identifies the physical box: commands to it are serialized.
    fn device_key(&self) -> String {
        match self {
            Self::WebApi { uuid, .. } => format!("web:{}", uuid.to_ascii_uppercase()),
            Self::LegacyV3 { device_id, .. } => format!("v3:{}", device_id.to_ascii_lowercase()),
        }
    }

    /// Identifies a status view: the box as seen through one key.
    fn cache_key(&self) -> String {
        format!("{}:{}", self.device_key(), self.api_key().fingerprint())
    }
}

/// The position a command asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Locked,
    Unlocked,
}

impl Target {
    fn latch(self) -> LatchState {
        match self {
            Self::Locked => LatchState::Locked,
            Self::Unlocked => LatchState::Unlocked,
        }
    }

    fn opposite(self) -> LatchState {
        match self {
            Self::Locked => LatchState::Unlocked,
            Self::Unlocked => LatchState::Locked,
        }
    }
}

fn latch_words(latch: LatchState) -> &'static str {
    match latch {
        LatchState::Locked => "locked",
        LatchState::Unlocked => "unlocked",
        LatchState::Moving => "moving",
        LatchState::Unknown => "in an unknown position",
    }
}

/// How long before our send time a status timestamp still counts as a reaction to it
/// (clock skew between us and CANDY HOUSE).
const FRESHNESS_SKEW_SECS: i64 = 1;

/// A handle on one box, obtained from [`SesameHub::device`]. Cheap to clone.
#[derive(Clone)]
pub struct Device {
    hub: SesameHub,
    credentials: DeviceCredentials,
}

impl Device {
    pub(crate) fn new(hub: SesameHub, credentials: DeviceCredentials) -> Self {
        Self { hub, credentials }
    }

    pub fn credentials(&self) -> &DeviceCredentials {
        &self.credentials
    }

    /// The shared reading of the box, for page views and the tamper watch: served from the
    /// cache while it is younger than the month's request budget allows, and read again (once,
    /// for every concurrent caller) only when it is older. When only the openings' reserve is
    /// left, or the quota is used up, the last reading is served (its age is shown) and nothing
    /// goes out. Commands read the box fresh instead ([`refresh_status`](Self::refresh_status)).
    pub async fn status(&self) -> Result<BoxStatus, DeviceError> {
        let key = self.credentials.cache_key();
        let cache = &self.hub.inner.cache;
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
        let inner = &self.hub.inner;
        let ttl = inner.settings.status_ttl;
        let DeviceCredentials::WebApi { api_key, .. } = &self.credentials else {
            return Ok(ttl);
        };
        if let Some(next_try) = inner.gate.quota_out(api_key).filter(|d| !d.is_zero()) {
            return Err(DeviceError::QuotaExhausted { next_try });
        }
        let used = inner.gate.requests_this_month(api_key).await;
        let now = inner.settings.clock.now();
        match super::budget::routine_interval(&inner.settings.quota, used, now) {
            Some(interval) => Ok(interval.max(ttl)),
            None => Err(DeviceError::ReserveOnly),
        }
    }

    /// The request budget as the page shows it (`None` for the legacy API, which is not metered).
    pub async fn budget(&self) -> Option<api_types::RequestBudget> {
        let DeviceCredentials::WebApi { api_key, .. } = &self.credentials else {
            return None;
        };
        let inner = &self.hub.inner;
        let now = inner.settings.clock.now();
        let age = inner
            .cache
            .last_ok(&self.credentials.cache_key())
            .map(|(_, at)| (now - at).num_seconds().max(0) as u64);
        let quota_out = inner.gate.quota_out(api_key);
        Some(api_types::RequestBudget {
            monthly_quota: inner.settings.quota.monthly_quota,
            reserve: inner.settings.quota.opening_reserve,
            reading_age_secs: age,
            quota_message: quota_out.map(|_| super::error::QUOTA_MESSAGE.to_owned()),
            can_retry_now: false,
        })
    }

    /// The status read upstream now (and put in the cache).
    pub async fn refresh_status(&self) -> Result<BoxStatus, DeviceError> {
        let status = self.read_status().await?;
        self.hub
            .inner
            .cache
            .put(&self.credentials.cache_key(), status.clone())
            .await;
        Ok(status)
    }

    /// Requests made with this box's API key this month.
    pub async fn requests_this_month(&self) -> u64 {
        self.hub
            .requests_this_month(self.credentials.api_key())
            .await
    }

    async fn read_status(&self) -> Result<BoxStatus, DeviceError> {
        let inner = &self.hub.inner;
        match &self.credentials {
            DeviceCredentials::WebApi { uuid, api_key, .. } => inner
                .web
                .status(api_key, uuid)
                .await
                .map(|s| self.hub.box_status_from_web(s)),
            DeviceCredentials::LegacyV3 { device_id, api_key } => inner
                .v3
                .status(api_key, device_id)
                .await
                .map(|s| self.hub.box_status_from_v3(s)),
        }
    }

    pub async fn lock(&self) -> Result<CommandResult, DeviceError> {
        self.command(Target::Locked).await
    }

    pub async fn unlock(&self) -> Result<CommandResult, DeviceError> {
        self.command(Target::Unlocked).await
    }

    /// Sends the command, then re-reads the status until it shows the target (or the attempts
    /// run out). One command at a time per box; others wait their turn.
    pub async fn command(&self, target: Target) -> Result<CommandResult, DeviceError> {
        let lock = self.hub.command_lock(&self.credentials.device_key());
        let _turn = lock.lock().await;
        let cache_key = self.credentials.cache_key();
        self.hub.inner.cache.invalidate(&cache_key);
        let sent_at = Utc::now();
        let task_succeeded = self.send(target).await?;
        let (outcome, status) = self.verify(target, sent_at, task_succeeded).await;
        if let Some(status) = &status {
            self.hub.inner.cache.put(&cache_key, status.clone()).await;
        }
        self.report(target, outcome, status, task_succeeded)
    }

    /// Returns whether CANDY HOUSE reported the command as carried out (v3 tasks only).
    async fn send(&self, target: Target) -> Result<bool, DeviceError> {
        let inner = &self.hub.inner;
        match &self.credentials {
            DeviceCredentials::WebApi {
                uuid,
                api_key,
                secret,
            } => {
                let cmd = if target == Target::Locked {
                    WebCommand::Lock
                } else {
                    WebCommand::Unlock
                };
                inner.web.command(api_key, uuid, secret, cmd).await?;
                Ok(false)
            }
            DeviceCredentials::LegacyV3 { device_id, api_key } => {
                let cmd = if target == Target::Locked {
                    V3Command::Lock
                } else {
                    V3Command::Unlock
                };
                match inner.v3.command(api_key, device_id, cmd).await {
                    Ok(()) => Ok(true),
                    // The task may still complete: let the status tell.
                    Err(DeviceError::Timeout { .. }) => Ok(false),
                    Err(DeviceError::LowBattery { .. }) => {
                        let percent = self.status().await.ok().and_then(|s| s.battery_percent);
                        Err(DeviceError::LowBattery { percent })
                    }
                    Err(e) => Err(e),
                }
            }
        }
    }

    async fn verify(
        &self,
        target: Target,
        sent_at: DateTime<Utc>,
        task_succeeded: bool,
    ) -> (Option<CommandOutcome>, Option<BoxStatus>) {
        let settings = &self.hub.inner.settings.verify;
        let mut last = None;
        for _ in 0..settings.attempts.max(1) {
            tokio::time::sleep(settings.delay).await;
            let Ok(status) = self.read_status().await else {
                continue;
            };
            let fresh = task_succeeded || is_fresh(&status, sent_at);
            let outcome = if status.latch == target.latch() {
                Some(CommandOutcome::Confirmed)
            } else if status.latch == target.opposite() && fresh {
                Some(CommandOutcome::Mismatch)
            } else {
                None
            };
            last = Some(status);
            if outcome.is_some() {
                return (outcome, last);
            }
        }
        (None, last)
    }

    fn report(
        &self,
        target: Target,
        outcome: Option<CommandOutcome>,
        status: Option<BoxStatus>,
        task_succeeded: bool,
    ) -> Result<CommandResult, DeviceError> {
        let wanted = latch_words(target.latch());
        let message = match (outcome, &status) {
            (Some(CommandOutcome::Confirmed), _) => format!("The Sesame reports it is {wanted}."),
            (Some(CommandOutcome::Mismatch), Some(s)) => format!(
                "The Sesame reports it is {} after the command. It may have been turned by hand or be jammed; check the box.",
                latch_words(s.latch)
            ),
            (_, Some(s)) if !s.reachable => {
                return Err(DeviceError::Offline { last_update: s.last_update.clone() });
            }
            (_, Some(s)) => {
                let mut m = if task_succeeded {
                    format!("CANDY HOUSE reported the command as done, but the Sesame still reports it is {}.", latch_words(s.latch))
                } else {
                    format!(
                        "CANDY HOUSE accepted the command, but the Sesame still reports it is {}. It may not have received the command, or the secret key may be wrong. Check the box before relying on it.",
                        latch_words(s.latch)
                    )
                };
                if let (true, Some(p)) = (s.battery_low, s.battery_percent) {
                    m.push_str(&format!(" Its battery is low ({p} %), which can stop the motor."));
                }
                m
            }
            (_, None) => "CANDY HOUSE accepted the command, but the Sesame's status could not be read afterwards. Check the box before relying on it.".into(),
        };
        Ok(CommandResult {
            outcome: outcome.unwrap_or(CommandOutcome::NotConfirmed),
            message,
            status,
        })
    }
}

/// A Web API status updated after our command was sent reflects the box's reaction to it.
fn is_fresh(status: &BoxStatus, sent_at: DateTime<Utc>) -> bool {
    status
        .last_update
        .as_deref()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .is_some_and(|t| t.timestamp() >= sent_at.timestamp() - FRESHNESS_SKEW_SECS)
}
