//! The legacy v3 API under `/public`: `Authorization: <key>`, `task_id` polling, `{"error"}` bodies.

// Helpers return ready axum `Response`s as errors; their size does not matter in a simulator.
#![allow(clippy::result_large_err)]

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::time::Instant;

use super::motion;
use super::state::{CommandKind, DeviceApi, Fault, SimDevice, Task};
use super::Shared;

pub fn router() -> Router<Shared> {
    Router::new()
        .route("/public/sesames", get(list))
        .route("/public/sesame/{device_id}", get(status).post(command))
        .route("/public/action-result", get(action_result))
}

fn error(status: StatusCode, code: &str) -> Response {
    (status, Json(json!({ "error": code }))).into_response()
}

fn lambda_error() -> Response {
    // What the real API once returned with HTTP 200 (aschzero/homebridge-sesame#5), but generic.
    Json(json!({
        "errorMessage": "2019-05-01T00:00:00.000Z 1f2e3d4c Task timed out after 6.01 seconds",
        "errorType": "RuntimeError",
        "stackTrace": []
    }))
    .into_response()
}

/// Faults that hit every call about the device.
fn common_fault(device: &mut SimDevice) -> Option<Response> {
    let fault = device.take_fault(|f| {
        matches!(
            f,
            Fault::Throttled | Fault::Banned | Fault::LambdaError | Fault::InternalError
        )
    })?;
    Some(match fault {
        Fault::Throttled => error(StatusCode::TOO_MANY_REQUESTS, "THROTTLED"),
        Fault::Banned => error(StatusCode::FORBIDDEN, "ACCESS_DENY"),
        Fault::LambdaError => lambda_error(),
        _ => error(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL_ERROR"),
    })
}

/// The key from `Authorization`, counted; 401 when it is missing or belongs to no device.
fn authorize(shared: &Shared, headers: &HeaderMap) -> Result<String, Response> {
    let key = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut state = shared.lock().expect("sim state poisoned");
    state.note_key(key.as_deref());
    match key {
        Some(k) if state.devices.values().any(|d| d.api_key == k) => Ok(k),
        _ => Err(error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED")),
    }
}

fn owned<'a>(device: Option<&'a mut SimDevice>, key: &str) -> Option<&'a mut SimDevice> {
    device.filter(|d| d.api_key == key && matches!(d.api, DeviceApi::LegacyV3 { .. }))
}

async fn list(State(shared): State<Shared>, headers: HeaderMap) -> Response {
    let key = match authorize(&shared, &headers) {
        Ok(k) => k,
        Err(r) => return r,
    };
    let state = shared.lock().expect("sim state poisoned");
    let mut devices: Vec<Value> = state
        .devices
        .values()
        .filter(|d| d.api_key == key)
        .filter_map(|d| match &d.api {
            DeviceApi::LegacyV3 { nickname, serial } => {
                Some(json!({ "device_id": d.id, "serial": serial, "nickname": nickname }))
            }
            DeviceApi::WebApi { .. } => None,
        })
        .collect();
    devices.sort_by(|a, b| a["device_id"].as_str().cmp(&b["device_id"].as_str()));
    Json(Value::Array(devices)).into_response()
}

async fn status(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(device_id): Path<String>,
) -> Response {
    let key = match authorize(&shared, &headers) {
        Ok(k) => k,
        Err(r) => return r,
    };
    let mut state = shared.lock().expect("sim state poisoned");
    let Some(device) = owned(state.device_mut(&device_id), &key) else {
        return error(StatusCode::BAD_REQUEST, "BAD_PARAMS");
    };
    device.status_reads += 1;
    if let Some(r) = common_fault(device) {
        return r;
    }
    let (locked, _) = device.visible();
    Json(json!({ "locked": locked, "battery": device.battery_percent(), "responsive": !device.is_offline() }))
        .into_response()
}

#[derive(Deserialize)]
struct CommandBody {
    command: String,
}

async fn command(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(device_id): Path<String>,
    body: Option<Json<CommandBody>>,
) -> Response {
    let key = match authorize(&shared, &headers) {
        Ok(k) => k,
        Err(r) => return r,
    };
    let kind = match body.as_ref().map(|b| b.command.as_str()) {
        Some("lock") => CommandKind::Lock,
        Some("unlock") => CommandKind::Unlock,
        Some("sync") => CommandKind::Sync,
        _ => return error(StatusCode::BAD_REQUEST, "BAD_PARAMS"),
    };
    let refusal = {
        let mut state = shared.lock().expect("sim state poisoned");
        let threshold = state.low_battery_threshold;
        let Some(device) = owned(state.device_mut(&device_id), &key) else {
            return error(StatusCode::BAD_REQUEST, "BAD_PARAMS");
        };
        let refusal = common_fault(device).or_else(|| {
            let fault = device.take_fault(|f| {
                matches!(
                    f,
                    Fault::Busy { .. } | Fault::LowBattery | Fault::IntegrationDisabled
                )
            });
            match fault {
                Some(Fault::Busy { seconds }) => Some(error(
                    StatusCode::BAD_REQUEST,
                    &format!("DEVICE_IS_BUSY {seconds}"),
                )),
                Some(Fault::IntegrationDisabled) => Some(error(
                    StatusCode::BAD_REQUEST,
                    "CLOUD_INTEGRATION_NOT_ENABLED",
                )),
                Some(_) => Some(error(StatusCode::BAD_REQUEST, "LOW_BATTERY")),
                None if kind != CommandKind::Sync && device.battery_percent() <= threshold => {
                    Some(error(StatusCode::BAD_REQUEST, "LOW_BATTERY"))
                }
                None => None,
            }
        });
        refusal.map(|r| (r, device.is_offline()))
    };
    let offline = match refusal {
        Some((response, _)) => {
            motion::record(&shared, &device_id, kind, false);
            return response;
        }
        None => shared
            .lock()
            .expect("sim state poisoned")
            .device(&device_id)
            .is_some_and(SimDevice::is_offline),
    };
    let index = motion::record(&shared, &device_id, kind, !offline);
    let created = Instant::now();
    let (done_at, result, command) = if offline {
        (None, None, None) // the Wi-Fi Access Point never reaches the lock: the task stays "processing"
    } else {
        match kind {
            CommandKind::Sync => {
                let done = created + shared.lock().expect("sim state poisoned").pick_delay();
                (Some(done), Some(Ok(())), None)
            }
            CommandKind::Lock | CommandKind::Unlock => {
                let done = motion::start(&shared, &device_id, index, kind == CommandKind::Lock);
                (Some(done), Some(Ok(())), Some(index))
            }
        }
    };
    let task_id = new_task_id();
    let task = Task {
        device_id: device_id.clone(),
        created,
        done_at,
        result,
        command,
    };
    shared
        .lock()
        .expect("sim state poisoned")
        .tasks
        .insert(task_id.clone(), task);
    Json(json!({ "task_id": task_id })).into_response()
}

fn new_task_id() -> String {
    let b: [u8; 16] = rand::random();
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

#[derive(Deserialize)]
struct TaskQuery {
    task_id: Option<String>,
}

async fn action_result(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<TaskQuery>,
) -> Response {
    let key = match authorize(&shared, &headers) {
        Ok(k) => k,
        Err(r) => return r,
    };
    let mut state = shared.lock().expect("sim state poisoned");
    let early = state.v3_early_window;
    let Some(task) = q.task_id.and_then(|id| state.tasks.get(&id).cloned()) else {
        return error(StatusCode::BAD_REQUEST, "BAD_PARAMS");
    };
    let Some(device) = owned(state.device_mut(&task.device_id), &key) else {
        return error(StatusCode::BAD_REQUEST, "BAD_PARAMS");
    };
    if let Some(r) = common_fault(device) {
        return r;
    }
    // Asked too early, the real API answers 400 (clients treat it as "not ready yet").
    if task.created.elapsed() < early {
        return error(StatusCode::BAD_REQUEST, "BAD_PARAMS");
    }
    let finished = match (task.command, task.done_at) {
        (Some(i), _) => device
            .commands
            .get(i)
            .is_some_and(|c| c.completed_at.is_some()),
        (None, Some(done)) => Instant::now() >= done,
        (None, None) => false,
    };
    match task.result {
        Some(Ok(())) if finished => {
            Json(json!({ "status": "terminated", "successful": true })).into_response()
        }
        Some(Err(reason)) if finished => {
            Json(json!({ "status": "terminated", "successful": false, "error": reason }))
                .into_response()
        }
        _ => Json(json!({ "status": "processing" })).into_response(),
    }
}
