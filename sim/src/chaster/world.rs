//! Changes to the simulated world that Chaster itself makes (releases, hygiene openings,
//! desertions), each writing a history entry and the `action_log.created` event it causes.
//! Callers deliver the collected events once the state lock is released (`Hub::apply`).

use std::fmt;

use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::render::{date, user_json};
use super::state::{SimLockStatus, SimState};
use super::webhooks::Event;
use super::{nest, EXTENSION_SLUG};

/// The `_id` of an action log (history entry); webhook receivers dedupe on it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ActionLogId(pub String);

impl ActionLogId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for ActionLogId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ActionLogId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How a lock gets released.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Release {
    /// The keyholder unlocks it (log role `keyholder`).
    KeyholderUnlock,
    /// The timer ran out and the wearer unlocked it (log role `user`).
    TimerEnded,
}

/// Why a world change was refused, answered as Chaster would.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WorldError {
    NotFound(String),
    BadRequest(String),
    /// A body that fails validation: answered as class-validator's message array.
    Invalid(String),
    Conflict(String),
}

impl WorldError {
    pub fn session_not_found() -> Self {
        WorldError::NotFound("Session not found".to_owned())
    }

    pub fn unlocked() -> Self {
        WorldError::BadRequest("You cannot modify an unlocked lock.".to_owned())
    }

    pub fn response(&self) -> Response {
        match self {
            WorldError::NotFound(m) => nest::not_found(m),
            WorldError::BadRequest(m) => nest::error(StatusCode::BAD_REQUEST, m.as_str()),
            WorldError::Invalid(m) => nest::error(StatusCode::BAD_REQUEST, json!([m])),
            WorldError::Conflict(m) => nest::error(StatusCode::CONFLICT, m.as_str()),
        }
    }
}

impl fmt::Display for WorldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WorldError::NotFound(m)
            | WorldError::BadRequest(m)
            | WorldError::Invalid(m)
            | WorldError::Conflict(m) => f.write_str(m),
        }
    }
}

/// A Chaster history entry (prefix `default`) to write.
pub(crate) struct LogSpec<'a> {
    pub kind: &'a str,
    /// `user`, `keyholder`, `extension` or `admin`.
    pub role: &'a str,
    pub user_id: Option<String>,
    /// Set when our extension caused it.
    pub extension: Option<&'a str>,
    pub title: String,
    pub description: String,
    pub icon: &'a str,
    pub payload: Value,
}

/// Stores the entry in the session's history and queues its `action_log.created`.
pub(crate) fn push_log(
    s: &mut SimState,
    events: &mut Vec<Event>,
    session_id: &str,
    spec: LogSpec<'_>,
    now: DateTime<Utc>,
) -> ActionLogId {
    let id = s.next_object_id();
    let lock_id = s.lock_of_session(session_id).map(|l| l.id.clone());
    let mut log = json!({
        "_id": id,
        "type": spec.kind,
        "prefix": "default",
        "payload": spec.payload,
        "lock": lock_id,
        "role": spec.role,
        "title": spec.title,
        "description": spec.description,
        "color": null,
        "icon": format!("fa-{}", spec.icon),
        "createdAt": date(now)
    });
    if let Some(slug) = spec.extension {
        log["extension"] = json!(slug);
    }
    if let Some(user) = spec.user_id.as_deref().and_then(|u| s.users.get(u)) {
        log["user"] = user_json(user);
    }
    events.push(Event::action_log(session_id, &log));
    s.action_logs
        .entry(session_id.to_owned())
        .or_default()
        .push(log);
    ActionLogId(id)
}

/// The keyholder (if any) and the wearer of a live, locked session's lock.
fn locked_parties(s: &SimState, session_id: &str) -> Result<(Option<String>, String), WorldError> {
    let (_, lock) = s
        .session_and_lock(session_id)
        .ok_or_else(WorldError::session_not_found)?;
    if lock.status != SimLockStatus::Locked {
        return Err(WorldError::unlocked());
    }
    Ok((lock.keyholder_id.clone(), lock.wearer_id.clone()))
}

pub(crate) fn release(
    s: &mut SimState,
    events: &mut Vec<Event>,
    session_id: &str,
    how: Release,
    now: DateTime<Utc>,
) -> Result<ActionLogId, WorldError> {
    let (keyholder, wearer) = locked_parties(s, session_id)?;
    let (role, user) = match how {
        Release::KeyholderUnlock => {
            let kh = keyholder.ok_or(WorldError::Conflict("This lock has no keyholder.".into()))?;
            ("keyholder", kh)
        }
        Release::TimerEnded => ("user", wearer),
    };
    let lock = s.lock_of_session_mut(session_id).expect("checked above");
    if how == Release::TimerEnded {
        lock.end_date = lock.end_date.min(now);
    }
    lock.status = SimLockStatus::Unlocked;
    lock.unlocked_at = Some(now);
    lock.updated_at = now;
    lock.is_frozen = false;
    lock.frozen_at = None;
    lock.hygiene_opened_at = None;
    let spec = LogSpec {
        kind: "unlocked",
        role,
        user_id: Some(user),
        extension: None,
        title: "%USER% unlocked the lock".into(),
        description: String::new(),
        icon: "lock-open",
        payload: json!({}),
    };
    Ok(push_log(s, events, session_id, spec, now))
}

/// `actor` is `wearer`, `keyholder` or `extension`, as in `temporary-opening/open`.
pub(crate) fn start_hygiene(
    s: &mut SimState,
    events: &mut Vec<Event>,
    session_id: &str,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<ActionLogId, WorldError> {
    let (keyholder, wearer) = locked_parties(s, session_id)?;
    let lock = s.lock_of_session_mut(session_id).expect("checked above");
    if !lock.hygiene_opening_enabled() {
        let m = "The Hygiene opening extension is not enabled on this lock.";
        return Err(WorldError::BadRequest(m.into()));
    }
    if lock.hygiene_opened_at.is_some() {
        let m = "A hygiene opening is already in progress.";
        return Err(WorldError::BadRequest(m.into()));
    }
    let (role, user_id) = match actor {
        "keyholder" => (
            "keyholder",
            Some(keyholder.ok_or(WorldError::Conflict("This lock has no keyholder.".into()))?),
        ),
        "extension" => ("extension", None),
        _ => ("user", Some(wearer)),
    };
    lock.hygiene_opened_at = Some(now);
    lock.updated_at = now;
    let spec = LogSpec {
        kind: "temporary_opening_opened",
        role,
        user_id,
        extension: (actor == "extension").then_some(EXTENSION_SLUG),
        title: "%USER% opened the lock for hygiene".into(),
        description: String::new(),
        icon: "soap",
        payload: json!({"actor": actor}),
    };
    Ok(push_log(s, events, session_id, spec, now))
}

pub(crate) fn end_hygiene(
    s: &mut SimState,
    events: &mut Vec<Event>,
    session_id: &str,
    late: bool,
    now: DateTime<Utc>,
) -> Result<ActionLogId, WorldError> {
    let (_, wearer) = locked_parties(s, session_id)?;
    let lock = s.lock_of_session_mut(session_id).expect("checked above");
    let opened_at = lock.hygiene_opened_at.take().ok_or(WorldError::BadRequest(
        "No hygiene opening is in progress.".into(),
    ))?;
    lock.updated_at = now;
    let (kind, title) = if late {
        (
            "temporary_opening_locked_late",
            "%USER% locked the lock back late",
        )
    } else {
        ("temporary_opening_locked", "%USER% locked the lock back")
    };
    let spec = LogSpec {
        kind,
        role: "user",
        user_id: Some(wearer),
        extension: None,
        title: title.into(),
        description: String::new(),
        icon: "lock",
        payload: json!({"openedAt": date(opened_at), "duration": (now - opened_at).num_seconds()}),
    };
    Ok(push_log(s, events, session_id, spec, now))
}

pub(crate) fn desert(
    s: &mut SimState,
    events: &mut Vec<Event>,
    session_id: &str,
    now: DateTime<Utc>,
) -> Result<ActionLogId, WorldError> {
    let (keyholder, wearer) = locked_parties(s, session_id)?;
    let lock = s.lock_of_session_mut(session_id).expect("checked above");
    lock.status = SimLockStatus::Deserted;
    lock.updated_at = now;
    lock.hygiene_opened_at = None;
    let role = if keyholder.is_some() {
        "keyholder"
    } else {
        "user"
    };
    let spec = LogSpec {
        kind: "deserted",
        role,
        user_id: Some(keyholder.unwrap_or(wearer)),
        extension: None,
        title: "%USER% deserted the lock".into(),
        description: String::new(),
        icon: "user-slash",
        payload: json!({}),
    };
    Ok(push_log(s, events, session_id, spec, now))
}
