use serde_json::json;

use super::*;

fn env_defaults() -> Policy {
    Policy {
        open_on_release: true,
        open_for_hygiene: false,
        open_on_deserted: true,
        penalty: Penalty::Freeze,
        penalty_bound_hours: 12,
        ..Policy::default()
    }
}

/// The page shows `view()`; what it shows, saved back, must be what the jobs apply.
fn page_round_trip(p: &Policy, defaults: &Policy) -> Policy {
    Policy::read(&serde_json::to_value(p.view()).unwrap(), defaults)
}

#[test]
fn the_page_the_box_view_and_the_jobs_read_the_same_policy_from_each_stored_config() {
    let d = Policy::default();
    let env = env_defaults();
    // (stored config, server defaults, expected policy)
    let table: Vec<(Value, Policy, Policy)> = vec![
        (json!({}), d, d),
        (Value::Null, env, env),
        (json!({}), env, env),
        (
            json!({"penalty": {"kind": "add_time"}}),
            env,
            Policy {
                penalty: Penalty::AddTime { minutes: 60 },
                ..env
            },
        ),
        (
            json!({"penalty": {"kind": "add_time", "minutes": 1_000_000}}),
            d,
            Policy {
                penalty: Penalty::AddTime { minutes: 10_080 },
                ..d
            },
        ),
        (
            json!({"penalty": {"kind": "add_time", "minutes": -5}}),
            env,
            env,
        ),
        (
            json!({"penalty": {"kind": "block_unlocking", "boundHours": 6}}),
            d,
            Policy {
                penalty: Penalty::BlockUnlocking,
                penalty_bound_hours: 6,
                ..d
            },
        ),
        (
            json!({"penalty": {"kind": "freeze", "boundHours": 100_000}}),
            env,
            env,
        ),
        (
            json!({"openOnRelease": "no", "lowBatteryPercent": 3, "wearerMayLock": false,
                   "penalty": {"kind": "whip"}, "extensionId": "legacy"}),
            env,
            Policy {
                wearer_may_lock: false,
                ..env
            },
        ),
        (
            json!({"openOnRelease": false, "openForHygiene": true, "openOnDeserted": false,
                   "lowBatteryPercent": 50, "penalty": {"kind": "none"}}),
            env,
            Policy {
                open_on_release: false,
                open_for_hygiene: true,
                open_on_deserted: false,
                low_battery_percent: 50,
                penalty: Penalty::None,
                ..env
            },
        ),
    ];
    for (stored, defaults, expected) in table {
        let read = Policy::read(&stored, &defaults);
        assert_eq!(read, expected, "jobs, for {stored}");
        assert_eq!(
            page_round_trip(&read, &defaults),
            read,
            "the page shows what the jobs apply, for {stored}"
        );
        // Once saved, the page's values no longer depend on the server defaults.
        assert_eq!(page_round_trip(&read, &Policy::default()), read);
    }
}

#[test]
fn penalties_are_parsed_with_their_kinds_and_capped_at_a_week() {
    let none = Penalty::None;
    assert_eq!(
        parse_penalty(&json!({"kind": "block_unlocking"}), none),
        Some(Penalty::BlockUnlocking)
    );
    assert_eq!(
        parse_penalty(&json!({"kind": "freeze"}), none),
        Some(Penalty::Freeze)
    );
    assert_eq!(parse_penalty(&json!({"kind": "whip"}), none), None);
    assert_eq!(
        parse_penalty(
            &json!({"kind": "add_time"}),
            Penalty::AddTime { minutes: 15 }
        ),
        Some(Penalty::AddTime { minutes: 15 })
    );
}

#[test]
fn the_bound_is_hours_between_one_and_a_week() {
    let p = Policy {
        penalty_bound_hours: 0,
        ..Policy::default()
    };
    assert_eq!(p.penalty_bound(), chrono::Duration::hours(1));
    assert_eq!(
        Policy::default().penalty_bound(),
        chrono::Duration::hours(24)
    );
}
