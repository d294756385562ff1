//! What a look at the box meant, for both tamper watches (the status and the box's history).

/// What a look at the box meant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The session is not watched now (not locked, hygiene opening, unknown).
    NotWatched,
    /// A box command for the session is queued or running: its movement is ours.
    CommandInFlight,
    /// Offline, moving or unknown position: nothing can be concluded.
    Inconclusive,
    /// Open because the keyholder opened it from a page.
    OpenedByKeyholder,
    Locked,
    /// Found unlocked; `new` when this look opened the incident.
    Incident {
        new: bool,
    },
    /// Locked again: the open incident was closed.
    Resolved,
}
