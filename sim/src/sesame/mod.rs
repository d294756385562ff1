//! Simulator of the CANDY HOUSE Sesame APIs (legacy v3 and Web API) on one loopback server.
//!
//! - v3 under `/public/...` (so the v3 base URL is `{base}/public`),
//! - the Web API under `/api/sesame2/...` (its base URL is `{base}`),
//! - a remote control under `/sim/...` (see `control`).
//!
//! Commands complete after a delay, drain a little battery, and the Web API checks the sign with
//! the device secret: a wrong sign still gets 200 but nothing moves, like the real service.
//! Faults are scripted per device ([`Fault`]).

mod control;
mod motion;
pub mod state;
mod v3;
mod webapi;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use state::{CommandKind, Fault, SimCommand};
pub use webapi::expected_sign;

use state::{DeviceApi, SimDevice, SimState};

/// The demo account's API key (40 characters, like real Web API keys).
pub const DEMO_API_KEY: &str = "demo-sesame-api-key-0000000000000000000a";
/// A SESAME 5 on the Web API, locked, battery 87 %.
pub const DEMO_WEBAPI_UUID: &str = "5E5A3E05-0000-4000-8000-000000000001";
/// The secret of both demo Web API devices.
pub const DEMO_SECRET_HEX: &str = "0b3e5f1665e143b59180c915fa4b06d9";
/// An original Sesame on the v3 API, locked.
pub const DEMO_V3_DEVICE_ID: &str = "5e5a3e01-0000-4000-8000-000000000003";
/// A Web API device whose battery is nearly empty (8 %).
pub const DEMO_LOW_BATTERY_UUID: &str = "5E5A3E05-0000-4000-8000-000000000002";

pub(crate) type Shared = Arc<Mutex<SimState>>;

/// How the simulated boxes behave.
#[derive(Clone, Debug)]
pub struct SesameSimConfig {
    /// A command completes after a random delay in this range.
    pub command_delay: (Duration, Duration),
    /// v3 `action-result` answers 400 for this long after the command ("asked too early").
    pub v3_early_window: Duration,
    /// v3 refuses commands with `LOW_BATTERY` at or below this percentage.
    pub low_battery_threshold: u8,
    /// Battery percentage each command costs.
    pub battery_drain: f32,
    /// Add the `DEMO_*` devices.
    pub seed_demo: bool,
}

impl Default for SesameSimConfig {
    /// The demo: commands take 1–3 s.
    fn default() -> Self {
        Self {
            command_delay: (Duration::from_secs(1), Duration::from_secs(3)),
            v3_early_window: Duration::from_millis(500),
            low_battery_threshold: 5,
            battery_drain: 0.2,
            seed_demo: true,
        }
    }
}

impl SesameSimConfig {
    /// For tests: commands take ~50 ms.
    pub fn fast() -> Self {
        Self {
            command_delay: (Duration::from_millis(50), Duration::from_millis(50)),
            v3_early_window: Duration::from_millis(20),
            ..Self::default()
        }
    }
}

/// A running simulator. Dropping it stops the server.
pub struct SesameSim {
    addr: SocketAddr,
    state: Shared,
    server: JoinHandle<()>,
}

fn parse_secret(secret_hex: &str) -> [u8; 16] {
    hex::decode(secret_hex)
        .ok()
        .and_then(|b| b.try_into().ok())
        .expect("a device secret is 32 hex characters")
}

/// Someone unlocks with the Sesame app (or locks): a tagged BLE entry, then the motor's entry a
/// second later, as the real history shows them (pysesame3 `history_webapi.json`).
pub(crate) fn app_command(device: &mut SimDevice, locked: bool, who: &str) {
    use base64::Engine;
    let tag = base64::engine::general_purpose::STANDARD.encode(who.as_bytes());
    let now = chrono::Utc::now().timestamp_millis();
    let (ble, drive) = if locked {
        (motion::BLE_LOCK, motion::DRIVE_LOCKED)
    } else {
        (motion::BLE_UNLOCK, motion::DRIVE_UNLOCKED)
    };
    device.record_history_at(ble, tag, now);
    if device.locked != locked && !device.jammed {
        device.locked = locked;
        device.updated_at = chrono::Utc::now().timestamp();
        device.record_history_at(drive, String::new(), now + 1_200);
    }
}

/// Someone turns the latch by hand (the Web API history shows a manual entry).
pub(crate) fn turn_by_hand(device: &mut SimDevice, locked: bool) {
    if device.locked != locked {
        device.locked = locked;
        device.updated_at = chrono::Utc::now().timestamp();
        let kind = if locked {
            motion::MANUAL_LOCK
        } else {
            motion::MANUAL_UNLOCK
        };
        device.record_history(kind, String::new());
    }
}

impl SesameSim {
    /// Starts a simulator on `127.0.0.1:0`.
    pub async fn spawn(cfg: SesameSimConfig) -> anyhow::Result<SesameSim> {
        Self::spawn_on(SocketAddr::from(([127, 0, 0, 1], 0)), cfg).await
    }

    /// Starts a simulator on `addr` (the demo binary uses a fixed port).
    pub async fn spawn_on(addr: SocketAddr, cfg: SesameSimConfig) -> anyhow::Result<SesameSim> {
        let listener = TcpListener::bind(addr)
            .await
            .with_context(|| format!("binding the Sesame simulator to {addr}"))?;
        let addr = listener.local_addr()?;
        let state: Shared = Arc::new(Mutex::new(SimState {
            devices: HashMap::new(),
            tasks: HashMap::new(),
            requests_per_key: HashMap::new(),
            command_delay: cfg.command_delay,
            v3_early_window: cfg.v3_early_window,
            low_battery_threshold: cfg.low_battery_threshold,
            battery_drain: cfg.battery_drain,
        }));
        let app = v3::router()
            .merge(webapi::router())
            .merge(control::router())
            .with_state(state.clone());
        let server = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!(error = %e, "Sesame simulator stopped");
            }
        });
        let sim = SesameSim {
            addr,
            state,
            server,
        };
        if cfg.seed_demo {
            sim.add_webapi_device(DEMO_WEBAPI_UUID, DEMO_SECRET_HEX, DEMO_API_KEY);
            sim.add_webapi_device(DEMO_LOW_BATTERY_UUID, DEMO_SECRET_HEX, DEMO_API_KEY);
            sim.set_battery(DEMO_LOW_BATTERY_UUID, 8);
            sim.add_v3_device(
                DEMO_V3_DEVICE_ID,
                DEMO_API_KEY,
                "Demo key box",
                "SIM0000001",
            );
        }
        Ok(sim)
    }

    /// E.g. `http://127.0.0.1:41234`, without a trailing slash. v3 lives under `/public`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The v3 base URL, `{base}/public`.
    pub fn v3_base_url(&self) -> String {
        format!("{}/public", self.base_url())
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    fn lock(&self) -> MutexGuard<'_, SimState> {
        self.state.lock().expect("sim state poisoned")
    }

    fn with_device<R>(&self, device: &str, f: impl FnOnce(&mut SimDevice) -> R) -> R {
        let mut state = self.lock();
        let d = state
            .device_mut(device)
            .unwrap_or_else(|| panic!("no simulated device {device}"));
        f(d)
    }

    /// Adds (or replaces) a locked SESAME 5 with battery 100 %.
    pub fn add_webapi_device(&self, uuid: &str, secret_hex: &str, api_key: &str) {
        let api = DeviceApi::WebApi {
            secret: parse_secret(secret_hex),
        };
        self.lock().devices.insert(
            uuid.to_owned(),
            SimDevice::new(uuid, api, api_key, true, 100),
        );
    }

    /// Adds (or replaces) a locked original Sesame with battery 100 %.
    pub fn add_v3_device(&self, device_id: &str, api_key: &str, nickname: &str, serial: &str) {
        let api = DeviceApi::LegacyV3 {
            nickname: nickname.to_owned(),
            serial: serial.to_owned(),
        };
        self.lock().devices.insert(
            device_id.to_owned(),
            SimDevice::new(device_id, api, api_key, true, 100),
        );
    }

    /// Scripts a fault until cleared with `None`.
    pub fn set_fault(&self, device: &str, fault: Option<Fault>) {
        self.with_device(device, |d| d.set_fault(fault, None));
    }

    /// Scripts a fault for the next `times` requests it affects.
    pub fn set_fault_times(&self, device: &str, fault: Fault, times: u32) {
        self.with_device(device, |d| d.set_fault(Some(fault), Some(times.max(1))));
    }

    /// Someone turns the latch by hand.
    pub fn set_latch(&self, device: &str, locked: bool) {
        self.with_device(device, |d| turn_by_hand(d, locked));
    }

    /// Someone opens (`locked: false`) or locks the box with the Sesame app on their phone.
    pub fn app_command(&self, device: &str, locked: bool, who: &str) {
        self.with_device(device, |d| app_command(d, locked, who));
    }

    /// The latch sticks between the ranges (status `moved`) until cleared.
    pub fn set_jammed(&self, device: &str, jammed: bool) {
        self.with_device(device, |d| {
            d.jammed = jammed;
            d.updated_at = chrono::Utc::now().timestamp();
        });
    }

    /// The history entries (oldest first): (type, unix ms, tag as text).
    pub fn history(&self, device: &str) -> Vec<(u8, i64, String)> {
        use base64::Engine;
        self.with_device(device, |d| {
            d.history
                .iter()
                .map(|h| {
                    let tag = base64::engine::general_purpose::STANDARD
                        .decode(&h.tag_b64)
                        .map(|b| String::from_utf8_lossy(&b).into_owned())
                        .unwrap_or_default();
                    (h.kind, h.at_ms, tag)
                })
                .collect()
        })
    }

    pub fn latch_locked(&self, device: &str) -> bool {
        self.with_device(device, |d| d.locked)
    }

    pub fn battery(&self, device: &str) -> u8 {
        self.with_device(device, |d| d.battery_percent())
    }

    pub fn set_battery(&self, device: &str, percent: u8) {
        self.with_device(device, |d| d.battery = f32::from(percent.min(100)));
    }

    /// Commands of this kind that reached the device (v3: every POST, refused or not; Web API:
    /// every `cmd` past the rate-limit and error faults, moved or not).
    pub fn commands_received(&self, device: &str, kind: CommandKind) -> usize {
        self.with_device(device, |d| {
            d.commands.iter().filter(|c| c.kind == kind).count()
        })
    }

    /// Every command received, oldest first, with when it completed.
    pub fn command_log(&self, device: &str) -> Vec<SimCommand> {
        self.with_device(device, |d| d.commands.clone())
    }

    /// Status reads (`GET` of the device) received.
    pub fn status_reads(&self, device: &str) -> usize {
        self.with_device(device, |d| d.status_reads)
    }

    /// Requests of any kind received with this API key.
    pub fn requests_for_key(&self, api_key: &str) -> usize {
        self.lock()
            .requests_per_key
            .get(api_key)
            .copied()
            .unwrap_or(0)
    }
}

impl Drop for SesameSim {
    fn drop(&mut self) {
        self.server.abort();
    }
}

#[cfg(test)]
mod tests;
