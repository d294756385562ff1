//! The Rust control API tests use to change the simulated world and to see what the product did.
//! Changes that Chaster would report (releases, hygiene openings…) send their webhooks in the
//! background; `wait_deliveries_idle` waits for them. Helpers panic on an unknown session or an
//! impossible change (e.g. releasing an unlocked lock), since that is a mistake in the test.

use std::time::Duration;

use serde_json::Value;

use super::lifecycle::{self, NewSessionSpec};
use super::oauth::{DEFAULT_SCOPE, OAUTH_CLIENT_ID};
use super::render::date;
use super::state::SimRole;
use super::webhooks::{self, Delivery, WebhookConfig};
use super::world::{self, ActionLogId, Release, WorldError};
use super::{now, ChasterSim};

fn must<T>(what: &str, session_id: &str, r: Result<T, WorldError>) -> T {
    r.unwrap_or_else(|e| panic!("{what} on session {session_id}: {e}"))
}

impl ChasterSim {
    /// Where Chaster sends webhooks from now on.
    pub fn set_webhook(&self, cfg: WebhookConfig) {
        self.lock().webhook = Some(cfg);
    }

    /// The order of `sessions/search` results, which Chaster does not document.
    pub fn set_search_newest_first(&self, newest_first: bool) {
        self.lock().search_newest_first = newest_first;
    }

    /// `PUT configurations/{token}` answers `201` with an empty body (the save still happens).
    pub fn set_config_put_empty(&self, empty: bool) {
        self.lock().config_put_empty = empty;
    }

    /// Stops sending webhooks (deliveries already scheduled go on).
    pub fn clear_webhook(&self) {
        self.lock().webhook = None;
    }

    /// The lock is released: status `unlocked`, `unlockedAt`, history entry `unlocked` (prefix
    /// `default`) and its `action_log.created`.
    pub async fn release_lock(&self, session_id: &str, how: Release) -> ActionLogId {
        let r = self
            .hub
            .apply(|s, e| world::release(s, e, session_id, how, now()));
        must("release_lock", session_id, r)
    }

    /// The wearer starts a hygiene opening: `temporary_opening_opened`. The lock must have the
    /// Hygiene opening extension (session A does, B does not).
    pub async fn start_hygiene_opening(&self, session_id: &str) -> ActionLogId {
        let r = self
            .hub
            .apply(|s, e| world::start_hygiene(s, e, session_id, "wearer", now()));
        must("start_hygiene_opening", session_id, r)
    }

    /// The wearer locks back: `temporary_opening_locked`, or `…_locked_late`.
    pub async fn end_hygiene_opening(&self, session_id: &str, late: bool) -> ActionLogId {
        let r = self
            .hub
            .apply(|s, e| world::end_hygiene(s, e, session_id, late, now()));
        must("end_hygiene_opening", session_id, r)
    }

    /// The lock becomes `deserted`, with a `deserted` history entry.
    pub async fn desert(&self, session_id: &str) -> ActionLogId {
        let r = self
            .hub
            .apply(|s, e| world::desert(s, e, session_id, now()));
        must("desert", session_id, r)
    }

    /// A new locked session of our extension (`extension_session.created`).
    /// Returns `(sessionId, wearer mainToken, keyholder mainToken)`.
    pub async fn create_session(&self, spec: NewSessionSpec) -> (String, String, String) {
        let c = self.hub.apply(|s, e| lifecycle::create(s, e, spec, now()));
        (c.session_id, c.wearer_token, c.keyholder_token)
    }

    /// Our extension leaves the lock (`extension_session.deleted`); the session is gone from the API.
    pub async fn delete_session(&self, session_id: &str) {
        let r = self
            .hub
            .apply(|s, e| lifecycle::delete(s, e, session_id, now()));
        must("delete_session", session_id, r)
    }

    /// Delivers `action_log.created` for an existing history entry `copies` more times: same
    /// data, a new `requestId` each, all at once (`concurrent`) or one after the other.
    pub async fn redeliver(&self, action_log_id: impl AsRef<str>, copies: usize, concurrent: bool) {
        let id = action_log_id.as_ref();
        let event = webhooks::action_log_event(&self.lock(), id);
        let event = event.unwrap_or_else(|| panic!("redeliver: no action log {id}"));
        webhooks::dispatch_copies(&self.hub, event, copies, concurrent);
    }

    /// Every webhook attempt so far, oldest first.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.lock().deliveries.clone()
    }

    /// Waits until every scheduled delivery has succeeded or used up its retries.
    pub async fn wait_deliveries_idle(&self) {
        let mut rx = self.hub.pending.subscribe();
        // The sender lives as long as `self`, so this cannot fail.
        let _ = rx.wait_for(|n| *n == 0).await;
    }

    /// The bodies `POST …/sessions/{id}/action` received, oldest first, rejected ones included.
    pub fn actions_received(&self, session_id: &str) -> Vec<Value> {
        let s = self.lock();
        s.actions_received
            .get(session_id)
            .cloned()
            .unwrap_or_default()
    }

    /// Chaster's own history entries (prefix `default`) of a session, oldest first.
    pub fn action_logs(&self, session_id: &str) -> Vec<Value> {
        let s = self.lock();
        s.action_logs.get(session_id).cloned().unwrap_or_default()
    }

    /// `locked`, `unlocked` or `deserted` (also for a deleted session's lock).
    pub fn lock_status(&self, session_id: &str) -> String {
        let s = self.lock();
        let lock = s.lock_of_session(session_id);
        let lock = lock.unwrap_or_else(|| panic!("lock_status: no session {session_id}"));
        lock.status.as_str().to_owned()
    }

    /// The lock's `endDate` as Chaster writes it; `None` for an unknown session.
    pub fn end_date(&self, session_id: &str) -> Option<String> {
        let s = self.lock();
        s.lock_of_session(session_id).map(|l| date(l.end_date))
    }

    /// The session's partner `metadata` as last written (`PATCH` replaces it whole).
    pub fn metadata(&self, session_id: &str) -> Value {
        let s = self.lock();
        let session = s.sessions.get(session_id);
        let session = session.or_else(|| s.deleted_sessions.get(session_id));
        session
            .unwrap_or_else(|| panic!("metadata: no session {session_id}"))
            .metadata
            .clone()
    }

    /// The entries the wearer sees on the session's lock page (`lockForUser.availableHomeActions`).
    pub fn home_actions(&self, session_id: &str) -> Vec<Value> {
        let s = self.lock();
        let lock = s.lock_of_session(session_id);
        let lock = lock.unwrap_or_else(|| panic!("home_actions: no session {session_id}"));
        let json = super::render::lock_json(&s, lock, Some(SimRole::Wearer), now());
        json["availableHomeActions"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// Whether the session's lock may be unlocked now, as `lock.canBeUnlocked` says.
    pub fn can_be_unlocked(&self, session_id: &str) -> bool {
        let s = self.lock();
        let lock = s.lock_of_session(session_id);
        let lock = lock.unwrap_or_else(|| panic!("can_be_unlocked: no session {session_id}"));
        let json = super::render::lock_json(&s, lock, None, now());
        json["canBeUnlocked"].as_bool().unwrap_or(false)
    }

    /// Custom logs on a lock that is no longer locked: refused (the default) or accepted.
    pub fn accept_logs_on_ended_locks(&self, accept: bool) {
        self.lock().accept_logs_on_ended_locks = accept;
    }

    pub fn is_frozen(&self, session_id: &str) -> bool {
        let s = self.lock();
        let lock = s.lock_of_session(session_id);
        lock.unwrap_or_else(|| panic!("is_frozen: no session {session_id}"))
            .is_frozen
    }

    /// Whether a hygiene opening is in progress on the session's lock.
    pub fn is_hygiene_open(&self, session_id: &str) -> bool {
        let s = self.lock();
        s.lock_of_session(session_id)
            .is_some_and(|l| l.hygiene_opened_at.is_some())
    }

    /// Adds or removes the Hygiene opening extension on the session's lock.
    pub fn set_hygiene_opening_enabled(&self, session_id: &str, enabled: bool) {
        let mut s = self.lock();
        let id = enabled.then(|| s.next_object_id());
        let lock = s.lock_of_session_mut(session_id);
        let lock =
            lock.unwrap_or_else(|| panic!("set_hygiene_opening_enabled: no session {session_id}"));
        lock.hygiene_party_id = id;
        lock.hygiene_opened_at = None;
    }

    /// The configuration a partnerConfigurationToken shows now (its session's, if it has one).
    pub fn config_of(&self, token: &str) -> Option<Value> {
        let s = self.lock();
        let grant = s.config_tokens.get(token)?;
        let live = grant.session_id.as_ref().and_then(|id| s.sessions.get(id));
        Some(live.map_or_else(|| grant.config.clone(), |x| x.config.clone()))
    }

    /// A mainToken or configuration token that Chaster refuses from now on (401).
    pub fn expire_token(&self, token: &str) {
        self.lock().expired_tokens.insert(token.to_owned());
    }

    /// What the sign-in page does when `username` picks themselves: a fresh authorization code
    /// for `OAUTH_CLIENT_ID` and `redirect_uri` (`state` is only echoed by the real redirect).
    pub async fn authorize_as(&self, username: &str, redirect_uri: &str, state: &str) -> String {
        let mut q = std::collections::HashMap::new();
        q.insert("redirect_uri".to_owned(), redirect_uri.to_owned());
        q.insert("state".to_owned(), state.to_owned());
        self.authorize_request(username, &q).await
    }

    /// What the sign-in page does for `username` with the query of an authorize URL: a code
    /// bound to its redirect URI, scope and PKCE challenge.
    pub async fn authorize_request(
        &self,
        username: &str,
        query: &std::collections::HashMap<String, String>,
    ) -> String {
        let mut s = self.lock();
        let user = s.user_by_name(username);
        let user_id = user
            .unwrap_or_else(|| panic!("authorize_request: no user {username}"))
            .id
            .clone();
        let field = |k: &str| query.get(k).map_or("", String::as_str);
        let scope = Some(field("scope"))
            .filter(|x| !x.is_empty())
            .unwrap_or(DEFAULT_SCOPE);
        s.oauth.issue_code(
            &user_id,
            OAUTH_CLIENT_ID,
            field("redirect_uri"),
            scope,
            super::oauth::Challenge::from_query(query),
            now(),
        )
    }

    /// The scopes granted with each access token issued so far, oldest first.
    pub fn granted_scopes(&self) -> Vec<String> {
        self.lock().oauth.granted_scopes()
    }

    /// Lifetimes of the tokens issued from now on (defaults 300 s and 1800 s).
    pub fn set_oauth_lifetimes(&self, access: Duration, refresh: Duration) {
        let mut s = self.lock();
        s.oauth.access_lifetime = access;
        s.oauth.refresh_lifetime = refresh;
    }

    /// Every access token issued so far stops working (`GET /auth/profile` answers 401).
    pub fn expire_oauth_access_tokens(&self) {
        self.lock().oauth.expire_access_tokens(now());
    }

    /// Every refresh token issued so far stops working (`invalid_grant`).
    pub fn expire_oauth_refresh_tokens(&self) {
        self.lock().oauth.expire_refresh_tokens(now());
    }
}
