//! `/api/controls/…`: the keyholder's lock actions from the iframe (mainToken). Each checks the
//! viewer's role first (the wearer gets 403 and Chaster is not called), runs the shared action,
//! forgets every cached token of the session (the wearer's too) and answers the session as it
//! is now.
//!
//! - `POST /controls/time` `TimeChange` → `ControlResult`
//! - `POST /controls/freeze` `FreezeChange` → `ControlResult`
//! - `POST /controls/hygiene-opening` → `ControlResult` (422 when the lock has no Hygiene opening)
//! - `POST /controls/penalty/clear` → `ControlResult`: ends the open-box penalty (block, freeze)

pub(crate) mod actions;

use api_types::{ControlResult, FreezeChange, TimeChange};
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};

use crate::auth::CurrentSession;
use crate::domain::Role;
use crate::error::{AppError, Said};
use crate::state::AppState;
use crate::views;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/controls/time", post(change_time))
        .route("/api/controls/freeze", post(freeze))
        .route("/api/controls/hygiene-opening", post(hygiene_opening))
        .route("/api/controls/penalty/clear", post(clear_penalty))
}

/// The keyholder at the page, for the shared use-cases.
fn act<'a>(state: &'a AppState, current: &'a CurrentSession) -> actions::KeyholderAct<'a> {
    let session = &current.session;
    actions::KeyholderAct {
        state,
        session_id: &session.session_id,
        username: session
            .lock
            .keyholder
            .as_ref()
            .map_or("", |k| k.username.as_str()),
    }
}

async fn change_time(
    State(state): State<AppState>,
    current: CurrentSession,
    body: Result<Json<TimeChange>, JsonRejection>,
) -> Result<Json<ControlResult>, AppError> {
    let session = &current.session;
    session.require_role(Role::Keyholder, "change the lock's time")?;
    let Json(change) = body?;
    let message = actions::change_time(&act(&state, &current), change.seconds).await?;
    Ok(Json(answer(&state, &current, message).await))
}

async fn freeze(
    State(state): State<AppState>,
    current: CurrentSession,
    body: Result<Json<FreezeChange>, JsonRejection>,
) -> Result<Json<ControlResult>, AppError> {
    let session = &current.session;
    session.require_role(Role::Keyholder, "freeze or unfreeze the lock")?;
    let Json(change) = body?;
    let message = actions::set_frozen(&act(&state, &current), change.frozen).await?;
    Ok(Json(answer(&state, &current, message).await))
}

async fn hygiene_opening(
    State(state): State<AppState>,
    current: CurrentSession,
) -> Result<Json<ControlResult>, AppError> {
    let session = &current.session;
    session.require_role(Role::Keyholder, "start a hygiene opening")?;
    let message = actions::open_for_hygiene(&act(&state, &current)).await?;
    Ok(Json(answer(&state, &current, message).await))
}

async fn clear_penalty(
    State(state): State<AppState>,
    current: CurrentSession,
) -> Result<Json<ControlResult>, AppError> {
    let session = &current.session;
    session.require_role(Role::Keyholder, "end the open-box penalty")?;
    let message = actions::clear_penalty(&act(&state, &current)).await?;
    Ok(Json(answer(&state, &current, message).await))
}

/// The message and the session re-read from Chaster. The action already happened, so if the
/// re-read fails the answer still says so, with the session as it was before.
async fn answer(state: &AppState, current: &CurrentSession, said: Said) -> ControlResult {
    state
        .sessions
        .invalidate_session(&current.session.session_id);
    let fresh = match state.sessions.resolve(&current.token).await {
        Ok(fresh) => fresh,
        Err(e) => {
            tracing::warn!(error = %e, "cannot re-read the session after a keyholder action");
            current.session.clone()
        }
    };
    let (reason, params) = said.wire();
    ControlResult {
        message: said.message.into_owned(),
        reason,
        params,
        session: views::session_view(fresh.role, &fresh.extension_name, &fresh.lock_for_user),
    }
}
