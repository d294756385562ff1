//! Simulator of the Chaster Extensions API: a real HTTP server on loopback that speaks Chaster's
//! payload shapes, requires the developer token, records what it receives and plays faults.
//!
//! Layout: `state` (the world), `seed` (the demo sessions), `render` (wire JSON), `guard`
//! (auth, recording, faults), `routes` (endpoints), `nest` (NestJS error shapes).

mod guard;
mod nest;
mod render;
mod routes;
pub mod seed;
pub mod state;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use anyhow::Context;
use chrono::Utc;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use seed::{EXTENSION_NAME, EXTENSION_SLUG, SESSION_A_ID, SESSION_B_ID, SESSION_C_ID};
pub use state::{RecordedRequest, SimRole, SimState};

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

pub(crate) type Shared = Arc<Mutex<SimState>>;

/// A running simulator. Dropping it stops the server.
pub struct ChasterSim {
    addr: SocketAddr,
    state: Shared,
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
        let state: Shared = Arc::new(Mutex::new(seed::seed(DEV_TOKEN, Utc::now())));
        let app = routes::router(state.clone());
        let server = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!(error = %e, "Chaster simulator stopped");
            }
        });
        Ok(ChasterSim {
            addr,
            state,
            server,
        })
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
        self.state.lock().expect("sim state poisoned")
    }
}

impl Drop for ChasterSim {
    fn drop(&mut self) {
        self.server.abort();
    }
}

#[cfg(test)]
mod tests;
