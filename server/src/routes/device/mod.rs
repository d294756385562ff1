//! `/api/device`: the wearer's Sesame box, as the session's viewer may see and drive it.
//!
//! - `GET /device` → `DeviceSlot` (both roles; the box of the session's wearer),
//! - `POST /device/test` → `BoxStatus`, `PUT /device` → `DeviceView`, `DELETE /device` → 204
//!   (wearer only),
//! - `POST /device/open` (keyholder only) and `POST /device/lock` (both) → `CommandResult`.
//!
//! Roles are checked here on every call with the rules the view's `can_*` flags show. Box
//! events are written to the Chaster history in the background: a Chaster failure never turns a
//! box command that happened into an error.

mod registration;
mod view;

use api_types::{BoxStatus, CommandResult, DeviceRegistration, DeviceSlot, DeviceView};
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};

use crate::auth::{CurrentSession, ResolvedSession};
use crate::chaster::models::{CustomLog, LogRole};
use crate::domain::Role;
use crate::error::AppError;
use crate::sesame::{Device, DeviceError, DeviceProbe};
use crate::state::AppState;
use crate::store::{DeviceRecord, NewDevice};

const NO_BOX: &str = "No box is connected to this lock yet.";
const WEARER_CANNOT_OPEN: &str = "The wearer cannot open the box while the session runs.";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/device",
            get(get_device).put(put_device).delete(delete_device),
        )
        .route("/device/test", post(test_device))
        .route("/device/open", post(open_device))
        .route("/device/lock", post(lock_device))
}

async fn get_device(
    State(state): State<AppState>,
    current: CurrentSession,
) -> Result<Json<DeviceSlot>, AppError> {
    let session = &current.session;
    let record = state.store.get_device(session.wearer_id.as_str()).await?;
    let device = match record {
        Some(record) => Some(live_view(&state, &record, session.role).await),
        None => None,
    };
    Ok(Json(view::slot(device, session.role)))
}

/// Checks the credentials with CANDY HOUSE; nothing is saved.
async fn test_device(
    State(state): State<AppState>,
    current: CurrentSession,
    body: Result<Json<DeviceRegistration>, JsonRejection>,
) -> Result<Json<BoxStatus>, AppError> {
    current
        .session
        .require_role(Role::Wearer, "connect a box")?;
    let Json(registration) = body?;
    let candidate = registration::parse(&registration)?;
    let probe = probe(&state, &candidate).await?;
    Ok(Json(view::with_battery_flag(
        probe.status,
        low_battery_percent(&state),
    )))
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
    write_history(&state, session, title, description, "key");
    let requests = state
        .hub
        .requests_this_month(record.credentials.api_key())
        .await;
    Ok(Json(view::device_view(
        &record,
        Ok(probe.status),
        requests,
        session.role,
        low_battery_percent(&state),
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
            session,
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
    let session = &current.session;
    if !view::can_open(session.role) {
        return Err(AppError::Forbidden(WEARER_CANNOT_OPEN.into()));
    }
    let device = connected_device(&state, session).await?;
    let result = device.unlock().await?;
    tracing::info!(outcome = ?result.outcome, "keyholder opened the box");
    write_history(
        &state,
        session,
        "Keyholder opened the box",
        result.message.clone(),
        "lock-open",
    );
    Ok(Json(result))
}

async fn lock_device(
    State(state): State<AppState>,
    current: CurrentSession,
) -> Result<Json<CommandResult>, AppError> {
    let session = &current.session;
    if !view::can_lock(session.role) {
        return Err(AppError::Forbidden("You may not lock the box.".into()));
    }
    let device = connected_device(&state, session).await?;
    let result = device.lock().await?;
    tracing::info!(outcome = ?result.outcome, role = ?session.role, "box locked by hand");
    let by = match session.role {
        Role::Keyholder => "the keyholder",
        Role::Wearer => "the wearer",
    };
    write_history(
        &state,
        session,
        "Box locked",
        format!("Locked by {by}. {}", result.message),
        "lock",
    );
    Ok(Json(result))
}

/// The record as the viewer may see it, with the (cached, coalesced) live status.
async fn live_view(state: &AppState, record: &DeviceRecord, role: Role) -> DeviceView {
    let device = state.hub.device(record.credentials.clone());
    let status = device.status().await;
    if let Err(e) = &status {
        tracing::warn!(error = %e, "cannot read the box status");
    }
    let requests = device.requests_this_month().await;
    view::device_view(record, status, requests, role, low_battery_percent(state))
}

async fn connected_device(state: &AppState, session: &ResolvedSession) -> Result<Device, AppError> {
    let record = state
        .store
        .get_device(session.wearer_id.as_str())
        .await?
        .ok_or_else(|| AppError::Missing(NO_BOX.into()))?;
    Ok(state.hub.device(record.credentials))
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

fn low_battery_percent(state: &AppState) -> u8 {
    state.hub.settings().low_battery_percent
}

/// Adds a line to the lock's Chaster history, in the background and best-effort.
fn write_history(
    state: &AppState,
    session: &ResolvedSession,
    title: &str,
    description: String,
    icon: &str,
) {
    let log = CustomLog {
        title: title.to_owned(),
        description,
        role: Some(match session.role {
            Role::Keyholder => LogRole::Keyholder,
            Role::Wearer => LogRole::User,
        }),
        icon: Some(icon.to_owned()),
        color: None,
    };
    let chaster = state.chaster.clone();
    let session_id = session.session_id.clone();
    tokio::spawn(async move {
        if let Err(e) = chaster.post_custom_log(&session_id, &log).await {
            tracing::warn!(error = %e, title = %log.title, "cannot write the box event to the Chaster history");
        }
    });
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use api_types::ErrorCode;

    use super::*;

    #[test]
    fn refusals_while_connecting_are_invalid_input_and_outages_keep_their_code() {
        let e = registration_error(DeviceError::BadCredentials { status: Some(403) });
        assert_eq!(e.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(e.to_api_error().message.contains("API key"));
        assert_eq!(
            registration_error(DeviceError::NotFound)
                .to_api_error()
                .code,
            ErrorCode::Invalid
        );
        let e = registration_error(DeviceError::Throttled {
            retry_after: Duration::from_secs(5),
        });
        assert_eq!(e.to_api_error().code, ErrorCode::RateLimited);
        assert_eq!(e.to_api_error().retry_after_secs, Some(5));
    }

    #[test]
    fn device_failures_map_to_conflict_unavailable_or_bad_gateway() {
        let table = [
            (
                DeviceError::Busy { retry_after: None },
                409,
                ErrorCode::DeviceError,
            ),
            (
                DeviceError::LowBattery { percent: Some(3) },
                409,
                ErrorCode::DeviceError,
            ),
            (
                DeviceError::Offline { last_update: None },
                503,
                ErrorCode::DeviceError,
            ),
            (
                DeviceError::Throttled {
                    retry_after: Duration::from_secs(9),
                },
                503,
                ErrorCode::RateLimited,
            ),
            (
                DeviceError::Timeout { detail: "t".into() },
                502,
                ErrorCode::UpstreamUnavailable,
            ),
            (
                DeviceError::BadCredentials { status: Some(401) },
                502,
                ErrorCode::DeviceError,
            ),
        ];
        for (device, status, code) in table {
            let label = device.to_string();
            let e = AppError::from(device);
            assert_eq!(e.status().as_u16(), status, "{label}");
            assert_eq!(e.to_api_error().code, code, "{label}");
        }
    }

    #[test]
    fn a_missing_box_is_a_404_that_says_so() {
        let e = AppError::Missing(NO_BOX.into());
        assert_eq!(e.status(), StatusCode::NOT_FOUND);
        assert_eq!(e.to_api_error().code, ErrorCode::NotFound);
        assert_eq!(
            e.to_api_error().message,
            "No box is connected to this lock yet."
        );
    }
}
