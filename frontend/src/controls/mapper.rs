//! Keyholder controls: presets, the custom amount, and the words around each control. Pure.

use crate::api::Control;
use crate::device::mapper::Feedback;
use crate::i18n::{intl, t, tf, Msg};
use crate::ui::{error_text, worded};
use api_types::{ApiError, ControlResult};

const MINUTE: i64 = 60;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;
/// The most the custom field adds or removes at once.
pub const MAX_CUSTOM_SECONDS: i64 = 365 * DAY;

/// A one-tap time change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Preset {
    /// `add-time-1h`, `remove-time-15m`, …
    pub testid: &'static str,
    pub label: &'static str,
    /// Positive adds, negative removes.
    pub seconds: i64,
}

pub const ADD_PRESETS: [Preset; 3] = [
    Preset {
        testid: "add-time-15m",
        label: "+15 min",
        seconds: 15 * MINUTE,
    },
    Preset {
        testid: "add-time-1h",
        label: "+1 h",
        seconds: HOUR,
    },
    Preset {
        testid: "add-time-1d",
        label: "+1 day",
        seconds: DAY,
    },
];

pub const REMOVE_PRESETS: [Preset; 2] = [
    Preset {
        testid: "remove-time-15m",
        label: "−15 min",
        seconds: -15 * MINUTE,
    },
    Preset {
        testid: "remove-time-1h",
        label: "−1 h",
        seconds: -HOUR,
    },
];

/// The unit of the custom amount.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum TimeUnit {
    #[default]
    Minutes,
    Hours,
    Days,
}

impl TimeUnit {
    pub const ALL: [TimeUnit; 3] = [TimeUnit::Minutes, TimeUnit::Hours, TimeUnit::Days];

    fn seconds(self) -> i64 {
        match self {
            TimeUnit::Minutes => MINUTE,
            TimeUnit::Hours => HOUR,
            TimeUnit::Days => DAY,
        }
    }

    /// The `<select>` value.
    pub fn value(self) -> &'static str {
        match self {
            TimeUnit::Minutes => "minutes",
            TimeUnit::Hours => "hours",
            TimeUnit::Days => "days",
        }
    }

    pub fn from_value(value: &str) -> TimeUnit {
        match value {
            "hours" => TimeUnit::Hours,
            "days" => TimeUnit::Days,
            _ => TimeUnit::Minutes,
        }
    }
}

/// Why the custom amount cannot be sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CustomProblem {
    NotAWholeNumber,
    Zero,
    TooLong,
}

impl CustomProblem {
    pub fn message(self) -> &'static str {
        match self {
            CustomProblem::NotAWholeNumber => t(Msg::ControlsNotWhole),
            CustomProblem::Zero => t(Msg::ControlsZero),
            CustomProblem::TooLong => t(Msg::ControlsTooLong),
        }
    }
}

/// The custom amount in seconds, negative when it is removed.
pub fn custom_seconds(typed: &str, unit: TimeUnit, remove: bool) -> Result<i64, CustomProblem> {
    let amount: i64 = typed
        .trim()
        .parse()
        .map_err(|_| CustomProblem::NotAWholeNumber)?;
    if amount < 0 {
        return Err(CustomProblem::NotAWholeNumber);
    }
    if amount == 0 {
        return Err(CustomProblem::Zero);
    }
    let seconds = amount
        .checked_mul(unit.seconds())
        .filter(|s| *s <= MAX_CUSTOM_SECONDS)
        .ok_or(CustomProblem::TooLong)?;
    Ok(if remove { -seconds } else { seconds })
}

/// "15 min", "1 h 30 min", "2 days", "1 day 4 h": the size of a change, without its sign. In the
/// browser each part is worded by `Intl` in the reader's language ("1 Tag 4 Stunden").
pub fn duration_text(seconds: i64) -> String {
    let total = seconds.unsigned_abs();
    let (days, hours, minutes) = (
        total / DAY as u64,
        total % DAY as u64 / HOUR as u64,
        total % HOUR as u64 / MINUTE as u64,
    );
    let part = |value: u64, unit: &str, english: String| {
        intl::amount(value as f64, unit, true).unwrap_or(english)
    };
    let mut parts = Vec::new();
    match days {
        0 => {}
        1 => parts.push(part(1, "day", "1 day".to_owned())),
        n => parts.push(part(n, "day", format!("{n} days"))),
    }
    if hours > 0 {
        parts.push(part(hours, "hour", format!("{hours} h")));
    }
    if minutes > 0 {
        parts.push(part(minutes, "minute", format!("{minutes} min")));
    }
    if parts.is_empty() {
        parts.push(part(total, "second", format!("{total} s")));
    }
    parts.join(" ")
}

/// Shown while the server carries the control out.
pub fn progress_text(control: Control) -> String {
    match control {
        Control::ChangeTime { seconds } if seconds >= 0 => {
            tf(Msg::ControlsAdding, &[("amount", &duration_text(seconds))])
        }
        Control::ChangeTime { seconds } => tf(
            Msg::ControlsRemoving,
            &[("amount", &duration_text(seconds))],
        ),
        Control::SetFrozen(true) => t(Msg::ControlsFreezing).to_owned(),
        Control::SetFrozen(false) => t(Msg::ControlsUnfreezing).to_owned(),
        Control::HygieneOpening => t(Msg::ControlsStartingHygiene).to_owned(),
        Control::ClearPenalty => t(Msg::ControlsEndingPenalty).to_owned(),
    }
}

/// The honest outcome: the server's sentence, or why it failed.
pub fn control_feedback(result: &Result<ControlResult, ApiError>) -> Feedback {
    match result {
        Ok(result) => Feedback {
            text: worded(
                "result",
                result.reason.as_deref(),
                &result.params,
                &result.message,
            ),
            class: "notice-success",
        },
        Err(error) => Feedback {
            text: error_text(error),
            class: "notice-error",
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_add_and_remove_the_seconds_their_labels_say() {
        let seconds: Vec<(&str, i64)> = ADD_PRESETS
            .iter()
            .chain(REMOVE_PRESETS.iter())
            .map(|p| (p.testid, p.seconds))
            .collect();
        assert_eq!(
            seconds,
            [
                ("add-time-15m", 900),
                ("add-time-1h", 3_600),
                ("add-time-1d", 86_400),
                ("remove-time-15m", -900),
                ("remove-time-1h", -3_600),
            ]
        );
    }

    #[test]
    fn a_custom_amount_becomes_seconds_in_its_unit_and_sign() {
        assert_eq!(custom_seconds("30", TimeUnit::Minutes, false), Ok(1_800));
        assert_eq!(custom_seconds(" 2 ", TimeUnit::Hours, true), Ok(-7_200));
        assert_eq!(custom_seconds("3", TimeUnit::Days, false), Ok(259_200));
        assert_eq!(
            custom_seconds("365", TimeUnit::Days, false),
            Ok(MAX_CUSTOM_SECONDS)
        );
    }

    #[test]
    fn a_custom_amount_that_is_not_a_positive_whole_number_is_refused() {
        for typed in ["", "abc", "1.5", "-3", "1e3"] {
            assert_eq!(
                custom_seconds(typed, TimeUnit::Minutes, false),
                Err(CustomProblem::NotAWholeNumber),
                "{typed:?}"
            );
        }
        assert_eq!(
            custom_seconds("0", TimeUnit::Hours, false),
            Err(CustomProblem::Zero)
        );
        assert_eq!(
            custom_seconds("366", TimeUnit::Days, false),
            Err(CustomProblem::TooLong)
        );
        assert_eq!(
            custom_seconds("99999999999999999", TimeUnit::Days, true),
            Err(CustomProblem::TooLong)
        );
    }

    #[test]
    fn units_map_to_the_select_values_and_back() {
        for unit in TimeUnit::ALL {
            assert_eq!(TimeUnit::from_value(unit.value()), unit);
        }
    }

    #[test]
    fn durations_are_said_in_days_hours_and_minutes() {
        assert_eq!(duration_text(900), "15 min");
        assert_eq!(duration_text(-3_600), "1 h");
        assert_eq!(duration_text(5_400), "1 h 30 min");
        assert_eq!(duration_text(86_400), "1 day");
        assert_eq!(duration_text(2 * 86_400 + 4 * 3_600), "2 days 4 h");
        assert_eq!(duration_text(30), "30 s");
    }

    #[test]
    fn progress_says_what_is_being_done() {
        assert_eq!(
            progress_text(Control::ChangeTime { seconds: 3_600 }),
            "Adding 1 h…"
        );
        assert_eq!(
            progress_text(Control::ChangeTime { seconds: -900 }),
            "Removing 15 min…"
        );
        assert_eq!(
            progress_text(Control::SetFrozen(true)),
            "Freezing the lock…"
        );
    }
}
