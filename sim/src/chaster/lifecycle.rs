//! Sessions coming and going: a lock with our extension is created (`extension_session.created`)
//! or our extension leaves it (`extension_session.deleted`).

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use super::nanoid;
use super::render::{lock_json, session_json};
use super::seed::{self, KEYHOLDER_USERNAME};
use super::state::{SimRole, SimState, TokenGrant};
use super::webhooks::Event;
use super::world::WorldError;

/// What `ChasterSim::create_session` builds; every field has a default.
#[derive(Clone, Debug, Default)]
pub struct NewSessionSpec {
    /// Default `Lock <n>`.
    pub title: Option<String>,
    /// An existing user's name, or a new wearer's; default a new `wearer-<n>`.
    pub wearer_username: Option<String>,
    /// An existing user's name, or a new keyholder's; default `demo-keyholder`.
    pub keyholder_username: Option<String>,
    /// Time left on the timer; default 2 days.
    pub ends_in: Option<Duration>,
    /// Hides the timer from the wearer.
    pub timer_hidden: bool,
    pub frozen: bool,
    /// Adds the Hygiene opening extension to the lock.
    pub hygiene_opening: bool,
    /// The extension config; default `{}`.
    pub config: Option<Value>,
}

/// The ids and tokens of a created session.
pub(crate) struct Created {
    pub session_id: String,
    pub wearer_token: String,
    pub keyholder_token: String,
}

/// The id of the user called `username`, created with `profile_role` if there is none.
fn user_named(s: &mut SimState, username: &str, profile_role: &'static str) -> String {
    if let Some(u) = s.user_by_name(username) {
        return u.id.clone();
    }
    let id = s.next_object_id();
    let user = seed::user(s, &id, username, profile_role);
    s.users.insert(id.clone(), user);
    id
}

pub(crate) fn create(
    s: &mut SimState,
    events: &mut Vec<Event>,
    spec: NewSessionSpec,
    now: DateTime<Utc>,
) -> Created {
    let n = s.sessions.len() + s.deleted_sessions.len() + 1;
    let wearer_name = spec
        .wearer_username
        .unwrap_or_else(|| format!("wearer-{n}"));
    let wearer_id = user_named(s, &wearer_name, "wearer");
    let keyholder_name = spec
        .keyholder_username
        .unwrap_or_else(|| KEYHOLDER_USERNAME.to_owned());
    let keyholder_id = user_named(s, &keyholder_name, "keyholder");
    let title = spec.title.unwrap_or_else(|| format!("Lock {n}"));
    let ends_in = spec.ends_in.unwrap_or_else(|| Duration::days(2));
    let mut lock = seed::lock(
        s,
        &title,
        &wearer_id,
        Some(&keyholder_id),
        now,
        now + ends_in,
    );
    lock.display_remaining_time = !spec.timer_hidden;
    if spec.frozen {
        lock.is_frozen = true;
        lock.frozen_at = Some(now);
    }
    if spec.hygiene_opening {
        lock.hygiene_party_id = Some(s.next_object_id());
    }
    let session_id = nanoid();
    seed::add_session(s, &session_id, lock, now);
    if let Some(config) = spec.config {
        s.sessions.get_mut(&session_id).expect("just added").config = config;
    }
    let wearer_token = format!("wearer-token-{session_id}");
    let keyholder_token = format!("keyholder-token-{session_id}");
    for (token, role, user_id) in [
        (&wearer_token, SimRole::Wearer, &wearer_id),
        (&keyholder_token, SimRole::Keyholder, &keyholder_id),
    ] {
        let grant = TokenGrant {
            session_id: session_id.clone(),
            role,
            user_id: user_id.clone(),
        };
        s.tokens.insert(token.clone(), grant);
    }
    let (session, lock) = s.session_and_lock(&session_id).expect("just added");
    let body = session_json(s, session, lock, now);
    events.push(Event::session(
        "extension_session.created",
        &session_id,
        body,
        &session.slug,
    ));
    Created {
        session_id,
        wearer_token,
        keyholder_token,
    }
}

/// Our extension leaves the lock: the session disappears from the API, the lock stays.
pub(crate) fn delete(
    s: &mut SimState,
    events: &mut Vec<Event>,
    session_id: &str,
    now: DateTime<Utc>,
) -> Result<(), WorldError> {
    let session = s
        .sessions
        .remove(session_id)
        .ok_or_else(WorldError::session_not_found)?;
    let lock = s
        .locks
        .get(&session.lock_id)
        .map_or(Value::Null, |l| lock_json(s, l, None, now));
    let body = json!({"sessionId": session_id, "lock": lock});
    events.push(Event::session(
        "extension_session.deleted",
        session_id,
        body,
        &session.slug,
    ));
    s.deleted_sessions.insert(session_id.to_owned(), session);
    Ok(())
}

/// The session as `extension_session.updated` carries it, after a change to it.
pub(crate) fn updated(s: &SimState, session_id: &str, now: DateTime<Utc>) -> Option<Event> {
    let (session, lock) = s.session_and_lock(session_id)?;
    let body = session_json(s, session, lock, now);
    Some(Event::session(
        "extension_session.updated",
        session_id,
        body,
        &session.slug,
    ))
}
