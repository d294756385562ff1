//! A box command: sent once per turn, then verified by re-reading the status.

use api_types::{BoxStatus, CommandOutcome, CommandResult, LatchState};
use chrono::{DateTime, Utc};

use super::device::{latch_words, Device, Target};
use super::error::DeviceError;
use super::hub::cache_key;
use super::v3::V3Command;
use super::webapi::WebCommand;
use crate::domain::DeviceCredentials;
use crate::domain::Said;

/// How long before our send time a status timestamp still counts as a reaction to it
/// (clock skew between us and CANDY HOUSE).
const FRESHNESS_SKEW_SECS: i64 = 1;

/// What the readings after one command showed.
#[derive(Clone)]
pub(super) struct Verified {
    pub(super) outcome: Option<CommandOutcome>,
    /// The last reading after the command, if any could be taken.
    pub(super) status: Option<BoxStatus>,
}

impl Verified {
    /// The hub is offline: CANDY HOUSE shows the last known state, which will not change.
    pub(super) fn offline(&self) -> bool {
        self.status.as_ref().is_some_and(|s| !s.reachable)
    }
}

impl Device {
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
    pub(super) async fn send(&self, target: Target, tag: &str) -> Result<bool, DeviceError> {
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
            let Some(reading) = self.verify_once(target, sent_at, task_succeeded).await else {
                continue;
            };
            let stop = reading.outcome.is_some() || reading.offline();
            last = reading.status.clone();
            if stop {
                return reading;
            }
        }
        Verified {
            outcome: task_succeeded.then_some(CommandOutcome::Confirmed),
            status: last,
        }
    }

    /// One verification reading (`None` when no status could be read): the outcome it proves,
    /// if any. An offline reading proves nothing and ends the verification.
    pub(super) async fn verify_once(
        &self,
        target: Target,
        sent_at: DateTime<Utc>,
        task_succeeded: bool,
    ) -> Option<Verified> {
        let mut status = self.read_status().await.ok()?;
        if task_succeeded && status.latch != target.latch() {
            // v3 status can stay stale for minutes after a successful task: `sync` first.
            status = self.synced_status().await.unwrap_or(status);
        }
        let outcome = if task_succeeded {
            // v3: the task terminated successfully; CANDY HOUSE saw the latch move.
            Some(CommandOutcome::Confirmed)
        } else if !status.reachable {
            None
        } else if status.latch == target.latch() {
            Some(CommandOutcome::Confirmed)
        } else if status.latch == target.opposite() && is_fresh(&status, sent_at) {
            Some(CommandOutcome::Mismatch)
        } else {
            None
        };
        Some(Verified {
            outcome,
            status: Some(status),
        })
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
        // The page words the latch from `latch`, a stable name (`latch_name`).
        let (outcome, said) = match (outcome, &status) {
            (Some(CommandOutcome::Confirmed), _) if task_succeeded => (
                CommandOutcome::Confirmed,
                Said::new(
                    "box_task_done",
                    format!("CANDY HOUSE reports the command as carried out: the Sesame is {wanted}."),
                )
                .with("latch", latch_name(target.latch())),
            ),
            (Some(CommandOutcome::Confirmed), _) => (
                CommandOutcome::Confirmed,
                Said::new("box_reports", format!("The Sesame reports it is {wanted}."))
                    .with("latch", latch_name(target.latch())),
            ),
            (Some(CommandOutcome::Mismatch), Some(s)) => (
                CommandOutcome::Mismatch,
                Said::new(
                    "box_mismatch",
                    format!(
                        "The Sesame reports it is {} after the command. It may have been turned by hand or be jammed; check the box.",
                        latch_words(s.latch)
                    ),
                )
                .with("latch", latch_name(s.latch)),
            ),
            (_, Some(s)) if s.latch == LatchState::Jammed && s.reachable && resent => (
                CommandOutcome::Jammed,
                Said::new(
                    "box_jammed_after_resend",
                    "The Sesame stopped between locked and unlocked: it is jammed or half-turned, even after the command was sent a second time. Check the box: something may block the latch, or the lock angles may need to be set again in the Sesame app.",
                ),
            ),
            (_, Some(s)) if !s.reachable => (CommandOutcome::NotConfirmed, offline_message(s)),
            (_, Some(s)) => {
                let mut m = format!(
                    "CANDY HOUSE accepted the command, but the Sesame still reports it is {}. It may not have received the command, or the secret key may be wrong. Check the box before relying on it.",
                    latch_words(s.latch)
                );
                let said = match (s.battery_low, s.battery_percent) {
                    (true, Some(p)) => {
                        m.push_str(&format!(" Its battery is low ({p} %), which can stop the motor."));
                        Said::new("box_unchanged_low_battery", m).with("percent", p.to_string())
                    }
                    _ => Said::new("box_unchanged", m),
                };
                (CommandOutcome::NotConfirmed, said.with("latch", latch_name(s.latch)))
            }
            (_, None) => (
                CommandOutcome::NotConfirmed,
                Said::new(
                    "box_no_status_after_command",
                    "CANDY HOUSE accepted the command, but no status could be read after it, so it is not confirmed. Check the box before relying on it.",
                ),
            ),
        };
        let (reason, params) = said.wire();
        CommandResult {
            outcome,
            message: said.message.into_owned(),
            reason,
            params,
            status,
        }
    }
}

/// Why an offline reading confirms nothing: CANDY HOUSE keeps answering with the last known state.
fn offline_message(s: &BoxStatus) -> Said {
    let since = s
        .last_update
        .as_deref()
        .map(|t| format!(" since {t}"))
        .unwrap_or_default();
    let message = format!(
        "Not confirmed: the Sesame's hub has been offline{since}, so the command was probably not carried out, and the state it shows ({}) is only the last one it reported. Check the hub's power and Wi-Fi.",
        latch_words(s.latch)
    );
    let said = match s.last_update.as_deref() {
        Some(t) => Said::new("box_not_confirmed_offline_since", message).with("last_update_at", t),
        None => Said::new("box_not_confirmed_offline", message),
    };
    said.with("latch", latch_name(s.latch))
}

/// The stable name of a latch position, which the page words (`latch-…`).
fn latch_name(latch: LatchState) -> &'static str {
    match latch {
        LatchState::Locked => "locked",
        LatchState::Unlocked => "unlocked",
        LatchState::Jammed => "jammed",
        LatchState::Unknown => "unknown",
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
