//! Box events in the lock's Chaster history, so the keyholder sees what happened to the box.

use crate::chaster::models::{CustomLog, LogRole};
use crate::domain::{Role, SessionId};
use crate::state::AppState;

/// Adds a line to the lock's Chaster history as written by `role`, through the durable job
/// queue: a Chaster outage delays it, a restart does not lose it, and a line Chaster refuses is
/// kept in our store and shown on our history page.
pub(super) async fn write_history(
    state: &AppState,
    session_id: &SessionId,
    role: Role,
    title: &str,
    description: String,
    icon: &str,
) {
    let log = CustomLog {
        title: title.to_owned(),
        description,
        role: None,
        icon: Some(icon.to_owned()),
        color: None,
    };
    let role = match role {
        Role::Keyholder => LogRole::Keyholder,
        Role::Wearer => LogRole::User,
    };
    let job = crate::opener::history_job(session_id, role, &log);
    match state.store.enqueue(&[job]).await {
        Ok(_) => state.jobs.wake(),
        Err(e) => {
            tracing::error!(error = %e, title = %log.title, "cannot queue a box event for the Chaster history")
        }
    }
}
