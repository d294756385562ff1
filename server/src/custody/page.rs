//! The box as a page (the iframe or the keyholder dashboard) may see and move it. The same
//! use-cases for both: the viewer's role, the lock's phase as Chaster just reported it, and
//! custody decide; the flags of the device view come from the same rules.

use std::time::Duration;

use api_types::{CommandOutcome, CommandResult};

use super::rules::{self, Hold, Move, Phase, Refusal};
use super::{BoxGuard, Custody};
use crate::chaster::models::LockStatus;
use crate::domain::{Role, SessionId, UserId};
use crate::error::{AppError, Refused};
use crate::jobs::JobKind;
use crate::sesame::{Device, Target};
use crate::store::{sessions, CustodyEnd};

/// How long a page waits for another decision about the same box.
const PAGE_WAIT: Duration = Duration::from_secs(10);
const BUSY: Refused = Refused::fixed(
    "box_command_in_progress",
    "The box is busy with another command. Try again in a moment.",
);

/// Who looks at the box, through which lock.
#[derive(Clone, Debug)]
pub struct Viewer {
    pub wearer_id: UserId,
    pub session_id: SessionId,
    pub role: Role,
    /// The lock's status as Chaster reported it for this request.
    pub phase: Phase,
    /// The lock's setting.
    pub wearer_may_lock: bool,
}

impl Viewer {
    pub fn phase_of(status: LockStatus) -> Phase {
        match status {
            LockStatus::Locked => Phase::Running,
            LockStatus::Deserted => Phase::Deserted,
            LockStatus::Unlocked => Phase::Ended,
            // Neither running nor confirmed over: nobody moves the box from a page until Chaster
            // says which (as while a deserted lock waits).
            LockStatus::Unknown => Phase::Deserted,
        }
    }
}

/// What the viewer may do with the box right now, and whether their lock holds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Permissions {
    pub can_open: bool,
    pub can_lock: bool,
    pub can_change: bool,
    pub holds_box: bool,
}

impl From<Refusal> for AppError {
    fn from(r: Refusal) -> AppError {
        match r {
            Refusal::Forbidden(m) => AppError::Forbidden(m),
            Refusal::Conflict(m) => AppError::Conflict(m),
        }
    }
}

impl Custody {
    /// Read-only: the flags the device view shows.
    pub async fn permissions(&self, v: &Viewer) -> Result<Permissions, AppError> {
        let v = &self.current(v).await?;
        let hold = self.hold_of(v).await?;
        let ok = |mv| rules::decide(v.role, mv, v.phase, hold, v.wearer_may_lock).is_ok();
        Ok(Permissions {
            can_open: ok(Move::Open),
            can_lock: ok(Move::Lock),
            can_change: ok(Move::Change),
            holds_box: matches!(hold, Hold::ThisLock { .. }),
        })
    }

    /// The rules' answer for `mv` now, without taking the lease: a refusal that does not need
    /// the box (e.g. before saying that no box is connected).
    pub async fn check(&self, v: &Viewer, mv: Move) -> Result<(), AppError> {
        let v = &self.current(v).await?;
        let hold = self.hold_of(v).await?;
        Ok(rules::decide(v.role, mv, v.phase, hold, v.wearer_may_lock)?)
    }

    /// Opens the box if the rules allow it now. The keyholder's opening is an excuse for the
    /// tamper watch until the box is seen locked, the keyholder locks again, or the open fails.
    pub async fn open_from_page(
        &self,
        v: &Viewer,
        device: &Device,
    ) -> Result<CommandResult, AppError> {
        let guard = self.page_guard(v).await?;
        let result = async {
            let (v, hold) = self.settle(&guard, v).await?;
            rules::decide(v.role, Move::Open, v.phase, hold, v.wearer_may_lock)?;
            let excuse = v.role == Role::Keyholder;
            if excuse {
                self.store.set_box_open_allowed(&v.session_id, true).await?;
                // The history watch does not count this opening as the wearer's.
                self.store
                    .note_open_allowed(&v.session_id, self.clock.now())
                    .await?;
            }
            let result = self.send(&guard, device, Target::Unlocked).await;
            // Failed: refused, or the box reports it stayed locked. A command not confirmed in
            // time may still open the box, so the excuse stays until the box is seen locked.
            let failed = match &result {
                Err(_) => true,
                Ok(r) => r.outcome == CommandOutcome::Mismatch,
            };
            if excuse && failed {
                self.store
                    .set_box_open_allowed(&v.session_id, false)
                    .await?;
            }
            Ok::<_, AppError>(result?)
        }
        .await;
        guard.release().await;
        result
    }

    /// Locks the box if the rules allow it now; the keyholder's "opened it" excuse ends here.
    pub async fn lock_from_page(
        &self,
        v: &Viewer,
        device: &Device,
    ) -> Result<CommandResult, AppError> {
        let guard = self.page_guard(v).await?;
        let result = async {
            let (v, hold) = self.settle(&guard, v).await?;
            rules::decide(v.role, Move::Lock, v.phase, hold, v.wearer_may_lock)?;
            self.store
                .set_box_open_allowed(&v.session_id, false)
                .await?;
            Ok::<_, AppError>(self.send(&guard, device, Target::Locked).await?)
        }
        .await;
        guard.release().await;
        result
    }

    /// The wearer may replace or remove the box now: hold the returned guard while changing it,
    /// then release it. `had_box`: false when the wearer connects a first box. `same_box`: new
    /// credentials for the box already connected, which registration has just proven by moving
    /// it (a tagged lock found in its history): the box that guards the lock stays the same, so
    /// this is allowed while a lock holds it.
    pub async fn change_permit(
        &self,
        v: &Viewer,
        had_box: bool,
        same_box: bool,
    ) -> Result<BoxGuard, AppError> {
        if v.role != Role::Wearer {
            return Err(AppError::Forbidden(rules::ONLY_WEARER_CHANGES));
        }
        let guard = self.page_guard(v).await?;
        let decided = async {
            if !had_box {
                // Nothing guards a lock yet: a first box may always be connected; the lock takes
                // custody of it right away.
                let v = self.current(v).await?;
                if v.phase == Phase::Running
                    && self.store.custody_holder(&v.wearer_id).await?.is_none()
                {
                    self.store
                        .begin_custody(&v.wearer_id, &v.session_id, self.clock.now())
                        .await?;
                }
                return Ok(());
            }
            if same_box {
                return Ok(());
            }
            let (v, hold) = self.settle(&guard, v).await?;
            rules::decide(v.role, Move::Change, v.phase, hold, v.wearer_may_lock)?;
            Ok::<_, AppError>(())
        }
        .await;
        match decided {
            Ok(()) => Ok(guard),
            Err(e) => {
                guard.release().await;
                Err(e)
            }
        }
    }

    async fn page_guard(&self, v: &Viewer) -> Result<BoxGuard, AppError> {
        self.guard(&v.wearer_id, PAGE_WAIT)
            .await?
            .ok_or_else(|| AppError::Conflict(BUSY))
    }

    /// The viewer with the lock's phase corrected by what we learned since: a page's view of
    /// the lock may be cached for a few seconds, but an end we recorded is final.
    async fn current(&self, v: &Viewer) -> Result<Viewer, AppError> {
        let mut v = v.clone();
        if v.phase != Phase::Running {
            return Ok(v);
        }
        let ended = self
            .store
            .last_custody_of_session(&v.session_id)
            .await?
            .is_some_and(|p| p.ended_at.is_some());
        let status = self
            .store
            .get_session(&v.session_id)
            .await?
            .map(|r| r.status);
        match status.as_deref() {
            Some(sessions::DESERTED) => v.phase = Phase::Deserted,
            Some(sessions::UNLOCKED | sessions::ENDED) => v.phase = Phase::Ended,
            _ if ended => v.phase = Phase::Ended,
            _ => {}
        }
        Ok(v)
    }

    /// Brings custody up to date with what Chaster reported (under the lease): a lock Chaster
    /// shows unlocked no longer holds the box; a running lock takes a free box. Returns the
    /// viewer as now known (see [`current`](Self::current)) and how the box is held.
    async fn settle(&self, guard: &BoxGuard, v: &Viewer) -> Result<(Viewer, Hold), AppError> {
        let v = &self.current(v).await?;
        let holder = self.store.custody_holder(&v.wearer_id).await?;
        match (&holder, v.phase) {
            (Some(p), Phase::Ended) if p.session_id == v.session_id => {
                self.end_and_hand_over(guard, p, CustodyEnd::Release)
                    .await?;
                // Should the release's own job be lost, this one opens the box as it would.
                self.enqueue_end_job(JobKind::OpenRelease, &v.session_id)
                    .await?;
            }
            (Some(p), Phase::Deserted) if p.session_id == v.session_id && p.opens_at.is_none() => {
                // The desertion's job sets the date and the delayed opening, once.
                self.enqueue_end_job(JobKind::OpenDeserted, &v.session_id)
                    .await?;
            }
            (None, Phase::Running) => {
                self.store
                    .begin_custody(&v.wearer_id, &v.session_id, self.clock.now())
                    .await?;
            }
            _ => {}
        }
        Ok((v.clone(), self.hold_of(v).await?))
    }

    async fn enqueue_end_job(&self, kind: JobKind, session_id: &SessionId) -> Result<(), AppError> {
        let now = chrono::Utc::now();
        let job = kind.job(
            session_id,
            format!("page:{}:{session_id}", kind.as_str()),
            serde_json::json!({}),
            now,
            now + self.box_deadline,
        );
        if self.store.enqueue(&[job]).await? > 0 {
            self.signal.wake();
        }
        Ok(())
    }

    async fn hold_of(&self, v: &Viewer) -> Result<Hold, AppError> {
        Ok(match self.store.custody_holder(&v.wearer_id).await? {
            Some(p) if p.session_id == v.session_id => Hold::ThisLock {
                opens_at: p.opens_at,
            },
            Some(_) => Hold::OtherLock,
            None => Hold::Nobody,
        })
    }
}
