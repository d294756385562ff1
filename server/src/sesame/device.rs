//! One box, whichever API is behind it: status, lock, unlock, each verified.

use api_types::{BoxStatus, CommandOutcome, CommandResult, LatchState};
use chrono::{DateTime, Utc};

use super::error::DeviceError;
use super::hub::{cache_key, SesameHub};
use super::product::{capabilities_of_model, Capabilities};
use super::v3::V3Command;
use super::webapi::WebCommand;
use crate::domain::DeviceCredentials;

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

pub(crate) fn latch_words(latch: LatchState) -> &'static str {
    match latch {
        LatchState::Locked => "locked",
        LatchState::Unlocked => "unlocked",
        LatchState::Jammed => "between locked and unlocked (jammed or half-turned)",
        LatchState::Unknown => "in an unknown position",
    }
}

/// How long before our send time a status timestamp still counts as a reaction to it
/// (clock skew between us and CANDY HOUSE).
const FRESHNESS_SKEW_SECS: i64 = 1;

/// What the readings after one command showed.
pub(super) struct Verified {
    pub(super) outcome: Option<CommandOutcome>,
    /// The last reading after the command, if any could be taken.
    pub(super) status: Option<BoxStatus>,
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
            quota_message: quota_out.map(|_| super::error::QUOTA_MESSAGE.to_owned()),
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

    pub async fn lock(&self) -> Result<CommandResult, DeviceError> {
        self.command(Target::Locked).await
    }

    pub async fn unlock(&self) -> Result<CommandResult, DeviceError> {
        self.command(Target::Unlocked).await
    }

    /// Sends the command, then re-reads the status until it shows the target (or the attempts
    /// run out). A box that ends between locked and unlocked gets the command once more. One
    /// command at a time per box; others wait their turn.
    pub async fn command(&self, target: Target) -> Result<CommandResult, DeviceError> {
        if target == Target::Locked && !self.caps.can_lock {
            return Err(DeviceError::LockNotSupported);
        }
        let lock = self.hub.command_lock(&self.credentials);
        let _turn = lock.lock().await;
        let (mut verified, mut task_succeeded) = self.command_once(target).await?;
        let mut resent = false;
        if verified
            .status
            .as_ref()
            .is_some_and(|s| s.latch == LatchState::Jammed)
            && verified.outcome != Some(CommandOutcome::Confirmed)
        {
            tracing::warn!(
                "the Sesame reports a jammed latch after a command; sending it once more"
            );
            (verified, task_succeeded) = self.command_once(target).await?;
            resent = true;
        }
        Ok(self.report(target, verified, task_succeeded, resent))
    }

    /// One command and its verification; the caller holds the box's turn.
    pub(super) async fn command_once(
        &self,
        target: Target,
    ) -> Result<(Verified, bool), DeviceError> {
        let tag = self.new_tag().await;
        self.command_tagged(target, &tag).await
    }

    pub(super) async fn command_tagged(
        &self,
        target: Target,
        tag: &str,
    ) -> Result<(Verified, bool), DeviceError> {
        let cache_key = cache_key(&self.credentials);
        self.hub.cache().invalidate(&cache_key);
        let sent_at = Utc::now();
        let task_succeeded = self.send(target, tag).await?;
        let verified = self.verify(target, sent_at, task_succeeded).await;
        if let Some(status) = &verified.status {
            self.hub.cache().put(&cache_key, status.clone()).await;
        }
        Ok((verified, task_succeeded))
    }

    /// Returns whether CANDY HOUSE reported the command as carried out (v3 tasks only).
    async fn send(&self, target: Target, tag: &str) -> Result<bool, DeviceError> {
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
                self.hub
                    .webapi()
                    .command(api_key, uuid, secret, cmd, tag)
                    .await?;
                Ok(false)
            }
            DeviceCredentials::LegacyV3 { device_id, api_key } => {
                let cmd = if target == Target::Locked {
                    V3Command::Lock
                } else {
                    V3Command::Unlock
                };
                match self.hub.v3().command(api_key, device_id, cmd).await {
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

    /// Reads the status after the command. Only a reading that says the hub is online and the
    /// latch is at the target confirms; an offline hub stops the readings (its status is the
    /// last known one and would not change).
    async fn verify(
        &self,
        target: Target,
        sent_at: DateTime<Utc>,
        task_succeeded: bool,
    ) -> Verified {
        let settings = &self.hub.settings().verify;
        let mut last = None;
        for _ in 0..settings.attempts.max(1) {
            tokio::time::sleep(settings.delay).await;
            let Ok(mut status) = self.read_status().await else {
                continue;
            };
            if task_succeeded && status.latch != target.latch() {
                // v3 status can stay stale for minutes after a successful task: `sync` first.
                status = self.synced_status().await.unwrap_or(status);
            }
            let outcome = if task_succeeded {
                // v3: the task terminated successfully; CANDY HOUSE saw the latch move.
                Some(CommandOutcome::Confirmed)
            } else if !status.reachable {
                last = Some(status);
                break;
            } else if status.latch == target.latch() {
                Some(CommandOutcome::Confirmed)
            } else if status.latch == target.opposite() && is_fresh(&status, sent_at) {
                Some(CommandOutcome::Mismatch)
            } else {
                None
            };
            last = Some(status);
            if outcome.is_some() {
                return Verified {
                    outcome,
                    status: last,
                };
            }
        }
        Verified {
            outcome: task_succeeded.then_some(CommandOutcome::Confirmed),
            status: last,
        }
    }

    /// v3 only: `sync`, then the status again.
    async fn synced_status(&self) -> Option<BoxStatus> {
        let DeviceCredentials::LegacyV3 { device_id, api_key } = &self.credentials else {
            return None;
        };
        let v3 = self.hub.v3();
        if let Err(e) = v3.command(api_key, device_id, V3Command::Sync).await {
            tracing::info!(error = %e, "v3 sync before the verification read failed");
        }
        self.read_status().await.ok()
    }

    pub(super) fn report(
        &self,
        target: Target,
        verified: Verified,
        task_succeeded: bool,
        resent: bool,
    ) -> CommandResult {
        let wanted = latch_words(target.latch());
        let Verified { outcome, status } = verified;
        let (outcome, message) = match (outcome, &status) {
            (Some(CommandOutcome::Confirmed), _) if task_succeeded => (
                CommandOutcome::Confirmed,
                format!("CANDY HOUSE reports the command as carried out: the Sesame is {wanted}."),
            ),
            (Some(CommandOutcome::Confirmed), _) => (
                CommandOutcome::Confirmed,
                format!("The Sesame reports it is {wanted}."),
            ),
            (Some(CommandOutcome::Mismatch), Some(s)) => (
                CommandOutcome::Mismatch,
                format!(
                    "The Sesame reports it is {} after the command. It may have been turned by hand or be jammed; check the box.",
                    latch_words(s.latch)
                ),
            ),
            (_, Some(s)) if s.latch == LatchState::Jammed && s.reachable && resent => (
                CommandOutcome::Jammed,
                "The Sesame stopped between locked and unlocked: it is jammed or half-turned, even after the command was sent a second time. Check the box: something may block the latch, or the lock angles may need to be set again in the Sesame app.".to_owned(),
            ),
            (_, Some(s)) if !s.reachable => (
                CommandOutcome::NotConfirmed,
                offline_message(s),
            ),
            (_, Some(s)) => {
                let mut m = format!(
                    "CANDY HOUSE accepted the command, but the Sesame still reports it is {}. It may not have received the command, or the secret key may be wrong. Check the box before relying on it.",
                    latch_words(s.latch)
                );
                if let (true, Some(p)) = (s.battery_low, s.battery_percent) {
                    m.push_str(&format!(" Its battery is low ({p} %), which can stop the motor."));
                }
                (CommandOutcome::NotConfirmed, m)
            }
            (_, None) => (
                CommandOutcome::NotConfirmed,
                "CANDY HOUSE accepted the command, but no status could be read after it, so it is not confirmed. Check the box before relying on it.".into(),
            ),
        };
        CommandResult {
            outcome,
            message,
            status,
        }
    }
}

/// Why an offline reading confirms nothing: CANDY HOUSE keeps answering with the last known state.
pub(crate) fn offline_message(s: &BoxStatus) -> String {
    let since = s
        .last_update
        .as_deref()
        .map(|t| format!(" since {t}"))
        .unwrap_or_default();
    format!(
        "Not confirmed: the Sesame's hub has been offline{since}, so the command was probably not carried out, and the state it shows ({}) is only the last one it reported. Check the hub's power and Wi-Fi.",
        latch_words(s.latch)
    )
}

/// A Web API status updated after our command was sent reflects the box's reaction to it.
fn is_fresh(status: &BoxStatus, sent_at: DateTime<Utc>) -> bool {
    status
        .last_update
        .as_deref()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .is_some_and(|t| t.timestamp() >= sent_at.timestamp() - FRESHNESS_SKEW_SECS)
}
