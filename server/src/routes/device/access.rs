//! The box of a session's wearer as one viewer may see and drive it, from plain inputs: the iframe
//! routes (mainToken) and the keyholder dashboard (cookie) both call these after their own
//! checks of who the viewer is and which session they act on. Custody decides who may move or
//! change the box; these functions add the history lines and the view.

use api_types::{CommandOutcome, CommandResult, DeviceSlot, DeviceView, ExtensionConfig};
use serde_json::Value;

use super::history::write_history;
use super::view;
use crate::auth::ResolvedSession;
use crate::chaster::models::LockStatus;
use crate::custody::rules::Move;
use crate::custody::{Permissions, Viewer};
use crate::domain::policy::Policy;
use crate::domain::{Role, SessionId, UserId};
use crate::error::{AppError, Refused};
use crate::sesame::Device;
use crate::state::AppState;
use crate::store::DeviceRecord;

pub const NO_BOX: Refused = Refused::fixed("no_box", "No box is connected to this lock yet.");

/// Who looks at which session's box.
#[derive(Clone)]
pub struct BoxViewer {
    /// The lock's wearer: boxes are bound to this user.
    pub wearer_id: UserId,
    /// For the Chaster history and the session cache.
    pub session_id: SessionId,
    pub role: Role,
    /// The lock's status as Chaster reported it for this request.
    pub status: LockStatus,
    /// The keyholder's settings for this lock (Chaster's public extension config over the
    /// defaults).
    pub policy: ExtensionConfig,
}

impl BoxViewer {
    /// `config`: the session's public extension config, as Chaster stores it.
    /// `defaults`: the server's policy defaults (the one policy reader fills the gaps with them).
    pub fn new(
        wearer_id: UserId,
        session_id: SessionId,
        role: Role,
        status: LockStatus,
        config: &Value,
        defaults: &Policy,
    ) -> BoxViewer {
        BoxViewer {
            wearer_id,
            session_id,
            role,
            status,
            policy: Policy::read(config, defaults).view(),
        }
    }

    /// The viewer of an iframe request.
    pub fn of(session: &ResolvedSession, defaults: &Policy) -> BoxViewer {
        BoxViewer::new(
            session.wearer_id.clone(),
            session.session_id.clone(),
            session.role,
            session.lock.status,
            &session.config,
            defaults,
        )
    }

    /// The same viewer, as custody sees it.
    pub fn custody(&self) -> Viewer {
        Viewer {
            wearer_id: self.wearer_id.clone(),
            session_id: self.session_id.clone(),
            role: self.role,
            phase: Viewer::phase_of(self.status),
            wearer_may_lock: self.policy.wearer_may_lock,
        }
    }
}

/// The wearer's box (if any) with its live status, and what the viewer may do with it.
pub async fn device_slot(state: &AppState, viewer: &BoxViewer) -> Result<DeviceSlot, AppError> {
    let record = state.store.get_device(&viewer.wearer_id).await?;
    let Some(record) = record else {
        return Ok(view::slot(None, viewer.role == Role::Wearer));
    };
    let permissions = state.custody.permissions(&viewer.custody()).await?;
    let device = live_view(state, &record, viewer, permissions).await;
    Ok(view::slot(Some(device), permissions.can_change))
}

/// The record as the viewer may see it, with the (cached, coalesced) live status.
pub async fn live_view(
    state: &AppState,
    record: &DeviceRecord,
    viewer: &BoxViewer,
    permissions: Permissions,
) -> DeviceView {
    let device = state
        .hub
        .device_of_model(record.credentials.clone(), &record.model);
    let status = device.status().await;
    if let Err(e) = &status {
        tracing::warn!(error = %e, "cannot read the box status");
    }
    let requests = device.requests_this_month().await;
    let mut view = view::device_view(record, status, requests, permissions, &viewer.policy);
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
        state.tamper.quota_used_up(&viewer.session_id).await;
    }
    custody_facts(state, viewer, &mut view).await;
    view
}

/// What the state card needs from custody: since when the keyholder's opening keeps the box
/// open, and when a deserted lock's box opens. Facts of this session only; a store failure
/// leaves them unset (the card then says less, never something false).
async fn custody_facts(state: &AppState, viewer: &BoxViewer, view: &mut DeviceView) {
    let sid = &viewer.session_id;
    let excused = matches!(state.store.get_session(sid).await, Ok(Some(s)) if s.box_open_allowed);
    if excused {
        view.opened_by_keyholder_at = state
            .store
            .open_allowed_at(sid)
            .await
            .ok()
            .flatten()
            .map(rfc3339);
    }
    if let Ok(Some(period)) = state.store.last_custody_of_session(sid).await {
        view.opens_at = period
            .opens_at
            .filter(|_| period.ended_at.is_none())
            .map(rfc3339);
    }
}

fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// "Try again now" while the quota is used up (the wearer, e.g. after buying a paid plan): the
/// next request with the key checks the quota, and this view makes it.
pub async fn retry_quota(state: &AppState, viewer: &BoxViewer) -> Result<DeviceView, AppError> {
    if viewer.role != Role::Wearer {
        return Err(AppError::Forbidden(Refused::new(
            "only_wearer",
            "Only the wearer can ask CANDY HOUSE again.",
        )));
    }
    let record = state
        .store
        .get_device(&viewer.wearer_id)
        .await?
        .ok_or_else(|| AppError::Missing(NO_BOX))?;
    state.hub.probe_quota_now(record.credentials.api_key());
    let device = state
        .hub
        .device_of_model(record.credentials.clone(), &record.model);
    // The probe: one fresh read (a success clears the quota flag).
    if let Err(e) = device.refresh_status().await {
        tracing::info!(error = %e, "the quota probe the wearer asked for failed");
    }
    let permissions = state.custody.permissions(&viewer.custody()).await?;
    Ok(live_view(state, &record, viewer, permissions).await)
}

/// Runs a box command to its end on its own task. A page that reloads or leaves drops its
/// request, and axum then drops the handler: without this, a box that moved would keep no
/// history line and custody no note of who moved it.
async fn to_the_end<F>(command: F) -> Result<CommandResult, AppError>
where
    F: std::future::Future<Output = Result<CommandResult, AppError>> + Send + 'static,
{
    tokio::spawn(command)
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("a box command task failed: {e}")))?
}

/// Opens the box when custody allows it: the keyholder of the lock holding it, or the wearer
/// once Chaster has ended that lock.
pub async fn open_box(state: &AppState, viewer: &BoxViewer) -> Result<CommandResult, AppError> {
    let (state, viewer) = (state.clone(), viewer.clone());
    to_the_end(async move { open_box_now(&state, &viewer).await }).await
}

async fn open_box_now(state: &AppState, viewer: &BoxViewer) -> Result<CommandResult, AppError> {
    state.custody.check(&viewer.custody(), Move::Open).await?;
    let device = connected_device(state, viewer).await?;
    let result = state
        .custody
        .open_from_page(&viewer.custody(), &device)
        .await;
    state.sessions.invalidate_session(&viewer.session_id);
    let result = flag_battery(result?, viewer);
    tracing::info!(outcome = ?result.outcome, role = ?viewer.role, "box opened by hand");
    let title = open_title(viewer.role, result.outcome);
    write_history(
        state,
        &viewer.session_id,
        viewer.role,
        title,
        result.message.clone(),
        "lock-open",
    )
    .await;
    Ok(result)
}

/// A history title that says what happened, not what was asked for.
pub fn open_title(role: Role, outcome: CommandOutcome) -> &'static str {
    match (outcome, role) {
        (CommandOutcome::Confirmed, Role::Keyholder) => "Box opened by the keyholder",
        (CommandOutcome::Confirmed, Role::Wearer) => {
            "Box opened by the wearer after the lock ended"
        }
        (CommandOutcome::NotConfirmed, _) => "Open not confirmed: the box did not report open",
        (CommandOutcome::Mismatch, _) => "Open failed: box still locked",
        (CommandOutcome::Jammed, _) => "Open failed: box jammed",
    }
}

pub fn lock_title(outcome: CommandOutcome) -> &'static str {
    match outcome {
        CommandOutcome::Confirmed => "Box locked",
        CommandOutcome::NotConfirmed => "Lock not confirmed: the box did not report locked",
        CommandOutcome::Mismatch => "Lock failed: box still open",
        CommandOutcome::Jammed => "Lock failed: box jammed",
    }
}

/// Locks the box when custody allows it.
pub async fn lock_box(state: &AppState, viewer: &BoxViewer) -> Result<CommandResult, AppError> {
    let (state, viewer) = (state.clone(), viewer.clone());
    to_the_end(async move { lock_box_now(&state, &viewer).await }).await
}

async fn lock_box_now(state: &AppState, viewer: &BoxViewer) -> Result<CommandResult, AppError> {
    state.custody.check(&viewer.custody(), Move::Lock).await?;
    let device = connected_device(state, viewer).await?;
    let result = state
        .custody
        .lock_from_page(&viewer.custody(), &device)
        .await;
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
        lock_title(result.outcome),
        format!("Locked by {by}. {}", result.message),
        "lock",
    )
    .await;
    Ok(result)
}

async fn connected_device(state: &AppState, viewer: &BoxViewer) -> Result<Device, AppError> {
    let record = state
        .store
        .get_device(&viewer.wearer_id)
        .await?
        .ok_or_else(|| AppError::Missing(NO_BOX))?;
    Ok(state.hub.device_of_model(record.credentials, &record.model))
}

fn flag_battery(mut result: CommandResult, viewer: &BoxViewer) -> CommandResult {
    result.status = result
        .status
        .map(|s| view::with_battery_flag(s, &viewer.policy));
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_history_title_says_what_the_box_did_not_what_was_asked() {
        let cases = [
            (
                CommandOutcome::Confirmed,
                "Box opened by the keyholder",
                "Box locked",
            ),
            (
                CommandOutcome::NotConfirmed,
                "Open not confirmed: the box did not report open",
                "Lock not confirmed: the box did not report locked",
            ),
            (
                CommandOutcome::Mismatch,
                "Open failed: box still locked",
                "Lock failed: box still open",
            ),
            (
                CommandOutcome::Jammed,
                "Open failed: box jammed",
                "Lock failed: box jammed",
            ),
        ];
        for (outcome, open, lock) in cases {
            assert_eq!(open_title(Role::Keyholder, outcome), open);
            assert_eq!(lock_title(outcome), lock);
        }
        assert_eq!(
            open_title(Role::Wearer, CommandOutcome::Confirmed),
            "Box opened by the wearer after the lock ended"
        );
    }
}
