//! The fallback when no webhook credentials are configured: ask Chaster for our extension's
//! unlocked sessions every few seconds and enqueue the same open job a webhook would, keyed on
//! the session so each release is one job however often it is seen. The search's order is not
//! documented, so the sessions we know as locked are also re-read one by one (round robin):
//! a release is found whichever page it would be on.

use chrono::Utc;
use serde_json::json;

use super::{chrono_duration, session_record, Opener};
use crate::chaster::models::LockStatus;
use crate::chaster::{ChasterError, SessionSearch};
use crate::domain::SessionId;
use crate::jobs::JobKind;
use crate::store::sessions;

impl Opener {
    /// One poll: up to `max_pages` pages of unlocked sessions. Returns the jobs created.
    pub async fn poll_releases(&self) -> Result<usize, anyhow::Error> {
        let poll = &self.settings.poll;
        let Some(slug) = poll.extension_slug.clone() else {
            return Ok(0);
        };
        let now = Utc::now();
        let max_age = chrono_duration(poll.max_age);
        // Pages to the end over successive polls: each poll goes on where the last one stopped.
        let mut cursor = self
            .poll_cursor
            .lock()
            .map(|c| c.clone())
            .unwrap_or_default();
        let mut created = 0;
        let mut seen = std::collections::HashSet::new();
        for _ in 0..poll.max_pages.max(1) {
            let query = SessionSearch {
                extension_slug: slug.clone(),
                status: "unlocked".into(),
                limit: Some(poll.page_size),
                pagination_last_id: cursor.clone(),
            };
            let page = match self.chaster.search_sessions(&query).await {
                Ok(p) => p,
                Err(e @ ChasterError::RateLimited { .. }) => {
                    tracing::info!(error = %e, "polling paused by Chaster's rate limit");
                    break;
                }
                Err(e) => return Err(e.into()),
            };
            let mut jobs = Vec::new();
            for found in &page.results {
                let s = &found.session;
                seen.insert(s.session_id.clone());
                if s.lock.status != LockStatus::Unlocked {
                    continue;
                }
                let known = self.store.get_session(&s.session_id).await?;
                let was_locked = known.as_ref().is_some_and(|k| k.status == sessions::LOCKED);
                let recent = s.lock.unlocked_at.is_some_and(|t| now - t <= max_age);
                if known.as_ref().map(|k| k.status.as_str()) != Some(sessions::UNLOCKED) {
                    self.store.upsert_session(&session_record(s)).await?;
                }
                // Old releases are history, not work: only a fresh one, or one we saw locked.
                if !(recent || was_locked) {
                    continue;
                }
                jobs.push(JobKind::OpenRelease.job(
                    &s.session_id,
                    format!("poll:{}:unlocked", s.session_id),
                    json!({ "source": "poll" }),
                    now,
                    now + chrono_duration(self.settings.jobs.deadline),
                ));
            }
            created += self.store.enqueue(&jobs).await?;
            cursor = page.results.last().and_then(|r| r.pagination_id.clone());
            if !page.has_more || cursor.is_none() {
                cursor = None;
                break;
            }
        }
        if let Ok(mut saved) = self.poll_cursor.lock() {
            *saved = cursor;
        }
        created += self.poll_known_locked(&seen).await?;
        if created > 0 {
            self.signal.wake();
        }
        Ok(created)
    }

    /// Re-reads the stalest sessions we know as locked (not already seen in the search).
    async fn poll_known_locked(
        &self,
        seen: &std::collections::HashSet<SessionId>,
    ) -> Result<usize, anyhow::Error> {
        let now = Utc::now();
        let mut jobs = Vec::new();
        let known = self
            .store
            .locked_sessions_stalest(self.settings.poll.locked_checks)
            .await?;
        for sid in known.iter().filter(|s| !seen.contains(*s)) {
            // `fetch_session` saves what Chaster says (and so moves the session to the back).
            match self.fetch_session(sid).await {
                Ok(Some(s)) if s.lock.status == LockStatus::Unlocked => {
                    jobs.push(JobKind::OpenRelease.job(
                        sid,
                        format!("poll:{sid}:unlocked"),
                        json!({ "source": "poll" }),
                        now,
                        now + chrono_duration(self.settings.jobs.deadline),
                    ));
                }
                Ok(Some(_)) => {}
                Ok(None) => {
                    self.store.set_session_status(sid, sessions::ENDED).await?;
                }
                Err(e @ ChasterError::RateLimited { .. }) => {
                    tracing::info!(error = %e, "polling paused by Chaster's rate limit");
                    break;
                }
                Err(e) => tracing::info!(error = %e, "cannot re-read a locked session"),
            }
        }
        Ok(self.store.enqueue(&jobs).await?)
    }
}
