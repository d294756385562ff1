//! Dashboard data: how the answers of a card's commands change the list, and what a failed load
//! means. Pure.

use api_types::{ApiError, BoxStatus, DashboardView, ErrorCode, SessionView};

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
            status_error: Some("offline".into()),
            requests_this_month: 0,
            can_open: true,
            can_lock: true,
            holds_box: true,
            notice: None,
            budget: None,
            opened_by_keyholder_at: None,
            opens_at: None,
        };
        let entry = |handle: &str, device: Option<DeviceView>| DashboardSession {
            handle: handle.into(),
            session: session("Before"),
            device: DeviceSlot {
                device,
                can_manage: false,
            },
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

    #[test]
    fn only_a_lost_session_means_signed_out() {
        let error = |code| ApiError {
            code,
            message: String::new(),
            retry_after_secs: None,
        };
        assert!(is_signed_out(&error(ErrorCode::SessionExpired)));
        assert!(!is_signed_out(&error(ErrorCode::UpstreamUnavailable)));
        assert!(!is_signed_out(&error(ErrorCode::Forbidden)));
    }
}
