//! The sentences we write: Chaster history lines, seen by wearer and keyholder in the lock's
//! history (or on our history page when Chaster refuses them). Honest and short; no ids.

use crate::chaster::{CustomLog, LogRole};
use crate::sesame::DeviceError;

pub const ICON_OPEN: &str = "lock-open";
pub const ICON_LOCK: &str = "lock";

/// Why the box is opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpenReason {
    Release,
    Hygiene,
    Deserted,
}

impl OpenReason {
    /// "after release": completes "Box opened …".
    pub fn after(self) -> &'static str {
        match self {
            OpenReason::Release => "after release",
            OpenReason::Hygiene => "for the hygiene opening",
            OpenReason::Deserted => "after the lock was deserted",
        }
    }
}

/// A history line attributed to the extension.
pub fn log(title: impl Into<String>, description: impl Into<String>, icon: &str) -> CustomLog {
    CustomLog {
        title: title.into(),
        description: description.into(),
        role: Some(LogRole::Extension),
        icon: Some(icon.to_owned()),
        color: None,
    }
}

/// A few words on why a command did not work, for a title ("hub offline").
pub fn short_reason(e: &DeviceError) -> &'static str {
    match e {
        DeviceError::Busy { .. } => "the box is busy",
        DeviceError::LowBattery { .. } => "the box's batteries are low",
        DeviceError::Offline { .. } => "hub offline",
        DeviceError::Throttled { .. } | DeviceError::Banned { .. } => {
            "CANDY HOUSE is limiting requests"
        }
        DeviceError::QuotaExhausted { .. } => "monthly CANDY HOUSE quota used up",
        DeviceError::ReserveOnly => "only the openings' requests are left this month",
        DeviceError::BadCredentials { .. } => "CANDY HOUSE refused the API key",
        DeviceError::IntegrationDisabled => "cloud integration is off",
        DeviceError::NotFound => "CANDY HOUSE does not know the box",
        DeviceError::BadRequest { .. } => "CANDY HOUSE refused the request",
        DeviceError::CommandFailed { .. } => "the box reported a failure",
        DeviceError::Timeout { .. } => "CANDY HOUSE did not answer",
        DeviceError::Upstream { .. } | DeviceError::TooLarge { .. } => "CANDY HOUSE had a problem",
        DeviceError::LockNotSupported => "the box cannot be locked remotely",
    }
}

/// "Box opened after release".
pub fn opened(reason: OpenReason, already: bool) -> CustomLog {
    let description = if already {
        "The Sesame reports it is unlocked (it already was when we checked)."
    } else {
        "The Sesame confirmed it is unlocked."
    };
    log(
        format!("Box opened {}", reason.after()),
        description,
        ICON_OPEN,
    )
}

/// `persistent`: an opening Chaster asked for, which never gives up.
pub fn open_retrying(reason: &str, persistent: bool) -> CustomLog {
    match (persistent, reason) {
        (true, "hub offline") => log(
            "The box will open as soon as the hub is back",
            "The Sesame's hub is offline. The opener checks the box (at least once an hour) and opens it when the hub is back; it does not give up while the release stands.",
            ICON_LOCK,
        ),
        (true, _) => log(
            format!("Box not opened yet: {reason}, retrying"),
            "The opener keeps trying (at least once an hour) until the box is open; it does not give up while the release stands.",
            ICON_LOCK,
        ),
        (false, _) => log(
            format!("Box could not be opened: {reason}, retrying"),
            "The opener keeps trying and will write here when the box is open or when it gives up.",
            ICON_LOCK,
        ),
    }
}

pub fn open_failed(reason: &str, detail: &str) -> CustomLog {
    log(
        format!("Box could not be opened: {reason}"),
        format!("{detail} The opener gave up; open the box another way."),
        ICON_LOCK,
    )
}

pub fn not_opened_by_policy(reason: OpenReason) -> CustomLog {
    log(
        "Box stays closed",
        format!(
            "The keyholder's settings do not open the box {}.",
            reason.after()
        ),
        ICON_LOCK,
    )
}

pub fn no_box() -> CustomLog {
    log(
        "No box to open",
        "The wearer has not connected a Sesame, so there was nothing to open.",
        ICON_LOCK,
    )
}

pub fn relocked(late: bool) -> CustomLog {
    let description = if late {
        "The hygiene opening ended late. The Sesame confirmed it is locked."
    } else {
        "The Sesame confirmed it is locked."
    };
    log(
        "Box locked again after hygiene opening",
        description,
        ICON_LOCK,
    )
}

pub fn relock_retrying(reason: &str) -> CustomLog {
    log(
        format!("Box could not be locked again: {reason}, retrying"),
        "The opener keeps trying and will write here when the box is locked or when it gives up.",
        ICON_OPEN,
    )
}

pub fn not_relocked(reason: &str, detail: &str) -> CustomLog {
    log(
        "Box was not locked again",
        format!("After the hygiene opening: {reason}. {detail}"),
        ICON_OPEN,
    )
}

pub fn found_open(penalty: &str) -> CustomLog {
    log(
        "Box found open during the session",
        format!("The Sesame reported it unlocked while the lock was running. Penalty: {penalty}."),
        ICON_OPEN,
    )
}

/// An opening the box's own history shows (`detail` says when and how).
pub fn opened_in_history(detail: &str, penalty: &str) -> CustomLog {
    log(
        "Box opened during the session",
        format!("{detail} Penalty: {penalty}."),
        ICON_OPEN,
    )
}

pub fn locked_after_incident() -> CustomLog {
    log(
        "Box locked again",
        "The Sesame reports it is locked again after it was found open.",
        ICON_LOCK,
    )
}

/// A lock's end or opening that does not move the box, because the lock does not hold it.
/// Says nothing about the wearer's other locks.
pub fn not_holding() -> CustomLog {
    log(
        "Box not moved",
        "This lock does not hold the box, so the box was left as it is.",
        ICON_LOCK,
    )
}

pub fn unblocked(why: &str) -> CustomLog {
    log(
        "Unlocking is no longer blocked",
        format!("The block for the open box ended: {why}."),
        ICON_LOCK,
    )
}

/// "The box will open on 8 December 2026 at 10:00 UTC".
pub fn opens_after_desertion(at: chrono::DateTime<chrono::Utc>) -> CustomLog {
    log(
        format!(
            "The box will open on {}",
            at.format("%-d %B %Y at %H:%M UTC")
        ),
        "The lock was deserted. Chaster gives a deserted lock's combination back after 7 days; \
         the box stays shut until then and opens by itself.",
        ICON_LOCK,
    )
}

pub fn locked_at_start() -> CustomLog {
    log(
        "Box locked for this lock",
        "This lock holds the box now. The Sesame confirmed it is locked.",
        ICON_LOCK,
    )
}

pub fn lock_retrying(reason: &str) -> CustomLog {
    log(
        format!("Box could not be locked: {reason}, retrying"),
        "The opener keeps trying and will write here when the box is locked or when it gives up.",
        ICON_OPEN,
    )
}

pub fn not_locked_at_start(reason: &str, detail: &str) -> CustomLog {
    log(
        "Box was not locked for this lock",
        format!("{reason}. {detail} Lock the box from the extension's page or the Sesame app."),
        ICON_OPEN,
    )
}

pub fn unfrozen(why: &str) -> CustomLog {
    log(
        "Lock unfrozen",
        format!("The freeze for the open box ended: {why}."),
        ICON_LOCK,
    )
}
