//! A command whose verification is a later step of a job, so no worker waits while the box
//! turns: [`Device::send_unverified`] sends and returns at once; [`Device::verify_step`] takes
//! one reading each time the job runs again (`verify.delay` apart), as [`Device::command`] does
//! in one go for the pages.

use api_types::{CommandResult, LatchState};
use chrono::{DateTime, Utc};

use super::command::Verified;
use super::device::{Device, Target};
use super::error::DeviceError;
use super::hub::cache_key;

/// A command that went out and is not verified yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sent {
    /// Taken right before sending: a reading updated after it reacts to the command.
    pub at: DateTime<Utc>,
    /// v3: CANDY HOUSE reported the task as carried out.
    pub task_succeeded: bool,
}

/// What one verification reading leads to.
#[derive(Clone, Debug)]
pub enum Step {
    /// Nothing proven yet: read again after `verify.delay`.
    Again,
    /// The latch stopped between locked and unlocked after the first send: send it once more.
    Resend,
    /// The verification is over (confirmed or not): what the pages would have been told.
    Done(CommandResult),
}

impl Device {
    /// Sends the command, without waiting for the box: one command at a time per box, each with
    /// its own history tag.
    pub async fn send_unverified(&self, target: Target) -> Result<Sent, DeviceError> {
        if target == Target::Locked && !self.caps.can_lock {
            return Err(DeviceError::LockNotSupported);
        }
        let lock = self.hub.command_lock(&self.credentials);
        let _turn = lock.lock().await;
        let tag = self.new_tag().await;
        self.hub.cache().invalidate(&cache_key(&self.credentials));
        let at = Utc::now();
        let task_succeeded = self.send(target, &tag).await?;
        Ok(Sent { at, task_succeeded })
    }

    /// The `reads_done + 1`-th reading after `sent` (of at most `verify.attempts`); `resent`
    /// once the command went out a second time.
    pub async fn verify_step(
        &self,
        target: Target,
        sent: &Sent,
        reads_done: u32,
        resent: bool,
    ) -> Step {
        let attempts = self.hub.settings().verify.attempts.max(1);
        let reading = self
            .verify_once(target, sent.at, sent.task_succeeded)
            .await
            .unwrap_or(Verified {
                outcome: None,
                status: None,
            });
        if let Some(status) = &reading.status {
            self.hub
                .cache()
                .put(&cache_key(&self.credentials), status.clone())
                .await;
        }
        let over = reading.outcome.is_some() || reading.offline() || reads_done + 1 >= attempts;
        if !over {
            return Step::Again;
        }
        let jammed = reading
            .status
            .as_ref()
            .is_some_and(|s| s.latch == LatchState::Jammed && s.reachable);
        if jammed && reading.outcome.is_none() && !resent {
            tracing::warn!(
                "the Sesame reports a jammed latch after a command; sending it once more"
            );
            return Step::Resend;
        }
        Step::Done(self.report(target, reading, sent.task_succeeded, resent))
    }
}
