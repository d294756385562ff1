//! `SessionView` (what the server sends) → `SessionData` (what the page shows). Pure.

use crate::i18n::{t, tf, Msg};
use crate::time::{format_countdown, parse_rfc3339_ms};
use api_types::{LockStatus, Person, Role, SessionView};

/// Everything the session card shows, already worded for the viewer's role.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionData {
    pub role: Role,
    pub extension_name: String,
    /// "Your lock" or "alice's lock".
    pub heading: String,
    pub lock_title: String,
    /// "Time left on your lock" or "Time left for alice".
    pub time_left_label: String,
    pub timer: Timer,
    pub frozen: bool,
    pub ready_to_unlock: bool,
    pub people: Vec<PersonData>,
    /// True when nobody holds the key.
    pub self_lock: bool,
    /// True while Chaster says the lock runs; otherwise no countdown and no time controls.
    pub running: bool,
    /// "Paused by your keyholder" while frozen.
    pub paused_note: Option<&'static str>,
}

/// An empty session, shown by nobody: it only stands in before the first one has loaded.
impl Default for SessionData {
    fn default() -> Self {
        SessionData {
            role: Role::Wearer,
            extension_name: String::new(),
            heading: String::new(),
            lock_title: String::new(),
            time_left_label: String::new(),
            timer: Timer::Hidden,
            frozen: false,
            ready_to_unlock: false,
            people: Vec::new(),
            self_lock: false,
            running: false,
            paused_note: None,
        }
    }
}

/// The time left, in a form that needs only "now" to be shown.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Timer {
    /// Chaster hides the remaining time from this viewer.
    Hidden,
    /// The end date could not be read.
    Unknown,
    /// Counts down to `end_ms`, or stands still at `frozen_at_ms`.
    Counting {
        end_ms: i64,
        frozen_at_ms: Option<i64>,
    },
}

/// A person in the people row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonData {
    pub username: String,
    pub avatar_url: Option<String>,
    /// "Wearer" or "Keyholder".
    pub role_label: &'static str,
    /// Shown when there is no avatar or it fails to load.
    pub initial: String,
    /// True for the person looking at the page.
    pub is_viewer: bool,
}

pub fn to_session_data(view: &SessionView) -> SessionData {
    let wearer = &view.wearer.username;
    let (heading, time_left_label) = match view.role {
        Role::Wearer => (
            t(Msg::SessionYourLock).to_owned(),
            t(Msg::SessionTimeLeftYours).to_owned(),
        ),
        Role::Keyholder => (
            tf(Msg::SessionTheirLock, &[("wearer", wearer)]),
            tf(Msg::SessionTimeLeftTheirs, &[("wearer", wearer)]),
        ),
    };
    let lock = &view.lock;
    let timer = match (&lock.end_date, lock.timer_visible) {
        (Some(end), true) => match parse_rfc3339_ms(end) {
            Some(end_ms) => Timer::Counting {
                end_ms,
                frozen_at_ms: lock.frozen_at.as_deref().and_then(parse_rfc3339_ms),
            },
            None => Timer::Unknown,
        },
        _ => Timer::Hidden,
    };
    let mut people = vec![person(
        &view.wearer,
        t(Msg::SessionWearer),
        view.role == Role::Wearer,
    )];
    if let Some(keyholder) = &view.keyholder {
        people.push(person(
            keyholder,
            t(Msg::SessionKeyholder),
            view.role == Role::Keyholder,
        ));
    }
    SessionData {
        role: view.role,
        extension_name: view.extension_name.clone(),
        heading,
        lock_title: lock.title.clone(),
        time_left_label,
        timer,
        frozen: lock.frozen,
        ready_to_unlock: lock.can_be_unlocked,
        people,
        self_lock: view.keyholder.is_none(),
        running: lock.status == LockStatus::Locked,
        paused_note: lock.frozen.then_some(match (view.role, &view.keyholder) {
            (Role::Wearer, Some(_)) => t(Msg::SessionPausedByKeyholder),
            (Role::Wearer, None) => t(Msg::SessionPaused),
            (Role::Keyholder, _) => t(Msg::SessionPausedUntilYouUnfreeze),
        }),
    }
}

/// Under "Timer hidden": the hidden time changes nothing about the box.
pub const HIDDEN_TIMER_NOTE: Msg = Msg::SessionHiddenTimerNote;

fn person(person: &Person, role_label: &'static str, is_viewer: bool) -> PersonData {
    PersonData {
        username: person.username.clone(),
        avatar_url: person.avatar_url.clone().filter(|url| is_safe_avatar(url)),
        role_label,
        initial: person
            .username
            .chars()
            .next()
            // ASCII only: the avatar's CSS capitalises the rest without Unicode tables here.
            .map(|c| c.to_ascii_uppercase().to_string())
            .unwrap_or_else(|| "?".to_owned()),
        is_viewer,
    }
}

/// Only plain web images: no `javascript:` or `data:` URLs from a profile field.
fn is_safe_avatar(url: &str) -> bool {
    url.starts_with("https://") || url.starts_with("http://")
}

/// Milliseconds left: `max(end − (frozen_at ?? now), 0)`.
pub fn time_left_ms(end_ms: i64, frozen_at_ms: Option<i64>, now_ms: f64) -> i64 {
    let from = frozen_at_ms.unwrap_or(now_ms as i64);
    (end_ms - from).max(0)
}

/// The text of the time-left line at `now_ms`.
pub fn time_left_text(timer: Timer, now_ms: f64) -> String {
    match timer {
        Timer::Hidden => t(Msg::SessionTimerHidden).to_owned(),
        Timer::Unknown => t(Msg::SessionTimerUnknown).to_owned(),
        Timer::Counting {
            end_ms,
            frozen_at_ms,
        } => format_countdown(time_left_ms(end_ms, frozen_at_ms, now_ms)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use api_types::{LockStatus, LockView};

    fn session(role: Role, keyholder: bool) -> SessionView {
        SessionView {
            role,
            extension_name: "Sesame opener".into(),
            lock: LockView {
                title: "Weekend".into(),
                status: LockStatus::Locked,
                start_date: "2026-11-20T10:00:00Z".into(),
                end_date: Some("2026-11-22T10:00:00Z".into()),
                timer_visible: true,
                frozen: false,
                frozen_at: None,
                can_be_unlocked: false,
                max_limit_date: None,
                ended_at: None,
                hygiene_opening: None,
            },
            wearer: Person {
                username: "alice".into(),
                avatar_url: None,
            },
            keyholder: keyholder.then(|| Person {
                username: "bob".into(),
                avatar_url: Some("https://cdn.chaster.app/bob.png".into()),
            }),
        }
    }

    #[test]
    fn the_wearer_reads_about_their_own_lock() {
        let data = to_session_data(&session(Role::Wearer, true));
        assert_eq!(data.heading, "Your lock");
        assert_eq!(data.time_left_label, "Time left on your lock");
        assert_eq!(data.lock_title, "Weekend");
        assert!(data.people[0].is_viewer);
    }

    #[test]
    fn the_keyholder_reads_about_the_wearers_lock() {
        let data = to_session_data(&session(Role::Keyholder, true));
        assert_eq!(data.heading, "alice's lock");
        assert_eq!(data.time_left_label, "Time left for alice");
        assert_eq!(data.people.len(), 2);
        assert!(data.people[1].is_viewer);
        assert_eq!(data.people[1].role_label, "Keyholder");
    }

    #[test]
    fn a_lock_without_keyholder_is_a_self_lock() {
        let data = to_session_data(&session(Role::Wearer, false));
        assert!(data.self_lock);
        assert_eq!(data.people.len(), 1);
    }

    #[test]
    fn the_timer_is_hidden_without_an_end_date_or_when_chaster_hides_it() {
        let mut view = session(Role::Wearer, false);
        view.lock.end_date = None;
        assert_eq!(to_session_data(&view).timer, Timer::Hidden);
        let mut view = session(Role::Wearer, false);
        view.lock.timer_visible = false;
        assert_eq!(to_session_data(&view).timer, Timer::Hidden);
        assert_eq!(time_left_text(Timer::Hidden, 0.0), "Timer hidden");
    }

    #[test]
    fn the_countdown_runs_with_now_and_stands_still_when_frozen() {
        let end_ms = 100_000_000;
        let running = Timer::Counting {
            end_ms,
            frozen_at_ms: None,
        };
        assert_eq!(
            time_left_text(running, (end_ms - 3_661_000) as f64),
            "01:01:01"
        );
        assert_eq!(time_left_text(running, (end_ms + 5_000) as f64), "00:00:00");
        let frozen = Timer::Counting {
            end_ms,
            frozen_at_ms: Some(end_ms - 60_000),
        };
        assert_eq!(time_left_text(frozen, 0.0), "00:01:00");
        assert_eq!(time_left_text(frozen, 1e12), "00:01:00");
    }

    #[test]
    fn frozen_at_from_the_server_is_used() {
        let mut view = session(Role::Wearer, false);
        view.lock.frozen = true;
        view.lock.frozen_at = Some("2026-11-21T10:00:00Z".into());
        let data = to_session_data(&view);
        assert!(data.frozen);
        assert_eq!(time_left_text(data.timer, 0.0), "1d 00:00:00");
    }

    #[test]
    fn a_frozen_lock_says_who_paused_it_and_an_ended_lock_does_not_run() {
        let mut view = session(Role::Wearer, true);
        view.lock.frozen = true;
        assert_eq!(
            to_session_data(&view).paused_note,
            Some("Paused by your keyholder")
        );
        let mut self_lock = session(Role::Wearer, false);
        self_lock.lock.frozen = true;
        assert_eq!(
            to_session_data(&self_lock).paused_note,
            Some("Paused: the timer stands still")
        );
        assert!(to_session_data(&view).running);
        view.lock.status = LockStatus::Unlocked;
        view.lock.frozen = false;
        let data = to_session_data(&view);
        assert!(!data.running);
        assert_eq!(data.paused_note, None);
    }

    #[test]
    fn an_unreadable_end_date_is_not_shown_as_hidden() {
        let mut view = session(Role::Wearer, false);
        view.lock.end_date = Some("soon".into());
        assert_eq!(to_session_data(&view).timer, Timer::Unknown);
    }

    #[test]
    fn avatars_are_kept_only_for_web_urls_and_initials_fill_in() {
        let mut view = session(Role::Wearer, true);
        view.wearer.avatar_url = Some("javascript:alert(1)".into());
        let data = to_session_data(&view);
        assert_eq!(data.people[0].avatar_url, None);
        assert_eq!(data.people[0].initial, "A");
        assert!(data.people[1].avatar_url.is_some());
    }
}
