//! The simulator's in-memory world: users, locks, extension sessions and the tokens that open them.
//! Handlers mutate it under one lock; rendering to Chaster's JSON lives in `render.rs`.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::oauth::OAuthState;
use super::webhooks::{Delivery, WebhookConfig};

/// Who a token belongs to, as Chaster's `role` says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SimRole {
    Wearer,
    Keyholder,
}

impl SimRole {
    pub fn as_str(self) -> &'static str {
        match self {
            SimRole::Wearer => "wearer",
            SimRole::Keyholder => "keyholder",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SimLockStatus {
    Locked,
    Unlocked,
    Deserted,
}

impl SimLockStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SimLockStatus::Locked => "locked",
            SimLockStatus::Unlocked => "unlocked",
            SimLockStatus::Deserted => "deserted",
        }
    }
}

/// A Chaster account (`UserForPublic`).
#[derive(Clone, Debug)]
pub struct SimUser {
    pub id: String,
    pub username: String,
    pub avatar_url: String,
    /// The profile role: `keyholder`, `wearer`, `switch` or `unspecified`.
    pub profile_role: &'static str,
    pub joined_at: String,
    pub is_premium: bool,
    pub online: bool,
    pub description: String,
}

/// A Chaster lock; rendered either complete (`session.lock`) or per viewer (`lockForUser`).
#[derive(Clone, Debug)]
pub struct SimLock {
    pub id: String,
    pub title: String,
    pub status: SimLockStatus,
    pub wearer_id: String,
    pub keyholder_id: Option<String>,
    pub start_date: DateTime<Utc>,
    pub end_date: DateTime<Utc>,
    pub min_date: DateTime<Utc>,
    pub max_date: DateTime<Utc>,
    pub max_limit_date: Option<DateTime<Utc>>,
    /// False hides the timer from the wearer (the keyholder always sees it).
    pub display_remaining_time: bool,
    pub is_frozen: bool,
    pub frozen_at: Option<DateTime<Utc>>,
    /// The combination's `_id`, never the code.
    pub combination_id: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub unlocked_at: Option<DateTime<Utc>>,
    pub is_test_lock: bool,
    pub hide_time_logs: bool,
    pub trusted: bool,
    /// The `_id` of the lock's Hygiene opening (`temporary-opening`) extension, when it has one.
    pub hygiene_party_id: Option<String>,
    /// When the current hygiene opening started; `None` while the lock is shut.
    pub hygiene_opened_at: Option<DateTime<Utc>>,
}

/// One lock-extension party of our extension (`ExtensionSessionForPartner` minus the lock).
#[derive(Clone, Debug)]
pub struct SimSession {
    /// The lock-extension ObjectId (`_id`), which partner calls must NOT use.
    pub object_id: String,
    /// The id partner calls use (`sessionId`).
    pub session_id: String,
    pub lock_id: String,
    pub slug: String,
    pub display_name: String,
    pub config: Value,
    pub data: Value,
    pub metadata: Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a mainToken opens.
#[derive(Clone, Debug)]
pub struct TokenGrant {
    pub session_id: String,
    pub role: SimRole,
    pub user_id: String,
}

/// What a partner configuration token (`partnerConfigurationToken`) opens.
#[derive(Clone, Debug)]
pub struct ConfigGrant {
    pub role: SimRole,
    pub user_id: String,
    /// `None` while a lock is being created (no session exists yet).
    pub session_id: Option<String>,
    /// The saved configuration when there is no session; a session's lives in the session.
    pub config: Value,
    pub created_at: DateTime<Utc>,
}

/// One request as the simulator received it (only the headers tests care about).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    pub authorization: Option<String>,
    pub client_id: Option<String>,
}

#[derive(Debug)]
pub struct SimState {
    pub developer_token: String,
    pub users: HashMap<String, SimUser>,
    /// By lock `_id`.
    pub locks: HashMap<String, SimLock>,
    /// By `sessionId`.
    pub sessions: HashMap<String, SimSession>,
    /// mainToken → grant.
    pub tokens: HashMap<String, TokenGrant>,
    /// Sessions removed from their lock (`extension_session.deleted`), by `sessionId`.
    pub deleted_sessions: HashMap<String, SimSession>,
    /// mainTokens and configuration tokens Chaster no longer accepts (401).
    pub expired_tokens: HashSet<String>,
    /// partnerConfigurationToken → grant.
    pub config_tokens: HashMap<String, ConfigGrant>,
    /// Custom logs posted by the partner, by `sessionId`, as `ActionLogForPublic` JSON.
    pub custom_logs: HashMap<String, Vec<Value>>,
    /// Chaster's own history entries (prefix `default`), by `sessionId`, oldest first.
    pub action_logs: HashMap<String, Vec<Value>>,
    /// The bodies of `POST …/sessions/{id}/action`, by `sessionId`, oldest first.
    pub actions_received: HashMap<String, Vec<Value>>,
    /// Where webhooks go; `None` sends nothing.
    pub webhook: Option<WebhookConfig>,
    /// Every webhook attempt, oldest first.
    pub deliveries: Vec<Delivery>,
    pub oauth: OAuthState,
    /// This simulator's own base URL (avatars are served from it).
    pub base_url: String,
    pub requests: Vec<RecordedRequest>,
    pub auth_session_calls: usize,
    /// How long `fault-slow` makes every request wait.
    pub slow_delay: Duration,
    /// The middle of every `_id` this simulator makes: random per start (see `next_object_id`).
    id_process: [u8; 5],
    next_id: u32,
    /// Custom logs on a lock that is no longer locked are refused (400), as Chaster may do;
    /// `true` accepts them (for tests about something else).
    pub accept_logs_on_ended_locks: bool,
    /// `sessions/search` order (undocumented by Chaster): newest first instead of oldest first.
    pub search_newest_first: bool,
    /// `PUT configurations/{token}` answers `201` with an empty body (saved all the same).
    pub config_put_empty: bool,
}

impl SimState {
    pub fn new(developer_token: &str, base_url: &str) -> Self {
        SimState {
            developer_token: developer_token.to_owned(),
            users: HashMap::new(),
            locks: HashMap::new(),
            sessions: HashMap::new(),
            tokens: HashMap::new(),
            deleted_sessions: HashMap::new(),
            expired_tokens: HashSet::new(),
            config_tokens: HashMap::new(),
            custom_logs: HashMap::new(),
            action_logs: HashMap::new(),
            actions_received: HashMap::new(),
            webhook: None,
            deliveries: Vec::new(),
            oauth: OAuthState::default(),
            base_url: base_url.to_owned(),
            requests: Vec::new(),
            auth_session_calls: 0,
            slow_delay: Duration::from_secs(30),
            id_process: rand::random(),
            // Below 2^23, so the 24-bit counter does not wrap within a run and ids keep sorting
            // in creation order.
            next_id: rand::random::<u32>() >> 9,
            accept_logs_on_ended_locks: false,
            search_newest_first: false,
            config_put_empty: false,
        }
    }

    /// A fresh `_id` made like a MongoDB ObjectId, as Chaster's are: seconds since 1970, a
    /// random value per start, a counter. Like Chaster's, it never repeats, also not after the
    /// simulator restarts against a server that kept its database (the demo): a repeated
    /// action-log id would be dropped as a duplicate delivery.
    pub fn next_object_id(&mut self) -> String {
        self.next_id = self.next_id.wrapping_add(1) & 0x00FF_FFFF;
        let seconds = Utc::now().timestamp().clamp(0, i64::from(u32::MAX)) as u32;
        format!(
            "{seconds:08x}{}{:06x}",
            hex::encode(self.id_process),
            self.next_id
        )
    }

    /// The session a token opens, with its lock.
    pub fn grant(&self, token: &str) -> Option<&TokenGrant> {
        self.tokens.get(token)
    }

    pub fn session_and_lock(&self, session_id: &str) -> Option<(&SimSession, &SimLock)> {
        let session = self.sessions.get(session_id)?;
        let lock = self.locks.get(&session.lock_id)?;
        Some((session, lock))
    }

    /// The lock of a session, live or deleted (the lock outlives the session).
    pub fn lock_of_session(&self, session_id: &str) -> Option<&SimLock> {
        let session = self
            .sessions
            .get(session_id)
            .or_else(|| self.deleted_sessions.get(session_id))?;
        self.locks.get(&session.lock_id)
    }

    pub fn lock_of_session_mut(&mut self, session_id: &str) -> Option<&mut SimLock> {
        let lock_id = self.sessions.get(session_id)?.lock_id.clone();
        self.locks.get_mut(&lock_id)
    }

    pub fn user_by_name(&self, username: &str) -> Option<&SimUser> {
        self.users.values().find(|u| u.username == username)
    }

    /// The avatar URL this simulator serves for `username` (the demo browser is offline).
    pub fn avatar_url(&self, username: &str) -> String {
        format!("{}/avatars/{username}.svg", self.base_url)
    }
}

impl SimLock {
    /// Whether the wearer could press "unlock" now, as Chaster computes `canBeUnlocked`.
    pub fn can_be_unlocked(&self, now: DateTime<Utc>) -> bool {
        self.status == SimLockStatus::Locked && !self.is_frozen && self.end_date <= now
    }

    pub fn can_be_unlocked_by_max_limit_date(&self, now: DateTime<Utc>) -> bool {
        self.status == SimLockStatus::Locked && self.max_limit_date.is_some_and(|d| d <= now)
    }

    /// Whether `role` may see the timer of this lock.
    pub fn is_allowed_to_view_time(&self, role: SimRole) -> bool {
        role == SimRole::Keyholder || self.display_remaining_time
    }

    pub fn hygiene_opening_enabled(&self) -> bool {
        self.hygiene_party_id.is_some()
    }
}

#[cfg(test)]
mod id_tests {
    use super::SimState;

    #[test]
    fn object_ids_never_repeat_across_starts_and_sort_in_creation_order() {
        let mut first = SimState::new("dev", "http://sim");
        let mut second = SimState::new("dev", "http://sim");
        let a: Vec<String> = (0..100).map(|_| first.next_object_id()).collect();
        let b: Vec<String> = (0..100).map(|_| second.next_object_id()).collect();
        assert!(a.iter().all(|id| id.len() == 24
            && id
                .bytes()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())));
        assert!(
            a.iter().all(|id| !b.contains(id)),
            "a restart repeated an id"
        );
        assert!(a.windows(2).all(|w| w[0] < w[1]), "ids out of order: {a:?}");
    }
}
