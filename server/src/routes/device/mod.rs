//! `/api/device`: the wearer's Sesame box, as the session's viewer may see and drive it.
//!
//! - `GET /device` → `DeviceSlot` (both roles; the box of the session's wearer),
//! - `POST /device/test` → `BoxStatus`, `PUT /device` → `DeviceView`, `DELETE /device` → 204
//!   (wearer only),
//! - `POST /device/open` (keyholder only) and `POST /device/lock` (keyholder; the wearer unless
//!   the lock's config says `wearer_may_lock: false`) → `CommandResult`,
//! - `POST /device/quota/retry` (wearer) → `DeviceView`: "Try again now" while the monthly
//!   CANDY HOUSE quota is used up.
//!
//! Roles are checked on every call with the rules the view's `can_*` flags show; the
//! battery warning uses the lock's `low_battery_percent`. Box
//! events are written to the Chaster history in the background: a Chaster failure never turns a
//! box command that happened into an error.
//!
//! Viewing, opening and locking live in `access`, taking plain inputs ([`BoxViewer`]), so the
//! keyholder dashboard shares them.

mod access;
mod history;
mod registration;
mod view;

use api_types::{BoxStatus, CommandResult, DeviceRegistration, DeviceSlot, DeviceView};
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};

pub use access::{device_slot, lock_box, open_box, BoxViewer};

use crate::auth::CurrentSession;
use crate::domain::Role;
use crate::error::AppError;
use crate::sesame::{DeviceError, DeviceProbe};
use crate::state::AppState;
use crate::store::NewDevice;
use history::write_history;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/device",
            get(get_device).put(put_device).delete(delete_device),
        )
        .route("/device/test", post(test_device))
        .route("/device/open", post(open_device))
        .route("/device/lock", post(lock_device))
        .route("/device/quota/retry", post(retry_quota_now))
}

/// `POST /device/quota/retry` (wearer): "Try again now" while the monthly quota is used up.
async fn retry_quota_now(
    State(state): State<AppState>,
    current: CurrentSession,
) -> Result<Json<DeviceView>, AppError> {
    let viewer = BoxViewer::of(&current.session);
    Ok(Json(access::retry_quota(&state, &viewer).await?))
}

async fn get_device(
    State(state): State<AppState>,
    current: CurrentSession,
) -> Result<Json<DeviceSlot>, AppError> {
    let viewer = BoxViewer::of(&current.session);
    let slot = device_slot(&state, &viewer).await?;
    if let Some(status) = slot.device.as_ref().and_then(|d| d.status.as_ref()) {
        // Someone has the page open: this read is also a look for the tamper watch, at no
        // extra request to CANDY HOUSE.
        state.tamper.observe(&current.session, status).await;
    }
    Ok(Json(slot))
}

/// Checks the credentials with CANDY HOUSE; nothing is saved.
async fn test_device(
    State(state): State<AppState>,
    current: CurrentSession,
    body: Result<Json<DeviceRegistration>, JsonRejection>,
) -> Result<Json<BoxStatus>, AppError> {
    let session = &current.session;
    session.require_role(Role::Wearer, "connect a box")?;
    let Json(registration) = body?;
    let candidate = registration::parse(&registration)?;
    let probe = probe(&state, &candidate).await?;
    let viewer = BoxViewer::of(session);
    Ok(Json(view::with_battery_flag(probe.status, &viewer.policy)))
}

/// Connects (or replaces) the wearer's box once CANDY HOUSE has shown its status.
async fn put_device(
    State(state): State<AppState>,
    current: CurrentSession,
    body: Result<Json<DeviceRegistration>, JsonRejection>,
) -> Result<Json<DeviceView>, AppError> {
    let session = &current.session;
    session.require_role(Role::Wearer, "connect a box")?;
    let Json(registration) = body?;
    let candidate = registration::parse(&registration)?;
    let probe = probe(&state, &candidate).await?;
    let wearer = session.wearer_id.as_str();
    // Only to word the history line; a record that no longer decrypts is being replaced anyway.
    let replaced = matches!(state.store.get_device(wearer).await, Ok(Some(_)));
    let nickname = candidate
        .nickname
        .or(probe.nickname)
        .unwrap_or_else(|| probe.model.clone());
    let record = state
        .store
        .upsert_device(&NewDevice {
            user_id: wearer.to_owned(),
            nickname,
            model: probe.model,
            credentials: candidate.credentials,
        })
        .await?;
    tracing::info!(api = ?record.api(), model = %record.model, replaced, "box connected");
    let title = if replaced {
        "The wearer replaced the box"
    } else {
        "The wearer connected a box"
    };
    let description = format!("{} ({})", record.nickname, record.model);
    write_history(
        &state,
        &session.session_id,
        session.role,
        title,
        description,
        "key",
    );
    let requests = state
        .hub
        .requests_this_month(record.credentials.api_key())
        .await;
    Ok(Json(view::device_view(
        &record,
        Ok(probe.status),
        requests,
        session.role,
        &BoxViewer::of(session).policy,
    )))
}

/// Forgets the box. Allowed during a session; the keyholder learns it from the history.
async fn delete_device(
    State(state): State<AppState>,
    current: CurrentSession,
) -> Result<StatusCode, AppError> {
    let session = &current.session;
    session.require_role(Role::Wearer, "remove the box")?;
    if state
        .store
        .delete_device(session.wearer_id.as_str())
        .await?
    {
        tracing::info!("box removed");
        write_history(
            &state,
            &session.session_id,
            session.role,
            "The wearer removed the box",
            "The Sesame box is no longer connected to this lock.".into(),
            "trash-alt",
        );
    }
    Ok(StatusCode::NO_CONTENT)
}

async fn open_device(
    State(state): State<AppState>,
    current: CurrentSession,
) -> Result<Json<CommandResult>, AppError> {
    let viewer = BoxViewer::of(&current.session);
    Ok(Json(open_box(&state, &viewer).await?))
}

async fn lock_device(
    State(state): State<AppState>,
    current: CurrentSession,
) -> Result<Json<CommandResult>, AppError> {
    let viewer = BoxViewer::of(&current.session);
    Ok(Json(lock_box(&state, &viewer).await?))
}

async fn probe(
    state: &AppState,
    candidate: &registration::Candidate,
) -> Result<DeviceProbe, AppError> {
    state
        .hub
        .probe(&candidate.credentials, candidate.product_type)
        .await
        .map_err(registration_error)
}

/// While connecting, a refusal means the wearer typed something wrong: 422 with CANDY HOUSE's
/// reason. Anything else (offline, throttled, down) keeps its own status and code.
fn registration_error(e: DeviceError) -> AppError {
    match e {
        DeviceError::BadCredentials { .. }
        | DeviceError::NotFound
        | DeviceError::IntegrationDisabled
        | DeviceError::BadRequest { .. } => AppError::Invalid(e.user_message()),
        other => AppError::Device(other),
    }
}

#[cfg(test)]
mod tests;
