//! Proving control of a box, and reading its history.
//!
//! A status read proves nothing: any API key reads any UUID, and a wrong secret still gets 200
//! to a command while nothing moves. Only the box itself can prove it received our command: a
//! lock command with a unique history tag, and that tag in the box's own history.

use api_types::{BoxStatus, CommandOutcome};
use chrono::{DateTime, Utc};

use super::device::{Device, Target};
use super::error::DeviceError;
use super::webapi::HistoryEntry;
use crate::domain::DeviceCredentials;
use crate::domain::Refused;

/// History pages (of 50, newest first) read at most to cover a period.
const MAX_HISTORY_PAGES: u32 = 3;
/// History reads while waiting for our tagged command to show up (the cloud lags a little).
const TAG_LOOKUPS: u32 = 2;

/// What [`Device::prove_control`] found.
#[derive(Clone, Debug, PartialEq)]
pub enum ProofOutcome {
    /// The box recorded our tagged command (Web API), or CANDY HOUSE reported the task done (v3).
    /// `status` is the reading after the command: the box should now be locked.
    Proven { status: Option<BoxStatus> },
    /// An unlock-only box (SESAME Bike): it cannot be sent a lock; the proof comes with the first
    /// opening Chaster asks for.
    Deferred,
    /// The hub is offline: the command cannot reach the box, so nothing can be proven now.
    HubOffline { status: BoxStatus },
    /// CANDY HOUSE accepted the command but the box never recorded it: the secret key is wrong.
    NotRecorded { status: Option<BoxStatus> },
    /// v3: the task never terminated successfully.
    NoTaskResult,
}

impl ProofOutcome {
    pub fn is_proven(&self) -> bool {
        matches!(self, ProofOutcome::Proven { .. })
    }

    /// Why the box is not connected, for the wearer; `None` when proven or deferred.
    pub fn refusal(&self) -> Option<Refused> {
        match self {
            ProofOutcome::Proven { .. } | ProofOutcome::Deferred => None,
            ProofOutcome::HubOffline { status } => Some(match status.last_update.as_deref() {
                Some(t) => Refused::new(
                    "proof_hub_offline_since",
                    format!("The box is not connected: the Sesame's hub reports it is offline (its last report was at {t}), so our test command cannot reach the box. The API key and the UUID work. Check the hub's power and Wi-Fi, then connect the box again."),
                )
                .with("last_update_at", t),
                None => Refused::new(
                    "proof_hub_offline",
                    "The box is not connected: the Sesame's hub reports it is offline, so our test command cannot reach the box. The API key and the UUID work. Check the hub's power and Wi-Fi, then connect the box again.",
                ),
            }),
            ProofOutcome::NotRecorded { .. } => Some(Refused::fixed(
                "proof_tag_not_recorded",
                "The box is not connected: CANDY HOUSE accepted our test lock command, but the Sesame never recorded it. The API key and the UUID work, so the secret key is wrong (or belongs to another Sesame). Copy the secret key again (the owner's key-sharing QR code, or biz.candyhouse.co), then try again.",
            )),
            ProofOutcome::NoTaskResult => Some(Refused::fixed(
                "proof_task_not_completed",
                "The box is not connected: the test lock command never completed, so control of the Sesame is not proven. Check that it is paired with its Wi-Fi Access Point and that cloud integration is on, then try again.",
            )),
        }
    }
}

impl Device {
    /// Proves that our credentials move this box: one lock command with a unique history tag
    /// (the box ends locked, where it must be when a lock starts), then that tag looked up in
    /// the box's history. v3: a task that terminated successfully.
    pub async fn prove_control(&self) -> Result<ProofOutcome, DeviceError> {
        if !self.caps.can_lock {
            return Ok(ProofOutcome::Deferred);
        }
        let lock = self.hub.command_lock(&self.credentials);
        let _turn = lock.lock().await;
        // Cached: registration has just read it.
        let before = self.status().await?;
        if !before.reachable {
            return Ok(ProofOutcome::HubOffline { status: before });
        }
        let tag = self.new_tag().await;
        let (verified, task_succeeded) = self.command_tagged(Target::Locked, &tag).await?;
        let after = verified.status;
        if matches!(self.credentials, DeviceCredentials::LegacyV3 { .. }) {
            return Ok(if task_succeeded {
                ProofOutcome::Proven { status: after }
            } else {
                ProofOutcome::NoTaskResult
            });
        }
        for attempt in 0..TAG_LOOKUPS {
            if attempt > 0 {
                tokio::time::sleep(self.hub.settings().verify.delay).await;
            }
            if self.tag_in_history(&tag).await? {
                return Ok(ProofOutcome::Proven { status: after });
            }
        }
        Ok(match after {
            Some(s) if !s.reachable => ProofOutcome::HubOffline { status: s },
            other => ProofOutcome::NotRecorded { status: other },
        })
    }

    /// Unlocks with a fresh tag and says whether the box recorded it: the deferred proof of an
    /// unlock-only box (SESAME Bike), at the first opening Chaster asks for.
    pub async fn unlock_proving(&self) -> Result<(api_types::CommandResult, bool), DeviceError> {
        let lock = self.hub.command_lock(&self.credentials);
        let _turn = lock.lock().await;
        let tag = self.new_tag().await;
        let (verified, task_succeeded) = self.command_tagged(Target::Unlocked, &tag).await?;
        let proven = task_succeeded || self.tag_in_history(&tag).await.unwrap_or(false);
        let mut result = self.report(Target::Unlocked, verified, task_succeeded, false);
        if !proven && result.outcome != CommandOutcome::Confirmed {
            result.message.push_str(" The box did not record our command in its history either, so the secret key saved for it is probably wrong: the wearer should connect the box again.");
            // The wording of `reason` lacks this sentence: the page shows the English whole.
            result.reason = None;
            result.params.clear();
        }
        Ok((result, proven))
    }

    async fn tag_in_history(&self, tag: &str) -> Result<bool, DeviceError> {
        let DeviceCredentials::WebApi { uuid, api_key, .. } = &self.credentials else {
            return Ok(false);
        };
        let entries = self.hub.webapi().history(api_key, uuid, 0, 20).await?;
        Ok(entries.iter().any(|e| e.tag.as_deref() == Some(tag)))
    }

    /// The Web API history entries at or after `since`, newest first (at most three pages of 50).
    /// v3 boxes have no history: empty.
    pub async fn history_since(
        &self,
        since: DateTime<Utc>,
    ) -> Result<Vec<HistoryEntry>, DeviceError> {
        let DeviceCredentials::WebApi { uuid, api_key, .. } = &self.credentials else {
            return Ok(Vec::new());
        };
        let mut all = Vec::new();
        for page in 0..MAX_HISTORY_PAGES {
            let entries = self.hub.webapi().history(api_key, uuid, page, 50).await?;
            let full = entries.len() >= 50;
            let reached = entries.iter().any(|e| e.at.is_some_and(|t| t < since));
            all.extend(
                entries
                    .into_iter()
                    .filter(|e| e.at.is_none_or(|t| t >= since)),
            );
            if !full || reached {
                break;
            }
        }
        Ok(all)
    }
}
