//! The monthly CANDY HOUSE quota, as the keyholder learns of it: one history line per session
//! and month, whoever noticed first (a page view, the tamper watch or an opening).

use serde_json::json;

use super::messages::{log, ICON_LOCK};
use super::TamperWatch;
use crate::domain::SessionId;
use crate::jobs::JobKind;

impl TamperWatch {
    /// Writes "quota used up" to the session's history once this month. Never fails the caller.
    pub async fn quota_used_up(&self, session_id: &SessionId) {
        let now = self.clock.now();
        let line = log(
            "Box unreachable: monthly CANDY HOUSE quota used up",
            crate::sesame::budget::QUOTA_HISTORY,
            ICON_LOCK,
        );
        let job = JobKind::ChasterLog.job(
            session_id,
            format!("log:quota:{session_id}:{}", now.format("%Y-%m")),
            json!({"title": line.title, "description": line.description, "icon": line.icon}),
            now,
            crate::clock::add(now, std::time::Duration::from_secs(6 * 3600)),
        );
        match self.store.enqueue(&[job]).await {
            Ok(n) if n > 0 => self.signal.wake(),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "cannot write the quota line"),
        }
    }
}
