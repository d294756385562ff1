//! Box events in the lock's Chaster history, so the keyholder sees what happened to the box.

use crate::chaster::models::{CustomLog, LogRole};
use crate::domain::{Role, SessionId};
use crate::state::AppState;

/// Adds a line to the lock's Chaster history as written by `role`, in the background and
/// best-effort.
pub(super) fn write_history(
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
        role: Some(match role {
            Role::Keyholder => LogRole::Keyholder,
            Role::Wearer => LogRole::User,
        }),
        icon: Some(icon.to_owned()),
        color: None,
    };
    let chaster = state.chaster.clone();
    let session_id = session_id.clone();
    tokio::spawn(async move {
        if let Err(e) = chaster.post_custom_log(&session_id, &log).await {
            tracing::warn!(error = %e, title = %log.title, "cannot write the box event to the Chaster history");
        }
    });
}
