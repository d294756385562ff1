//! The partner lock actions (`POST …/sessions/{id}/action`): time, freeze and timer visibility,
//! each logged in the lock history as done by the extension.

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use super::state::{SimLockStatus, SimState};
use super::webhooks::Event;
use super::world::{push_log, ActionLogId, LogSpec, WorldError};

const ACTION_NAMES: &str =
    "add_time, remove_time, freeze, unfreeze, toggle_freeze, pillory, set_display_remaining_time";

/// Applies `{action: {name, params}}`. `Ok(None)` when it changed nothing (e.g. freezing a frozen lock).
pub(crate) fn apply(
    s: &mut SimState,
    events: &mut Vec<Event>,
    session_id: &str,
    body: &Value,
    now: DateTime<Utc>,
) -> Result<Option<ActionLogId>, WorldError> {
    let action = body.get("action").filter(|a| a.is_object());
    let Some(action) = action else {
        return Err(validation("action must be a non-empty object"));
    };
    let name = action.get("name").and_then(Value::as_str).unwrap_or("");
    if !ACTION_NAMES.split(", ").any(|n| n == name) {
        return Err(validation(&format!(
            "action.name must be one of the following values: {ACTION_NAMES}"
        )));
    }
    let params = action.get("params").unwrap_or(&Value::Null);
    let (slug, display_name) = {
        let (session, lock) = s
            .session_and_lock(session_id)
            .ok_or_else(WorldError::session_not_found)?;
        if lock.status != SimLockStatus::Locked {
            return Err(WorldError::unlocked());
        }
        (session.slug.clone(), session.display_name.clone())
    };
    let lock = s.lock_of_session_mut(session_id).expect("checked above");
    let frozen = lock.is_frozen;
    let change = match name {
        "add_time" | "remove_time" => {
            let secs = positive_seconds(params)?;
            let signed = if name == "add_time" { secs } else { -secs };
            lock.end_date += Duration::seconds(signed);
            let verb = if signed > 0 { "added" } else { "removed" };
            Some((
                "time_changed",
                format!("{display_name} {verb} time"),
                human(secs),
                "clock",
                json!({"duration": signed}),
            ))
        }
        "freeze" | "unfreeze" | "toggle_freeze" => {
            let freeze = match name {
                "freeze" => true,
                "unfreeze" => false,
                _ => !frozen,
            };
            if freeze == frozen {
                None
            } else if freeze {
                lock.is_frozen = true;
                lock.frozen_at = Some(now);
                let title = format!("{display_name} froze the lock");
                Some(("lock_frozen", title, String::new(), "snowflake", json!({})))
            } else {
                // The timer did not run while frozen: the end moves by the frozen time.
                let since = lock.frozen_at.take().unwrap_or(now);
                lock.end_date += now - since;
                lock.is_frozen = false;
                let title = format!("{display_name} unfroze the lock");
                Some(("lock_unfrozen", title, String::new(), "sun", json!({})))
            }
        }
        "set_display_remaining_time" => {
            let Some(show) = params.as_bool() else {
                return Err(validation("action.params must be a boolean value"));
            };
            if show == lock.display_remaining_time {
                None
            } else {
                lock.display_remaining_time = show;
                let (kind, verb, icon) = if show {
                    ("timer_revealed", "revealed", "eye")
                } else {
                    ("timer_hidden", "hid", "eye-slash")
                };
                let title = format!("{display_name} {verb} the timer");
                Some((kind, title, String::new(), icon, json!({})))
            }
        }
        // Needs the user's Pillory extension, which no simulated lock has.
        _ => {
            let m = "The Pillory extension is not enabled on this lock.";
            return Err(WorldError::BadRequest(m.into()));
        }
    };
    let Some((kind, title, description, icon, payload)) = change else {
        return Ok(None);
    };
    lock.updated_at = now;
    let spec = LogSpec {
        kind,
        role: "extension",
        user_id: None,
        extension: Some(&slug),
        title,
        description,
        icon,
        payload,
    };
    Ok(Some(push_log(s, events, session_id, spec, now)))
}

fn validation(message: &str) -> WorldError {
    WorldError::Invalid(message.to_owned())
}

fn positive_seconds(params: &Value) -> Result<i64, WorldError> {
    match params.as_f64() {
        Some(n) if (1.0..1e12).contains(&n) => Ok(n.round() as i64),
        _ => Err(validation(
            "action.params must be a positive number of seconds",
        )),
    }
}

/// `1d 2h 3m 4s`, leaving out zero parts.
fn human(secs: i64) -> String {
    let parts = [(86_400, "d"), (3_600, "h"), (60, "m"), (1, "s")];
    let mut left = secs;
    let mut out = Vec::new();
    for (unit, suffix) in parts {
        if left >= unit {
            out.push(format!("{}{suffix}", left / unit));
            left %= unit;
        }
    }
    out.join(" ")
}
