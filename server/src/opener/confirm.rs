//! Confirming releases with Chaster in batches. Chaster allows about 100 calls a minute per
//! address, so a burst of releases read one by one (`GET /sessions/{id}`) would spend the whole
//! budget and wait for more. When several release jobs wait, one run searches our extension's
//! `unlocked` sessions instead (a few pages of up to 100) and keeps what it found for the other
//! jobs; a session the search does not show (the order of the results is not documented, so
//! it may be on a page we do not read) is read alone, as before. Rounds run one at a time:
//! jobs that arrive during a round use its results or start the next one.
//!
//! Only Chaster's answer counts, never a webhook body; `unlocked` is final, so a confirmation
//! kept for a minute cannot turn stale.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use super::Opener;
use crate::chaster::models::LockStatus;
use crate::chaster::{ChasterError, ExtensionSession, SessionSearch};
use crate::domain::SessionId;
use crate::jobs::JobKind;

/// Results per search page. Chaster's largest `limit` is not documented; should it refuse this
/// one, the round ends and each job reads its session alone.
const PAGE: u32 = 100;
/// Pages one round reads at most.
const MAX_PAGES: usize = 3;
/// Fewer waiting releases are read one by one: a search page costs one call, like a read.
const MIN_BATCH: usize = 3;
/// How long a confirmation found by a round is kept for the jobs that need it.
const KEEP: Duration = Duration::from_secs(60);
/// Release jobs one round looks for at most.
const MAX_WANTED: i64 = 1000;

/// Confirmations found by search rounds, shared by every clone of the opener.
#[derive(Debug, Default)]
pub(super) struct Confirmations {
    found: std::sync::Mutex<HashMap<SessionId, (ExtensionSession, Instant)>>,
    /// Sessions a round looked for and did not find: read alone for a while, not searched again.
    missed: std::sync::Mutex<HashMap<SessionId, Instant>>,
    /// One round at a time.
    round: tokio::sync::Mutex<()>,
}

impl Confirmations {
    fn get(&self, sid: &SessionId) -> Option<ExtensionSession> {
        let found = self.found.lock().unwrap_or_else(|p| p.into_inner());
        found
            .get(sid)
            .filter(|(_, at)| at.elapsed() < KEEP)
            .map(|(s, _)| s.clone())
    }

    fn recently_missed(&self, sid: &SessionId) -> bool {
        let missed = self.missed.lock().unwrap_or_else(|p| p.into_inner());
        missed.get(sid).is_some_and(|at| at.elapsed() < KEEP)
    }

    fn miss(&self, sessions: impl IntoIterator<Item = SessionId>) {
        let mut missed = self.missed.lock().unwrap_or_else(|p| p.into_inner());
        missed.retain(|_, at| at.elapsed() < KEEP);
        let now = Instant::now();
        missed.extend(sessions.into_iter().map(|s| (s, now)));
    }

    fn keep(&self, sessions: Vec<ExtensionSession>) {
        let mut found = self.found.lock().unwrap_or_else(|p| p.into_inner());
        found.retain(|_, (_, at)| at.elapsed() < KEEP);
        let now = Instant::now();
        for s in sessions {
            found.insert(s.session_id.clone(), (s, now));
        }
    }
}

impl Opener {
    /// Chaster's own record of a session a release job names: from a search round when several
    /// releases wait, else read alone. `None` for a session Chaster does not know.
    pub(super) async fn confirm_release(
        &self,
        sid: &SessionId,
    ) -> Result<Option<ExtensionSession>, ChasterError> {
        match self.batched(sid).await {
            Some(session) => {
                self.saw_session(&session).await;
                Ok(Some(session))
            }
            None => self.read_session(&self.openings, sid).await,
        }
    }

    /// The session as a search round found it, running a round if none found it yet.
    async fn batched(&self, sid: &SessionId) -> Option<ExtensionSession> {
        let slug = self.settings.poll.extension_slug.clone()?;
        let confirmations = &self.confirmations;
        if let Some(s) = confirmations.get(sid) {
            return Some(s);
        }
        if confirmations.recently_missed(sid) {
            return None;
        }
        let _round = confirmations.round.lock().await;
        // The round this job waited for may have found it.
        if let Some(s) = confirmations.get(sid) {
            return Some(s);
        }
        let mut wanted: HashSet<SessionId> = match self
            .store
            .pending_sessions(JobKind::OpenRelease, MAX_WANTED)
            .await
        {
            Ok(pending) => pending
                .into_iter()
                .filter(|s| confirmations.get(s).is_none() && !confirmations.recently_missed(s))
                .collect(),
            Err(e) => {
                tracing::warn!(error = %e, "cannot list the waiting releases");
                return None;
            }
        };
        wanted.insert(sid.clone());
        if wanted.len() < MIN_BATCH {
            return None;
        }
        let asked = wanted.len();
        let mut cursor = None;
        let mut pages = 0;
        for _ in 0..MAX_PAGES {
            let query = SessionSearch {
                extension_slug: slug.clone(),
                status: "unlocked".into(),
                limit: Some(PAGE),
                pagination_last_id: cursor.take(),
            };
            let page = match self.openings.search_sessions(&query).await {
                Ok(page) => page,
                Err(e) => {
                    tracing::info!(error = %e, "cannot search released sessions; reading them one by one");
                    break;
                }
            };
            pages += 1;
            cursor = page.results.last().and_then(|r| r.pagination_id.clone());
            let more = page.has_more;
            let found: Vec<ExtensionSession> = page
                .results
                .into_iter()
                .map(|r| r.session)
                .filter(|s| s.lock.status == LockStatus::Unlocked)
                .filter(|s| wanted.remove(&s.session_id))
                .collect();
            // Saved together, in one commit: each job's own save then finds nothing new.
            let records: Vec<_> = found.iter().map(super::session_record).collect();
            if let Err(e) = self.store.upsert_sessions(&records).await {
                tracing::warn!(error = %e, "cannot save the released sessions found");
            }
            confirmations.keep(found);
            if wanted.is_empty() || !more || cursor.is_none() {
                break;
            }
        }
        if pages > 0 {
            confirmations.miss(wanted.iter().cloned());
        }
        tracing::info!(
            releases = asked,
            confirmed = asked - wanted.len(),
            pages,
            "releases confirmed in one search"
        );
        confirmations.get(sid)
    }
}
