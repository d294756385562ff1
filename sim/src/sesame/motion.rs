//! Moving the latch: a command completes after a delay, drains a little battery and leaves a
//! history entry, like the real box.

use tokio::time::Instant;

use super::state::CommandKind;
use super::Shared;

/// Web API history types for a command that moved the latch.
pub const WEB_LOCK: u8 = 16;
pub const WEB_UNLOCK: u8 = 17;
pub const MANUAL_LOCK: u8 = 7;
pub const MANUAL_UNLOCK: u8 = 8;

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

/// Starts moving the latch to `locked`; returns when it will be done.
pub fn start(
    shared: &Shared,
    device_id: &str,
    command: usize,
    locked: bool,
    history: Option<(u8, String)>,
) -> Instant {
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
        device.locked = locked;
        device.moving_to = None;
        device.updated_at = chrono::Utc::now().timestamp();
        device.battery = (device.battery - drain).max(0.0);
        if let Some(c) = device.commands.get_mut(command) {
            c.completed_at = Some(Instant::now());
        }
        if let Some((kind, tag)) = history {
            device.record_history(kind, tag);
        }
    });
    Instant::now() + delay
}
