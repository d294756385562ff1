//! Renders the simulator's state in Chaster's wire shapes (`UserForPublic`, `LockForPublic`,
//! `ExtensionSessionForPartner`, `PartnerGetSessionAuthRepDto`), modelled on a real webhook payload.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};

use super::state::{SimLock, SimRole, SimSession, SimState, SimUser, TokenGrant};

const EXTENSION_ICON: &str = "lock";

/// Chaster's date format: milliseconds and a `Z`.
pub fn date(d: DateTime<Utc>) -> String {
    d.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn opt_date(d: Option<DateTime<Utc>>) -> Value {
    d.map_or(Value::Null, |d| Value::String(date(d)))
}

pub fn user_json(u: &SimUser) -> Value {
    json!({
        "_id": u.id,
        "username": u.username,
        "isPremium": u.is_premium,
        "isFindom": false,
        "isAdmin": false,
        "isModerator": false,
        "isTeamMember": false,
        "metadata": {"locktober2023Points": 0, "locktober2024Points": 0},
        "isDisabled": false,
        "isSuspended": false,
        "joinedAt": u.joined_at,
        "isNewMember": false,
        "age": null,
        "avatarUrl": u.avatar_url,
        "description": u.description,
        "discordId": null,
        "discordUsername": null,
        "fullLocation": "",
        "gender": null,
        "sexualOrientation": null,
        "lastSeen": null,
        "location": "",
        "online": u.online,
        "role": u.profile_role,
        "features": [],
        "isSuspendedOrDisabled": false
    })
}

/// `ExtensionPartyForPublic`: what anyone who sees the lock sees of an extension (no data, no metadata).
fn extension_party_json(s: &SimSession) -> Value {
    json!({
        "slug": s.slug,
        "displayName": s.display_name,
        "summary": "Opens a CANDY HOUSE Sesame key box when the lock is released.",
        "subtitle": "Keep the key in a smart box",
        "icon": EXTENSION_ICON,
        "_id": s.object_id,
        "config": s.config,
        "mode": "unlimited",
        "regularity": 3600,
        "userData": null,
        "nbActionsRemaining": -1,
        "nextActionDate": null,
        "isPartner": true,
        "textConfig": "",
        "createdAt": date(s.created_at),
        "updatedAt": date(s.updated_at)
    })
}

/// Chaster's built-in Hygiene opening extension, as it appears in `lock.extensions`.
fn hygiene_party_json(lock: &SimLock) -> Option<Value> {
    let id = lock.hygiene_party_id.as_ref()?;
    Some(json!({
        "slug": "temporary-opening",
        "displayName": "Hygiene opening",
        "summary": "Because hygiene is important, unlock yourself regularly to clean your chastity device. Be careful, if you exceed the allowed time, you will receive a penalty.",
        "subtitle": "Temporarily unlock yourself",
        "icon": "soap",
        "_id": id,
        "config": {"openingTime": 900, "penaltyTime": 43200, "allowOnlyKeyholderToOpen": false},
        "mode": "non_cumulative",
        "regularity": 172800,
        "userData": {"openedAt": opt_date(lock.hygiene_opened_at)},
        "nbActionsRemaining": 1,
        "nextActionDate": null,
        "isPartner": false,
        "textConfig": "",
        "createdAt": date(lock.created_at),
        "updatedAt": date(lock.updated_at)
    }))
}

fn sessions_on_lock<'a>(
    state: &'a SimState,
    lock: &'a SimLock,
) -> impl Iterator<Item = &'a SimSession> {
    state
        .sessions
        .values()
        .filter(move |s| s.lock_id == lock.id)
}

fn reasons_preventing_unlocking(state: &SimState, lock: &SimLock) -> Vec<Value> {
    sessions_on_lock(state, lock)
        .flat_map(|s| {
            let reasons = s.metadata["reasonsPreventingUnlocking"].as_array().cloned();
            reasons
                .unwrap_or_default()
                .into_iter()
                .map(|reason| json!({"reason": reason, "icon": EXTENSION_ICON}))
        })
        .collect()
}

/// `LockForPublic`. `viewer: None` renders the complete lock (`session.lock`, for the partner's
/// backend); `Some(role)` renders `lockForUser`, the copy that viewer may see.
pub fn lock_json(
    state: &SimState,
    lock: &SimLock,
    viewer: Option<SimRole>,
    now: DateTime<Utc>,
) -> Value {
    let reasons = reasons_preventing_unlocking(state, lock);
    // The complete lock answers `isAllowedToViewTime` for the wearer, as Chaster's payloads do.
    let allowed = lock.is_allowed_to_view_time(viewer.unwrap_or(SimRole::Wearer));
    let end_date = if viewer.is_some() && !allowed {
        Value::Null
    } else {
        Value::String(date(lock.end_date))
    };
    let user = |id: &str| state.users.get(id).map_or(Value::Null, user_json);
    let keyholder = lock.keyholder_id.as_deref().map_or(Value::Null, user);
    let total_until = lock.unlocked_at.unwrap_or(now);
    let mut extensions: Vec<Value> = sessions_on_lock(state, lock)
        .map(extension_party_json)
        .collect();
    extensions.extend(hygiene_party_json(lock));
    let mut v = json!({
        "_id": lock.id,
        "startDate": date(lock.start_date),
        "endDate": end_date,
        "minDate": date(lock.min_date),
        "maxDate": date(lock.max_date),
        "maxLimitDate": opt_date(lock.max_limit_date),
        "displayRemainingTime": lock.display_remaining_time,
        "limitLockTime": false,
        "status": lock.status.as_str(),
        "combination": lock.combination_id,
        "sharedLock": null,
        "createdAt": date(lock.created_at),
        "updatedAt": date(lock.updated_at),
        "unlockedAt": opt_date(lock.unlocked_at),
        "archivedAt": null,
        "frozenAt": opt_date(lock.frozen_at),
        "keyholderArchivedAt": null,
        "totalDuration": (total_until - lock.start_date).num_milliseconds().max(0),
        "allowSessionOffer": false,
        "isTestLock": lock.is_test_lock,
        "offerToken": null,
        "hideTimeLogs": lock.hide_time_logs,
        "trusted": lock.trusted,
        "user": user(&lock.wearer_id),
        "keyholder": keyholder,
        "isAllowedToViewTime": allowed,
        "canBeUnlocked": lock.can_be_unlocked(now) && reasons.is_empty(),
        "canBeUnlockedByMaxLimitDate": lock.can_be_unlocked_by_max_limit_date(now),
        "isFrozen": lock.is_frozen,
        "extensions": extensions,
        "title": lock.title,
        "lastVerificationPicture": null,
        "extensionsAllowUnlocking": reasons.is_empty(),
        "reasonsPreventingUnlocking": reasons,
        "deletedAt": null
    });
    if let Some(role) = viewer {
        v["role"] = json!(role.as_str());
        if role == SimRole::Wearer {
            v["availableHomeActions"] = json!(home_actions(state, lock));
        }
    }
    v
}

fn home_actions(state: &SimState, lock: &SimLock) -> Vec<Value> {
    sessions_on_lock(state, lock)
        .flat_map(|s| {
            let actions = s.metadata["homeActions"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            actions.into_iter().map(|mut a| {
                a["extensionPartyId"] = json!(s.object_id);
                a
            })
        })
        .collect()
}

/// `ExtensionSessionForPartner`, with the complete lock.
pub fn session_json(
    state: &SimState,
    session: &SimSession,
    lock: &SimLock,
    now: DateTime<Utc>,
) -> Value {
    let mut v = extension_party_json(session);
    v["sessionId"] = json!(session.session_id);
    v["data"] = session.data.clone();
    v["metadata"] = session.metadata.clone();
    v["lock"] = lock_json(state, lock, None, now);
    v
}

/// `PartnerGetSessionAuthRepDto` for a token's grant, or `None` if its session is gone.
pub fn session_auth_json(
    state: &SimState,
    grant: &TokenGrant,
    now: DateTime<Utc>,
) -> Option<Value> {
    let (session, lock) = state.session_and_lock(&grant.session_id)?;
    Some(json!({
        "role": grant.role.as_str(),
        "session": session_json(state, session, lock, now),
        "lockForUser": lock_json(state, lock, Some(grant.role), now),
        "userId": grant.user_id
    }))
}
