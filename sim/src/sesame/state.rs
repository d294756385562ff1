//! The simulated world: devices, their latch and battery, faults, tasks and what was received.

use std::collections::HashMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::time::Instant;

/// A scripted misbehaviour of one device, as CANDY HOUSE shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fault {
    /// v3: commands get 400 `DEVICE_IS_BUSY <seconds>`. Web API: accepted, then dropped.
    Busy { seconds: u64 },
    /// Status goes stale (last known, old timestamp, `wm2State:false` / `responsive:false`);
    /// commands are accepted and silently dropped.
    Offline,
    /// v3: commands get 400 `LOW_BATTERY`. Web API: accepted, the motor does not move, and the
    /// status reports a nearly empty battery.
    LowBattery,
    /// 429 `THROTTLED` (v3) / `{"message":"Too Many Requests"}` (Web API).
    Throttled,
    /// 403 `ACCESS_DENY` (v3) / `{"message":"Forbidden"}` (Web API).
    Banned,
    /// Web API: the key's monthly quota is used up: API Gateway answers 429
    /// `{"message":"Limit Exceeded"}` to every request (status and commands alike).
    QuotaExceeded,
    /// Web API: every sign is treated as wrong (200, nothing moves), as with a wrong secret.
    RejectSign,
    /// HTTP 200 with an AWS Lambda error object instead of the documented body.
    LambdaError,
    /// 500 `INTERNAL_ERROR` / `{"message":"Internal server error"}`.
    InternalError,
    /// v3: commands get 400 `CLOUD_INTEGRATION_NOT_ENABLED`.
    IntegrationDisabled,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CommandKind {
    Lock,
    Unlock,
    /// v3 `sync` (no movement).
    Sync,
}

/// One command that reached the simulator.
#[derive(Clone, Debug)]
pub struct SimCommand {
    pub kind: CommandKind,
    pub received_at: Instant,
    /// When the latch finished moving; `None` if the command was refused or dropped, or is
    /// still moving.
    pub completed_at: Option<Instant>,
    /// Whether it was accepted for execution (right key, right sign, no fault).
    pub executed: bool,
}

#[derive(Clone, Debug)]
pub enum DeviceApi {
    WebApi { secret: [u8; 16] },
    LegacyV3 { nickname: String, serial: String },
}

/// One entry of the Web API history, as the lock records it.
#[derive(Clone, Debug)]
pub struct HistoryRecord {
    /// The CANDY HOUSE history type (`motion::*`).
    pub kind: u8,
    /// Unix milliseconds, as the Web API sends `timeStamp`.
    pub at_ms: i64,
    pub tag_b64: String,
    pub record_id: u64,
    /// Recorded while the hub was offline: the cloud has it only once the hub is back.
    pub uploaded: bool,
}

#[derive(Clone, Debug)]
pub struct SimDevice {
    pub id: String,
    pub api: DeviceApi,
    pub api_key: String,
    pub locked: bool,
    /// The position being moved to, while a command runs.
    pub moving_to: Option<bool>,
    pub battery: f32,
    /// When the status last changed (unix seconds): the Web API's `timestamp`.
    pub updated_at: i64,
    pub fault: Option<Fault>,
    /// How many more requests the fault affects (`None`: until cleared).
    pub fault_remaining: Option<u32>,
    /// What the cloud last heard, frozen while the device is offline.
    pub reported: Option<(bool, i64)>,
    /// The latch stopped between the lock and the unlock range (status `moved`) until cleared.
    pub jammed: bool,
    pub commands: Vec<SimCommand>,
    pub status_reads: usize,
    pub history: Vec<HistoryRecord>,
}

impl SimDevice {
    pub fn new(id: &str, api: DeviceApi, api_key: &str, locked: bool, battery: u8) -> Self {
        Self {
            id: id.to_owned(),
            api,
            api_key: api_key.to_owned(),
            locked,
            moving_to: None,
            battery: f32::from(battery),
            updated_at: chrono::Utc::now().timestamp() - 3600,
            fault: None,
            fault_remaining: None,
            reported: None,
            jammed: false,
            commands: Vec::new(),
            status_reads: 0,
            history: Vec::new(),
        }
    }

    /// The active fault if `applies` to this request, consuming one use of a counted fault.
    pub fn take_fault(&mut self, applies: impl Fn(&Fault) -> bool) -> Option<Fault> {
        let fault = self.fault.clone().filter(|f| applies(f))?;
        if let Some(n) = self.fault_remaining.as_mut() {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.set_fault(None, None);
            }
        }
        Some(fault)
    }

    /// Peeks without consuming (for the status endpoints' offline view).
    pub fn is_offline(&self) -> bool {
        self.fault == Some(Fault::Offline)
    }

    pub fn set_fault(&mut self, fault: Option<Fault>, times: Option<u32>) {
        let going_offline = fault == Some(Fault::Offline) && !self.is_offline();
        if going_offline {
            self.reported = Some((self.locked, self.updated_at));
        } else if fault != Some(Fault::Offline) {
            self.reported = None;
            // Back online: the hub uploads what the lock recorded meanwhile.
            for h in &mut self.history {
                h.uploaded = true;
            }
        }
        self.fault = fault;
        self.fault_remaining = times;
    }

    /// (locked, timestamp) as the cloud would report it.
    pub fn visible(&self) -> (bool, i64) {
        self.reported.unwrap_or((self.locked, self.updated_at))
    }

    pub fn battery_percent(&self) -> u8 {
        let b = if self.fault == Some(Fault::LowBattery) {
            self.battery.min(5.0)
        } else {
            self.battery
        };
        b.round().clamp(0.0, 100.0) as u8
    }

    pub fn record_history(&mut self, kind: u8, tag_b64: String) {
        self.record_history_at(kind, tag_b64, chrono::Utc::now().timestamp_millis());
    }

    /// An entry at a given time (e.g. the mechanical entry a second after an app's command).
    pub fn record_history_at(&mut self, kind: u8, tag_b64: String, at_ms: i64) {
        let record_id = self.history.last().map_or(1, |h| h.record_id + 1);
        let uploaded = !self.is_offline();
        self.history.push(HistoryRecord {
            kind,
            at_ms,
            tag_b64,
            record_id,
            uploaded,
        });
    }
}

/// A v3 task (`task_id`).
#[derive(Clone, Debug)]
pub struct Task {
    pub device_id: String,
    pub created: Instant,
    pub done_at: Option<Instant>,
    /// The lock/unlock in the device's log: the task terminates when the latch stopped moving.
    pub command: Option<usize>,
    /// `Some(Ok)` success, `Some(Err(reason))` failure, `None` never terminates (offline).
    pub result: Option<Result<(), String>>,
}

/// The whole simulated world.
#[derive(Debug)]
pub struct SimState {
    pub devices: HashMap<String, SimDevice>,
    pub tasks: HashMap<String, Task>,
    pub requests_per_key: HashMap<String, usize>,
    pub command_delay: (Duration, Duration),
    pub v3_early_window: Duration,
    pub low_battery_threshold: u8,
    pub battery_drain: f32,
}

impl SimState {
    /// Devices are found by id case-insensitively (UUIDs come in both cases).
    pub fn device_mut(&mut self, id: &str) -> Option<&mut SimDevice> {
        let key = self
            .devices
            .keys()
            .find(|k| k.eq_ignore_ascii_case(id))?
            .clone();
        self.devices.get_mut(&key)
    }

    pub fn device(&self, id: &str) -> Option<&SimDevice> {
        self.devices
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(id))
            .map(|(_, d)| d)
    }

    pub fn note_key(&mut self, key: Option<&str>) {
        if let Some(key) = key {
            *self.requests_per_key.entry(key.to_owned()).or_default() += 1;
        }
    }

    pub fn pick_delay(&self) -> Duration {
        let (min, max) = self.command_delay;
        if max <= min {
            return min;
        }
        let span = (max - min).as_millis() as u64;
        min + Duration::from_millis(rand::random::<u64>() % (span + 1))
    }
}
