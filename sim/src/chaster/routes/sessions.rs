//! Reading sessions: session auth by mainToken, one session, the session search, and the
//! lock history (custom logs in, history search out).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use serde_json::{json, Map, Value};

use super::{opt_str, Dto, Problems};
use crate::chaster::state::SimLockStatus;
use crate::chaster::webhooks::Event;
use crate::chaster::{nest, render, Shared, EXTENSION_SLUG};

pub fn router() -> Router<Shared> {
    Router::new()
        .route(
            "/api/extensions/auth/sessions/{token}",
            get(get_session_auth),
        )
        .route("/api/extensions/sessions/search", post(search_sessions))
        .route("/api/extensions/sessions/{session_id}", get(get_session))
        .route(
            "/api/extensions/sessions/{session_id}/logs/custom",
            post(post_custom_log),
        )
        .route(
            "/api/extensions/sessions/{session_id}/logs/search",
            post(search_logs),
        )
}

/// `GET /api/extensions/auth/sessions/{mainToken}` → `PartnerGetSessionAuthRepDto`.
async fn get_session_auth(State(hub): State<Shared>, Path(token): Path<String>) -> Response {
    let s = hub.lock();
    if s.expired_tokens.contains(&token) {
        return nest::unauthorized();
    }
    let Some(grant) = s.grant(&token) else {
        return nest::not_found("Session not found");
    };
    match render::session_auth_json(&s, grant, Utc::now()) {
        Some(body) => Json(body).into_response(),
        None => nest::not_found("Session not found"),
    }
}

/// `GET /api/extensions/sessions/{sessionId}` → `{session: ExtensionSessionForPartner}`.
async fn get_session(State(hub): State<Shared>, Path(session_id): Path<String>) -> Response {
    let s = hub.lock();
    match s.session_and_lock(&session_id) {
        Some((session, lock)) => {
            let session = render::session_json(&s, session, lock, Utc::now());
            Json(json!({ "session": session })).into_response()
        }
        None => nest::not_found("Session not found"),
    }
}

/// `POST /api/extensions/sessions/search` (`GetSessionsDto`) → `{count, hasMore, results}`, oldest
/// first unless `search_newest_first` (Chaster documents no order); each result is an `ExtensionSessionForPartner` with its `paginationId`. `count` is the
/// number of sessions matching the filter, over all pages.
async fn search_sessions(State(hub): State<Shared>, Dto(dto): Dto) -> Response {
    let mut problems = Problems::default();
    problems.string(&dto, "extensionSlug", true);
    let statuses = ["locked", "unlocked", "deserted", "all"];
    problems.one_of(&dto, "status", &statuses, false);
    let limit = problems.limit(&dto, "limit", 15, 100);
    problems.string(&dto, "paginationLastId", false);
    if let Err(r) = problems.check() {
        return r.into_response();
    }
    let slug = opt_str(&dto, "extensionSlug").unwrap_or_default();
    let status = opt_str(&dto, "status").unwrap_or("locked");
    let after = opt_str(&dto, "paginationLastId").unwrap_or_default();

    // The developer token's application has exactly one extension.
    if slug != EXTENSION_SLUG {
        return nest::not_found("Extension not found");
    }
    let s = hub.lock();
    let now = Utc::now();
    let mut matching: Vec<_> = s
        .sessions
        .values()
        .filter(|x| x.slug == slug)
        .filter_map(|x| Some((x, s.locks.get(&x.lock_id)?)))
        .filter(|(_, l)| status == "all" || l.status == parse_status(status))
        .collect();
    matching.sort_by(|a, b| a.0.object_id.cmp(&b.0.object_id));
    let newest_first = s.search_newest_first;
    if newest_first {
        matching.reverse();
    }
    let count = matching.len();
    let rest: Vec<_> = matching
        .into_iter()
        .filter(|(x, _)| {
            after.is_empty()
                || (newest_first && x.object_id.as_str() < after)
                || (!newest_first && x.object_id.as_str() > after)
        })
        .collect();
    let results: Vec<Value> = rest
        .iter()
        .take(limit)
        .map(|(session, lock)| {
            let mut v = render::session_json(&s, session, lock, now);
            v["paginationId"] = json!(session.object_id);
            v
        })
        .collect();
    Json(json!({"count": count, "hasMore": rest.len() > limit, "results": results})).into_response()
}

fn parse_status(status: &str) -> SimLockStatus {
    match status {
        "unlocked" => SimLockStatus::Unlocked,
        "deserted" => SimLockStatus::Deserted,
        _ => SimLockStatus::Locked,
    }
}

/// `POST /api/extensions/sessions/{sessionId}/logs/custom` with `PartnerCustomLogActionDto`.
/// The entry joins the history and, like any history entry, sends `action_log.created`. A lock
/// that has ended refuses it (400), unless `SimState::accept_logs_on_ended_locks`.
async fn post_custom_log(
    State(hub): State<Shared>,
    Path(session_id): Path<String>,
    Dto(dto): Dto,
) -> Response {
    if let Err(r) = custom_log_problems(&dto).check() {
        return r.into_response();
    }
    hub.apply(|s, events| {
        let Some((session, lock)) = s.session_and_lock(&session_id) else {
            return nest::not_found("Session not found");
        };
        if lock.status != SimLockStatus::Locked && !s.accept_logs_on_ended_locks {
            return nest::error(
                StatusCode::BAD_REQUEST,
                "You cannot add a log to a lock that is not locked",
            );
        }
        let (slug, lock_id) = (session.slug.clone(), lock.id.clone());
        let log = json!({
            "_id": s.next_object_id(),
            "type": "custom",
            "prefix": slug,
            "payload": {},
            "lock": lock_id,
            "role": dto.get("role").cloned().unwrap_or(json!("extension")),
            "extension": slug,
            "title": dto["title"],
            "description": dto["description"],
            "color": dto.get("color").cloned().unwrap_or(Value::Null),
            "icon": dto.get("icon").and_then(Value::as_str).map(|i| format!("fa-{i}")),
            "createdAt": render::date(crate::chaster::now())
        });
        events.push(Event::action_log(&session_id, &log));
        s.custom_logs
            .entry(session_id.clone())
            .or_default()
            .push(log);
        StatusCode::CREATED.into_response()
    })
}

/// class-validator style messages for a custom log body.
fn custom_log_problems(dto: &Map<String, Value>) -> Problems {
    let mut problems = Problems::default();
    problems.string(dto, "title", true);
    problems.string(dto, "description", true);
    let roles = ["user", "wearer", "keyholder", "extension", "admin"];
    problems.one_of(dto, "role", &roles, false);
    problems.string(dto, "icon", false);
    problems.string(dto, "color", false);
    problems
}

/// `POST /api/extensions/sessions/{sessionId}/logs/search` (`GetPartnerLogsDto`) →
/// `{results: ActionLogForPublic[], count, hasMore}`, newest first; `lastId` continues after
/// that entry. The wearer does not see time logs the keyholder hid.
async fn search_logs(
    State(hub): State<Shared>,
    Path(session_id): Path<String>,
    Dto(dto): Dto,
) -> Response {
    let mut problems = Problems::default();
    problems.one_of(&dto, "role", &["keyholder", "wearer", "visitor"], true);
    let limit = problems.limit(&dto, "limit", 15, 100);
    problems.string(&dto, "lastId", false);
    let only_extension = problems.boolean(&dto, "showOnlyExtensionActions");
    if let Err(r) = problems.check() {
        return r.into_response();
    }
    let role = opt_str(&dto, "role").unwrap_or_default();
    let s = hub.lock();
    let Some((session, lock)) = s.session_and_lock(&session_id) else {
        return nest::not_found("Session not found");
    };
    let hide_time = role != "keyholder" && lock.hide_time_logs;
    let none = Vec::new();
    let mut logs: Vec<&Value> = s
        .action_logs
        .get(&session_id)
        .unwrap_or(&none)
        .iter()
        .chain(s.custom_logs.get(&session_id).unwrap_or(&none))
        .filter(|l| !only_extension || l["extension"] == session.slug.as_str())
        .filter(|l| !(hide_time && l["type"] == "time_changed"))
        .collect();
    // Ids grow with time, so the newest entry has the greatest id.
    logs.sort_by(|a, b| b["_id"].as_str().cmp(&a["_id"].as_str()));
    let count = logs.len();
    let rest: Vec<&Value> = match opt_str(&dto, "lastId") {
        Some(last) => logs
            .into_iter()
            .filter(|l| l["_id"].as_str().is_some_and(|id| id < last))
            .collect(),
        None => logs,
    };
    let results: Vec<&Value> = rest.iter().take(limit).copied().collect();
    Json(json!({"results": results, "count": count, "hasMore": rest.len() > limit})).into_response()
}
