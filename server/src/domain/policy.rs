//! The one reader of the lock's policy: the session's public `config` over the server defaults
//! (`OPEN_ON_*`, `TAMPER_PENALTY*`). The configuration page shows [`Policy::view`], the box view
//! takes its rules from it and the jobs apply it, so all three always agree on the same stored
//! config. Bad values fall back to the defaults key by key: the config is written by a page we
//! do not fully control and must never stop an unlock.

use std::ops::RangeInclusive;

use api_types::{ExtensionConfig, PenaltyKind, DEFAULT_PENALTY_BOUND_HOURS};
use serde_json::Value;

/// Longest time penalty for one incident: a week.
pub const MAX_PENALTY_MINUTES: u32 = 7 * 24 * 60;
/// Longest a penalty may hold the lock (freeze, block unlocking): a week.
pub const MAX_BOUND_HOURS: u32 = 7 * 24;
/// Accepted low-battery warning levels (percent).
pub const BATTERY_RANGE: RangeInclusive<u8> = 5..=80;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Penalty {
    None,
    /// Adds this many minutes to the lock.
    AddTime {
        minutes: u32,
    },
    /// Freezes the lock until the incident ends (only with a keyholder; see `opener`).
    Freeze,
    /// Our session metadata prevents unlocking until the incident ends.
    BlockUnlocking,
}

impl Penalty {
    /// "60 minutes added", "the lock was frozen", "no penalty".
    pub fn describe(self) -> String {
        match self {
            Penalty::None => "no penalty".into(),
            Penalty::AddTime { minutes: 1 } => "1 minute added".into(),
            Penalty::AddTime { minutes } => format!("{minutes} minutes added"),
            Penalty::Freeze => "the lock was frozen until the box is locked again".into(),
            Penalty::BlockUnlocking => "unlocking is blocked until the box is locked again".into(),
        }
    }

    /// A short stable label stored with the incident.
    pub fn label(self) -> String {
        match self {
            Penalty::None => "none".into(),
            Penalty::AddTime { minutes } => format!("add_time {minutes} min"),
            Penalty::Freeze => "freeze".into(),
            Penalty::BlockUnlocking => "block_unlocking".into(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    /// Open the box when Chaster releases the lock.
    pub open_on_release: bool,
    /// Open it for a hygiene opening (and lock it again afterwards).
    pub open_for_hygiene: bool,
    /// Open it when the lock is deserted.
    pub open_on_deserted: bool,
    /// What a box found open during the session costs.
    pub penalty: Penalty,
    /// A penalty that holds the lock (freeze, block unlocking) ends after this long at most.
    pub penalty_bound_hours: u32,
    /// The wearer may lock the box themselves.
    pub wearer_may_lock: bool,
    /// Warn at or below this battery level (percent).
    pub low_battery_percent: u8,
}

impl Default for Policy {
    fn default() -> Self {
        let page = ExtensionConfig::default();
        Policy {
            open_on_release: page.open_on_release,
            open_for_hygiene: page.open_for_hygiene,
            open_on_deserted: page.open_on_deserted,
            penalty: Penalty::None,
            penalty_bound_hours: DEFAULT_PENALTY_BOUND_HOURS,
            wearer_may_lock: page.wearer_may_lock,
            low_battery_percent: page.low_battery_percent,
        }
    }
}

impl Policy {
    /// Reads `openOnRelease`, `openForHygiene`, `openOnDeserted`, `wearerMayLock` (booleans),
    /// `lowBatteryPercent` and `penalty: {kind: "none"|"add_time"|"freeze"|"block_unlocking",
    /// minutes, boundHours}`; anything missing or malformed keeps its value from `defaults`.
    pub fn read(config: &Value, defaults: &Policy) -> Policy {
        let flag =
            |key: &str, default: bool| config.get(key).and_then(Value::as_bool).unwrap_or(default);
        let penalty = config.get("penalty");
        Policy {
            open_on_release: flag("openOnRelease", defaults.open_on_release),
            open_for_hygiene: flag("openForHygiene", defaults.open_for_hygiene),
            open_on_deserted: flag("openOnDeserted", defaults.open_on_deserted),
            penalty: penalty
                .and_then(|p| parse_penalty(p, defaults.penalty))
                .unwrap_or(defaults.penalty),
            penalty_bound_hours: penalty
                .and_then(|p| p.get("boundHours"))
                .and_then(Value::as_u64)
                .filter(|h| (1..=u64::from(MAX_BOUND_HOURS)).contains(h))
                .map_or(defaults.penalty_bound_hours, |h| h as u32),
            wearer_may_lock: flag("wearerMayLock", defaults.wearer_may_lock),
            low_battery_percent: config
                .get("lowBatteryPercent")
                .and_then(Value::as_u64)
                .and_then(|p| u8::try_from(p).ok())
                .filter(|p| BATTERY_RANGE.contains(p))
                .unwrap_or(defaults.low_battery_percent),
        }
    }

    /// The policy as the configuration page and the box view show it.
    pub fn view(&self) -> ExtensionConfig {
        let (kind, minutes) = match self.penalty {
            Penalty::None => (PenaltyKind::None, 0),
            Penalty::AddTime { minutes } => (PenaltyKind::AddTime, minutes),
            Penalty::Freeze => (PenaltyKind::Freeze, 0),
            Penalty::BlockUnlocking => (PenaltyKind::BlockUnlocking, 0),
        };
        ExtensionConfig {
            open_on_release: self.open_on_release,
            open_for_hygiene: self.open_for_hygiene,
            open_on_deserted: self.open_on_deserted,
            penalty: api_types::Penalty {
                kind,
                minutes,
                bound_hours: self.penalty_bound_hours,
            },
            wearer_may_lock: self.wearer_may_lock,
            low_battery_percent: self.low_battery_percent,
        }
    }

    /// How long a freeze or a block lasts at most.
    pub fn penalty_bound(&self) -> chrono::Duration {
        chrono::Duration::hours(i64::from(
            self.penalty_bound_hours.clamp(1, MAX_BOUND_HOURS),
        ))
    }
}

/// `None` when the value is not a usable penalty. `default` supplies the minutes of an
/// `add_time` that names none.
pub fn parse_penalty(value: &Value, default: Penalty) -> Option<Penalty> {
    let kind = value.get("kind")?.as_str()?;
    match kind {
        "none" => Some(Penalty::None),
        "freeze" => Some(Penalty::Freeze),
        "block_unlocking" => Some(Penalty::BlockUnlocking),
        "add_time" => {
            let minutes = match value.get("minutes") {
                Some(m) => m.as_u64().filter(|m| *m > 0)?,
                None => match default {
                    Penalty::AddTime { minutes } => u64::from(minutes),
                    _ => 60,
                },
            };
            Some(Penalty::AddTime {
                minutes: minutes.min(u64::from(MAX_PENALTY_MINUTES)) as u32,
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests;
