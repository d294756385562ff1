//! `GET /api/history?after=<cursor>`: the lock's history as the viewer's role may see it, newest
//! first, 20 entries a page; the first page also holds the lines Chaster refused that we kept.
//! The cursor is the last entry's Chaster `_id` (not a secret); the session is always the one of
//! the mainToken, never anything the browser names.

use api_types::{HistoryEntry, HistoryPage};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use chrono::SecondsFormat;
use serde::Deserialize;

use crate::auth::{CurrentSession, ResolvedSession};
use crate::chaster::{ActionLog, LogSearch};
use crate::domain::Role;
use crate::error::AppError;
use crate::state::AppState;
use crate::store::KeptLine;

const PAGE_SIZE: u32 = 20;
const MAX_CURSOR_LEN: usize = 64;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/history", get(history))
}

#[derive(Deserialize)]
struct HistoryQuery {
    after: Option<String>,
}

async fn history(
    State(state): State<AppState>,
    current: CurrentSession,
    query: Result<Query<HistoryQuery>, QueryRejection>,
) -> Result<Json<HistoryPage>, AppError> {
    let Query(query) =
        query.map_err(|_| AppError::Invalid("The history cursor is not valid.".into()))?;
    let last_id = query
        .after
        .filter(|a| !a.is_empty())
        .map(cursor)
        .transpose()?;
    let first_page = last_id.is_none();
    let session = &current.session;
    let search = LogSearch {
        role: match session.role {
            Role::Keyholder => "keyholder",
            Role::Wearer => "wearer",
        },
        limit: PAGE_SIZE,
        last_id,
    };
    let page = state
        .chaster
        .search_logs(&session.session_id, &search)
        .await?;
    let names = Names::of(session);
    let next_cursor = page
        .has_more
        .unwrap_or(page.results.len() as u32 >= PAGE_SIZE)
        .then(|| page.results.last().map(|l| l.id.clone()))
        .flatten();
    let mut entries: Vec<HistoryEntry> = page.results.iter().map(|l| entry(l, &names)).collect();
    if first_page {
        // Lines Chaster refused (the lock had ended) live only with us: shown with the newest.
        let kept = state.store.kept_history(&session.session_id).await?;
        // Chaster's own order is kept; each kept line goes before the first older entry.
        for line in kept.iter().rev().map(kept_entry) {
            let at = entries
                .iter()
                .position(|e| e.created_at < line.created_at)
                .unwrap_or(entries.len());
            entries.insert(at, line);
        }
    }
    Ok(Json(HistoryPage {
        entries,
        next_cursor,
    }))
}

/// A line Chaster refused, as our page shows it.
fn kept_entry(line: &KeptLine) -> HistoryEntry {
    HistoryEntry {
        title: line.title.clone(),
        description: format!(
            "{} (Kept by the opener: Chaster no longer accepts lines for this lock.)",
            line.description
        )
        .trim_start()
        .to_owned(),
        created_at: line.at.to_rfc3339_opts(SecondsFormat::Millis, true),
        icon: line.icon.as_deref().and_then(icon_name),
        by_this_extension: true,
        actor: None,
    }
}

/// A Chaster `_id`: letters, digits, `-` and `_` only.
fn cursor(raw: String) -> Result<String, AppError> {
    let ok = raw.len() <= MAX_CURSOR_LEN
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(raw)
    } else {
        Err(AppError::Invalid("The history cursor is not valid.".into()))
    }
}

/// Who `%USER%` can stand for in this session.
pub struct Names {
    pub wearer: String,
    pub keyholder: Option<String>,
    pub extension_name: String,
    pub extension_slug: String,
}

impl Names {
    fn of(s: &ResolvedSession) -> Names {
        Names {
            wearer: s.lock_for_user.user.username.clone(),
            keyholder: s
                .lock_for_user
                .keyholder
                .as_ref()
                .map(|k| k.username.clone()),
            extension_name: s.extension_name.clone(),
            extension_slug: s.extension_slug.clone(),
        }
    }
}

/// One history line as the page shows it.
pub fn entry(log: &ActionLog, names: &Names) -> HistoryEntry {
    let named = log
        .user
        .as_ref()
        .and_then(|u| u.username.as_deref())
        .is_some_and(|u| !u.is_empty())
        || matches!(
            log.role.as_deref(),
            Some("user" | "keyholder" | "extension")
        );
    let user = log
        .user
        .as_ref()
        .and_then(|u| u.username.clone())
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| match log.role.as_deref() {
            Some("user") => names.wearer.clone(),
            Some("keyholder") => names
                .keyholder
                .clone()
                .unwrap_or_else(|| "The keyholder".into()),
            Some("extension") => names.extension_name.clone(),
            _ => "Chaster".into(),
        });
    let fill = |text: &Option<String>| text.as_deref().unwrap_or("").replace("%USER%", &user);
    let ours = |field: &Option<String>| {
        field
            .as_deref()
            .is_some_and(|v| !names.extension_slug.is_empty() && v == names.extension_slug)
    };
    HistoryEntry {
        title: fill(&log.title),
        description: fill(&log.description),
        created_at: log.created_at.to_rfc3339_opts(SecondsFormat::Millis, true),
        icon: log.icon.as_deref().and_then(icon_name),
        by_this_extension: ours(&log.extension) || ours(&log.prefix),
        actor: named.then_some(user),
    }
}

/// `fa-lock-open` (or `fas fa-lock-open`) → `lock-open`; anything that is not a plain icon name
/// is dropped, since the page turns it into a CSS class.
fn icon_name(raw: &str) -> Option<String> {
    let last = raw.split_whitespace().next_back()?;
    let name = last.strip_prefix("fa-").unwrap_or(last);
    let plain = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    plain.then(|| name.to_owned())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn names() -> Names {
        Names {
            wearer: "demo-wearer".into(),
            keyholder: Some("demo-keyholder".into()),
            extension_name: "Sesame Opener".into(),
            extension_slug: "sesame-opener".into(),
        }
    }

    fn log(v: serde_json::Value) -> ActionLog {
        let mut base = json!({"_id": "a1", "createdAt": "2025-02-19T18:54:54.000Z"});
        base.as_object_mut()
            .unwrap()
            .extend(v.as_object().unwrap().clone());
        serde_json::from_value(base).unwrap()
    }

    #[test]
    fn user_is_replaced_by_the_logs_user_or_the_name_of_its_role() {
        let e = entry(
            &log(json!({"title": "%USER% started the lock", "role": "user"})),
            &names(),
        );
        assert_eq!(e.title, "demo-wearer started the lock");
        let e = entry(
            &log(json!({"title": "%USER% unlocked", "role": "keyholder"})),
            &names(),
        );
        assert_eq!(e.title, "demo-keyholder unlocked");
        let with_user =
            json!({"title": "%USER% did it", "role": "user", "user": {"username": "someone"}});
        assert_eq!(entry(&log(with_user), &names()).title, "someone did it");
    }

    #[test]
    fn the_person_who_acted_is_named_and_nobody_is_invented() {
        let by_keyholder = entry(
            &log(json!({"title": "Box locked", "role": "keyholder"})),
            &names(),
        );
        assert_eq!(by_keyholder.actor.as_deref(), Some("demo-keyholder"));
        let by_wearer = entry(&log(json!({"title": "x", "role": "user"})), &names());
        assert_eq!(by_wearer.actor.as_deref(), Some("demo-wearer"));
        let by_us = entry(&log(json!({"title": "x", "role": "extension"})), &names());
        assert_eq!(by_us.actor.as_deref(), Some("Sesame Opener"));
        assert_eq!(entry(&log(json!({"title": "x"})), &names()).actor, None);
    }

    #[test]
    fn our_own_entries_are_flagged_and_icons_lose_their_prefix() {
        let e = entry(
            &log(json!({"prefix": "sesame-opener", "icon": "fa-lock-open"})),
            &names(),
        );
        assert!(e.by_this_extension);
        assert_eq!(e.icon.as_deref(), Some("lock-open"));
        let e = entry(
            &log(json!({"prefix": "default", "extension": "sesame-opener"})),
            &names(),
        );
        assert!(e.by_this_extension);
        let e = entry(
            &log(json!({"prefix": "default", "icon": "fa-clock"})),
            &names(),
        );
        assert!(!e.by_this_extension);
        assert_eq!(e.icon.as_deref(), Some("clock"));
        assert_eq!(icon_name("fas fa-lock"), Some("lock".into()));
        assert_eq!(icon_name("x\" onload=\"1"), None);
    }

    #[test]
    fn cursors_are_plain_ids() {
        assert!(cursor("5f1d0e57a1b2c3d400000012".into()).is_ok());
        assert!(cursor("../../x".into()).is_err());
        assert!(cursor("a".repeat(65)).is_err());
    }
}
