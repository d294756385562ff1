//! The dashboard's API (session cookie):
//!
//! - `GET /dashboard` → `DashboardView`: the signed-in keyholder's locked sessions of our
//!   extension, then the ones released in the last [`ENDED_KEPT`] (with `ended_at`, so the
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
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};

use super::secure::{check_request_origin, session_handle};
use super::SignedIn;
use crate::chaster::models::LockStatus;
use crate::chaster::{ExtensionSession, SessionSearch};
use crate::domain::Role;
use crate::error::AppError;
use crate::routes::controls::actions;
use crate::routes::device::access::{self as boxes, BoxViewer};
use crate::state::AppState;
use crate::store::DashboardSessionRecord;
use crate::views;

const PAGE_SIZE: u32 = 50;
/// How long a released lock stays on the dashboard (its "Ended" section).
const ENDED_KEPT: chrono::TimeDelta = chrono::TimeDelta::days(7);
const NOT_YOURS: &str =
    "This lock is not one of yours, or it is no longer locked. Reload the dashboard.";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dashboard", get(dashboard))
        .route("/dashboard/sessions/{handle}/time", post(change_time))
        .route("/dashboard/sessions/{handle}/freeze", post(freeze))
        .route(
            "/dashboard/sessions/{handle}/hygiene-opening",
            post(hygiene_opening),
        )
        .route(
            "/dashboard/sessions/{handle}/penalty/clear",
            post(clear_penalty),
        )
        .route("/dashboard/sessions/{handle}/open-box", post(open_box))
        .route("/dashboard/sessions/{handle}/lock-box", post(lock_box))
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
    signed_in: SignedIn,
    headers: HeaderMap,
    Path(handle): Path<String>,
    body: Result<Json<TimeChange>, JsonRejection>,
) -> Result<Json<ControlResult>, AppError> {
    check(&state, &signed_in, &headers)?;
    let Json(change) = body?;
    control(&state, &signed_in, &handle, async |k| {
        actions::change_time(k, change.seconds).await
    })
    .await
}

async fn freeze(
    State(state): State<AppState>,
    signed_in: SignedIn,
    headers: HeaderMap,
    Path(handle): Path<String>,
    body: Result<Json<FreezeChange>, JsonRejection>,
) -> Result<Json<ControlResult>, AppError> {
    check(&state, &signed_in, &headers)?;
    let Json(change) = body?;
    control(&state, &signed_in, &handle, async |k| {
        actions::set_frozen(k, change.frozen).await
    })
    .await
}

async fn hygiene_opening(
    State(state): State<AppState>,
    signed_in: SignedIn,
    headers: HeaderMap,
    Path(handle): Path<String>,
) -> Result<Json<ControlResult>, AppError> {
    check(&state, &signed_in, &headers)?;
    control(&state, &signed_in, &handle, async |k| {
        actions::open_for_hygiene(k).await
    })
    .await
}

async fn clear_penalty(
    State(state): State<AppState>,
    signed_in: SignedIn,
    headers: HeaderMap,
    Path(handle): Path<String>,
) -> Result<Json<ControlResult>, AppError> {
    check(&state, &signed_in, &headers)?;
    control(&state, &signed_in, &handle, async |k| {
        actions::clear_penalty(k).await
    })
    .await
}

async fn open_box(
    State(state): State<AppState>,
    signed_in: SignedIn,
    headers: HeaderMap,
    Path(handle): Path<String>,
) -> Result<Json<CommandResult>, AppError> {
    check(&state, &signed_in, &headers)?;
    let session = resolve(&state, &signed_in.record, &handle).await?;
    Ok(Json(
        boxes::open_box(&state, &box_viewer(&state, &session)).await?,
    ))
}

async fn lock_box(
    State(state): State<AppState>,
    signed_in: SignedIn,
    headers: HeaderMap,
    Path(handle): Path<String>,
) -> Result<Json<CommandResult>, AppError> {
    check(&state, &signed_in, &headers)?;
    let session = resolve(&state, &signed_in.record, &handle).await?;
    Ok(Json(
        boxes::lock_box(&state, &box_viewer(&state, &session)).await?,
    ))
}

/// Runs one keyholder use-case on the session behind `handle` (after `check`), as the signed-in
/// keyholder, and answers with the session re-read.
async fn control(
    state: &AppState,
    signed_in: &SignedIn,
    handle: &str,
    act: impl AsyncFnOnce(&actions::KeyholderAct<'_>) -> Result<String, AppError>,
) -> Result<Json<ControlResult>, AppError> {
    let before = resolve(state, &signed_in.record, handle).await?;
    let id = before.session_id.clone();
    let keyholder = actions::KeyholderAct {
        state,
        session_id: &id,
        username: &signed_in.record.username,
    };
    let message = act(&keyholder).await?;
    Ok(answer(state, before, message).await)
}

fn check(state: &AppState, signed_in: &SignedIn, headers: &HeaderMap) -> Result<(), AppError> {
    let origin = state.dashboard.public_origin.as_deref();
    check_request_origin(headers, origin, &signed_in.record.csrf_token)
}

/// The keyholder's locked sessions of our extension, read page by page. Chaster's search
/// returns every session of the extension, so the filter on the lock's keyholder is what keeps
/// other keyholders' sessions out.
async fn keyholder_sessions(
    state: &AppState,
    me: &DashboardSessionRecord,
) -> Result<Vec<ExtensionSession>, AppError> {
    let settings = &state.dashboard.settings;
    let slug = settings
        .extension_slug
        .clone()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("CHASTER_EXTENSION_SLUG is not set")))?;
    let mut mine = Vec::new();
    let mut after = None;
    for _ in 0..settings.max_pages.max(1) {
        let query = SessionSearch {
            extension_slug: slug.clone(),
            status: "locked".to_owned(),
            limit: Some(PAGE_SIZE),
            pagination_last_id: after.take(),
        };
        let page = state.chaster.search_sessions(&query).await?;
        let next = page.results.last().and_then(|r| r.pagination_id.clone());
        mine.extend(page.results.into_iter().map(|r| r.session).filter(|s| {
            s.lock
                .keyholder
                .as_ref()
                .is_some_and(|k| k.id == me.user_id)
        }));
        for s in &mine {
            state.dashboard.remember_handle(
                session_handle(&me.handle_key, s.session_id.as_str()),
                s.session_id.clone(),
            );
        }
        match next {
            Some(next) if page.has_more => after = Some(next),
            _ => return Ok(mine),
        }
    }
    tracing::warn!(
        pages = settings.max_pages,
        "dashboard session list cut short: too many sessions"
    );
    Ok(mine)
}

/// The keyholder's sessions of our extension released in the last [`ENDED_KEPT`]: one page of
/// Chaster's search (its order is undocumented, so the date is checked here).
async fn recently_ended(
    state: &AppState,
    me: &DashboardSessionRecord,
) -> Result<Vec<ExtensionSession>, AppError> {
    let Some(slug) = state.dashboard.settings.extension_slug.clone() else {
        return Ok(Vec::new());
    };
    let query = SessionSearch {
        extension_slug: slug,
        status: "unlocked".to_owned(),
        limit: Some(PAGE_SIZE),
        pagination_last_id: None,
    };
    let since = state.clock.now() - ENDED_KEPT;
    let page = state.chaster.search_sessions(&query).await?;
    let mut ended: Vec<ExtensionSession> = page
        .results
        .into_iter()
        .map(|r| r.session)
        .filter(|s| {
            s.lock
                .keyholder
                .as_ref()
                .is_some_and(|k| k.id == me.user_id)
                && s.lock.unlocked_at.is_none_or(|at| at >= since)
        })
        .collect();
    // Newest first: the lock that just ended is the one the keyholder looks for.
    ended.sort_by_key(|s| std::cmp::Reverse(s.lock.unlocked_at));
    Ok(ended)
}

/// The session behind a handle, if it is one of the keyholder's locked sessions right now.
async fn resolve(
    state: &AppState,
    me: &DashboardSessionRecord,
    handle: &str,
) -> Result<ExtensionSession, AppError> {
    // A handle a list showed: one read, checked as the list would (keyholder, locked).
    if let Some(id) = state.dashboard.session_of_handle(handle) {
        if session_handle(&me.handle_key, id.as_str()) == handle {
            let session = match state.chaster.get_session(&id).await {
                Ok(s) => s,
                Err(crate::chaster::ChasterError::NotFound) => {
                    return Err(AppError::Missing(NOT_YOURS.into()))
                }
                Err(e) => return Err(e.into()),
            };
            let mine = session
                .lock
                .keyholder
                .as_ref()
                .is_some_and(|k| k.id == me.user_id);
            return if mine && session.lock.status == LockStatus::Locked {
                Ok(session)
            } else {
                Err(AppError::Missing(NOT_YOURS.into()))
            };
        }
    }
    keyholder_sessions(state, me)
        .await?
        .into_iter()
        .find(|s| session_handle(&me.handle_key, s.session_id.as_str()) == handle)
        .ok_or_else(|| AppError::Missing(NOT_YOURS.into()))
}

/// The message and the session re-read from Chaster. The action already happened, so if the
/// re-read fails the answer still says so, with the session as it was before.
async fn answer(
    state: &AppState,
    before: ExtensionSession,
    message: String,
) -> Json<ControlResult> {
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
    Json(ControlResult {
        message,
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
