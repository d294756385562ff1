//! The state card for every state the main page knows, as one table.

use super::*;
use api_types::{BoxStatus, DeviceApi, HygieneOpeningView, RequestBudget};

const NOW: &str = "2026-12-01T12:00:00Z";

fn now_ms() -> i64 {
    parse_rfc3339_ms(NOW).unwrap()
}

fn lock(status: LockStatus) -> LockView {
    LockView {
        title: "Weekend".into(),
        status,
        start_date: "2026-11-30T10:00:00Z".into(),
        end_date: Some("2026-12-02T10:00:00Z".into()),
        timer_visible: true,
        frozen: false,
        frozen_at: None,
        can_be_unlocked: false,
        max_limit_date: None,
        ended_at: None,
        hygiene_opening: None,
    }
}

fn device(latch: LatchState, reachable: bool) -> DeviceView {
    DeviceView {
        nickname: "Key box".into(),
        api: DeviceApi::WebApi,
        model: "SESAME 5".into(),
        status: Some(BoxStatus {
            latch,
            battery_percent: Some(80),
            battery_low: false,
            reachable,
            last_update: Some("2026-12-01T11:48:00Z".into()),
        }),
        status_error: None,
        requests_this_month: 10,
        can_open: false,
        can_lock: true,
        holds_box: true,
        notice: None,
        budget: None,
        opened_by_keyholder_at: None,
        opens_at: None,
        opens_on_release: false,
    }
}

fn slot(device: DeviceView) -> DeviceSlot {
    DeviceSlot {
        device: Some(device),
        can_manage: false,
    }
}

fn quota(mut d: DeviceView, can_retry_now: bool) -> DeviceView {
    d.budget = Some(RequestBudget {
        monthly_quota: 3_000,
        reserve: 100,
        reading_age_secs: None,
        quota_message: Some(api_types::Sentence::new(
            "quota_used_up",
            "This month's CANDY HOUSE requests are used up.",
            &[],
        )),
        can_retry_now,
    });
    d
}

fn hygiene(mut l: LockView, relock_by: &str) -> LockView {
    l.hygiene_opening = Some(HygieneOpeningView {
        opened_at: "2026-12-01T11:50:00Z".into(),
        relock_by: Some(relock_by.into()),
    });
    l
}

struct Case {
    name: &'static str,
    role: Role,
    lock: LockView,
    slot: DeviceSlot,
    state: CardState,
    tone: Tone,
    title: &'static str,
    /// A piece of one of the lines (or "" for none to check).
    line: &'static str,
    key_anyway: bool,
    action: Option<CardAction>,
}

#[test]
fn every_state_has_its_card_wording_and_one_action() {
    use LatchState::*;
    use LockStatus as S;
    let ended = |mut l: LockView| {
        l.ended_at = Some("2026-12-01T11:00:00Z".into());
        l
    };
    let max_limit = |mut l: LockView| {
        l.max_limit_date = Some("2026-12-24T18:00:00Z".into());
        l
    };
    let by_keyholder = |mut d: DeviceView| {
        d.opened_by_keyholder_at = Some("2026-12-01T11:30:00Z".into());
        d
    };
    let may_open = |mut d: DeviceView| {
        d.can_open = true;
        d
    };
    let deserted = |mut d: DeviceView| {
        d.opens_at = Some("2026-12-08T10:00:00Z".into());
        d
    };
    let lock_now = Some(CardAction::Lock {
        label: "Lock box now",
    });
    let lock_box = Some(CardAction::Lock { label: "Lock box" });
    let cases = [
        Case {
            name: "locked, running, with a guaranteed release",
            role: Role::Wearer,
            lock: max_limit(lock(S::Locked)),
            slot: slot(device(Locked, true)),
            state: CardState::Locked,
            tone: Tone::Calm,
            title: "Your box is locked",
            line: "Guaranteed release by 24 Dec 2026, 18:00 UTC at the latest.",
            key_anyway: false,
            action: None,
        },
        Case {
            name: "locked, running, keyholder",
            role: Role::Keyholder,
            lock: lock(S::Locked),
            slot: slot(device(Locked, true)),
            state: CardState::Locked,
            tone: Tone::Calm,
            title: "The box is locked",
            line: "It opens by itself when the lock ends.",
            key_anyway: false,
            action: None,
        },
        Case {
            name: "opened by the keyholder",
            role: Role::Wearer,
            lock: lock(S::Locked),
            slot: slot(by_keyholder(device(Unlocked, true))),
            state: CardState::OpenByKeyholder,
            tone: Tone::Info,
            title: "Your keyholder opened the box",
            line: "Open since 1 Dec 2026, 11:30 UTC.",
            key_anyway: false,
            action: lock_box,
        },
        Case {
            name: "open, nobody opened it",
            role: Role::Keyholder,
            lock: lock(S::Locked),
            slot: slot(device(Unlocked, true)),
            state: CardState::OpenUnexpected,
            tone: Tone::Alert,
            title: "The box is open during the lock",
            line: "Lock it again",
            key_anyway: false,
            action: lock_box,
        },
        Case {
            name: "hygiene opening running",
            role: Role::Wearer,
            lock: hygiene(lock(S::Locked), "2026-12-01T12:05:00Z"),
            slot: slot(device(Unlocked, true)),
            state: CardState::Hygiene,
            tone: Tone::Info,
            title: "Hygiene opening running",
            line: "before the time is up",
            key_anyway: false,
            action: lock_now,
        },
        Case {
            name: "hygiene opening late",
            role: Role::Wearer,
            lock: hygiene(lock(S::Locked), "2026-12-01T11:59:00Z"),
            slot: slot(device(Unlocked, true)),
            state: CardState::HygieneLate,
            tone: Tone::Alert,
            title: "The hygiene opening is over: lock the box now",
            line: "ended 1 Dec 2026, 11:59 UTC",
            key_anyway: false,
            action: lock_now,
        },
        Case {
            name: "ended, box open",
            role: Role::Wearer,
            lock: ended(lock(S::Unlocked)),
            slot: slot(device(Unlocked, true)),
            state: CardState::EndedOpen,
            tone: Tone::Success,
            title: "Your lock has ended. Your box is open: take your key",
            line: "Ended 1 Dec 2026, 11:00 UTC",
            key_anyway: false,
            action: None,
        },
        Case {
            name: "ended, box open, keyholder",
            role: Role::Keyholder,
            lock: ended(lock(S::Unlocked)),
            slot: slot(device(Unlocked, true)),
            state: CardState::EndedOpen,
            tone: Tone::Success,
            title: "The lock has ended. The box is open: the wearer can take their key",
            line: "Ended 1 Dec 2026, 11:00 UTC",
            key_anyway: false,
            action: None,
        },
        Case {
            name: "ended, hub offline",
            role: Role::Wearer,
            lock: ended(lock(S::Unlocked)),
            slot: slot(may_open(device(Locked, false))),
            state: CardState::EndedShut,
            tone: Tone::Warning,
            title: "The box will open as soon as the hub is back",
            line: "check the hub's power",
            key_anyway: true,
            action: None,
        },
        Case {
            name: "ended, box still shut, hub online, the wearer may open it",
            role: Role::Wearer,
            lock: ended(lock(S::Unlocked)),
            slot: slot(may_open(device(Locked, true))),
            state: CardState::EndedShut,
            tone: Tone::Warning,
            title: "Your lock has ended. Your box is being opened",
            line: "keeps trying",
            key_anyway: true,
            action: Some(CardAction::Open),
        },
        Case {
            name: "ended, box still shut, hub online",
            role: Role::Keyholder,
            lock: ended(lock(S::Unlocked)),
            slot: slot(device(Locked, true)),
            state: CardState::EndedShut,
            tone: Tone::Warning,
            title: "The lock has ended. The box is being opened",
            line: "keeps trying",
            key_anyway: true,
            action: None,
        },
        Case {
            name: "deserted",
            role: Role::Wearer,
            lock: lock(S::Deserted),
            slot: slot(deserted(device(Locked, true))),
            state: CardState::Deserted,
            tone: Tone::Info,
            title: "The box opens on 8 Dec 2026, 10:00 UTC",
            line: "after 7 days",
            key_anyway: true,
            action: None,
        },
        Case {
            name: "unreachable",
            role: Role::Wearer,
            lock: lock(S::Locked),
            slot: slot(device(Locked, false)),
            state: CardState::Unreachable,
            tone: Tone::Warning,
            title: "Box unreachable",
            line: "cannot be opened or locked from here",
            key_anyway: true,
            action: None,
        },
        Case {
            name: "jammed",
            role: Role::Keyholder,
            lock: lock(S::Locked),
            slot: slot(device(Jammed, true)),
            state: CardState::Jammed,
            tone: Tone::Warning,
            title: "Box jammed",
            line: "between locked and unlocked",
            key_anyway: true,
            action: lock_box,
        },
        Case {
            name: "quota used up, wearer",
            role: Role::Wearer,
            lock: lock(S::Locked),
            slot: slot(quota(device(Locked, true), true)),
            state: CardState::QuotaUsedUp,
            tone: Tone::Warning,
            title: "Monthly CANDY HOUSE quota used up",
            line: "used up",
            key_anyway: true,
            action: Some(CardAction::RetryQuota),
        },
        Case {
            name: "no box, wearer",
            role: Role::Wearer,
            lock: lock(S::Locked),
            slot: DeviceSlot {
                device: None,
                can_manage: true,
            },
            state: CardState::NoBox,
            tone: Tone::Warning,
            title: "No box connected",
            line: "Connect your Sesame",
            key_anyway: false,
            action: Some(CardAction::Connect),
        },
        Case {
            name: "no box, keyholder",
            role: Role::Keyholder,
            lock: lock(S::Locked),
            slot: DeviceSlot {
                device: None,
                can_manage: false,
            },
            state: CardState::NoBox,
            tone: Tone::Warning,
            title: "No box connected yet",
            line: "Ask the wearer to connect",
            key_anyway: false,
            action: None,
        },
    ];
    for case in cases {
        let card = state_card(case.role, &case.lock, &case.slot, now_ms());
        let name = case.name;
        assert_eq!(card.state, case.state, "{name}");
        assert_eq!(card.tone, case.tone, "{name}");
        assert_eq!(card.title, case.title, "{name}");
        assert!(
            card.lines.iter().any(|l| l.contains(case.line)),
            "{name}: no line with {:?} in {:?}",
            case.line,
            card.lines
        );
        assert_eq!(card.key_anyway.is_some(), case.key_anyway, "{name}");
        assert_eq!(card.action, case.action, "{name}");
    }
}

#[test]
fn the_keyholder_reads_the_same_way_to_the_key() {
    let card = state_card(
        Role::Keyholder,
        &lock(LockStatus::Locked),
        &slot(device(LatchState::Locked, false)),
        now_ms(),
    );
    assert_eq!(card.key_anyway, Some(t(KEY_ANYWAY_KEYHOLDER)));
    assert!(t(KEY_ANYWAY_KEYHOLDER).contains("Sesame app over Bluetooth"));
    assert!(t(KEY_ANYWAY_KEYHOLDER).contains("backup key"));
}

#[test]
fn an_unreachable_box_says_when_it_was_last_seen_and_hygiene_counts_down() {
    let card = state_card(
        Role::Wearer,
        &lock(LockStatus::Locked),
        &slot(device(LatchState::Locked, false)),
        now_ms(),
    );
    assert_eq!(
        card.clock,
        Some(CardClock::Ago {
            label: "Last seen",
            since_ms: parse_rfc3339_ms("2026-12-01T11:48:00Z").unwrap()
        })
    );
    let card = state_card(
        Role::Wearer,
        &hygiene(lock(LockStatus::Locked), "2026-12-01T12:05:00Z"),
        &slot(device(LatchState::Unlocked, true)),
        now_ms(),
    );
    assert_eq!(
        card.clock,
        Some(CardClock::Countdown {
            label: "Time left to relock",
            to_ms: parse_rfc3339_ms("2026-12-01T12:05:00Z").unwrap()
        })
    );
}

#[test]
fn the_card_does_not_change_while_only_the_clock_moves() {
    let l = hygiene(lock(LockStatus::Locked), "2026-12-01T12:05:00Z");
    let s = slot(device(LatchState::Unlocked, true));
    let at = |ms| state_card(Role::Wearer, &l, &s, ms);
    assert_eq!(at(now_ms()), at(now_ms() + 60_000));
    assert_ne!(at(now_ms()), at(now_ms() + 5 * 60_000));
}

#[test]
fn no_lock_action_is_offered_when_custody_does_not_allow_it() {
    let mut d = device(LatchState::Unlocked, true);
    d.can_lock = false;
    let card = state_card(Role::Wearer, &lock(LockStatus::Locked), &slot(d), now_ms());
    assert_eq!(card.state, CardState::OpenUnexpected);
    assert_eq!(card.action, None);
}
