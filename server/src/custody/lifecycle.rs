//! What the jobs ask custody once Chaster has confirmed an event (the opener re-reads the
//! session first): a lock starting, released, deserted, running a hygiene opening, or gone.
//! Each answer is decided under the box's lease, which the caller holds (and keeps while it
//! moves the box).

use chrono::{DateTime, Utc};

use super::{BoxGuard, Custody, DESERTION_WAIT};
use crate::domain::SessionId;
use crate::store::{CustodyEnd, CustodyPeriod, StoreError};

/// A running lock wants the box.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Start {
    /// This lock holds the box (it just took it, or already had it): lock the box.
    Lock,
    /// Another lock of the wearer holds it; nothing moves.
    OtherHolds,
}

/// Chaster confirmed the lock unlocked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Release {
    /// The box is the wearer's now: open it (if the lock's setting says so).
    Open,
    /// Another running lock of the wearer took the box over; nothing opens.
    HandedOver,
    /// This lock did not hold the box; nothing moves.
    NotHolder,
}

/// Chaster confirmed the lock deserted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Desertion {
    /// The box stays shut until then; `first` when this look set the date.
    Wait {
        opens_at: DateTime<Utc>,
        first: bool,
    },
    /// Chaster gives the combination back now: open the box.
    Open,
    HandedOver,
    NotHolder,
}

impl Custody {
    /// A lock Chaster shows running: it takes a free box, or keeps the one it holds.
    pub async fn start(
        &self,
        guard: &BoxGuard,
        session_id: &SessionId,
    ) -> Result<Start, StoreError> {
        match self.store.custody_holder(guard.wearer()).await? {
            Some(p) if p.session_id == *session_id => Ok(Start::Lock),
            Some(_) => Ok(Start::OtherHolds),
            None => {
                self.store
                    .begin_custody(guard.wearer(), session_id, self.clock.now())
                    .await?;
                tracing::info!("a running lock took custody of the box");
                Ok(Start::Lock)
            }
        }
    }

    /// Whether a running lock's own movement (hygiene opening, locking after it) may happen:
    /// only for the lock holding the box (taking a free one).
    pub async fn holds_or_takes(
        &self,
        guard: &BoxGuard,
        session_id: &SessionId,
    ) -> Result<bool, StoreError> {
        Ok(self.start(guard, session_id).await? == Start::Lock)
    }

    /// Chaster confirmed `session_id` unlocked. Safe to ask again (a retried opening): a lock
    /// whose custody ended by its release still opens a box nobody else holds.
    pub async fn release(
        &self,
        guard: &BoxGuard,
        session_id: &SessionId,
    ) -> Result<Release, StoreError> {
        let holder = self.store.custody_holder(guard.wearer()).await?;
        match holder {
            Some(p) if p.session_id == *session_id => Ok(
                match self
                    .end_and_hand_over(guard, &p, CustodyEnd::Release)
                    .await?
                {
                    Some(_) => Release::HandedOver,
                    None => Release::Open,
                },
            ),
            Some(_) => Ok(Release::NotHolder),
            // Nobody holds the box: it is the wearer's anyway.
            None => Ok(Release::Open),
        }
    }

    /// Chaster confirmed `session_id` deserted: the box opens 7 days after we first saw it
    /// (never earlier than Chaster gives the combination back), or passes to another lock.
    pub async fn desertion(
        &self,
        guard: &BoxGuard,
        session_id: &SessionId,
    ) -> Result<Desertion, StoreError> {
        let now = self.clock.now();
        let holder = self.store.custody_holder(guard.wearer()).await?;
        let p: CustodyPeriod = match holder {
            Some(p) if p.session_id == *session_id => p,
            Some(_) => return Ok(Desertion::NotHolder),
            None => {
                // A retried opening after the wait, or a box nobody held.
                let last = self.store.last_custody_of_session(session_id).await?;
                return Ok(match last.and_then(|l| l.ended_how) {
                    Some(how) if how == CustodyEnd::DesertionWaitOver.as_str() => Desertion::Open,
                    _ => Desertion::NotHolder,
                });
            }
        };
        let (opens_at, first) = match p.opens_at {
            Some(at) => (at, false),
            None => {
                let at = now + DESERTION_WAIT;
                self.store.set_custody_opens_at(&p.id, at).await?;
                (at, true)
            }
        };
        if now < opens_at {
            return Ok(Desertion::Wait { opens_at, first });
        }
        Ok(
            match self
                .end_and_hand_over(guard, &p, CustodyEnd::DesertionWaitOver)
                .await?
            {
                Some(_) => Desertion::HandedOver,
                None => Desertion::Open,
            },
        )
    }

    /// Chaster no longer knows the session (our extension left the lock): the box is the
    /// wearer's again, or another running lock's; nothing opens by itself.
    pub async fn session_gone(
        &self,
        guard: &BoxGuard,
        session_id: &SessionId,
    ) -> Result<(), StoreError> {
        if let Some(p) = self.store.custody_holder(guard.wearer()).await? {
            if p.session_id == *session_id {
                self.end_and_hand_over(guard, &p, CustodyEnd::SessionEnded)
                    .await?;
            }
        }
        Ok(())
    }
}
