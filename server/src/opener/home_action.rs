//! The key box on the wearer's own Chaster lock page: one `metadata.homeActions` entry ("Key
//! box: locked · 80 %") with a badge counting what needs attention (not connected, open during
//! the lock, unreachable, jammed, low battery).
//!
//! It is built only from looks the server takes anyway (page views, the tamper watch, a box
//! being connected or removed): it never asks CANDY HOUSE for anything. A new entry is queued
//! only when it differs from the last one (`sessions.home_action`), and it is written by the one
//! metadata writer (`holds.rs`), which keeps `reasonsPreventingUnlocking`.

use api_types::{BoxStatus, LatchState, BOX_HOME_ACTION_SLUG};

use crate::chaster::models::HomeAction;

/// What the server last saw of the session's box.
#[derive(Clone, Copy, Debug)]
pub enum BoxLook<'a> {
    /// The wearer has no box connected.
    NotConnected,
    /// A status read; `open_during_lock` when the tamper watch judged it an incident.
    Read {
        status: &'a BoxStatus,
        open_during_lock: bool,
    },
}

/// The entry for `look` (pure).
pub fn entry(look: BoxLook<'_>) -> HomeAction {
    let mut attention: Vec<String> = Vec::new();
    let (state, icon) = match look {
        BoxLook::NotConnected => {
            attention.push(
                "No box is connected: connect it so it opens by itself when the lock ends.".into(),
            );
            ("not connected".to_owned(), "key")
        }
        BoxLook::Read {
            status,
            open_during_lock,
        } => {
            if open_during_lock {
                attention.push("The box is open while the lock runs.".into());
            }
            if !status.reachable {
                attention.push("The box does not answer: check its hub's power and WiFi.".into());
            } else if status.latch == LatchState::Jammed {
                attention.push("The latch is jammed.".into());
            }
            if status.battery_low {
                attention.push("The battery is low: change it soon.".into());
            }
            let latch = match status.latch {
                LatchState::Locked => "locked",
                LatchState::Unlocked => "open",
                LatchState::Jammed => "jammed",
                LatchState::Unknown => "position unknown",
            };
            let state = match (status.reachable, status.battery_percent) {
                (false, _) => "unreachable".to_owned(),
                (true, Some(p)) => format!("{latch} · {p} %"),
                (true, None) => latch.to_owned(),
            };
            let icon = match status.latch {
                LatchState::Locked => "lock",
                LatchState::Unlocked => "lock-open",
                _ => "key",
            };
            (state, icon)
        }
    };
    let badge = (!attention.is_empty()).then(|| attention.len().to_string());
    HomeAction {
        slug: BOX_HOME_ACTION_SLUG.to_owned(),
        title: format!("Key box: {state}"),
        description: if attention.is_empty() {
            "See the key box and what it will do.".to_owned()
        } else {
            attention.join(" ")
        },
        icon: if badge.is_some() {
            "exclamation-triangle"
        } else {
            icon
        }
        .to_owned(),
        badge,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(latch: LatchState, battery: u8, low: bool, reachable: bool) -> BoxStatus {
        BoxStatus {
            latch,
            battery_percent: Some(battery),
            battery_low: low,
            reachable,
            last_update: None,
        }
    }

    fn read(status: &BoxStatus, open_during_lock: bool) -> HomeAction {
        entry(BoxLook::Read {
            status,
            open_during_lock,
        })
    }

    #[test]
    fn a_locked_box_with_a_good_battery_shows_its_state_without_a_badge() {
        let a = read(&status(LatchState::Locked, 80, false, true), false);
        assert_eq!(a.title, "Key box: locked · 80 %");
        assert_eq!(a.slug, BOX_HOME_ACTION_SLUG);
        assert_eq!(a.icon, "lock");
        assert_eq!(a.badge, None);
    }

    #[test]
    fn each_thing_that_needs_attention_counts_in_the_badge() {
        let cases = [
            (
                read(&status(LatchState::Locked, 10, true, true), false),
                "1",
            ),
            (
                read(&status(LatchState::Unlocked, 80, false, true), true),
                "1",
            ),
            (
                read(&status(LatchState::Locked, 80, false, false), false),
                "1",
            ),
            (
                read(&status(LatchState::Jammed, 80, false, true), false),
                "1",
            ),
            (
                read(&status(LatchState::Unlocked, 10, true, true), true),
                "2",
            ),
            (entry(BoxLook::NotConnected), "1"),
        ];
        for (action, badge) in cases {
            assert_eq!(action.badge.as_deref(), Some(badge), "{action:?}");
            assert_eq!(action.icon, "exclamation-triangle", "{action:?}");
        }
    }

    #[test]
    fn an_open_box_the_watch_allows_has_no_badge_and_an_unreachable_one_no_stale_latch() {
        let open = read(&status(LatchState::Unlocked, 80, false, true), false);
        assert_eq!(open.title, "Key box: open · 80 %");
        assert_eq!(open.badge, None);
        let offline = read(&status(LatchState::Locked, 80, false, false), false);
        assert_eq!(offline.title, "Key box: unreachable");
        assert_eq!(entry(BoxLook::NotConnected).title, "Key box: not connected");
    }
}
