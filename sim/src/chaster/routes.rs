//! The simulated Extensions API endpoints. Add new ones to `router()`; the guard in front of them
//! already does authentication, recording and fault injection.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{middleware, Json, Router};
use chrono::Utc;
use serde_json::{json, Value};

use super::{guard, nest, render, Shared};

pub fn router(state: Shared) -> Router {
    Router::new()
        .route(
            "/api/extensions/auth/sessions/{token}",
            get(get_session_auth),
        )
        .route("/api/extensions/sessions/{session_id}", get(get_session))
        .route(
            "/api/extensions/sessions/{session_id}/logs/custom",
            post(post_custom_log),
        )
        .fallback(fallback)
        .layer(middleware::from_fn_with_state(state.clone(), guard::guard))
        .with_state(state)
}

/// `GET /api/extensions/auth/sessions/{mainToken}` → `PartnerGetSessionAuthRepDto`.
async fn get_session_auth(State(state): State<Shared>, Path(token): Path<String>) -> Response {
    let s = state.lock().expect("sim state poisoned");
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
async fn get_session(State(state): State<Shared>, Path(session_id): Path<String>) -> Response {
    let s = state.lock().expect("sim state poisoned");
    match s.session_and_lock(&session_id) {
        Some((session, lock)) => {
            let session = render::session_json(&s, session, lock, Utc::now());
            Json(json!({ "session": session })).into_response()
        }
        None => nest::not_found("Session not found"),
    }
}

/// `POST /api/extensions/sessions/{sessionId}/logs/custom` with `PartnerCustomLogActionDto`.
async fn post_custom_log(
    State(state): State<Shared>,
    Path(session_id): Path<String>,
    body: Bytes,
) -> Response {
    let dto: Value = match serde_json::from_slice(&body) {
        Ok(v @ Value::Object(_)) => v,
        _ => {
            return nest::error(
                StatusCode::BAD_REQUEST,
                json!(["body must be a JSON object"]),
            )
        }
    };
    let problems = custom_log_problems(&dto);
    if !problems.is_empty() {
        return nest::error(StatusCode::BAD_REQUEST, json!(problems));
    }
    let mut s = state.lock().expect("sim state poisoned");
    let Some((session, lock)) = s.session_and_lock(&session_id) else {
        return nest::not_found("Session not found");
    };
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
        "createdAt": render::date(Utc::now())
    });
    s.custom_logs.entry(session_id).or_default().push(log);
    StatusCode::CREATED.into_response()
}

/// class-validator style messages for a custom log body.
fn custom_log_problems(dto: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    for field in ["title", "description"] {
        if !dto.get(field).is_some_and(Value::is_string) {
            problems.push(format!("{field} must be a string"));
        }
    }
    let roles = ["user", "wearer", "keyholder", "extension", "admin"];
    match dto.get("role") {
        None | Some(Value::Null) => {}
        Some(Value::String(r)) if roles.contains(&r.as_str()) => {}
        Some(_) => problems.push(format!(
            "role must be one of the following values: {}",
            roles.join(", ")
        )),
    }
    for field in ["icon", "color"] {
        if !matches!(
            dto.get(field),
            None | Some(Value::Null) | Some(Value::String(_))
        ) {
            problems.push(format!("{field} must be a string"));
        }
    }
    problems
}

async fn fallback(method: Method, uri: Uri) -> Response {
    nest::not_found(&format!("Cannot {method} {}", uri.path()))
}
