//! Chaster's wire format, as far as we read it. Unknown fields are ignored and nulls tolerated,
//! because Chaster's live schema is richer than its published one (see the reference notes).
//! These types never leave the server: views are built from them in `views.rs`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::domain::{LockId, SessionId, UserId};

/// `PartnerGetSessionAuthRepDto`, the answer of `GET /api/extensions/auth/sessions/{mainToken}`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionAuth {
    pub role: String,
    pub session: ExtensionSession,
    /// The lock as this viewer may see it; the only lock data a view may use.
    pub lock_for_user: Lock,
    pub user_id: UserId,
}

/// `GetPartnerSessionRepDto`: `GET /api/extensions/sessions/{sessionId}` wraps the session.
#[derive(Clone, Debug, Deserialize)]
pub struct SessionEnvelope {
    pub session: ExtensionSession,
}

/// `ExtensionSessionForPartner`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExtensionSession {
    /// The lock-extension ObjectId. Not the id partner calls take.
    #[serde(rename = "_id")]
    pub id: String,
    /// The id of every `/sessions/{sessionId}` call.
    pub session_id: SessionId,
    #[serde(default, deserialize_with = "null_default")]
    pub slug: String,
    #[serde(default, deserialize_with = "null_default")]
    pub display_name: String,
    /// Public: anyone who sees the lock sees it.
    #[serde(default)]
    pub config: Value,
    /// Private to the partner.
    #[serde(default)]
    pub data: Value,
    #[serde(default, deserialize_with = "null_default")]
    pub metadata: PartnerMetadata,
    /// The complete lock, for the backend only.
    pub lock: Lock,
}

/// Our session's `metadata`. Chaster replaces the whole field on `PATCH`, so every other key
/// (known or not) is kept here and written back untouched.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PartnerMetadata {
    #[serde(default, deserialize_with = "null_default")]
    pub reasons_preventing_unlocking: Vec<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub home_actions: Vec<Value>,
    #[serde(flatten)]
    pub other: serde_json::Map<String, Value>,
}

/// One entry of `metadata.homeActions`: shown on the wearer's lock page; a click opens our page
/// with `slug` in the hash. `icon` is a Font Awesome 5 name; `badge` marks it for attention.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub struct HomeAction {
    pub slug: String,
    pub title: String,
    pub description: String,
    pub icon: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub badge: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LockStatus {
    Locked,
    Unlocked,
    Deserted,
    /// A status this server does not know: treated as "not running" (nothing is watched, and
    /// nothing is opened for it), never as a decode failure that would drop the session.
    #[serde(other)]
    Unknown,
}

/// `LockForPublic`, used for both `session.lock` and `lockForUser`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Lock {
    #[serde(rename = "_id")]
    pub id: LockId,
    pub status: LockStatus,
    #[serde(default, deserialize_with = "null_default")]
    pub title: String,
    pub start_date: DateTime<Utc>,
    /// Null in `lockForUser` when the viewer may not see the timer.
    #[serde(default)]
    pub end_date: Option<DateTime<Utc>>,
    #[serde(default)]
    pub max_limit_date: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "null_default")]
    pub display_remaining_time: bool,
    /// Absent in some payloads; then `displayRemainingTime` and the role decide.
    #[serde(default)]
    pub is_allowed_to_view_time: Option<bool>,
    #[serde(default, deserialize_with = "null_default")]
    pub can_be_unlocked: bool,
    #[serde(default, deserialize_with = "null_default")]
    pub is_frozen: bool,
    #[serde(default)]
    pub frozen_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub unlocked_at: Option<DateTime<Utc>>,
    /// The viewer's role; only in `lockForUser`.
    #[serde(default)]
    pub role: Option<String>,
    pub user: User,
    /// Null for a self-lock.
    #[serde(default)]
    pub keyholder: Option<User>,
    #[serde(default, deserialize_with = "null_default")]
    pub is_test_lock: bool,
    /// Every extension of the lock (`slug`, `config`, `userData`, …), kept raw: only read
    /// through the methods below, so an odd entry never fails the whole lock.
    #[serde(default, deserialize_with = "null_default")]
    pub extensions: Vec<Value>,
}

impl Lock {
    /// Whether Chaster shows a hygiene opening running: the `temporary-opening` extension's
    /// `userData.openedAt` is set.
    pub fn hygiene_opening_running(&self) -> bool {
        self.extensions.iter().any(|e| {
            e.get("slug").and_then(Value::as_str) == Some("temporary-opening")
                && e.pointer("/userData/openedAt")
                    .is_some_and(|v| !v.is_null())
        })
    }

    /// The running hygiene opening: `userData.openedAt`, and `openedAt + config.openingTime`
    /// (seconds) when Chaster gives the length. `None` when none runs or the date is unreadable.
    pub fn hygiene_opening(&self) -> Option<(DateTime<Utc>, Option<DateTime<Utc>>)> {
        let ext = self
            .extensions
            .iter()
            .find(|e| e.get("slug").and_then(Value::as_str) == Some("temporary-opening"))?;
        let opened_at = ext
            .pointer("/userData/openedAt")
            .and_then(Value::as_str)
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())?
            .with_timezone(&Utc);
        let relock_by = ext
            .pointer("/config/openingTime")
            .and_then(Value::as_i64)
            .filter(|secs| (0..=366 * 86_400).contains(secs))
            .map(|secs| opened_at + chrono::Duration::seconds(secs));
        Some((opened_at, relock_by))
    }
}

/// `UserForPublic`, reduced to what we show.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    #[serde(rename = "_id")]
    pub id: UserId,
    #[serde(default, deserialize_with = "null_default")]
    pub username: String,
    #[serde(default)]
    pub avatar_url: Option<String>,
}

/// `PartnerCustomLogActionDto`: a line in the lock's history, attributed to the extension.
#[derive(Clone, Debug, Serialize)]
pub struct CustomLog {
    /// May contain `%USER%`.
    pub title: String,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<LogRole>,
    /// FontAwesome 5 regular name without `fa-`, e.g. `lock-open`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    /// Hex colour, e.g. `#22c55e`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
}

/// Who a custom log is attributed to. Chaster's enum spells the wearer `user`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogRole {
    User,
    Keyholder,
    Extension,
}

/// `GetSessionsDto`: the body of `POST /api/extensions/sessions/search`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionSearch {
    pub extension_slug: String,
    /// `locked`, `unlocked`, `deserted` or `all`.
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// The `paginationId` of the last result of the previous page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pagination_last_id: Option<String>,
}

/// One page of `POST /api/extensions/sessions/search`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionSearchPage {
    #[serde(default, deserialize_with = "null_default")]
    pub has_more: bool,
    #[serde(default, deserialize_with = "null_default")]
    pub results: Vec<SearchedSession>,
}

/// `ExtensionSessionForSearch`: a session plus its pagination cursor.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchedSession {
    #[serde(default)]
    pub pagination_id: Option<String>,
    #[serde(flatten)]
    pub session: ExtensionSession,
}

/// A lock action (`PartnerDoActionDto.action`); Chaster logs it in the lock's history itself.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "name", content = "params", rename_all = "snake_case")]
pub enum LockAction {
    /// Seconds.
    AddTime(u64),
    /// Seconds.
    RemoveTime(u64),
    Freeze,
    Unfreeze,
}

fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &str =
        include_str!("../../tests/fixtures/webhook-extension_session.created.json");

    #[test]
    fn a_real_webhook_session_parses_with_its_unknown_fields() {
        let v: Value = serde_json::from_str(FIXTURE).unwrap();
        let s: ExtensionSession = serde_json::from_value(v["data"]["session"].clone()).unwrap();
        assert_eq!(s.session_id.as_str(), "LuV23MTfUFvxu3j-BASHc");
        assert_ne!(s.id, s.session_id.as_str());
        assert_eq!(s.lock.status, LockStatus::Locked);
        assert!(s.lock.end_date.is_some());
        assert_eq!(s.lock.is_allowed_to_view_time, Some(false));
        assert!(s.lock.keyholder.is_none());
        assert_eq!(s.lock.user.username, "demo-wearer");
        assert!(s.metadata.reasons_preventing_unlocking.is_empty());
    }

    #[test]
    fn an_unknown_lock_status_or_role_still_decodes_the_session() {
        let v: Value = serde_json::from_str(FIXTURE).unwrap();
        let mut session = v["data"]["session"].clone();
        session["lock"]["status"] = "archived".into();
        session["lock"]["role"] = "moderator".into();
        let s: ExtensionSession = serde_json::from_value(session).unwrap();
        assert_eq!(s.lock.status, LockStatus::Unknown);
    }

    #[test]
    fn nulls_and_missing_optional_fields_are_tolerated() {
        let lock: Lock = serde_json::from_value(serde_json::json!({
            "_id": "l1", "status": "locked", "title": null, "startDate": "2025-02-19T18:54:54.000Z",
            "endDate": null, "displayRemainingTime": null, "isFrozen": null,
            "user": {"_id": "u1", "username": "w", "avatarUrl": null}, "keyholder": null
        }))
        .unwrap();
        assert_eq!(lock.title, "");
        assert!(
            lock.end_date.is_none() && !lock.is_frozen && lock.is_allowed_to_view_time.is_none()
        );
    }

    #[test]
    fn lock_actions_use_chaster_names_and_params() {
        assert_eq!(
            serde_json::to_value(LockAction::AddTime(3600)).unwrap(),
            serde_json::json!({"name": "add_time", "params": 3600})
        );
        assert_eq!(
            serde_json::to_value(LockAction::Freeze).unwrap(),
            serde_json::json!({"name": "freeze"})
        );
    }

    #[test]
    fn custom_logs_omit_unset_fields_and_spell_the_wearer_user() {
        let log = CustomLog {
            title: "t".into(),
            description: "d".into(),
            role: Some(LogRole::User),
            icon: None,
            color: None,
        };
        assert_eq!(
            serde_json::to_value(&log).unwrap(),
            serde_json::json!({"title": "t", "description": "d", "role": "user"})
        );
    }
}
