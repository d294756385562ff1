//! Custody: the only code that decides and performs box movements.
//!
//! A wearer's box is held by at most one session, the wearer's running lock (`store::custody`).
//! Every decision about the box and every movement takes the box's lease first (a row in the
//! database, so two instances on one Postgres take turns), reads who holds the box, decides
//! with [`rules::decide`] (pages) or the lifecycle rules (`lifecycle`, jobs), moves the box and
//! gives the lease back. The lease outlives the longest verified command.
//!
//! - start: a lock seen running with a box takes custody and the box is locked;
//! - end: Chaster's confirmed unlock, the desertion wait (7 days) being over, or our extension
//!   leaving the lock ends custody; another running lock of the wearer then takes it over and
//!   locks the box again; otherwise the box is the wearer's;
//! - nothing of a session that does not hold custody moves the box.

mod lifecycle;
mod page;

pub mod rules;

use std::time::Duration;

use api_types::CommandResult;
use chrono::Utc;
use serde_json::json;

pub use lifecycle::{Desertion, Release, Start};
pub use page::{Permissions, Viewer};

use crate::clock::Clock;
use crate::domain::{SessionId, UserId};
use crate::jobs::{JobKind, JobSignal};
use crate::sesame::{Device, DeviceError, Sent, SesameHub, Target};
use crate::store::{CustodyEnd, CustodyPeriod, NewJob, Store, StoreError};

/// Longer than any verified command (send, then re-read until it shows the target).
const LEASE: Duration = Duration::from_secs(120);
/// How long Chaster withholds a deserted lock's combination.
pub const DESERTION_WAIT: chrono::Duration = chrono::Duration::days(7);

/// What a job's command led to at once.
#[derive(Debug)]
pub enum Dispatched {
    /// Sent; the job verifies it in later steps.
    Sent(Sent),
    /// Carried out and verified already (an unlock-only box's proving opening).
    Finished(CommandResult),
}

/// Cheap to clone.
#[derive(Clone)]
pub struct Custody {
    store: Store,
    hub: SesameHub,
    clock: Clock,
    signal: JobSignal,
    /// A start job (locking the box) gives up after this long.
    box_deadline: chrono::Duration,
}

/// The box's lease: proof that the holder decides alone. Give it back with
/// [`release`](BoxGuard::release); dropped without that, it is given back in the background.
pub struct BoxGuard {
    store: Store,
    wearer: UserId,
    token: String,
    released: bool,
}

impl BoxGuard {
    pub fn wearer(&self) -> &UserId {
        &self.wearer
    }

    pub async fn release(mut self) {
        self.released = true;
        if let Err(e) = self.store.release_box(&self.wearer, &self.token).await {
            tracing::warn!(error = %e, "cannot give the box's lease back; it expires by itself");
        }
    }
}

impl Drop for BoxGuard {
    fn drop(&mut self) {
        if self.released {
            return;
        }
        let (store, wearer, token) = (
            self.store.clone(),
            std::mem::take(&mut self.wearer),
            std::mem::take(&mut self.token),
        );
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            handle.spawn(async move {
                let _ = store.release_box(&wearer, &token).await;
            });
        }
    }
}

impl Custody {
    pub fn new(
        store: Store,
        hub: SesameHub,
        clock: Clock,
        signal: JobSignal,
        box_deadline: Duration,
    ) -> Custody {
        Custody {
            store,
            hub,
            clock,
            signal,
            box_deadline: chrono::Duration::from_std(box_deadline)
                .unwrap_or(chrono::Duration::minutes(15)),
        }
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Takes the box's lease, waiting up to `wait` for another decision to finish; `None` when
    /// it is still busy then.
    pub async fn guard(
        &self,
        wearer: &UserId,
        wait: Duration,
    ) -> Result<Option<BoxGuard>, StoreError> {
        let token = uuid::Uuid::new_v4().to_string();
        let start = std::time::Instant::now();
        loop {
            let now = Utc::now();
            let until =
                now + chrono::Duration::from_std(LEASE).unwrap_or(chrono::Duration::minutes(2));
            if self.store.acquire_box(wearer, &token, now, until).await? {
                return Ok(Some(BoxGuard {
                    store: self.store.clone(),
                    wearer: wearer.clone(),
                    token,
                    released: false,
                }));
            }
            if start.elapsed() >= wait {
                return Ok(None);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The one place a box is told to move; the guard proves the decision was taken under the
    /// box's lease.
    pub async fn send(
        &self,
        guard: &BoxGuard,
        device: &Device,
        target: Target,
    ) -> Result<CommandResult, DeviceError> {
        tracing::info!(wearer_box = %short(guard.wearer().as_str()), ?target, "moving the box");
        // An unlock-only box (SESAME Bike) was not proven at registration: its first opening
        // proves it, and says so when the box did not record it.
        if target == Target::Unlocked && !device.capabilities().can_lock {
            return device.unlock_proving().await.map(|(result, _)| result);
        }
        device.command(target).await
    }

    /// A job's command: sent under the box's lease, verified by the job's later steps
    /// (`Device::verify_step`), so no worker waits while the box turns.
    pub async fn dispatch(
        &self,
        guard: &BoxGuard,
        device: &Device,
        target: Target,
    ) -> Result<Dispatched, DeviceError> {
        tracing::info!(wearer_box = %short(guard.wearer().as_str()), ?target, "moving the box (verified later)");
        // An unlock-only box's first opening proves its credentials in one go, as in `send`.
        if target == Target::Unlocked && !device.capabilities().can_lock {
            return device
                .unlock_proving()
                .await
                .map(|(result, _)| Dispatched::Finished(result));
        }
        device.send_unverified(target).await.map(Dispatched::Sent)
    }

    /// Registration's proof that the credentials move this box: a tagged lock command (never an
    /// opening), found in the box's own history. Custody sends it, like every other command.
    pub async fn prove_new_box(
        &self,
        device: &Device,
    ) -> Result<crate::sesame::ProofOutcome, DeviceError> {
        tracing::info!("proving a box's credentials with a tagged lock");
        device.prove_control().await
    }

    /// The wearer's connected box, if any.
    pub async fn device_of(&self, wearer: &UserId) -> Result<Option<Device>, StoreError> {
        Ok(self
            .store
            .get_device(wearer)
            .await?
            .map(|record| self.hub.device_of_model(record.credentials, &record.model)))
    }

    /// Ends `period` and, when another lock of the wearer still runs, gives it the box (a start
    /// job locks the box again). Returns the new holder's session.
    async fn end_and_hand_over(
        &self,
        _guard: &BoxGuard,
        period: &CustodyPeriod,
        how: CustodyEnd,
    ) -> Result<Option<SessionId>, StoreError> {
        let now = self.clock.now();
        self.store.end_custody(&period.id, how, now).await?;
        tracing::info!(how = how.as_str(), "custody ended");
        let others = self
            .store
            .other_locked_sessions(&period.wearer_user_id, &period.session_id)
            .await?;
        let Some(next) = others.into_iter().next() else {
            return Ok(None);
        };
        let taken = self
            .store
            .begin_custody(&period.wearer_user_id, &next, now)
            .await?;
        let job = self.start_job(&next, format!("start:{next}:after:{}", period.id));
        self.store.enqueue(&[job]).await?;
        self.signal.wake();
        tracing::info!(period = %taken.id, "custody handed over to another running lock");
        Ok(Some(next))
    }

    /// A job that locks the box for the session that holds (or takes) it.
    pub fn start_job(&self, session_id: &SessionId, dedupe: String) -> NewJob {
        let now = Utc::now();
        JobKind::CustodyStart.job(session_id, dedupe, json!({}), now, now + self.box_deadline)
    }
}

/// A few characters of an id for logs.
fn short(id: &str) -> &str {
    id.get(..6).unwrap_or(id)
}
