//! The configuration form's content and its checks. Pure.
//! The server checks again (422 with a sentence); these checks only explain typos at once.

use api_types::{ExtensionConfig, Penalty, PenaltyKind};

/// The longest penalty the form accepts: one week.
pub const MAX_PENALTY_MINUTES: u32 = 7 * 24 * 60;
/// The longest a freeze or a block may hold the lock: one week.
pub const MAX_BOUND_HOURS: u32 = 7 * 24;
/// The battery warning threshold the server accepts (a Sesame may refuse to move well above 20 %).
pub const LOW_BATTERY_PERCENT: std::ops::RangeInclusive<u8> = 5..=80;

/// What the keyholder sees in the form; the number fields hold the text as typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigDraft {
    pub open_on_release: bool,
    pub open_for_hygiene: bool,
    pub open_on_deserted: bool,
    pub penalty_kind: PenaltyKind,
    pub penalty_minutes: String,
    /// How long a freeze or a block lasts at most, in hours, as typed.
    pub penalty_bound_hours: String,
    pub wearer_may_lock: bool,
    pub low_battery_percent: String,
}

/// The first thing wrong with a draft.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfigProblem {
    PenaltyMinutesNotANumber,
    PenaltyMinutesOutOfRange,
    BoundNotANumber,
    BoundOutOfRange,
    LowBatteryNotANumber,
    LowBatteryOutOfRange,
}

impl ConfigProblem {
    pub fn message(self) -> String {
        match self {
            ConfigProblem::PenaltyMinutesNotANumber => {
                "Please enter the penalty as a whole number of minutes.".to_owned()
            }
            ConfigProblem::PenaltyMinutesOutOfRange => format!(
                "The penalty must be between 1 and {MAX_PENALTY_MINUTES} minutes (one week)."
            ),
            ConfigProblem::BoundNotANumber => {
                "Please enter the penalty's time limit as a whole number of hours.".to_owned()
            }
            ConfigProblem::BoundOutOfRange => format!(
                "The penalty's time limit must be between 1 and {MAX_BOUND_HOURS} hours (one week)."
            ),
            ConfigProblem::LowBatteryNotANumber => {
                "Please enter the battery warning level as a whole number.".to_owned()
            }
            ConfigProblem::LowBatteryOutOfRange => format!(
                "The battery warning level must be between {} and {} %.",
                LOW_BATTERY_PERCENT.start(),
                LOW_BATTERY_PERCENT.end()
            ),
        }
    }
}

impl From<&ExtensionConfig> for ConfigDraft {
    fn from(config: &ExtensionConfig) -> Self {
        Self {
            open_on_release: config.open_on_release,
            open_for_hygiene: config.open_for_hygiene,
            open_on_deserted: config.open_on_deserted,
            penalty_kind: config.penalty.kind,
            penalty_minutes: config.penalty.minutes.to_string(),
            penalty_bound_hours: config.penalty.bound_hours.to_string(),
            wearer_may_lock: config.wearer_may_lock,
            low_battery_percent: config.low_battery_percent.to_string(),
        }
    }
}

/// Checks the draft and builds the policy to save.
pub fn to_config(draft: &ConfigDraft) -> Result<ExtensionConfig, ConfigProblem> {
    let minutes = match draft.penalty_kind {
        PenaltyKind::AddTime => {
            let minutes: u32 = draft
                .penalty_minutes
                .trim()
                .parse()
                .map_err(|_| ConfigProblem::PenaltyMinutesNotANumber)?;
            if !(1..=MAX_PENALTY_MINUTES).contains(&minutes) {
                return Err(ConfigProblem::PenaltyMinutesOutOfRange);
            }
            minutes
        }
        // Minutes only count for "add time"; a leftover in the hidden field is not an error.
        PenaltyKind::None | PenaltyKind::Freeze | PenaltyKind::BlockUnlocking => 0,
    };
    let bound_hours = match draft.penalty_kind {
        PenaltyKind::Freeze | PenaltyKind::BlockUnlocking => {
            let hours: u32 = draft
                .penalty_bound_hours
                .trim()
                .parse()
                .map_err(|_| ConfigProblem::BoundNotANumber)?;
            if !(1..=MAX_BOUND_HOURS).contains(&hours) {
                return Err(ConfigProblem::BoundOutOfRange);
            }
            hours
        }
        // Kept as typed when valid, else the default: it only counts for the two kinds above.
        PenaltyKind::None | PenaltyKind::AddTime => draft
            .penalty_bound_hours
            .trim()
            .parse()
            .ok()
            .filter(|h| (1..=MAX_BOUND_HOURS).contains(h))
            .unwrap_or(api_types::DEFAULT_PENALTY_BOUND_HOURS),
    };
    let low_battery_percent: u8 = match draft.low_battery_percent.trim().parse::<u16>() {
        Ok(percent) => u8::try_from(percent)
            .ok()
            .filter(|p| LOW_BATTERY_PERCENT.contains(p))
            .ok_or(ConfigProblem::LowBatteryOutOfRange)?,
        Err(_) => return Err(ConfigProblem::LowBatteryNotANumber),
    };
    Ok(ExtensionConfig {
        open_on_release: draft.open_on_release,
        open_for_hygiene: draft.open_for_hygiene,
        open_on_deserted: draft.open_on_deserted,
        penalty: Penalty {
            kind: draft.penalty_kind,
            minutes,
            bound_hours,
        },
        wearer_may_lock: draft.wearer_may_lock,
        low_battery_percent,
    })
}

/// The `<select>` value of a penalty kind, and back.
pub fn penalty_value(kind: PenaltyKind) -> &'static str {
    match kind {
        PenaltyKind::None => "none",
        PenaltyKind::AddTime => "add_time",
        PenaltyKind::Freeze => "freeze",
        PenaltyKind::BlockUnlocking => "block_unlocking",
    }
}

pub fn penalty_from_value(value: &str) -> PenaltyKind {
    match value {
        "add_time" => PenaltyKind::AddTime,
        "freeze" => PenaltyKind::Freeze,
        "block_unlocking" => PenaltyKind::BlockUnlocking,
        _ => PenaltyKind::None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> ConfigDraft {
        ConfigDraft::from(&ExtensionConfig::default())
    }

    #[test]
    fn the_default_policy_survives_a_round_trip_through_the_form() {
        assert_eq!(to_config(&draft()), Ok(ExtensionConfig::default()));
    }

    #[test]
    fn an_add_time_penalty_needs_minutes_within_a_week() {
        let mut d = draft();
        d.penalty_kind = PenaltyKind::AddTime;
        d.penalty_minutes = " 90 ".into();
        let config = to_config(&d).unwrap();
        assert_eq!(
            config.penalty,
            Penalty {
                kind: PenaltyKind::AddTime,
                minutes: 90,
                ..Penalty::default()
            }
        );
        for (typed, problem) in [
            ("0", ConfigProblem::PenaltyMinutesOutOfRange),
            ("10081", ConfigProblem::PenaltyMinutesOutOfRange),
            ("-5", ConfigProblem::PenaltyMinutesNotANumber),
            ("1.5", ConfigProblem::PenaltyMinutesNotANumber),
            ("", ConfigProblem::PenaltyMinutesNotANumber),
        ] {
            d.penalty_minutes = typed.into();
            assert_eq!(to_config(&d), Err(problem), "{typed:?}");
        }
    }

    #[test]
    fn minutes_are_ignored_unless_the_penalty_adds_time() {
        let mut d = draft();
        d.penalty_kind = PenaltyKind::Freeze;
        d.penalty_minutes = "nonsense".into();
        assert_eq!(
            to_config(&d).unwrap().penalty,
            Penalty {
                kind: PenaltyKind::Freeze,
                minutes: 0,
                ..Penalty::default()
            }
        );
    }

    #[test]
    fn a_freeze_or_a_block_needs_a_time_limit_within_a_week() {
        let mut d = draft();
        d.penalty_kind = PenaltyKind::BlockUnlocking;
        d.penalty_bound_hours = " 6 ".into();
        assert_eq!(to_config(&d).unwrap().penalty.bound_hours, 6);
        for (typed, problem) in [
            ("0", ConfigProblem::BoundOutOfRange),
            ("169", ConfigProblem::BoundOutOfRange),
            ("soon", ConfigProblem::BoundNotANumber),
        ] {
            d.penalty_bound_hours = typed.into();
            assert_eq!(to_config(&d), Err(problem), "{typed:?}");
        }
        d.penalty_kind = PenaltyKind::None;
        assert_eq!(to_config(&d).unwrap().penalty.bound_hours, 24);
    }

    #[test]
    fn the_battery_threshold_is_a_percentage() {
        let mut d = draft();
        for (typed, expected) in [
            ("5", Ok(5)),
            (" 80 ", Ok(80)),
            ("4", Err(ConfigProblem::LowBatteryOutOfRange)),
            ("81", Err(ConfigProblem::LowBatteryOutOfRange)),
            ("300", Err(ConfigProblem::LowBatteryOutOfRange)),
            ("abc", Err(ConfigProblem::LowBatteryNotANumber)),
        ] {
            d.low_battery_percent = typed.into();
            assert_eq!(
                to_config(&d).map(|c| c.low_battery_percent),
                expected,
                "{typed:?}"
            );
        }
    }

    #[test]
    fn penalty_kinds_map_to_the_select_values_and_back() {
        for kind in [
            PenaltyKind::None,
            PenaltyKind::AddTime,
            PenaltyKind::Freeze,
            PenaltyKind::BlockUnlocking,
        ] {
            assert_eq!(penalty_from_value(penalty_value(kind)), kind);
        }
        assert_eq!(penalty_from_value("bogus"), PenaltyKind::None);
    }
}
