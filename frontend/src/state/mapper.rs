//! The session, the box and custody → the one state card on top of the main page. Pure.
//!
//! Every state says what is going on in one title, and offers at most one obvious action.
//! Wherever we cannot open the box, the card also says how the wearer gets the key anyway.

use crate::i18n::{t, tf, Msg};
use crate::time::{format_date, parse_rfc3339_ms};
use crate::ui::said;
use api_types::{DeviceSlot, DeviceView, LatchState, LockStatus, LockView, Role};

/// Which state the card shows; `as_str` is the card's `data-state`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CardState {
    /// Running lock, box locked: calm.
    Locked,
    OpenByKeyholder,
    OpenUnexpected,
    Hygiene,
    HygieneLate,
    EndedOpen,
    EndedShut,
    Deserted,
    Unreachable,
    Jammed,
    QuotaUsedUp,
    NoBox,
    /// Chaster sent a status we do not know: nobody moves the box until it says.
    Waiting,
}

impl CardState {
    pub fn as_str(self) -> &'static str {
        match self {
            CardState::Locked => "locked",
            CardState::OpenByKeyholder => "open-by-keyholder",
            CardState::OpenUnexpected => "open-unexpected",
            CardState::Hygiene => "hygiene",
            CardState::HygieneLate => "hygiene-late",
            CardState::EndedOpen => "ended-open",
            CardState::EndedShut => "ended-shut",
            CardState::Deserted => "deserted",
            CardState::Unreachable => "unreachable",
            CardState::Jammed => "jammed",
            CardState::QuotaUsedUp => "quota",
            CardState::NoBox => "no-box",
            CardState::Waiting => "waiting",
        }
    }
}

/// The card's colour and how loudly it speaks: `Alert` is announced at once (`role="alert"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Calm,
    Info,
    Success,
    /// Amber: something needs an eye, nothing is lost.
    Warning,
    Alert,
}

impl Tone {
    pub fn class(self) -> &'static str {
        match self {
            Tone::Calm => "state-calm",
            Tone::Info => "state-info",
            Tone::Success => "state-success",
            Tone::Warning => "state-warning",
            Tone::Alert => "state-alert",
        }
    }
}

/// The one obvious thing to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CardAction {
    /// The wearer connects a box (takes them to the connect form).
    Connect,
    /// Locks the box; `label` is "Lock box" or "Lock box now".
    Lock { label: &'static str },
    /// The wearer opens the box after the lock ended.
    Open,
    /// "Try again now" while the monthly quota is used up.
    RetryQuota,
}

impl CardAction {
    pub fn label(self) -> &'static str {
        match self {
            CardAction::Connect => t(Msg::StateConnectAction),
            CardAction::Lock { label } => label,
            CardAction::Open => t(Msg::StateOpenAction),
            CardAction::RetryQuota => t(Msg::StateRetryQuotaAction),
        }
    }

    pub fn testid(self) -> &'static str {
        match self {
            CardAction::Connect => "state-connect",
            CardAction::Lock { .. } => "state-lock",
            CardAction::Open => "state-open",
            CardAction::RetryQuota => "state-retry-quota",
        }
    }
}

/// A line that depends on the time: rendered with the ticking clock, so the card itself only
/// changes when the state does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CardClock {
    /// "Time left to relock: 00:12:34".
    Countdown { label: &'static str, to_ms: i64 },
    /// "Last seen 12 min ago".
    Ago { label: &'static str, since_ms: i64 },
}

/// Everything the state card shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardData {
    pub state: CardState,
    pub tone: Tone,
    pub title: String,
    pub lines: Vec<String>,
    pub clock: Option<CardClock>,
    /// How the wearer gets the key when we cannot open the box.
    pub key_anyway: Option<&'static str>,
    pub action: Option<CardAction>,
}

pub const KEY_ANYWAY_WEARER: Msg = Msg::StateKeyAnywayWearer;
pub const KEY_ANYWAY_KEYHOLDER: Msg = Msg::StateKeyAnywayKeyholder;

/// The card for `role` looking at `lock` with the box `slot` (its last reading) at `now_ms`.
pub fn state_card(role: Role, lock: &LockView, slot: &DeviceSlot, now_ms: i64) -> CardData {
    let wearer = role == Role::Wearer;
    let key_anyway = t(if wearer {
        KEY_ANYWAY_WEARER
    } else {
        KEY_ANYWAY_KEYHOLDER
    });
    let card = |state, tone, title: &str| CardData {
        state,
        tone,
        title: title.to_owned(),
        lines: Vec::new(),
        clock: None,
        key_anyway: None,
        action: None,
    };
    let Some(device) = &slot.device else {
        let mut c = card(CardState::NoBox, Tone::Warning, t(Msg::StateNoBoxTitle));
        if wearer {
            c.lines.push(t(Msg::StateNoBoxWearer).to_owned());
            c.action = slot.can_manage.then_some(CardAction::Connect);
        } else {
            c.title = t(Msg::StateNoBoxYetTitle).to_owned();
            c.lines.push(t(Msg::StateNoBoxKeyholder).to_owned());
        }
        return c;
    };
    let facts = BoxFacts::of(device);
    match lock.status {
        LockStatus::Unlocked => {
            let ended = lock
                .ended_at
                .as_deref()
                .and_then(parse_rfc3339_ms)
                .map(|at| tf(Msg::StateEndedOn, &[("date", &format_date(at))]));
            let mut c = if facts.latch == Some(LatchState::Unlocked) {
                let title = t(if wearer {
                    Msg::StateEndedOpenWearer
                } else {
                    Msg::StateEndedOpenKeyholder
                });
                card(CardState::EndedOpen, Tone::Success, title)
            } else {
                ended_shut(wearer, device, &facts, key_anyway)
            };
            c.lines.extend(ended);
            c
        }
        LockStatus::Deserted => {
            let opens = device.opens_at.as_deref().and_then(parse_rfc3339_ms);
            let title = match opens {
                Some(at) => tf(Msg::StateDesertedOpensOn, &[("date", &format_date(at))]),
                None => t(Msg::StateDesertedOpensLater).to_owned(),
            };
            let mut c = card(CardState::Deserted, Tone::Info, &title);
            c.lines.push(t(Msg::StateDesertedText).to_owned());
            c.key_anyway = Some(key_anyway);
            c
        }
        LockStatus::Unknown => {
            let mut c = card(CardState::Waiting, Tone::Info, t(Msg::StateWaitingTitle));
            c.lines.push(t(Msg::StateWaitingText).to_owned());
            c.key_anyway = Some(key_anyway);
            c
        }
        LockStatus::Locked => running(role, lock, device, &facts, now_ms, key_anyway),
    }
}

/// What the last reading of the box says.
struct BoxFacts {
    latch: Option<LatchState>,
    reachable: bool,
    last_seen_ms: Option<i64>,
    quota_message: Option<String>,
}

impl BoxFacts {
    fn of(device: &DeviceView) -> BoxFacts {
        let status = device.status.as_ref();
        BoxFacts {
            latch: status.map(|s| s.latch),
            reachable: status.is_some_and(|s| s.reachable),
            last_seen_ms: status
                .and_then(|s| s.last_update.as_deref())
                .and_then(parse_rfc3339_ms),
            quota_message: device
                .budget
                .as_ref()
                .and_then(|b| b.quota_message.as_ref())
                .map(|s| said("error", s)),
        }
    }
}

/// The lock has ended and the box is not (known to be) open: the opening keeps trying.
fn ended_shut(
    wearer: bool,
    device: &DeviceView,
    facts: &BoxFacts,
    key_anyway: &'static str,
) -> CardData {
    let (title, line) = if let Some(message) = &facts.quota_message {
        (t(Msg::StateEndedQuotaTitle), message.clone())
    } else if !facts.reachable {
        (
            t(Msg::StateEndedOfflineTitle),
            t(Msg::StateEndedOfflineText).to_owned(),
        )
    } else if facts.latch == Some(LatchState::Jammed) {
        (
            t(Msg::StateEndedJammedTitle),
            t(Msg::StateEndedJammedText).to_owned(),
        )
    } else {
        (
            t(if wearer {
                Msg::StateEndedOpeningWearer
            } else {
                Msg::StateEndedOpeningKeyholder
            }),
            t(Msg::StateEndedOpeningText).to_owned(),
        )
    };
    CardData {
        state: CardState::EndedShut,
        tone: Tone::Warning,
        title: title.to_owned(),
        lines: vec![line],
        clock: last_seen(facts),
        key_anyway: Some(key_anyway),
        // Only a box that answers can be opened from here: no button that cannot work.
        action: (wearer && device.can_open && facts.reachable && facts.quota_message.is_none())
            .then_some(CardAction::Open),
    }
}

fn last_seen(facts: &BoxFacts) -> Option<CardClock> {
    (!facts.reachable)
        .then_some(facts.last_seen_ms)
        .flatten()
        .map(|since_ms| CardClock::Ago {
            label: t(Msg::StateLastSeen),
            since_ms,
        })
}

/// A running lock: the box's troubles first (we could not act on it), then the hygiene
/// opening, then what the latch says.
fn running(
    role: Role,
    lock: &LockView,
    device: &DeviceView,
    facts: &BoxFacts,
    now_ms: i64,
    key_anyway: &'static str,
) -> CardData {
    let wearer = role == Role::Wearer;
    let lock_action = |label| device.can_lock.then_some(CardAction::Lock { label });
    let mut c = CardData {
        state: CardState::Locked,
        tone: Tone::Calm,
        title: String::new(),
        lines: Vec::new(),
        clock: None,
        key_anyway: None,
        action: None,
    };
    if let Some(message) = &facts.quota_message {
        c.state = CardState::QuotaUsedUp;
        c.tone = Tone::Warning;
        c.title = t(Msg::StateQuotaTitle).to_owned();
        c.lines.push(message.clone());
        c.key_anyway = Some(key_anyway);
        c.action = device
            .budget
            .as_ref()
            .is_some_and(|b| b.can_retry_now)
            .then_some(CardAction::RetryQuota);
        return c;
    }
    if !facts.reachable {
        c.state = CardState::Unreachable;
        c.tone = Tone::Warning;
        c.title = t(Msg::StateUnreachableTitle).to_owned();
        c.lines.push(match (&device.status, &device.status_error) {
            (None, Some(why)) => said("error", why),
            _ => t(Msg::StateUnreachableText).to_owned(),
        });
        c.clock = last_seen(facts);
        c.key_anyway = Some(key_anyway);
        return c;
    }
    if let Some(hygiene) = &lock.hygiene_opening {
        let relock_ms = hygiene.relock_by.as_deref().and_then(parse_rfc3339_ms);
        let late = relock_ms.is_some_and(|at| now_ms >= at);
        c.action = lock_action(t(Msg::StateLockNowAction));
        if late {
            c.state = CardState::HygieneLate;
            c.tone = Tone::Alert;
            c.title = t(Msg::StateHygieneLateTitle).to_owned();
            let by = relock_ms.map(format_date).unwrap_or_default();
            let line = if wearer {
                Msg::StateHygieneLateWearer
            } else {
                Msg::StateHygieneLateKeyholder
            };
            c.lines.push(tf(line, &[("date", &by)]));
        } else {
            c.state = CardState::Hygiene;
            c.tone = Tone::Info;
            c.title = t(Msg::StateHygieneTitle).to_owned();
            c.lines.push(
                t(if wearer {
                    Msg::StateHygieneWearer
                } else {
                    Msg::StateHygieneKeyholder
                })
                .to_owned(),
            );
            c.clock = relock_ms.map(|to_ms| CardClock::Countdown {
                label: t(Msg::StateTimeLeftToRelock),
                to_ms,
            });
        }
        return c;
    }
    match facts.latch {
        Some(LatchState::Jammed) => {
            c.state = CardState::Jammed;
            c.tone = Tone::Warning;
            c.title = t(Msg::StateJammedTitle).to_owned();
            c.lines.push(t(Msg::StateJammedText).to_owned());
            c.key_anyway = Some(key_anyway);
            c.action = lock_action(t(Msg::StateLockAction));
        }
        Some(LatchState::Unlocked) => {
            let since = device
                .opened_by_keyholder_at
                .as_deref()
                .and_then(parse_rfc3339_ms);
            c.action = lock_action(t(Msg::StateLockAction));
            match since {
                Some(at) => {
                    c.state = CardState::OpenByKeyholder;
                    c.tone = Tone::Info;
                    c.title = t(if wearer {
                        Msg::StateOpenedByKeyholderWearer
                    } else {
                        Msg::StateOpenedByKeyholderKeyholder
                    })
                    .to_owned();
                    c.lines
                        .push(tf(Msg::StateOpenSince, &[("date", &format_date(at))]));
                }
                None => {
                    c.state = CardState::OpenUnexpected;
                    c.tone = Tone::Alert;
                    c.title = t(Msg::StateOpenUnexpectedTitle).to_owned();
                    c.lines.push(t(Msg::StateOpenUnexpectedText).to_owned());
                }
            }
        }
        _ => {
            let (title, line) = if wearer {
                (Msg::StateLockedTitleWearer, Msg::StateLockedTextWearer)
            } else {
                (
                    Msg::StateLockedTitleKeyholder,
                    Msg::StateLockedTextKeyholder,
                )
            };
            c.title = t(title).to_owned();
            c.lines.push(t(line).to_owned());
            if let Some(at) = lock.max_limit_date.as_deref().and_then(parse_rfc3339_ms) {
                c.lines.push(tf(
                    Msg::StateGuaranteedRelease,
                    &[("date", &format_date(at))],
                ));
            }
        }
    }
    c
}

#[cfg(test)]
mod tests;
