//! What the keyholder wants done with the box, from the session's public `config` with server
//! defaults for whatever it does not say. Bad values fall back to the defaults: the config is
//! written by a page we do not fully control and must never stop an unlock.

use serde_json::Value;

/// Longest penalty we apply for one incident: a week.
const MAX_PENALTY_MINUTES: u32 = 7 * 24 * 60;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Penalty {
    None,
    /// Adds this many minutes to the lock.
    AddTime {
        minutes: u32,
    },
    Freeze,
}

impl Penalty {
    /// "60 minutes added", "the lock was frozen", "no penalty".
    pub fn describe(self) -> String {
        match self {
            Penalty::None => "no penalty".into(),
            Penalty::AddTime { minutes: 1 } => "1 minute added".into(),
            Penalty::AddTime { minutes } => format!("{minutes} minutes added"),
            Penalty::Freeze => "the lock was frozen".into(),
        }
    }

    /// A short stable label stored with the incident.
    pub fn label(self) -> String {
        match self {
            Penalty::None => "none".into(),
            Penalty::AddTime { minutes } => format!("add_time {minutes} min"),
            Penalty::Freeze => "freeze".into(),
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
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            open_on_release: true,
            open_for_hygiene: true,
            open_on_deserted: true,
            penalty: Penalty::None,
        }
    }
}

impl Policy {
    /// Reads `openOnRelease`, `openForHygiene`, `openOnDeserted` (booleans) and
    /// `penalty: {kind: "none"|"add_time"|"freeze", minutes}`; anything missing or malformed
    /// keeps its value from `defaults`.
    pub fn from_config(config: &Value, defaults: &Policy) -> Policy {
        let flag =
            |key: &str, default: bool| config.get(key).and_then(Value::as_bool).unwrap_or(default);
        Policy {
            open_on_release: flag("openOnRelease", defaults.open_on_release),
            open_for_hygiene: flag("openForHygiene", defaults.open_for_hygiene),
            open_on_deserted: flag("openOnDeserted", defaults.open_on_deserted),
            penalty: config
                .get("penalty")
                .and_then(|p| parse_penalty(p, defaults.penalty))
                .unwrap_or(defaults.penalty),
        }
    }
}

/// `None` when the value is not a usable penalty.
pub fn parse_penalty(value: &Value, default: Penalty) -> Option<Penalty> {
    let kind = value.get("kind")?.as_str()?;
    match kind {
        "none" => Some(Penalty::None),
        "freeze" => Some(Penalty::Freeze),
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
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_empty_config_keeps_the_server_defaults() {
        let defaults = Policy {
            open_on_release: true,
            open_for_hygiene: false,
            open_on_deserted: true,
            penalty: Penalty::Freeze,
        };
        assert_eq!(Policy::from_config(&json!({}), &defaults), defaults);
        assert_eq!(Policy::from_config(&Value::Null, &defaults), defaults);
    }

    #[test]
    fn the_config_overrides_each_setting_it_names() {
        let p = Policy::from_config(
            &json!({"openOnRelease": false, "openForHygiene": false, "openOnDeserted": false,
                    "penalty": {"kind": "add_time", "minutes": 30}}),
            &Policy::default(),
        );
        assert!(!p.open_on_release && !p.open_for_hygiene && !p.open_on_deserted);
        assert_eq!(p.penalty, Penalty::AddTime { minutes: 30 });
    }

    #[test]
    fn malformed_values_fall_back_to_the_defaults() {
        let p = Policy::from_config(
            &json!({"openOnRelease": "no", "penalty": {"kind": "whip"}}),
            &Policy::default(),
        );
        assert_eq!(p, Policy::default());
        let p = Policy::from_config(
            &json!({"penalty": {"kind": "add_time", "minutes": -5}}),
            &Policy::default(),
        );
        assert_eq!(p.penalty, Penalty::None);
    }

    #[test]
    fn penalties_are_capped_at_a_week() {
        let p = Policy::from_config(
            &json!({"penalty": {"kind": "add_time", "minutes": 1_000_000}}),
            &Policy::default(),
        );
        assert_eq!(p.penalty, Penalty::AddTime { minutes: 10_080 });
    }
}
