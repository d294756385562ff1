//! Changing a session: partner data (`PATCH`), lock actions and hygiene openings.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{patch, post};
use axum::Router;
use serde_json::Value;

use super::{opt_str, Dto, Problems};
use crate::chaster::{lock_actions, nest, now, world, Shared};

pub fn router() -> Router<Shared> {
    Router::new()
        .route(
            "/api/extensions/sessions/{session_id}",
            patch(patch_session),
        )
        .route(
            "/api/extensions/sessions/{session_id}/action",
            post(do_action),
        )
        .route(
            "/api/extensions/sessions/{session_id}/temporary-opening/open",
            post(open_temporarily),
        )
}

/// `PATCH /api/extensions/sessions/{sessionId}` with `{config?, metadata?, data?}`: each key
/// given replaces the stored value whole (no deep merge); 200, no body. Allowed after unlocking
/// too, so an extension can always clear its `reasonsPreventingUnlocking`.
async fn patch_session(
    State(hub): State<Shared>,
    Path(session_id): Path<String>,
    Dto(dto): Dto,
) -> Response {
    let mut problems = Problems::default();
    for key in ["config", "metadata", "data"] {
        if !matches!(dto.get(key), None | Some(Value::Object(_))) {
            problems.push(format!("{key} must be an object"));
        }
    }
    if let Some(reasons) = dto
        .get("metadata")
        .and_then(|m| m.get("reasonsPreventingUnlocking"))
    {
        let strings = reasons
            .as_array()
            .is_some_and(|r| r.iter().all(Value::is_string));
        if !strings {
            problems.push("metadata.reasonsPreventingUnlocking must be an array of strings".into());
        }
    }
    if let Some(actions) = dto.get("metadata").and_then(|m| m.get("homeActions")) {
        home_action_problems(actions, &mut problems);
    }
    if let Err(r) = problems.check() {
        return r.into_response();
    }
    let mut s = hub.lock();
    let Some(session) = s.sessions.get_mut(&session_id) else {
        return nest::not_found("Session not found");
    };
    for (key, value) in dto {
        match key.as_str() {
            "config" => session.config = value,
            "data" => session.data = value,
            "metadata" => session.metadata = value,
            _ => {}
        }
    }
    session.updated_at = now();
    StatusCode::OK.into_response()
}

/// `PartnerMetadata.homeActions`: an array of `{slug, title, description, icon, badge?}`, all
/// strings, as class-validator checks the DTO (nested objects, each field named in the message).
fn home_action_problems(actions: &Value, problems: &mut Problems) {
    let Some(actions) = actions.as_array() else {
        problems.push("metadata.homeActions must be an array".into());
        return;
    };
    for (i, action) in actions.iter().enumerate() {
        let Some(action) = action.as_object() else {
            problems.push(format!("metadata.homeActions.{i} must be an object"));
            continue;
        };
        for (field, required) in [
            ("slug", true),
            ("title", true),
            ("description", true),
            ("icon", true),
            ("badge", false),
        ] {
            let ok = match action.get(field) {
                None | Some(Value::Null) => !required,
                Some(v) => v.is_string(),
            };
            if !ok {
                problems.push(format!("metadata.homeActions.{i}.{field} must be a string"));
            }
        }
    }
}

/// `POST /api/extensions/sessions/{sessionId}/action` with `{action: {name, params}}` → 201.
/// Every JSON body is recorded for `ChasterSim::actions_received`, even one that is refused.
async fn do_action(
    State(hub): State<Shared>,
    Path(session_id): Path<String>,
    Dto(dto): Dto,
) -> Response {
    let dto = Value::Object(dto);
    hub.apply(|s, events| {
        let received = s.actions_received.entry(session_id.clone()).or_default();
        received.push(dto.clone());
        match lock_actions::apply(s, events, &session_id, &dto, now()) {
            Ok(_) => StatusCode::CREATED.into_response(),
            Err(e) => e.response(),
        }
    })
}

/// `POST /api/extensions/sessions/{sessionId}/temporary-opening/open` with `{actor}` → 201, no
/// body; 400 when the lock has no Hygiene opening, is not locked, or is already open.
async fn open_temporarily(
    State(hub): State<Shared>,
    Path(session_id): Path<String>,
    Dto(dto): Dto,
) -> Response {
    let mut problems = Problems::default();
    problems.one_of(&dto, "actor", &["wearer", "keyholder", "extension"], true);
    if let Err(r) = problems.check() {
        return r.into_response();
    }
    let actor = opt_str(&dto, "actor").unwrap_or_default();
    let r = hub.apply(|s, e| world::start_hygiene(s, e, &session_id, actor, now()));
    match r {
        Ok(_) => StatusCode::CREATED.into_response(),
        Err(e) => e.response(),
    }
}
