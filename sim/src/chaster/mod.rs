//! Simulator of Chaster: a real HTTP server on loopback that speaks the Extensions API's payload
//! shapes, requires the developer token, records what it receives and plays faults; it also
//! delivers webhooks, plays the OAuth2 server (Keycloak) with `GET /auth/profile`, and has a
//! control page (`/sim`) to release locks and run hygiene openings by hand.
//!
//! Layout: `state` (the world), `seed` (the demo sessions), `render` (wire JSON), `world`,
//! `lock_actions` and `lifecycle` (changes and the events they cause), `webhooks` (delivery),
//! `oauth` (codes and tokens), `guard` (auth, recording, faults), `routes/` (endpoints by area),
//! `api` (the Rust control API tests use), `nest` (NestJS error shapes).

mod api;
mod guard;
mod lifecycle;
mod lock_actions;
mod nest;
pub mod oauth;
mod render;
mod routes;
pub mod seed;
pub mod state;
mod webhooks;
mod world;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use anyhow::Context;
use chrono::Utc;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::{AbortHandle, JoinHandle};

pub use lifecycle::NewSessionSpec;
pub use oauth::{OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET};
pub use seed::{
    EXTENSION_NAME, EXTENSION_SLUG, KEYHOLDER_ID, KEYHOLDER_USERNAME, OTHER_KEYHOLDER_ID,
    OTHER_KEYHOLDER_USERNAME, SESSION_A_ID, SESSION_B_ID, SESSION_C_ID, SESSION_D_ID, SESSION_E_ID,
    WEARER_A_ID, WEARER_USERNAME,
};
pub use state::{RecordedRequest, SimRole, SimState};
pub use webhooks::{Delivery, WebhookConfig};
pub use world::{ActionLogId, Release};

/// The developer token the simulator accepts (`Authorization: Bearer …`).
pub const DEV_TOKEN: &str = "sim-developer-token";
/// The application client id the product should send as `X-Chaster-Client-Id`.
pub const CLIENT_ID: &str = "sim-client-id";
/// Wearer of session A: timer visible, keyholder present.
pub const WEARER_TOKEN: &str = "demo-wearer-token";
/// Keyholder of session A.
pub const KEYHOLDER_TOKEN: &str = "demo-keyholder-token";
/// Wearer of session B: the timer is hidden from them (`lockForUser.endDate` null).
pub const HIDDEN_TIMER_TOKEN: &str = "demo-hidden-timer-token";
/// Wearer of session C: a frozen self-lock.
pub const FROZEN_TOKEN: &str = "demo-frozen-token";
/// A token Chaster no longer accepts: 401.
pub const EXPIRED_TOKEN: &str = "demo-expired-token";
/// Fault tokens; they act wherever they appear in a path (a mainToken or a sessionId).
pub const FAULT_404_TOKEN: &str = "fault-404";
pub const FAULT_500_TOKEN: &str = "fault-500";
pub const FAULT_502_TOKEN: &str = "fault-502";
/// 429 with `Retry-After: 7`.
pub const FAULT_429_TOKEN: &str = "fault-429";
/// Answers as the wearer of session A, after 30 s (`SimState::slow_delay`).
pub const SLOW_TOKEN: &str = "fault-slow";
/// Keyholder of session D (`other-keyholder`), whose sessions `demo-keyholder` must never see.
pub const OTHER_KEYHOLDER_TOKEN: &str = "demo-other-keyholder-token";
/// Wearer of session D.
pub const OTHER_WEARER_TOKEN: &str = "demo-other-wearer-token";
/// The demo wearer (of A) in their second lock, E.
pub const SECOND_LOCK_WEARER_TOKEN: &str = "demo-wearer-second-lock-token";
/// The keyholder of E (`accomplice-keyholder`).
pub const SECOND_LOCK_KEYHOLDER_TOKEN: &str = "demo-accomplice-token";
/// partnerConfigurationToken of `demo-keyholder` creating a shared lock (`sessionId` null).
pub const CONFIG_NEW_TOKEN: &str = "demo-config-new-token";
/// partnerConfigurationToken of `demo-keyholder` editing session A.
pub const CONFIG_EDIT_TOKEN: &str = "demo-config-edit-token";
/// A partnerConfigurationToken Chaster no longer accepts: 401.
pub const CONFIG_EXPIRED_TOKEN: &str = "demo-config-expired-token";

/// What every handler shares: the world, and what webhook delivery needs.
pub(crate) struct Hub {
    state: Mutex<SimState>,
    pub(crate) http: reqwest::Client,
    /// Deliveries (first attempt and retries) not finished yet.
    pub(crate) pending: watch::Sender<usize>,
    /// Background delivery tasks, stopped when the simulator is dropped.
    tasks: Mutex<Vec<AbortHandle>>,
}

impl Hub {
    pub(crate) fn lock(&self) -> MutexGuard<'_, SimState> {
        self.state.lock().expect("sim state poisoned")
    }

    /// Runs `work` in the background until it ends or the simulator is dropped.
    pub(crate) fn spawn(&self, work: impl Future<Output = ()> + Send + 'static) {
        let handle = tokio::spawn(work).abort_handle();
        let mut tasks = self.tasks.lock().expect("sim tasks poisoned");
        tasks.retain(|t| !t.is_finished());
        tasks.push(handle);
    }

    /// Runs a change of the world, then schedules the webhooks it caused.
    pub(crate) fn apply<T>(
        self: &Arc<Self>,
        change: impl FnOnce(&mut SimState, &mut Vec<webhooks::Event>) -> T,
    ) -> T {
        let mut events = Vec::new();
        let out = change(&mut self.lock(), &mut events);
        for event in events {
            webhooks::dispatch(self, event);
        }
        out
    }
}

pub(crate) type Shared = Arc<Hub>;

/// A 21-character nanoid, the shape of Chaster's `sessionId`s (`LuV23MTfUFvxu3j-BASHc`) and
/// webhook `requestId`s (`n4cF9MPhGtNM0Gu539mbk`).
pub(crate) fn nanoid() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    let mut rng = rand::thread_rng();
    (0..21)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

/// The current time at Chaster's precision (milliseconds), so that dates in the world compare
/// exactly with the dates it renders.
pub(crate) fn now() -> chrono::DateTime<Utc> {
    use chrono::SubsecRound;
    Utc::now().trunc_subsecs(3)
}

/// A running simulator. Dropping it stops the server.
pub struct ChasterSim {
    addr: SocketAddr,
    hub: Shared,
    server: JoinHandle<()>,
}

impl ChasterSim {
    /// Starts a seeded simulator on `127.0.0.1:0`.
    pub async fn spawn() -> anyhow::Result<ChasterSim> {
        Self::spawn_on(SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Starts a seeded simulator on `addr` (the demo binary uses a fixed port).
    pub async fn spawn_on(addr: SocketAddr) -> anyhow::Result<ChasterSim> {
        let listener = TcpListener::bind(addr)
            .await
            .with_context(|| format!("binding the Chaster simulator to {addr}"))?;
        let addr = listener.local_addr()?;
        let base_url = format!("http://{addr}");
        let http = reqwest::Client::builder()
            .no_proxy()
            .build()
            .context("building the webhook client")?;
        let hub: Shared = Arc::new(Hub {
            state: Mutex::new(seed::seed(DEV_TOKEN, &base_url, now())),
            http,
            pending: watch::Sender::new(0),
            tasks: Mutex::new(Vec::new()),
        });
        let app = routes::router(hub.clone());
        let server = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!(error = %e, "Chaster simulator stopped");
            }
        });
        Ok(ChasterSim { addr, hub, server })
    }

    /// E.g. `http://127.0.0.1:41234`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// How many `GET /api/extensions/auth/sessions/*` the simulator received.
    pub fn auth_session_calls(&self) -> usize {
        self.lock().auth_session_calls
    }

    /// Every request received so far, oldest first.
    pub fn recorded_requests(&self) -> Vec<RecordedRequest> {
        self.lock().requests.clone()
    }

    /// The custom logs posted for a `sessionId`, as `ActionLogForPublic` JSON, oldest first.
    pub fn custom_logs(&self, session_id: &str) -> Vec<Value> {
        self.lock()
            .custom_logs
            .get(session_id)
            .cloned()
            .unwrap_or_default()
    }

    /// The `sessionId` a mainToken opens (tests use it to prove it never reaches the browser).
    pub fn session_id_of(&self, token: &str) -> Option<String> {
        self.lock().grant(token).map(|g| g.session_id.clone())
    }

    /// The lock `_id` of the session a mainToken opens.
    pub fn lock_id_of(&self, token: &str) -> Option<String> {
        let s = self.lock();
        let grant = s.grant(token)?;
        s.session_and_lock(&grant.session_id)
            .map(|(_, lock)| lock.id.clone())
    }

    /// The lock-extension `_id` (not the `sessionId`) of the session a mainToken opens.
    pub fn session_object_id_of(&self, token: &str) -> Option<String> {
        let s = self.lock();
        let grant = s.grant(token)?;
        s.sessions
            .get(&grant.session_id)
            .map(|x| x.object_id.clone())
    }

    /// Reads or changes the simulated world (e.g. unlock a lock, hide a timer, add a token).
    pub fn with_state<R>(&self, f: impl FnOnce(&mut SimState) -> R) -> R {
        f(&mut self.lock())
    }

    fn lock(&self) -> MutexGuard<'_, SimState> {
        self.hub.lock()
    }
}

impl Drop for ChasterSim {
    fn drop(&mut self) {
        self.server.abort();
        let tasks = self.hub.tasks.lock().expect("sim tasks poisoned");
        tasks.iter().for_each(AbortHandle::abort);
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_actions;
#[cfg(test)]
mod tests_config;
#[cfg(test)]
mod tests_control;
#[cfg(test)]
mod tests_oauth;
#[cfg(test)]
mod tests_search;
#[cfg(test)]
mod tests_support;
#[cfg(test)]
mod tests_webhooks;
