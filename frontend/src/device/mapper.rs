//! Box data from the server → what the box panel shows. Pure.

use crate::i18n::{t, tf, Msg};
use crate::time::{format_ago, parse_rfc3339_ms};
use crate::ui::{error_text, said, worded};
use api_types::{ApiError, BoxStatus, CommandOutcome, CommandResult, DeviceView, LatchState, Role};

/// A connected box, worded for the viewer.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DeviceData {
    pub nickname: String,
    pub model: String,
    pub status: Option<StatusData>,
    /// Why the status could not be read, or that it is an offline box's last one, worded.
    pub status_error: Option<String>,
    /// "1,234 of 3,000 CANDY HOUSE requests this month, 100 kept for openings": the keyholder
    /// always, the wearer once the month's quota is used up.
    pub usage: Option<String>,
    /// "Status read 12 min ago": page views share the last reading of the box.
    pub reading_age: Option<String>,
    /// The month's CANDY HOUSE quota is used up: what it means and the ways out.
    pub quota_message: Option<String>,
    /// "Try again now" (the wearer, e.g. after buying a paid plan).
    pub can_retry_quota: bool,
    pub can_open: bool,
    pub can_lock: bool,
    /// What this box cannot do (e.g. lock remotely), said once on the panel.
    pub notice: Option<String>,
    /// Whether this lock holds the box, or that the box is the wearer's again.
    pub custody: &'static str,
    /// Said once the box is connected: whether it opens by itself when the lock ends.
    pub connected: &'static str,
}

/// The last reported status of the box.
#[derive(Clone, Debug, PartialEq)]
pub struct StatusData {
    pub latch_text: &'static str,
    /// A CSS class that colours the latch state.
    pub latch_class: &'static str,
    /// The box reports it is unlocked.
    pub is_open: bool,
    /// "80 %", or "Unknown".
    pub battery_text: String,
    pub battery_low: bool,
    pub reachable: bool,
    pub last_update_ms: Option<i64>,
}

/// Which button was pressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    Open,
    Lock,
}

/// A sentence after a command or a connection test, with its tone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Feedback {
    pub text: String,
    /// `notice-success`, `notice-warning` or `notice-error`.
    pub class: &'static str,
}

pub fn to_device_data(view: &DeviceView, role: Role) -> DeviceData {
    DeviceData {
        nickname: view.nickname.clone(),
        model: view.model.clone(),
        status: view.status.as_ref().map(to_status_data),
        status_error: view.status_error.as_ref().map(|s| said("error", s)),
        usage: (role == Role::Keyholder || quota_out(view)).then(|| usage_text(view)),
        reading_age: view
            .budget
            .as_ref()
            .and_then(|b| b.reading_age_secs)
            .map(reading_age_text),
        quota_message: view
            .budget
            .as_ref()
            .and_then(|b| b.quota_message.as_ref())
            .map(|s| said("error", s)),
        can_retry_quota: view.budget.as_ref().is_some_and(|b| b.can_retry_now),
        can_open: view.can_open,
        can_lock: view.can_lock,
        notice: view.notice.as_ref().map(|s| said("notice", s)),
        custody: custody_text(view, role),
        connected: crate::i18n::t(if view.opens_on_release {
            crate::i18n::Msg::ConnectConnectedOpens
        } else {
            crate::i18n::Msg::ConnectConnected
        }),
    }
}

fn quota_out(view: &DeviceView) -> bool {
    view.budget
        .as_ref()
        .is_some_and(|b| b.quota_message.is_some())
}

fn usage_text(view: &DeviceView) -> String {
    match &view.budget {
        Some(b) => tf(
            Msg::BoxUsageOfQuota,
            &[
                ("used", &group_thousands(view.requests_this_month)),
                ("quota", &group_thousands(b.monthly_quota)),
                ("reserve", &group_thousands(b.reserve)),
            ],
        ),
        None => tf(
            Msg::BoxUsage,
            &[("used", &group_thousands(view.requests_this_month))],
        ),
    }
}

/// "Status read just now" / "… 12 min ago": the box is not asked at every refresh.
pub fn reading_age_text(secs: u64) -> String {
    match secs {
        0..=59 => t(Msg::BoxReadJustNow).to_owned(),
        _ => tf(
            Msg::BoxReadAgo,
            &[("ago", &format_ago(secs.saturating_mul(1_000) as i64))],
        ),
    }
}

/// One sentence on who the box belongs to now; nothing about the wearer's other locks.
pub fn custody_text(view: &DeviceView, role: Role) -> &'static str {
    match (view.holds_box, role) {
        (true, _) => t(Msg::BoxHeld),
        (false, Role::Wearer) if view.can_open => t(Msg::BoxYoursAgain),
        (false, _) => t(Msg::BoxNotHeld),
    }
}

pub fn to_status_data(status: &BoxStatus) -> StatusData {
    let (latch_text, latch_class) = latch_label(status.latch);
    StatusData {
        latch_text,
        latch_class,
        is_open: status.latch == LatchState::Unlocked,
        battery_text: status.battery_percent.map_or_else(
            || t(Msg::BoxUnknown).to_owned(),
            |percent| format!("{percent} %"),
        ),
        battery_low: status.battery_low,
        reachable: status.reachable,
        last_update_ms: status.last_update.as_deref().and_then(parse_rfc3339_ms),
    }
}

pub fn latch_label(latch: LatchState) -> (&'static str, &'static str) {
    match latch {
        LatchState::Locked => (t(Msg::BoxLocked), "latch-locked"),
        LatchState::Unlocked => (t(Msg::BoxUnlocked), "latch-unlocked"),
        LatchState::Jammed => (t(Msg::BoxJammed), "latch-jammed"),
        LatchState::Unknown => (t(Msg::BoxUnknown), "latch-unknown"),
    }
}

/// "updated 12 s ago", when the box said when.
pub fn updated_text(last_update_ms: Option<i64>, now_ms: f64) -> Option<String> {
    last_update_ms.map(|at| tf(Msg::BoxUpdated, &[("ago", &format_ago(now_ms as i64 - at))]))
}

pub fn progress_text(command: Command) -> &'static str {
    match command {
        Command::Open => t(Msg::BoxOpening),
        Command::Lock => t(Msg::BoxLocking),
    }
}

/// The honest outcome of a command: the server's sentence, toned by what the box reported.
pub fn command_feedback(result: &Result<CommandResult, ApiError>) -> Feedback {
    match result {
        Ok(result) => Feedback {
            text: worded(
                "result",
                result.reason.as_deref(),
                &result.params,
                &result.message,
            ),
            class: match result.outcome {
                CommandOutcome::Confirmed => "notice-success",
                CommandOutcome::NotConfirmed => "notice-warning",
                CommandOutcome::Mismatch | CommandOutcome::Jammed => "notice-error",
            },
        },
        Err(error) => Feedback {
            text: error_text(error),
            class: "notice-error",
        },
    }
}

fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use api_types::{DeviceApi, ErrorCode};

    fn status(latch: LatchState, reachable: bool) -> BoxStatus {
        BoxStatus {
            latch,
            battery_percent: Some(25),
            battery_low: true,
            reachable,
            last_update: Some("1970-01-01T00:00:10Z".into()),
        }
    }

    fn device() -> DeviceView {
        DeviceView {
            nickname: "Key box".into(),
            api: DeviceApi::WebApi,
            model: "SESAME 5".into(),
            status: Some(status(LatchState::Locked, true)),
            status_error: None,
            requests_this_month: 1_234,
            can_open: true,
            can_lock: true,
            holds_box: true,
            notice: None,
            budget: None,
            opened_by_keyholder_at: None,
            opens_at: None,
            opens_on_release: false,
        }
    }

    #[test]
    fn the_budget_shows_use_reserve_age_and_the_quota_message() {
        let mut view = device();
        view.budget = Some(api_types::RequestBudget {
            monthly_quota: 3_000,
            reserve: 100,
            reading_age_secs: Some(720),
            quota_message: Some(api_types::Sentence::new(
                "quota_used_up",
                "quota used up",
                &[],
            )),
            can_retry_now: true,
        });
        let data = to_device_data(&view, Role::Wearer);
        assert_eq!(
            data.usage.as_deref(),
            Some("1,234 of 3,000 CANDY HOUSE requests this month, 100 kept for openings")
        );
        assert_eq!(data.reading_age.as_deref(), Some("Status read 12 min ago"));
        // In English, the server's own words; in another language, worded from its reason.
        assert_eq!(data.quota_message.as_deref(), Some("quota used up"));
        assert!(data.can_retry_quota);
        crate::i18n::speak("fr");
        let said = to_device_data(&view, Role::Wearer).quota_message.unwrap();
        assert!(
            said.starts_with(
                "Le quota mensuel CANDY HOUSE de la clé d'API de cette boîte est épuisé"
            ),
            "{said}"
        );
    }

    #[test]
    fn the_status_reads_as_words_with_the_battery_and_its_warning() {
        let data = to_device_data(&device(), Role::Keyholder);
        let status = data.status.unwrap();
        assert_eq!(
            (status.latch_text, status.latch_class),
            ("Locked", "latch-locked")
        );
        assert_eq!(status.battery_text, "25 %");
        assert!(status.battery_low);
        assert_eq!(status.last_update_ms, Some(10_000));
    }

    #[test]
    fn only_the_keyholder_sees_the_request_count() {
        assert_eq!(
            to_device_data(&device(), Role::Keyholder).usage.as_deref(),
            Some("1,234 requests this month")
        );
        assert_eq!(to_device_data(&device(), Role::Wearer).usage, None);
    }

    #[test]
    fn every_latch_state_has_its_own_word() {
        let words: Vec<_> = [
            LatchState::Locked,
            LatchState::Unlocked,
            LatchState::Jammed,
            LatchState::Unknown,
        ]
        .into_iter()
        .map(|latch| latch_label(latch).0)
        .collect();
        assert_eq!(
            words,
            ["Locked", "Unlocked", "Jammed or half-turned", "Unknown"]
        );
    }

    #[test]
    fn the_update_time_is_said_relative_to_now() {
        assert_eq!(
            updated_text(Some(10_000), 22_000.0).as_deref(),
            Some("updated 12 s ago")
        );
        assert_eq!(updated_text(None, 22_000.0), None);
    }

    #[test]
    fn command_feedback_keeps_the_servers_sentence_and_tones_it_by_outcome() {
        let result = |outcome| {
            Ok(CommandResult {
                outcome,
                message: "The box is open.".into(),
                reason: None,
                params: Default::default(),
                status: None,
            })
        };
        let confirmed = command_feedback(&result(CommandOutcome::Confirmed));
        assert_eq!(confirmed.text, "The box is open.");
        assert_eq!(confirmed.class, "notice-success");
        assert_eq!(
            command_feedback(&result(CommandOutcome::NotConfirmed)).class,
            "notice-warning"
        );
        assert_eq!(
            command_feedback(&result(CommandOutcome::Mismatch)).class,
            "notice-error"
        );
        let refused = Err(ApiError {
            code: ErrorCode::Forbidden,
            message: "Only the keyholder can open the box.".into(),
            retry_after_secs: None,
            reason: None,
            params: Default::default(),
        });
        assert_eq!(
            command_feedback(&refused).text,
            "Only the keyholder can open the box."
        );
    }

    #[test]
    fn the_wearer_is_told_when_the_box_is_theirs_again() {
        let mut view = device();
        assert_eq!(
            custody_text(&view, Role::Keyholder),
            "This lock holds the box."
        );
        view.holds_box = false;
        view.can_open = true;
        assert!(custody_text(&view, Role::Wearer).contains("yours again"));
        view.can_open = false;
        assert_eq!(
            custody_text(&view, Role::Keyholder),
            "This lock does not hold the box."
        );
    }

    #[test]
    fn the_wearer_is_told_the_box_opens_by_itself_only_when_it_will() {
        let mut view = device();
        assert_eq!(to_device_data(&view, Role::Wearer).connected, "Connected.");
        view.opens_on_release = true;
        assert_eq!(
            to_device_data(&view, Role::Wearer).connected,
            "Connected. This box will open by itself when your lock ends."
        );
    }

    #[test]
    fn thousands_are_grouped() {
        let cases = [
            (0, "0"),
            (999, "999"),
            (1_000, "1,000"),
            (3_000_000, "3,000,000"),
        ];
        for (n, expected) in cases {
            assert_eq!(group_thousands(n), expected);
        }
    }
}
