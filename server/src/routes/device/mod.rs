//! `/api/device`: the wearer's Sesame box, as the session's viewer may see and drive it.
//!
//! - `GET /device` → `DeviceSlot` (both roles; the box of the session's wearer),
//! - `POST /device/test` → `ConnectionTest` (the reading and how control was proven), `PUT /device` → `DeviceView`, `DELETE /device` → 204
//!   (wearer only; 409 while a running lock holds the box),
//! - `POST /device/open` and `POST /device/lock` → `CommandResult`, as custody allows: the
//!   keyholder of the lock holding the box; the wearer may lock (unless the lock's config says
//!   `wearer_may_lock: false`) and may open once Chaster has ended the lock; 409 otherwise.
//! - `POST /device/quota/retry` (wearer) → `DeviceView`: "Try again now" while the monthly
//!   CANDY HOUSE quota is used up.
//!
//! Custody checks every call with the rules the view's `can_*` flags show; the
//! battery warning uses the lock's `low_battery_percent`. Box
//! events are written to the Chaster history in the background: a Chaster failure never turns a
//! box command that happened into an error.
//!
//! Viewing, opening and locking live in `access`, taking plain inputs ([`BoxViewer`]), so the
//! keyholder dashboard shares them.

pub(crate) mod access;
mod history;
mod registration;
mod view;

use api_types::{
    CommandResult, ConnectionProof, ConnectionTest, DeviceRegistration, DeviceSlot, DeviceView,
};
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};

use access::{device_slot, lock_box, open_box, BoxViewer};

use crate::auth::CurrentSession;
use crate::domain::{DeviceCredentials, Role};
use crate::error::{AppError, Refused};
use crate::opener::BoxLook;
use crate::sesame::{DeviceError, DeviceProbe, ProofOutcome};
use crate::state::AppState;
use crate::store::NewDevice;
use history::write_history;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/device",
            get(get_device).put(put_device).delete(delete_device),
        )
        .route("/api/device/test", post(test_device))
        .route("/api/device/open", post(open_device))
        .route("/api/device/lock", post(lock_device))
        .route("/api/device/quota/retry", post(retry_quota_now))
}

/// `POST /device/quota/retry` (wearer): "Try again now" while the monthly quota is used up.
async fn retry_quota_now(
    State(state): State<AppState>,
    current: CurrentSession,
) -> Result<Json<DeviceView>, AppError> {
    let viewer = BoxViewer::of(&current.session, &state.settings.opener.defaults);
    Ok(Json(access::retry_quota(&state, &viewer).await?))
}

async fn get_device(
    State(state): State<AppState>,
    current: CurrentSession,
) -> Result<Json<DeviceSlot>, AppError> {
    let viewer = BoxViewer::of(&current.session, &state.settings.opener.defaults);
    let slot = device_slot(&state, &viewer).await?;
    if let Some(status) = slot.device.as_ref().and_then(|d| d.status.as_ref()) {
        // Someone has the page open: this read is also a look for the tamper watch, at no
        // extra request to CANDY HOUSE.
        let session = &current.session;
        state
            .tamper
            .observe(&session.session_id, &session.lock, &session.config, status)
            .await;
    } else if slot.device.is_none() {
        let session = &current.session;
        show_on_lock_page(&state, session, BoxLook::NotConnected).await;
    }
    Ok(Json(slot))
}

/// Checks the credentials with CANDY HOUSE and the box itself, and says how; nothing is saved.
async fn test_device(
    State(state): State<AppState>,
    current: CurrentSession,
    body: Result<Json<DeviceRegistration>, JsonRejection>,
) -> Result<Json<ConnectionTest>, AppError> {
    let session = &current.session;
    session.require_role(Role::Wearer, "connect a box")?;
    let Json(registration) = body?;
    let candidate = registration::parse(&registration)?;
    let (probe, proof) = prove(&state, &candidate).await?;
    let viewer = BoxViewer::of(session, &state.settings.opener.defaults);
    Ok(Json(ConnectionTest {
        model: probe.model,
        status: view::with_battery_flag(probe.status, &viewer.policy),
        proof,
    }))
}

/// Connects (or replaces) the wearer's box once the box proved the credentials (so the wearer
/// may also rotate the credentials of the same box during a lock).
async fn put_device(
    State(state): State<AppState>,
    current: CurrentSession,
    body: Result<Json<DeviceRegistration>, JsonRejection>,
) -> Result<Json<DeviceView>, AppError> {
    let session = &current.session;
    session.require_role(Role::Wearer, "connect a box")?;
    let Json(registration) = body?;
    let candidate = registration::parse(&registration)?;
    let (probe, _) = prove(&state, &candidate).await?;
    let candidate_caps = candidate.caps;
    let wearer = &session.wearer_id;
    let existing = state.store.get_device(wearer).await;
    // A record that no longer decrypts is still a box that is being replaced.
    let replaced = !matches!(existing, Ok(None));
    // New credentials for the same box, just proven by `prove`: rotating them is no change of box.
    let same_box = matches!(&existing, Ok(Some(r))
        if r.credentials.device_id() == candidate.credentials.device_id());
    let viewer = BoxViewer::of(session, &state.settings.opener.defaults);
    // Custody: a running lock's box is changed only after the lock ends.
    let permit = state
        .custody
        .change_permit(&viewer.custody(), replaced, same_box)
        .await?;
    let nickname = candidate
        .nickname
        .or(probe.nickname)
        .unwrap_or_else(|| probe.model.clone());
    let saved = state
        .store
        .upsert_device(&NewDevice {
            user_id: wearer.clone(),
            nickname,
            model: probe.model,
            credentials: candidate.credentials,
        })
        .await;
    permit.release().await;
    let record = saved?;
    tracing::info!(api = ?record.api(), model = %record.model, replaced, "box connected");
    let title = if replaced {
        "The wearer replaced the box"
    } else {
        "The wearer connected a box"
    };
    let mut description = format!("{} ({})", record.nickname, record.model);
    if !candidate_caps.can_lock {
        description.push_str(". It can only be unlocked remotely: the wearer locks it by hand, and control of it is proven at the first opening.");
    }
    write_history(
        &state,
        &session.session_id,
        session.role,
        title,
        description,
        "key",
    )
    .await;
    // The wearer's lock page shows the box from now on (the proof's reading, no extra request).
    let status = view::with_battery_flag(probe.status, &viewer.policy);
    show_on_lock_page(
        &state,
        session,
        BoxLook::Read {
            status: &status,
            open_during_lock: false,
        },
    )
    .await;
    let requests = state
        .hub
        .requests_this_month(record.credentials.api_key())
        .await;
    let permissions = state.custody.permissions(&viewer.custody()).await?;
    Ok(Json(view::device_view(
        &record,
        Ok(status),
        requests,
        permissions,
        &viewer.policy,
    )))
}

/// Forgets the box: only while no running lock holds it (409 otherwise).
async fn delete_device(
    State(state): State<AppState>,
    current: CurrentSession,
) -> Result<StatusCode, AppError> {
    let session = &current.session;
    session.require_role(Role::Wearer, "remove the box")?;
    if matches!(state.store.get_device(&session.wearer_id).await, Ok(None)) {
        // Removing nothing is not an error.
        return Ok(StatusCode::NO_CONTENT);
    }
    let viewer = BoxViewer::of(session, &state.settings.opener.defaults);
    let permit = state
        .custody
        .change_permit(&viewer.custody(), true, false)
        .await?;
    let deleted = state.store.delete_device(&session.wearer_id).await;
    permit.release().await;
    if deleted? {
        tracing::info!("box removed");
        write_history(
            &state,
            &session.session_id,
            session.role,
            "The wearer removed the box",
            "The Sesame box is no longer connected to this lock.".into(),
            "trash-alt",
        )
        .await;
        show_on_lock_page(&state, session, BoxLook::NotConnected).await;
    }
    Ok(StatusCode::NO_CONTENT)
}

async fn open_device(
    State(state): State<AppState>,
    current: CurrentSession,
) -> Result<Json<CommandResult>, AppError> {
    let viewer = BoxViewer::of(&current.session, &state.settings.opener.defaults);
    Ok(Json(open_box(&state, &viewer).await?))
}

async fn lock_device(
    State(state): State<AppState>,
    current: CurrentSession,
) -> Result<Json<CommandResult>, AppError> {
    let viewer = BoxViewer::of(&current.session, &state.settings.opener.defaults);
    Ok(Json(lock_box(&state, &viewer).await?))
}

/// The status read, then the proof on the box itself ([`crate::sesame::Device::prove_control`]): a lock
/// command with a unique history tag that the box must record. Without it nothing is saved.
/// An unlock-only box (SESAME Bike) is proven at the first opening instead.
async fn prove(
    state: &AppState,
    candidate: &registration::Candidate,
) -> Result<(DeviceProbe, ConnectionProof), AppError> {
    let mut probe = state
        .hub
        .probe(&candidate.credentials, candidate.product_type)
        .await
        .map_err(registration_error)?;
    let device = state
        .hub
        .device(candidate.credentials.clone())
        .with_capabilities(candidate.caps);
    let proof = state
        .custody
        .prove_new_box(&device)
        .await
        .map_err(registration_error)?;
    if let Some(refusal) = proof.refusal() {
        tracing::info!(?proof, "box credentials not proven");
        return Err(AppError::Invalid(refusal));
    }
    let how = match (&proof, &candidate.credentials) {
        (ProofOutcome::Deferred, _) => ConnectionProof::AtFirstOpening,
        (_, DeviceCredentials::LegacyV3 { .. }) => ConnectionProof::LockTaskCompleted,
        (_, DeviceCredentials::WebApi { .. }) => ConnectionProof::TaggedLockInHistory,
    };
    if let ProofOutcome::Proven { status: Some(s) } = proof {
        probe.status = s;
    }
    probe.model = candidate.model_or(probe.model);
    Ok((probe, how))
}

const SETUP_PROBLEM: Refused = Refused::fixed("box_setup_problem", "CANDY HOUSE keeps answering this Sesame with a server error (HTTP 500). That usually means a setup problem, not an outage: the lock is not paired with a hub (WiFi Module 2 or Hub 3), the UUID is not this lock's, or the API key is not the owner's. Check these in the Sesame app and on biz.candyhouse.co, then try again.");

/// While connecting, a refusal means the wearer typed something wrong: 422 with CANDY HOUSE's
/// reason. Anything else (offline, throttled, down) keeps its own status and code.
fn registration_error(e: DeviceError) -> AppError {
    match e {
        // Asked again already: a 500 that stays is a setup problem, not a passing outage.
        DeviceError::Upstream {
            status: Some(500..=599),
            ..
        } => AppError::Invalid(SETUP_PROBLEM),
        DeviceError::BadCredentials { .. }
        | DeviceError::NotFound
        | DeviceError::IntegrationDisabled
        | DeviceError::BadRequest { .. } => {
            let (reason, params) = e.reason();
            let mut refused = Refused::new(reason, e.user_message());
            refused.params = params;
            AppError::Invalid(refused)
        }
        other => AppError::Device(other),
    }
}

#[cfg(test)]
mod tests;

/// The lock page's entry shows `look` of the session's box (kept only if it changed).
async fn show_on_lock_page(
    state: &AppState,
    session: &crate::auth::ResolvedSession,
    look: BoxLook<'_>,
) {
    state
        .tamper
        .show(&session.session_id, &session.lock, &session.config, look)
        .await;
}
