//! Which locks a signed-in keyholder sees on the dashboard, and the one lock a handle names.
//! Chaster's search returns every session of our extension: the filter on the lock's keyholder
//! is what keeps other keyholders' sessions out.

use super::secure::session_handle;
use crate::chaster::models::LockStatus;
use crate::chaster::{ExtensionSession, SessionSearch};
use crate::error::{AppError, Refused};
use crate::state::AppState;
use crate::store::DashboardSessionRecord;

/// Chaster's largest page: fewer calls against its budget.
const PAGE_SIZE: u32 = 100;
/// How long a released lock stays on the dashboard (its "Ended" section).
pub(super) const ENDED_KEPT: chrono::TimeDelta = chrono::TimeDelta::days(7);
const NOT_YOURS: Refused = Refused::fixed(
    "dashboard_lock_not_yours",
    "This lock is not one of yours, or it is no longer locked. Reload the dashboard.",
);

/// The keyholder's locked sessions of our extension; each gets its handle.
pub(super) async fn keyholder_sessions(
    state: &AppState,
    me: &DashboardSessionRecord,
) -> Result<Vec<ExtensionSession>, AppError> {
    let mine = search_mine(state, me, "locked").await?;
    for s in &mine {
        state.dashboard.remember_handle(
            session_handle(&me.handle_key, s.session_id.as_str()),
            s.session_id.clone(),
        );
    }
    Ok(mine)
}

/// The keyholder's sessions of our extension released in the last [`ENDED_KEPT`]. Every page
/// is read: Chaster's order is undocumented, and the whole extension's ended sessions come
/// before this keyholder's in whatever order it uses.
pub(super) async fn recently_ended(
    state: &AppState,
    me: &DashboardSessionRecord,
) -> Result<Vec<ExtensionSession>, AppError> {
    if state.dashboard.settings.extension_slug.is_none() {
        return Ok(Vec::new());
    }
    let since = state.clock.now() - ENDED_KEPT;
    let mut ended = search_mine(state, me, "unlocked").await?;
    ended.retain(|s| s.lock.unlocked_at.is_none_or(|at| at >= since));
    // Newest first: the lock that just ended is the one the keyholder looks for.
    ended.sort_by_key(|s| std::cmp::Reverse(s.lock.unlocked_at));
    Ok(ended)
}

/// The keyholder's sessions of our extension in `status`, read page by page (at most
/// `max_pages`). Chaster's search returns every session of the extension, so the filter on
/// the lock's keyholder is what keeps other keyholders' sessions out.
async fn search_mine(
    state: &AppState,
    me: &DashboardSessionRecord,
    status: &str,
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
            status: status.to_owned(),
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
        match next {
            Some(next) if page.has_more => after = Some(next),
            _ => return Ok(mine),
        }
    }
    tracing::warn!(
        status,
        pages = settings.max_pages,
        "dashboard session list cut short: too many sessions"
    );
    Ok(mine)
}

/// The session behind a handle, if it is one of the keyholder's locked sessions right now.
pub(super) async fn resolve(
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
                    return Err(AppError::Missing(NOT_YOURS))
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
                Err(AppError::Missing(NOT_YOURS))
            };
        }
    }
    keyholder_sessions(state, me)
        .await?
        .into_iter()
        .find(|s| session_handle(&me.handle_key, s.session_id.as_str()) == handle)
        .ok_or_else(|| AppError::Missing(NOT_YOURS))
}
