//! The configuration form's content and its checks. Pure.
//! The server checks again (422 with a sentence); these checks only explain typos at once.

use crate::i18n::{t, tf, PageMsg};
use api_types::{ExtensionConfig, Penalty, PenaltyKind};

/// The longest penalty the form accepts: one week.
pub const MAX_PENALTY_MINUTES: u32 = 7 * 24 * 60;
/// What "Add time" starts at when the policy has no minutes yet (the server's
/// `TAMPER_PENALTY_MINUTES` default), so choosing it never leaves an invalid 0.
pub const DEFAULT_ADD_TIME_MINUTES: u32 = 60;
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
    /// The time "Add time" adds, as typed in days, hours and minutes.
    pub penalty_days: String,
    pub penalty_hours: String,
    pub penalty_minutes: String,
    /// How long a freeze or a block lasts at most, in hours, as typed.
    pub penalty_bound_hours: String,
    pub wearer_may_lock: bool,
    pub low_battery_percent: String,
}

/// A field of the form that can be wrong, with its input's and its error's ids.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfigField {
    /// The days/hours/minutes group of "Add time" (its first box takes the focus).
    PenaltyDuration,
    BoundHours,
    LowBattery,
}

impl ConfigField {
    pub fn input_id(self) -> &'static str {
        match self {
            ConfigField::PenaltyDuration => "cfg-penalty-days",
            ConfigField::BoundHours => "cfg-bound-hours",
            ConfigField::LowBattery => "cfg-battery",
        }
    }

    pub fn error_id(self) -> &'static str {
        match self {
            ConfigField::PenaltyDuration => "cfg-penalty-error",
            ConfigField::BoundHours => "cfg-bound-error",
            ConfigField::LowBattery => "cfg-battery-error",
        }
    }
}

/// Something wrong with one field of a draft.
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
                t(PageMsg::ConfigDurationNotWhole).to_owned()
            }
            ConfigProblem::PenaltyMinutesOutOfRange => {
                t(PageMsg::ConfigDurationOutOfRange).to_owned()
            }
            ConfigProblem::BoundNotANumber => t(PageMsg::ConfigBoundNotWhole).to_owned(),
            ConfigProblem::BoundOutOfRange => tf(
                PageMsg::ConfigBoundOutOfRange,
                &[("max", &MAX_BOUND_HOURS.to_string())],
            ),
            ConfigProblem::LowBatteryNotANumber => t(PageMsg::ConfigBatteryNotWhole).to_owned(),
            ConfigProblem::LowBatteryOutOfRange => tf(
                PageMsg::ConfigBatteryOutOfRange,
                &[
                    ("min", &LOW_BATTERY_PERCENT.start().to_string()),
                    ("max", &LOW_BATTERY_PERCENT.end().to_string()),
                ],
            ),
        }
    }
}

impl ConfigProblem {
    /// The field the problem is shown next to.
    pub fn field(self) -> ConfigField {
        match self {
            ConfigProblem::PenaltyMinutesNotANumber | ConfigProblem::PenaltyMinutesOutOfRange => {
                ConfigField::PenaltyDuration
            }
            ConfigProblem::BoundNotANumber | ConfigProblem::BoundOutOfRange => {
                ConfigField::BoundHours
            }
            ConfigProblem::LowBatteryNotANumber | ConfigProblem::LowBatteryOutOfRange => {
                ConfigField::LowBattery
            }
        }
    }
}

/// Minutes as whole days, hours and minutes.
pub fn split_minutes(total: u32) -> (u32, u32, u32) {
    (total / (24 * 60), total / 60 % 24, total % 60)
}

/// Days, hours and minutes as typed, in minutes; an empty box counts as 0.
pub fn duration_minutes(days: &str, hours: &str, minutes: &str) -> Result<u32, ConfigProblem> {
    let part = |typed: &str| match typed.trim() {
        "" => Ok(0u64),
        text => text
            .parse::<u64>()
            .map_err(|_| ConfigProblem::PenaltyMinutesNotANumber),
    };
    let total = part(days)?
        .saturating_mul(24 * 60)
        .saturating_add(part(hours)?.saturating_mul(60))
        .saturating_add(part(minutes)?);
    u32::try_from(total)
        .ok()
        .filter(|m| (1..=MAX_PENALTY_MINUTES).contains(m))
        .ok_or(ConfigProblem::PenaltyMinutesOutOfRange)
}

/// One line that says what a penalty does, shown under the choice.
pub fn penalty_help(kind: PenaltyKind) -> &'static str {
    match kind {
        PenaltyKind::None => t(PageMsg::ConfigPenaltyNoneHelp),
        PenaltyKind::AddTime => t(PageMsg::ConfigPenaltyAddTimeHelp),
        PenaltyKind::Freeze => t(PageMsg::ConfigPenaltyFreezeHelp),
        PenaltyKind::BlockUnlocking => t(PageMsg::ConfigPenaltyBlockHelp),
    }
}

impl From<&ExtensionConfig> for ConfigDraft {
    fn from(config: &ExtensionConfig) -> Self {
        let minutes = match config.penalty.minutes {
            0 => DEFAULT_ADD_TIME_MINUTES,
            minutes => minutes,
        };
        let (days, hours, minutes) = split_minutes(minutes);
        Self {
            open_on_release: config.open_on_release,
            open_for_hygiene: config.open_for_hygiene,
            open_on_deserted: config.open_on_deserted,
            penalty_kind: config.penalty.kind,
            penalty_days: days.to_string(),
            penalty_hours: hours.to_string(),
            penalty_minutes: minutes.to_string(),
            penalty_bound_hours: config.penalty.bound_hours.to_string(),
            wearer_may_lock: config.wearer_may_lock,
            low_battery_percent: config.low_battery_percent.to_string(),
        }
    }
}

/// Every problem of the draft, at most one per field, in the form's order.
pub fn problems(draft: &ConfigDraft) -> Vec<ConfigProblem> {
    to_config(draft).err().unwrap_or_default()
}

/// The problem shown next to `field`, if any.
pub fn problem_of(problems: &[ConfigProblem], field: ConfigField) -> Option<ConfigProblem> {
    problems.iter().copied().find(|p| p.field() == field)
}

/// Checks the draft and builds the policy to save, or names every field that is wrong.
pub fn to_config(draft: &ConfigDraft) -> Result<ExtensionConfig, Vec<ConfigProblem>> {
    let mut found = Vec::new();
    let minutes = match draft.penalty_kind {
        PenaltyKind::AddTime => duration_minutes(
            &draft.penalty_days,
            &draft.penalty_hours,
            &draft.penalty_minutes,
        )
        .map_err(|p| found.push(p))
        .unwrap_or_default(),
        // Minutes only count for "add time"; a leftover in the hidden fields is not an error.
        PenaltyKind::None | PenaltyKind::Freeze | PenaltyKind::BlockUnlocking => 0,
    };
    let bound_hours = match draft.penalty_kind {
        PenaltyKind::Freeze | PenaltyKind::BlockUnlocking => {
            match draft.penalty_bound_hours.trim().parse::<u32>() {
                Ok(hours) if (1..=MAX_BOUND_HOURS).contains(&hours) => hours,
                Ok(_) => {
                    found.push(ConfigProblem::BoundOutOfRange);
                    0
                }
                Err(_) => {
                    found.push(ConfigProblem::BoundNotANumber);
                    0
                }
            }
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
        Ok(percent) => match u8::try_from(percent)
            .ok()
            .filter(|p| LOW_BATTERY_PERCENT.contains(p))
        {
            Some(percent) => percent,
            None => {
                found.push(ConfigProblem::LowBatteryOutOfRange);
                0
            }
        },
        Err(_) => {
            found.push(ConfigProblem::LowBatteryNotANumber);
            0
        }
    };
    if !found.is_empty() {
        return Err(found);
    }
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
    fn choosing_add_time_on_the_defaults_saves_sixty_minutes() {
        let mut d = draft();
        assert_eq!(
            (
                d.penalty_days.as_str(),
                d.penalty_hours.as_str(),
                d.penalty_minutes.as_str()
            ),
            ("0", "1", "0")
        );
        d.penalty_kind = PenaltyKind::AddTime;
        assert_eq!(
            to_config(&d).unwrap().penalty.minutes,
            DEFAULT_ADD_TIME_MINUTES
        );
    }

    #[test]
    fn a_saved_penalty_is_shown_in_days_hours_and_minutes() {
        let mut config = ExtensionConfig::default();
        config.penalty.kind = PenaltyKind::AddTime;
        config.penalty.minutes = 2 * 24 * 60 + 3 * 60 + 5;
        let d = ConfigDraft::from(&config);
        assert_eq!(
            (
                d.penalty_days.as_str(),
                d.penalty_hours.as_str(),
                d.penalty_minutes.as_str()
            ),
            ("2", "3", "5")
        );
        assert_eq!(to_config(&d), Ok(config));
    }

    #[test]
    fn the_duration_adds_its_parts_and_an_empty_box_counts_as_zero() {
        assert_eq!(duration_minutes("1", "2", "3"), Ok(24 * 60 + 123));
        assert_eq!(duration_minutes("", "", " 45 "), Ok(45));
        assert_eq!(duration_minutes("", "90", ""), Ok(90 * 60));
        assert_eq!(duration_minutes("7", "", ""), Ok(MAX_PENALTY_MINUTES));
        for (parts, problem) in [
            (("", "", ""), ConfigProblem::PenaltyMinutesOutOfRange),
            (("7", "0", "1"), ConfigProblem::PenaltyMinutesOutOfRange),
            (
                ("99999999999", "", ""),
                ConfigProblem::PenaltyMinutesOutOfRange,
            ),
            (("1.5", "", ""), ConfigProblem::PenaltyMinutesNotANumber),
            (("", "-1", ""), ConfigProblem::PenaltyMinutesNotANumber),
        ] {
            assert_eq!(
                duration_minutes(parts.0, parts.1, parts.2),
                Err(problem),
                "{parts:?}"
            );
        }
    }

    #[test]
    fn every_wrong_field_is_named_at_once() {
        let mut d = draft();
        d.penalty_kind = PenaltyKind::AddTime;
        d.penalty_days = "x".into();
        d.low_battery_percent = "99".into();
        let found = problems(&d);
        assert_eq!(
            found,
            vec![
                ConfigProblem::PenaltyMinutesNotANumber,
                ConfigProblem::LowBatteryOutOfRange
            ]
        );
        assert_eq!(
            problem_of(&found, ConfigField::LowBattery),
            Some(ConfigProblem::LowBatteryOutOfRange)
        );
        assert_eq!(problem_of(&found, ConfigField::BoundHours), None);
    }

    #[test]
    fn every_penalty_is_explained_in_one_line() {
        for kind in [
            PenaltyKind::None,
            PenaltyKind::AddTime,
            PenaltyKind::Freeze,
            PenaltyKind::BlockUnlocking,
        ] {
            let help = penalty_help(kind);
            assert!(
                !help.is_empty() && !help.contains('\n') && help.ends_with('.'),
                "{kind:?}"
            );
        }
    }

    #[test]
    fn an_add_time_penalty_needs_minutes_within_a_week() {
        let mut d = draft();
        d.penalty_kind = PenaltyKind::AddTime;
        d.penalty_hours = "1".into();
        d.penalty_minutes = " 30 ".into();
        let config = to_config(&d).unwrap();
        assert_eq!(
            config.penalty,
            Penalty {
                kind: PenaltyKind::AddTime,
                minutes: 90,
                ..Penalty::default()
            }
        );
        d.penalty_hours = "".into();
        for (typed, problem) in [
            ("0", ConfigProblem::PenaltyMinutesOutOfRange),
            ("10081", ConfigProblem::PenaltyMinutesOutOfRange),
            ("-5", ConfigProblem::PenaltyMinutesNotANumber),
            ("1.5", ConfigProblem::PenaltyMinutesNotANumber),
            ("", ConfigProblem::PenaltyMinutesOutOfRange),
        ] {
            d.penalty_minutes = typed.into();
            assert_eq!(to_config(&d), Err(vec![problem]), "{typed:?}");
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
            assert_eq!(to_config(&d), Err(vec![problem]), "{typed:?}");
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
            ("4", Err(vec![ConfigProblem::LowBatteryOutOfRange])),
            ("81", Err(vec![ConfigProblem::LowBatteryOutOfRange])),
            ("300", Err(vec![ConfigProblem::LowBatteryOutOfRange])),
            ("abc", Err(vec![ConfigProblem::LowBatteryNotANumber])),
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
