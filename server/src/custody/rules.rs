//! Who may move or change the box, and when: a pure function of the viewer's role, the lock's
//! phase as Chaster reports it, and which lock holds the box. The routes and the dashboard
//! enforce it, and the device view shows the same answers as `can_*` flags.

use chrono::{DateTime, Utc};

use crate::domain::Role;
use crate::error::Refused;

/// What the viewer wants to do with the box.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Move {
    Open,
    Lock,
    /// Replace or remove the box (the wearer's registration).
    Change,
}

/// The viewer's lock, as Chaster reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Running,
    /// Deserted; Chaster gives the combination back 7 days later.
    Deserted,
    /// Unlocked, or our extension left the lock.
    Ended,
}

/// Which lock holds the wearer's box.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hold {
    /// The viewer's lock; `opens_at` once it was deserted.
    ThisLock { opens_at: Option<DateTime<Utc>> },
    /// Another lock of the same wearer.
    OtherLock,
    /// No running lock: the box is the wearer's.
    Nobody,
}

/// Why not: `Forbidden` (403, the role may never) or `Conflict` (409, not now).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    Forbidden(Refused),
    Conflict(Refused),
}

pub const LOCK_ENDED: Refused = Refused::fixed("lock_ended", "This lock has ended.");
pub const NOT_HOLDING: Refused = Refused::fixed(
    "lock_not_holding_box",
    "This lock does not hold the box, so the box cannot be moved from here.",
);
pub const CHANGE_AFTER_END: Refused = Refused::fixed(
    "box_change_after_end",
    "You can change the box after the lock ends.",
);
pub const WEARER_CANNOT_OPEN: Refused = Refused::fixed(
    "wearer_cannot_open",
    "The wearer cannot open the box while the session runs.",
);
pub const WEARER_MAY_NOT_LOCK: Refused = Refused::fixed(
    "wearer_may_not_lock",
    "The keyholder has not allowed the wearer to lock the box.",
);
pub const ONLY_WEARER_CHANGES: Refused = Refused::fixed(
    "only_wearer_changes_box",
    "Only the wearer may connect, replace or remove the box.",
);
const OTHER_LOCK_HOLDS: Refused = Refused::fixed(
    "other_lock_holds_box",
    "Another of your locks holds the box; it opens when Chaster ends that lock.",
);

/// "The box stays shut until 8 December 2026 at 10:00 UTC, when Chaster gives the combination
/// back." The page words the date from `opens_at` in the reader's zone.
pub fn opens_on(at: DateTime<Utc>) -> Refused {
    Refused::new(
        "deserted_box_shut_until",
        format!(
            "The lock was deserted: the box stays shut until {}, when Chaster gives the combination back.",
            at.format("%-d %B %Y at %H:%M UTC")
        ),
    )
    .with("opens_at", at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

/// Whether `role` may `mv` the box now. `wearer_may_lock` is the lock's setting.
pub fn decide(
    role: Role,
    mv: Move,
    phase: Phase,
    hold: Hold,
    wearer_may_lock: bool,
) -> Result<(), Refusal> {
    let conflict = |r: Refused| Err(Refusal::Conflict(r));
    let forbidden = |r: Refused| Err(Refusal::Forbidden(r));
    match role {
        Role::Keyholder => {
            if mv == Move::Change {
                return forbidden(ONLY_WEARER_CHANGES);
            }
            match (phase, hold) {
                (Phase::Ended, _) => conflict(LOCK_ENDED),
                (Phase::Deserted, Hold::ThisLock { opens_at: Some(at) }) => conflict(opens_on(at)),
                (Phase::Deserted, _) => conflict(LOCK_ENDED),
                // A running lock takes a free box when it acts (`Custody::settle`).
                (Phase::Running, Hold::ThisLock { .. } | Hold::Nobody) => Ok(()),
                (Phase::Running, Hold::OtherLock) => conflict(NOT_HOLDING),
            }
        }
        Role::Wearer => match hold {
            Hold::Nobody if phase != Phase::Running => Ok(()),
            // A running lock the server has not taken custody for yet counts as holding.
            Hold::Nobody | Hold::ThisLock { opens_at: None } => match mv {
                Move::Open => forbidden(WEARER_CANNOT_OPEN),
                Move::Lock if wearer_may_lock => Ok(()),
                Move::Lock => forbidden(WEARER_MAY_NOT_LOCK),
                Move::Change => conflict(CHANGE_AFTER_END),
            },
            Hold::ThisLock { opens_at: Some(at) } => match mv {
                Move::Lock => Ok(()),
                Move::Open => conflict(opens_on(at)),
                Move::Change => conflict(CHANGE_AFTER_END),
            },
            Hold::OtherLock => match mv {
                Move::Lock => Ok(()),
                Move::Open => conflict(OTHER_LOCK_HOLDS),
                Move::Change => conflict(CHANGE_AFTER_END),
            },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Move; 3] = [Move::Open, Move::Lock, Move::Change];
    const HELD: Hold = Hold::ThisLock { opens_at: None };

    fn ok(role: Role, mv: Move, phase: Phase, hold: Hold) -> bool {
        decide(role, mv, phase, hold, true).is_ok()
    }

    #[test]
    fn the_keyholder_moves_the_box_only_while_their_running_lock_holds_it() {
        assert!(ok(Role::Keyholder, Move::Open, Phase::Running, HELD));
        assert!(ok(Role::Keyholder, Move::Lock, Phase::Running, HELD));
        for mv in [Move::Open, Move::Lock] {
            let r = decide(Role::Keyholder, mv, Phase::Running, Hold::OtherLock, true);
            assert_eq!(r, Err(Refusal::Conflict(NOT_HOLDING)));
            assert!(
                ok(Role::Keyholder, mv, Phase::Running, Hold::Nobody),
                "takes a free box"
            );
        }
        for hold in [HELD, Hold::OtherLock, Hold::Nobody] {
            let r = decide(Role::Keyholder, Move::Lock, Phase::Ended, hold, true);
            assert_eq!(r, Err(Refusal::Conflict(LOCK_ENDED)));
        }
        assert!(matches!(
            decide(Role::Keyholder, Move::Change, Phase::Running, HELD, true),
            Err(Refusal::Forbidden(_))
        ));
    }

    #[test]
    fn a_deserted_lock_keeps_the_box_shut_for_both_until_the_date() {
        let at = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let hold = Hold::ThisLock { opens_at: Some(at) };
        for role in [Role::Keyholder, Role::Wearer] {
            let Err(Refusal::Conflict(m)) = decide(role, Move::Open, Phase::Deserted, hold, true)
            else {
                panic!("{role:?} may not open a deserted lock's box");
            };
            assert!(
                m.message.contains("2027") && m.message.contains("combination"),
                "{m}"
            );
            assert_eq!(m.reason, Some("deserted_box_shut_until"));
            assert_eq!(
                m.params,
                vec![("opens_at", "2027-01-15T08:00:00Z".to_owned())]
            );
        }
        assert!(ok(Role::Wearer, Move::Lock, Phase::Deserted, hold));
    }

    #[test]
    fn the_wearer_never_opens_nor_changes_a_held_box_and_may_lock_it_when_allowed() {
        for hold in [HELD, Hold::OtherLock] {
            assert!(!ok(Role::Wearer, Move::Open, Phase::Running, hold));
            let r = decide(Role::Wearer, Move::Change, Phase::Running, hold, true);
            assert_eq!(r, Err(Refusal::Conflict(CHANGE_AFTER_END)));
            assert!(ok(Role::Wearer, Move::Lock, Phase::Running, hold));
        }
        assert!(!ok(Role::Wearer, Move::Open, Phase::Running, Hold::Nobody));
        assert!(decide(Role::Wearer, Move::Lock, Phase::Running, HELD, false).is_err());
    }

    #[test]
    fn after_the_end_the_box_is_the_wearers_again() {
        for phase in [Phase::Ended, Phase::Deserted] {
            for mv in ALL {
                assert!(
                    ok(Role::Wearer, mv, phase, Hold::Nobody),
                    "{mv:?} {phase:?}"
                );
            }
        }
    }
}
