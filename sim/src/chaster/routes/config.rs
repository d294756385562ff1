//! The configuration page's token: read and save `PartnerConfigurationForPublic`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use super::Dto;
use crate::chaster::nest::Rejection;
use crate::chaster::render::date;
use crate::chaster::state::SimState;
use crate::chaster::{lifecycle, nest, now, Shared, EXTENSION_SLUG};

pub fn router() -> Router<Shared> {
    Router::new().route(
        "/api/extensions/configurations/{token}",
        get(get_configuration).put(put_configuration),
    )
}

/// `PartnerConfigurationForPublic` for a token; 401 when expired, 404 when unknown.
fn configuration_json(s: &SimState, token: &str) -> Result<Value, Rejection> {
    if s.expired_tokens.contains(token) {
        return Err(Rejection::new(StatusCode::UNAUTHORIZED, "Unauthorized"));
    }
    let grant = s
        .config_tokens
        .get(token)
        .ok_or_else(|| Rejection::new(StatusCode::NOT_FOUND, "Configuration not found"))?;
    let live = grant.session_id.as_ref().and_then(|id| s.sessions.get(id));
    let config = live.map_or(&grant.config, |x| &x.config);
    Ok(json!({
        "config": config,
        "role": grant.role.as_str(),
        "user": grant.user_id,
        "sessionId": grant.session_id,
        "extensionSlug": EXTENSION_SLUG,
        "createdAt": date(grant.created_at)
    }))
}

/// `GET /api/extensions/configurations/{token}`.
async fn get_configuration(State(hub): State<Shared>, Path(token): Path<String>) -> Response {
    match configuration_json(&hub.lock(), &token) {
        Ok(body) => Json(body).into_response(),
        Err(r) => r.into_response(),
    }
}

/// `PUT /api/extensions/configurations/{token}` with `{config}`. Editing a running session
/// changes its `config` and sends `extension_session.updated`.
async fn put_configuration(
    State(hub): State<Shared>,
    Path(token): Path<String>,
    Dto(dto): Dto,
) -> Response {
    let Some(config @ Value::Object(_)) = dto.get("config").cloned() else {
        return nest::error(StatusCode::BAD_REQUEST, json!(["config must be an object"]));
    };
    hub.apply(|s, events| {
        if let Err(r) = configuration_json(s, &token) {
            return r.into_response();
        }
        let now = now();
        let grant = s.config_tokens.get_mut(&token).expect("checked above");
        grant.config = config.clone();
        if let Some(id) = grant.session_id.clone() {
            if let Some(session) = s.sessions.get_mut(&id) {
                session.config = config;
                session.updated_at = now;
                events.extend(lifecycle::updated(s, &id, now));
            }
        }
        if s.config_put_empty {
            return StatusCode::CREATED.into_response();
        }
        match configuration_json(s, &token) {
            Ok(body) => Json(body).into_response(),
            Err(r) => r.into_response(),
        }
    })
}
