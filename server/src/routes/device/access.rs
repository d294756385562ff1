//! The box of a session's wearer as one viewer may see and drive it, from plain inputs: the iframe
//! routes (mainToken) and the keyholder dashboard (cookie) both call these after their own
//! checks of who the viewer is and which session they act on. The role rules are checked here.

use api_types::{CommandResult, DeviceSlot, DeviceView, ExtensionConfig};
use serde_json::Value;

use super::history::write_history;
use super::view;
use crate::auth::ResolvedSession;
use crate::domain::{Role, SessionId, UserId};
use crate::error::AppError;
use crate::sesame::Device;
use crate::state::AppState;
use crate::store::DeviceRecord;

pub const NO_BOX: &str = "No box is connected to this lock yet.";
const WEARER_CANNOT_OPEN: &str = "The wearer cannot open the box while the session runs.";
const WEARER_MAY_NOT_LOCK: &str = "The keyholder has not allowed the wearer to lock the box.";

/// Who looks at which session's box.
pub struct BoxViewer {
    /// The lock's wearer: boxes are bound to this user.
    pub wearer_id: UserId,
    /// For the Chaster history and the session cache.
    pub session_id: SessionId,
    pub role: Role,
    /// The keyholder's settings for this lock (Chaster's public extension config over the
    /// defaults).
    pub policy: ExtensionConfig,
}

impl BoxViewer {
    /// `config`: the session's public extension config, as Chaster stores it.
    pub fn new(wearer_id: UserId, session_id: SessionId, role: Role, config: &Value) -> BoxViewer {
        BoxViewer {
            wearer_id,
            session_id,
            role,
            policy: crate::routes::config::merge(config),
        }
    }

    /// The viewer of an iframe request.
    pub fn of(session: &ResolvedSession) -> BoxViewer {
        BoxViewer::new(
            session.wearer_id.clone(),
            session.session_id.clone(),
            session.role,
            &session.config,
        )
    }
}

/// The wearer's box (if any) with its live status, and whether the viewer may manage it.
pub async fn device_slot(state: &AppState, viewer: &BoxViewer) -> Result<DeviceSlot, AppError> {
    let record = state.store.get_device(viewer.wearer_id.as_str()).await?;
    let device = match record {
        Some(record) => Some(live_view(state, &record, viewer).await),
        None => None,
    };
    Ok(view::slot(device, viewer.role))
}

/// The record as the viewer may see it, with the (cached, coalesced) live status.
pub async fn live_view(state: &AppState, record: &DeviceRecord, viewer: &BoxViewer) -> DeviceView {
    let device = state.hub.device(record.credentials.clone());
    let status = device.status().await;
    if let Err(e) = &status {
        tracing::warn!(error = %e, "cannot read the box status");
    }
    let requests = device.requests_this_month().await;
    let mut view = view::device_view(record, status, requests, viewer.role, &viewer.policy);
    view.budget = device.budget().await.map(|mut b| {
        b.can_retry_now = b.quota_message.is_some() && viewer.role == Role::Wearer;
        b
    });
    if view
        .budget
        .as_ref()
        .is_some_and(|b| b.quota_message.is_some())
    {
        // Once a month per session: the keyholder learns it from the history.
        state.tamper.quota_used_up(viewer.session_id.as_str()).await;
    }
    view
}

/// "Try again now" while the quota is used up (the wearer, e.g. after buying a paid plan): the
/// next request with the key checks the quota, and this view makes it.
pub async fn retry_quota(state: &AppState, viewer: &BoxViewer) -> Result<DeviceView, AppError> {
    if viewer.role != Role::Wearer {
        return Err(AppError::Forbidden(
            "Only the wearer can ask CANDY HOUSE again.".into(),
        ));
    }
    let record = state
        .store
        .get_device(viewer.wearer_id.as_str())
        .await?
        .ok_or_else(|| AppError::Missing(NO_BOX.into()))?;
    state.hub.probe_quota_now(record.credentials.api_key());
    let device = state.hub.device(record.credentials.clone());
    // The probe: one fresh read (a success clears the quota flag).
    if let Err(e) = device.refresh_status().await {
        tracing::info!(error = %e, "the quota probe the wearer asked for failed");
    }
    Ok(live_view(state, &record, viewer).await)
}

/// Opens the box: the keyholder only.
pub async fn open_box(state: &AppState, viewer: &BoxViewer) -> Result<CommandResult, AppError> {
    if !view::can_open(viewer.role) {
        return Err(AppError::Forbidden(WEARER_CANNOT_OPEN.into()));
    }
    let device = connected_device(state, viewer).await?;
    // Before the command: the box being open is the keyholder's doing, not an incident, until it
    // is seen locked again.
    state
        .tamper
        .keyholder_opens(viewer.session_id.as_str())
        .await;
    let result = device.unlock().await;
    state.sessions.invalidate_session(&viewer.session_id);
    let result = flag_battery(result?, viewer);
    tracing::info!(outcome = ?result.outcome, "keyholder opened the box");
    write_history(
        state,
        &viewer.session_id,
        viewer.role,
        "Keyholder opened the box",
        result.message.clone(),
        "lock-open",
    );
    Ok(result)
}

/// Locks the box: the keyholder, and the wearer unless the lock's config forbids it.
pub async fn lock_box(state: &AppState, viewer: &BoxViewer) -> Result<CommandResult, AppError> {
    if !view::can_lock(viewer.role, &viewer.policy) {
        return Err(AppError::Forbidden(WEARER_MAY_NOT_LOCK.into()));
    }
    let device = connected_device(state, viewer).await?;
    let result = device.lock().await;
    state.sessions.invalidate_session(&viewer.session_id);
    let result = flag_battery(result?, viewer);
    tracing::info!(outcome = ?result.outcome, role = ?viewer.role, "box locked by hand");
    let by = match viewer.role {
        Role::Keyholder => "the keyholder",
        Role::Wearer => "the wearer",
    };
    write_history(
        state,
        &viewer.session_id,
        viewer.role,
        "Box locked",
        format!("Locked by {by}. {}", result.message),
        "lock",
    );
    Ok(result)
}

async fn connected_device(state: &AppState, viewer: &BoxViewer) -> Result<Device, AppError> {
    let record = state
        .store
        .get_device(viewer.wearer_id.as_str())
        .await?
        .ok_or_else(|| AppError::Missing(NO_BOX.into()))?;
    Ok(state.hub.device(record.credentials))
}

fn flag_battery(mut result: CommandResult, viewer: &BoxViewer) -> CommandResult {
    result.status = result
        .status
        .map(|s| view::with_battery_flag(s, &viewer.policy));
    result
}
