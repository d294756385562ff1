//! What a job does, which lane orders it, and where it stands (`job.rs` builds new ones). The
//! names are what the store writes in its rows; nothing else compares them.

/// Jobs of one session in the same lane run one at a time, oldest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lane {
    /// Box commands: an opening never overtakes the locking that followed it.
    Box,
    /// Writes to Chaster (history, penalties), in the order they happened.
    Chaster,
    /// Session refreshes, in the order Chaster sent them.
    Sync,
}

impl Lane {
    pub fn as_str(self) -> &'static str {
        match self {
            Lane::Box => "box",
            Lane::Chaster => "chaster",
            Lane::Sync => "sync",
        }
    }

    pub fn parse(s: &str) -> Option<Lane> {
        [Lane::Box, Lane::Chaster, Lane::Sync]
            .into_iter()
            .find(|l| l.as_str() == s)
    }
}

/// Where a job stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum JobStatus {
    /// Waiting for its `run_after` (a retry too).
    Queued,
    /// Claimed by a worker, leased.
    Running,
    /// Finished, also when there was nothing to do.
    Done,
    /// Gave up.
    Failed,
}

impl JobStatus {
    /// Every status, in the order `job_counts` reports them.
    pub const ALL: [JobStatus; 4] = [
        JobStatus::Queued,
        JobStatus::Running,
        JobStatus::Done,
        JobStatus::Failed,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Done => "done",
            JobStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<JobStatus> {
        JobStatus::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Queued or running: not finished.
    pub fn is_pending(self) -> bool {
        matches!(self, JobStatus::Queued | JobStatus::Running)
    }
}

impl std::fmt::Display for JobStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobKind {
    /// The lock was released: open the box.
    OpenRelease,
    /// A hygiene opening started: open the box.
    OpenHygiene,
    /// The lock was deserted: open the box if the policy says so.
    OpenDeserted,
    /// A hygiene opening ended: lock the box and verify.
    LockHygiene,
    /// Refresh our copy of a session from Chaster.
    SyncSession,
    /// Read the box of a locked session (tamper watch).
    TamperCheck,
    /// Apply the penalty of an incident and write it to the history.
    TamperPenalty,
    /// Write a line to the lock's Chaster history.
    ChasterLog,
    /// A running lock takes custody of the wearer's box and locks it (`custody`).
    CustodyStart,
    /// Write our session `metadata` whole (the one serialised writer of it).
    SessionMetadata,
    /// Undo a freeze we applied as a penalty.
    PenaltyUnfreeze,
    /// Lift a penalty hold at its bound (delayed, so in no lane).
    PenaltyBound,
}

const ALL: [JobKind; 12] = [
    JobKind::OpenRelease,
    JobKind::OpenHygiene,
    JobKind::OpenDeserted,
    JobKind::LockHygiene,
    JobKind::SyncSession,
    JobKind::TamperCheck,
    JobKind::TamperPenalty,
    JobKind::ChasterLog,
    JobKind::CustodyStart,
    JobKind::SessionMetadata,
    JobKind::PenaltyUnfreeze,
    JobKind::PenaltyBound,
];

impl JobKind {
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::OpenRelease => "open.release",
            JobKind::OpenHygiene => "open.hygiene",
            JobKind::OpenDeserted => "open.deserted",
            JobKind::LockHygiene => "lock.hygiene",
            JobKind::SyncSession => "session.sync",
            JobKind::TamperCheck => "tamper.check",
            JobKind::TamperPenalty => "tamper.penalty",
            JobKind::ChasterLog => "chaster.log",
            JobKind::CustodyStart => "custody.start",
            JobKind::SessionMetadata => "session.metadata",
            JobKind::PenaltyUnfreeze => "penalty.unfreeze",
            JobKind::PenaltyBound => "penalty.bound",
        }
    }

    pub fn parse(s: &str) -> Option<JobKind> {
        ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Every kind.
    pub fn all() -> [JobKind; 12] {
        ALL
    }

    /// An opening Chaster asked for (release, desertion) keeps trying until the box is open;
    /// everything else gives up at its deadline.
    pub fn never_gives_up(self) -> bool {
        matches!(self, JobKind::OpenRelease | JobKind::OpenDeserted)
    }

    pub fn lane(self) -> Option<Lane> {
        match self {
            JobKind::OpenRelease
            | JobKind::OpenHygiene
            | JobKind::OpenDeserted
            | JobKind::LockHygiene
            | JobKind::CustodyStart => Some(Lane::Box),
            JobKind::ChasterLog
            | JobKind::TamperPenalty
            | JobKind::SessionMetadata
            | JobKind::PenaltyUnfreeze => Some(Lane::Chaster),
            JobKind::SyncSession => Some(Lane::Sync),
            // A delayed job in a lane would hold up every later job of the lane.
            JobKind::TamperCheck | JobKind::PenaltyBound => None,
        }
    }
}

impl std::fmt::Display for JobKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_through_its_name() {
        for kind in ALL {
            assert_eq!(JobKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(JobKind::parse("open"), None);
    }

    #[test]
    fn every_status_and_lane_round_trips_through_its_name() {
        for status in JobStatus::ALL {
            assert_eq!(JobStatus::parse(status.as_str()), Some(status));
        }
        for lane in [Lane::Box, Lane::Chaster, Lane::Sync] {
            assert_eq!(Lane::parse(lane.as_str()), Some(lane));
        }
        assert_eq!(JobStatus::parse("Queued"), None);
        assert_eq!(Lane::parse(""), None);
    }
}
