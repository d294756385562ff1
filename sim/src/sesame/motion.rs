//! Moving the latch: a command completes after a delay, drains a little battery and leaves a
//! history entry, like the real box.

use tokio::time::Instant;

use super::state::CommandKind;
use super::Shared;

/// Web API history types (pysesame3 `history.py`, see `sesame-api.md` §3.3).
pub const BLE_LOCK: u8 = 1;
pub const BLE_UNLOCK: u8 = 2;
pub const MANUAL_LOCK: u8 = 7;
pub const MANUAL_UNLOCK: u8 = 8;
pub const DRIVE_LOCKED: u8 = 10;
pub const DRIVE_UNLOCKED: u8 = 11;
pub const DRIVE_FAILED: u8 = 12;
pub const WEB_LOCK: u8 = 16;
pub const WEB_UNLOCK: u8 = 17;

/// Records a received command; returns its index in the device's log.
pub fn record(shared: &Shared, device_id: &str, kind: CommandKind, executed: bool) -> usize {
    let mut state = shared.lock().expect("sim state poisoned");
    let device = state
        .device_mut(device_id)
        .expect("the caller found the device");
    device.commands.push(super::state::SimCommand {
        kind,
        received_at: Instant::now(),
        completed_at: None,
        executed,
    });
    device.commands.len() - 1
}

/// Starts moving the latch to `locked`; returns when it will be done. At the end the lock
/// records the mechanical entry (`driveLocked` / `driveUnlocked`, or `driveFailed` when jammed),
/// untagged, like the real one after a tagged command entry.
pub fn start(shared: &Shared, device_id: &str, command: usize, locked: bool) -> Instant {
    let delay = {
        let mut state = shared.lock().expect("sim state poisoned");
        let delay = state.pick_delay();
        let device = state
            .device_mut(device_id)
            .expect("the caller found the device");
        device.moving_to = Some(locked);
        delay
    };
    let shared = shared.clone();
    let id = device_id.to_owned();
    tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        let mut state = shared.lock().expect("sim state poisoned");
        let drain = state.battery_drain;
        let Some(device) = state.device_mut(&id) else {
            return;
        };
        device.moving_to = None;
        device.updated_at = chrono::Utc::now().timestamp();
        device.battery = (device.battery - drain).max(0.0);
        if let Some(c) = device.commands.get_mut(command) {
            c.completed_at = Some(Instant::now());
        }
        let kind = if device.jammed {
            Some(DRIVE_FAILED)
        } else if device.locked == locked {
            // Already there: the motor did not turn.
            None
        } else {
            device.locked = locked;
            Some(if locked { DRIVE_LOCKED } else { DRIVE_UNLOCKED })
        };
        if let Some(kind) = kind {
            device.record_history(kind, String::new());
        }
    });
    Instant::now() + delay
}
