//! The dashboard's API (session cookie):
//!
//! - `GET /dashboard` → `DashboardView`: the signed-in keyholder's locked sessions of our
//!   extension, then the ones released in the last week (`lists::ENDED_KEPT`) (with `ended_at`, so the
//!   keyholder sees the lock ended and the box's state), each under an opaque handle (never
//!   Chaster's sessionId);
//! - `POST /dashboard/sessions/{handle}/time` `TimeChange`, `…/freeze` `FreezeChange`,
//!   `…/hygiene-opening`, `…/penalty/clear` → `ControlResult`; `…/open-box`, `…/lock-box` → `CommandResult`.
//!   These also need `X-CSRF-Token` and a same-origin request (403), and a handle of one of the
//!   keyholder's own sessions (404).
//!
//! The actions and the wearer's box (view, open, lock) are the use-cases the iframe's handlers
//! call too (`routes/controls/actions.rs`, `routes/device/access.rs`), with the keyholder role.

use api_types::{
    CommandResult, ControlResult, DashboardSession, DashboardView, FreezeChange, Person, TimeChange,
};
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};

use super::lists::{keyholder_sessions, recently_ended, resolve};
use super::secure::{check_request_origin, session_handle};
use super::SignedIn;
use crate::chaster::models::LockStatus;
use crate::chaster::ExtensionSession;
use crate::domain::Role;
use crate::error::{AppError, Said};
use crate::routes::controls::actions;
use crate::routes::device::access::{self as boxes, BoxViewer};
use crate::state::AppState;
use crate::views;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/dashboard", get(dashboard))
        .route("/api/dashboard/sessions/{handle}/time", post(change_time))
        .route("/api/dashboard/sessions/{handle}/freeze", post(freeze))
        .route(
            "/api/dashboard/sessions/{handle}/hygiene-opening",
            post(hygiene_opening),
        )
        .route(
            "/api/dashboard/sessions/{handle}/penalty/clear",
            post(clear_penalty),
        )
        .route("/api/dashboard/sessions/{handle}/open-box", post(open_box))
        .route("/api/dashboard/sessions/{handle}/lock-box", post(lock_box))
}

async fn dashboard(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Json<DashboardView>, AppError> {
    let me = &signed_in.record;
    let mut sessions = keyholder_sessions(&state, me).await?;
    sessions.extend(recently_ended(&state, me).await?);
    // Box statuses are read concurrently (the Sesame layer caches and coalesces them).
    let slots = futures::future::try_join_all(sessions.iter().map(|s| {
        let viewer = box_viewer(&state, s);
        let state = &state;
        async move {
            let slot = boxes::device_slot(state, &viewer).await?;
            let running = s.lock.status == LockStatus::Locked;
            if let Some(status) = slot
                .device
                .as_ref()
                .and_then(|d| d.status.as_ref())
                .filter(|_| running)
            {
                // A keyholder looking at the box is also a look for the tamper watch.
                state.tamper.observe_known(&viewer.session_id, status).await;
            }
            Ok::<_, AppError>(slot)
        }
    }))
    .await?;
    let sessions = sessions
        .iter()
        .zip(slots)
        .map(|(s, device)| DashboardSession {
            handle: session_handle(&me.handle_key, s.session_id.as_str()),
            session: keyholder_view(s),
            device,
            ended_at: (s.lock.status != LockStatus::Locked)
                .then(|| s.lock.unlocked_at.map(|at| at.to_rfc3339()))
                .flatten(),
        })
        .collect();
    Ok(Json(DashboardView {
        keyholder: Person {
            username: me.username.clone(),
            avatar_url: me
                .avatar_url
                .clone()
                .filter(|u| u.starts_with("https://") || u.starts_with("http://")),
        },
        sessions,
        // The page sends it back as `X-CSRF-Token` with every action.
        csrf_token: me.csrf_token.expose().to_owned(),
    }))
}

async fn change_time(
    State(state): State<AppState>,
    on: OnLock,
    body: Result<Json<TimeChange>, JsonRejection>,
) -> Result<Json<ControlResult>, AppError> {
    let Json(change) = body?;
    control(&state, &on, async |k| {
        actions::change_time(k, change.seconds).await
    })
    .await
}

async fn freeze(
    State(state): State<AppState>,
    on: OnLock,
    body: Result<Json<FreezeChange>, JsonRejection>,
) -> Result<Json<ControlResult>, AppError> {
    let Json(change) = body?;
    control(&state, &on, async |k| {
        actions::set_frozen(k, change.frozen).await
    })
    .await
}

async fn hygiene_opening(
    State(state): State<AppState>,
    on: OnLock,
) -> Result<Json<ControlResult>, AppError> {
    control(&state, &on, async |k| actions::open_for_hygiene(k).await).await
}

async fn clear_penalty(
    State(state): State<AppState>,
    on: OnLock,
) -> Result<Json<ControlResult>, AppError> {
    control(&state, &on, async |k| actions::clear_penalty(k).await).await
}

async fn open_box(
    State(state): State<AppState>,
    on: OnLock,
) -> Result<Json<CommandResult>, AppError> {
    let session = resolve(&state, &on.signed_in.record, &on.handle).await?;
    let viewer = box_viewer(&state, &session);
    Ok(Json(boxes::open_box(&state, &viewer).await?))
}

async fn lock_box(
    State(state): State<AppState>,
    on: OnLock,
) -> Result<Json<CommandResult>, AppError> {
    let session = resolve(&state, &on.signed_in.record, &on.handle).await?;
    let viewer = box_viewer(&state, &session);
    Ok(Json(boxes::lock_box(&state, &viewer).await?))
}

/// An action on one lock of the dashboard: a signed-in keyholder, a request from our own page
/// (origin and CSRF token, else 403), and the lock's `{handle}`. Checked before the body is read.
struct OnLock {
    signed_in: SignedIn,
    handle: String,
}

impl FromRequestParts<AppState> for OnLock {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let signed_in = SignedIn::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let origin = state.dashboard.public_origin.as_deref();
        check_request_origin(&parts.headers, origin, &signed_in.record.csrf_token)
            .map_err(IntoResponse::into_response)?;
        let Path(handle) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(OnLock { signed_in, handle })
    }
}

/// Runs one keyholder use-case on the lock `on` names, as the signed-in keyholder, and answers
/// with the session re-read.
async fn control(
    state: &AppState,
    on: &OnLock,
    act: impl AsyncFnOnce(&actions::KeyholderAct<'_>) -> Result<Said, AppError>,
) -> Result<Json<ControlResult>, AppError> {
    let before = resolve(state, &on.signed_in.record, &on.handle).await?;
    let id = before.session_id.clone();
    let keyholder = actions::KeyholderAct {
        state,
        session_id: &id,
        username: &on.signed_in.record.username,
    };
    let message = act(&keyholder).await?;
    Ok(answer(state, before, message).await)
}

/// The message and the session re-read from Chaster. The action already happened, so if the
/// re-read fails the answer still says so, with the session as it was before.
async fn answer(state: &AppState, before: ExtensionSession, said: Said) -> Json<ControlResult> {
    let id = before.session_id.clone();
    // The iframe's cached tokens of this session (the wearer's too) would show the old state.
    state.sessions.invalidate_session(&id);
    let session = match state.chaster.get_session(&id).await {
        Ok(session) => session,
        Err(e) => {
            tracing::warn!(error = %e, "cannot re-read the session after a dashboard action");
            before
        }
    };
    let (reason, params) = said.wire();
    Json(ControlResult {
        message: said.message.into_owned(),
        reason,
        params,
        session: keyholder_view(&session),
    })
}

/// The session as its keyholder sees it. The complete lock answers `isAllowedToViewTime` for the
/// wearer, but the keyholder may always see the timer.
fn keyholder_view(s: &ExtensionSession) -> api_types::SessionView {
    let mut lock = s.lock.clone();
    lock.is_allowed_to_view_time = Some(true);
    views::session_view(Role::Keyholder, &s.display_name, &lock)
}

/// The signed-in keyholder looking at the box of this session's wearer.
fn box_viewer(state: &AppState, s: &ExtensionSession) -> BoxViewer {
    BoxViewer::new(
        s.lock.user.id.clone(),
        s.session_id.clone(),
        Role::Keyholder,
        s.lock.status,
        &s.config,
        &state.settings.opener.defaults,
    )
}
