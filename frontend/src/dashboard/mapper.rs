//! Dashboard data: one summary row per lock, running and ended locks apart, the last-updated
//! line, how the answers of a card's commands change the list, and what a failed load means. Pure.

use crate::i18n::{t, tf, PageMsg};
use crate::session::mapper::{time_left_text, to_session_data, Timer};
use crate::time::{format_ago, parse_rfc3339_ms};
use api_types::{
    ApiError, BoxStatus, DashboardSession, DashboardView, DeviceSlot, ErrorCode, LatchState,
    SessionView,
};

/// The summary row of one lock: who, which lock, how long (or since when ended), the box.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RowData {
    pub wearer: String,
    pub initial: String,
    pub avatar_url: Option<String>,
    pub title: String,
    /// "2d 03:14:07 left", "Paused, 1d 02:00:00 left", "Timer hidden", "Ended 3 h ago".
    pub time: String,
    pub ended: bool,
    pub badge: Badge,
}

/// The box's state in one word or two, coloured by meaning.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Badge {
    pub text: &'static str,
    /// `badge-ok`, `badge-warning`, `badge-danger` or `badge-muted`.
    pub class: &'static str,
}

pub fn to_row(entry: &DashboardSession, now_ms: f64) -> RowData {
    let data = to_session_data(&entry.session);
    let wearer = data.people.first();
    let ended = is_ended(entry);
    let time = if ended {
        match entry.ended_at.as_deref().and_then(parse_rfc3339_ms) {
            Some(at) => tf(
                PageMsg::DashboardEndedAgo,
                &[("ago", &format_ago(now_ms as i64 - at))],
            ),
            None => t(PageMsg::DashboardEnded).to_owned(),
        }
    } else {
        match data.timer {
            Timer::Counting { .. } if data.frozen => tf(
                PageMsg::DashboardPausedLeft,
                &[("time", &time_left_text(data.timer, now_ms))],
            ),
            Timer::Counting { .. } => tf(
                PageMsg::DashboardTimeLeft,
                &[("time", &time_left_text(data.timer, now_ms))],
            ),
            Timer::Hidden | Timer::Unknown => time_left_text(data.timer, now_ms),
        }
    };
    RowData {
        wearer: wearer.map(|w| w.username.clone()).unwrap_or_default(),
        initial: wearer.map(|w| w.initial.clone()).unwrap_or_default(),
        avatar_url: wearer.and_then(|w| w.avatar_url.clone()),
        title: match data.lock_title.trim() {
            "" => t(PageMsg::DashboardUntitled).to_owned(),
            title => title.to_owned(),
        },
        time,
        ended,
        badge: box_badge(&entry.device),
    }
}

/// A lock Chaster released (it stays on the dashboard for a while, without controls).
pub fn is_ended(entry: &DashboardSession) -> bool {
    entry.ended_at.is_some() || entry.session.lock.status != api_types::LockStatus::Locked
}

pub fn box_badge(slot: &DeviceSlot) -> Badge {
    let badge = |text, class| Badge { text, class };
    let Some(device) = &slot.device else {
        return badge(t(PageMsg::DashboardBadgeNoBox), "badge-muted");
    };
    match &device.status {
        None => badge(t(PageMsg::DashboardBadgeUnreachable), "badge-warning"),
        Some(status) if !status.reachable => {
            badge(t(PageMsg::DashboardBadgeOffline), "badge-warning")
        }
        Some(status) => match status.latch {
            LatchState::Locked => badge(t(PageMsg::DashboardBadgeLocked), "badge-ok"),
            LatchState::Unlocked => badge(t(PageMsg::DashboardBadgeOpen), "badge-danger"),
            LatchState::Jammed => badge(t(PageMsg::DashboardBadgeJammed), "badge-danger"),
            LatchState::Unknown => badge(t(PageMsg::DashboardBadgeUnknown), "badge-muted"),
        },
    }
}

/// The handles of the running locks and of the ended ones, each in the server's order.
pub fn split_handles(view: &DashboardView) -> (Vec<String>, Vec<String>) {
    let (ended, running): (Vec<_>, Vec<_>) = view.sessions.iter().partition(|s| is_ended(s));
    let handles =
        |list: Vec<&DashboardSession>| list.into_iter().map(|s| s.handle.clone()).collect();
    (handles(running), handles(ended))
}

/// "Last updated just now", "Last updated 2 min ago".
pub fn last_updated_text(loaded_at_ms: f64, now_ms: f64) -> String {
    tf(
        PageMsg::DashboardUpdated,
        &[("ago", &format_ago((now_ms - loaded_at_ms) as i64))],
    )
}

/// What a card learned from a command it sent.
// Short-lived, one at a time: the session's size does not matter here.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum CardUpdate {
    /// A control answered with the session as it is now.
    Session(SessionView),
    /// A box command re-read the box.
    BoxStatus(BoxStatus),
}

/// Applies a card's update to the session with `handle`; other sessions stay as they are.
pub fn apply(view: &mut DashboardView, handle: &str, update: CardUpdate) {
    let Some(entry) = view.sessions.iter_mut().find(|s| s.handle == handle) else {
        return;
    };
    match update {
        CardUpdate::Session(session) => entry.session = session,
        CardUpdate::BoxStatus(status) => {
            if let Some(device) = entry.device.device.as_mut() {
                device.status = Some(status);
                device.status_error = None;
            }
        }
    }
}

/// True when the error means "not signed in (any more)": show the sign-in screen.
pub fn is_signed_out(error: &ApiError) -> bool {
    matches!(
        error.code,
        ErrorCode::SessionExpired | ErrorCode::MissingToken
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use api_types::{
        DashboardSession, DeviceApi, DeviceSlot, DeviceView, LatchState, LockStatus, LockView,
        Person, Role,
    };

    fn session(title: &str) -> SessionView {
        SessionView {
            role: Role::Keyholder,
            extension_name: "Sesame opener".into(),
            lock: LockView {
                title: title.into(),
                status: LockStatus::Locked,
                start_date: "2026-11-20T10:00:00Z".into(),
                end_date: None,
                timer_visible: false,
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
            keyholder: None,
        }
    }

    fn dashboard() -> DashboardView {
        let device = DeviceView {
            nickname: "Key box".into(),
            api: DeviceApi::WebApi,
            model: "SESAME 5".into(),
            status: None,
            status_error: Some(api_types::Sentence::new("box_offline", "offline", &[])),
            requests_this_month: 0,
            can_open: true,
            can_lock: true,
            holds_box: true,
            notice: None,
            budget: None,
            opened_by_keyholder_at: None,
            opens_at: None,
            opens_on_release: false,
        };
        let entry = |handle: &str, device: Option<DeviceView>| DashboardSession {
            handle: handle.into(),
            session: session("Before"),
            device: DeviceSlot {
                device,
                can_manage: false,
            },
            ended_at: None,
        };
        DashboardView {
            keyholder: Person {
                username: "bob".into(),
                avatar_url: None,
            },
            sessions: vec![entry("a", Some(device)), entry("b", None)],
            csrf_token: "csrf".into(),
        }
    }

    fn status() -> BoxStatus {
        BoxStatus {
            latch: LatchState::Unlocked,
            battery_percent: Some(80),
            battery_low: false,
            reachable: true,
            last_update: None,
        }
    }

    #[test]
    fn a_control_result_replaces_only_its_own_session() {
        let mut view = dashboard();
        let mut frozen = session("After");
        frozen.lock.frozen = true;
        apply(&mut view, "a", CardUpdate::Session(frozen.clone()));
        assert_eq!(view.sessions[0].session, frozen);
        assert_eq!(view.sessions[1].session.lock.title, "Before");
    }

    #[test]
    fn a_box_status_replaces_the_old_status_and_its_error() {
        let mut view = dashboard();
        apply(&mut view, "a", CardUpdate::BoxStatus(status()));
        let device = view.sessions[0].device.device.as_ref().unwrap();
        assert_eq!(device.status, Some(status()));
        assert_eq!(device.status_error, None);
    }

    #[test]
    fn an_update_for_an_unknown_handle_or_a_missing_box_changes_nothing() {
        let mut view = dashboard();
        let before = view.clone();
        apply(&mut view, "zzz", CardUpdate::Session(session("After")));
        apply(&mut view, "b", CardUpdate::BoxStatus(status()));
        assert_eq!(view, before);
    }

    const NOW: f64 = 1_795_000_000_000.0; // 2026-11-18T…Z

    fn at(ms: f64) -> String {
        // Whole seconds since the epoch as RFC 3339, through the page's own parser's inverse.
        let secs = (ms / 1000.0) as i64;
        let days = secs.div_euclid(86_400);
        let rest = secs.rem_euclid(86_400);
        let (y, m, d) = civil(days);
        format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
            rest / 3600,
            rest / 60 % 60,
            rest % 60
        )
    }

    fn civil(z: i64) -> (i64, i64, i64) {
        let z = z + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        (yoe + era * 400 + i64::from(m <= 2), m, d)
    }

    #[test]
    fn a_running_row_shows_the_wearer_the_title_the_time_left_and_the_box() {
        let mut view = dashboard();
        let entry = &mut view.sessions[0];
        entry.session.lock.timer_visible = true;
        entry.session.lock.end_date = Some(at(NOW + 2.0 * 3_600_000.0));
        entry.device.device.as_mut().unwrap().status = Some(status());
        let row = to_row(entry, NOW);
        assert_eq!(row.wearer, "alice");
        assert_eq!(row.initial, "A");
        assert_eq!(row.title, "Before");
        assert_eq!(row.time, "02:00:00 left");
        assert!(!row.ended);
        assert_eq!(
            row.badge,
            Badge {
                text: "Box open",
                class: "badge-danger"
            }
        );

        entry.session.lock.frozen = true;
        entry.session.lock.frozen_at = Some(at(NOW - 3_600_000.0));
        assert_eq!(to_row(entry, NOW).time, "Paused, 03:00:00 left");
        entry.session.lock.timer_visible = false;
        assert_eq!(to_row(entry, NOW).time, "Timer hidden");
    }

    #[test]
    fn an_ended_lock_says_since_when_and_goes_to_the_ended_list() {
        let mut view = dashboard();
        view.sessions[1].ended_at = Some(at(NOW - 3.0 * 3_600_000.0));
        view.sessions[1].session.lock.status = api_types::LockStatus::Unlocked;
        let row = to_row(&view.sessions[1], NOW);
        assert!(row.ended);
        assert_eq!(row.time, "Ended 3 h ago");
        assert_eq!(
            row.badge,
            Badge {
                text: "No box",
                class: "badge-muted"
            }
        );
        assert_eq!(
            split_handles(&view),
            (vec!["a".to_owned()], vec!["b".to_owned()])
        );
    }

    #[test]
    fn the_box_badge_names_every_state() {
        let view = dashboard();
        let mut slot = view.sessions[0].device.clone();
        assert_eq!(box_badge(&slot).text, "Box unreachable");
        let reading = |latch, reachable| BoxStatus {
            latch,
            reachable,
            ..status()
        };
        for (latch, reachable, text) in [
            (LatchState::Locked, true, "Box locked"),
            (LatchState::Unlocked, true, "Box open"),
            (LatchState::Jammed, true, "Box jammed"),
            (LatchState::Unknown, true, "Box state unknown"),
            (LatchState::Locked, false, "Box offline"),
        ] {
            slot.device.as_mut().unwrap().status = Some(reading(latch, reachable));
            assert_eq!(box_badge(&slot).text, text, "{latch:?} {reachable}");
        }
    }

    #[test]
    fn the_last_updated_line_says_how_long_ago() {
        assert_eq!(
            last_updated_text(NOW, NOW + 1_000.0),
            "Last updated just now"
        );
        assert_eq!(
            last_updated_text(NOW, NOW + 120_000.0),
            "Last updated 2 min ago"
        );
    }

    #[test]
    fn only_a_lost_session_means_signed_out() {
        let error = |code| ApiError {
            code,
            message: String::new(),
            retry_after_secs: None,
            reason: None,
            params: Default::default(),
        };
        assert!(is_signed_out(&error(ErrorCode::SessionExpired)));
        assert!(!is_signed_out(&error(ErrorCode::UpstreamUnavailable)));
        assert!(!is_signed_out(&error(ErrorCode::Forbidden)));
    }
}
