//! `/sim/...`: an HTTP remote control of the simulated boxes, for the demo page and manual runs.
//!
//! - `GET  /sim/devices`                    every box: id, api, latch, battery, fault, counters
//! - `POST /sim/devices/{id}/fault`         `{"fault": null}` or `{"fault": {"kind": "busy", "seconds": 2}, "times": 1}`
//! - `POST /sim/devices/{id}/latch`         `{"locked": true}` (someone turns it by hand)
//! - `POST /sim/devices/{id}/battery`       `{"percent": 15}`
//! - `POST /sim/devices/{id}/app`           `{"locked": false, "who": "Alice"}` (the Sesame app)
//! - `POST /sim/devices/{id}/jammed`        `{"jammed": true}` (the latch sticks half-way)

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::state::{DeviceApi, Fault};
use super::Shared;

pub fn router() -> Router<Shared> {
    Router::new()
        .route("/sim/devices", get(list))
        .route("/sim/devices/{id}/fault", post(set_fault))
        .route("/sim/devices/{id}/latch", post(set_latch))
        .route("/sim/devices/{id}/battery", post(set_battery))
        .route("/sim/devices/{id}/app", post(app_command))
        .route("/sim/devices/{id}/jammed", post(set_jammed))
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({ "error": "no such simulated device" })),
    )
        .into_response()
}

async fn list(State(shared): State<Shared>) -> Json<Value> {
    let state = shared.lock().expect("sim state poisoned");
    let mut devices: Vec<Value> = state
        .devices
        .values()
        .map(|d| {
            json!({
                "id": d.id,
                "api": match d.api { DeviceApi::WebApi { .. } => "web_api", DeviceApi::LegacyV3 { .. } => "legacy_v3" },
                "locked": d.locked,
                "moving": d.moving_to.is_some(),
                "jammed": d.jammed,
                "battery": d.battery_percent(),
                "fault": d.fault,
                "fault_remaining": d.fault_remaining,
                "commands": d.commands.len(),
                "status_reads": d.status_reads,
            })
        })
        .collect();
    devices.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    Json(Value::Array(devices))
}

#[derive(Deserialize)]
struct FaultBody {
    fault: Option<Fault>,
    times: Option<u32>,
}

async fn set_fault(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    Json(body): Json<FaultBody>,
) -> Response {
    let mut state = shared.lock().expect("sim state poisoned");
    let Some(device) = state.device_mut(&id) else {
        return not_found();
    };
    device.set_fault(body.fault, body.times);
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
struct LatchBody {
    locked: bool,
}

async fn set_latch(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    Json(body): Json<LatchBody>,
) -> Response {
    let mut state = shared.lock().expect("sim state poisoned");
    let Some(device) = state.device_mut(&id) else {
        return not_found();
    };
    super::turn_by_hand(device, body.locked);
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
struct BatteryBody {
    percent: u8,
}

async fn set_battery(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    Json(body): Json<BatteryBody>,
) -> Response {
    let mut state = shared.lock().expect("sim state poisoned");
    let Some(device) = state.device_mut(&id) else {
        return not_found();
    };
    device.battery = f32::from(body.percent.min(100));
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
struct AppBody {
    locked: bool,
    #[serde(default)]
    who: Option<String>,
}

async fn app_command(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    Json(body): Json<AppBody>,
) -> Response {
    let mut state = shared.lock().expect("sim state poisoned");
    let Some(device) = state.device_mut(&id) else {
        return not_found();
    };
    let who = body.who.unwrap_or_else(|| "Wearer's phone".into());
    super::app_command(device, body.locked, &who);
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
struct JammedBody {
    jammed: bool,
}

async fn set_jammed(
    State(shared): State<Shared>,
    Path(id): Path<String>,
    Json(body): Json<JammedBody>,
) -> Response {
    let mut state = shared.lock().expect("sim state poisoned");
    let Some(device) = state.device_mut(&id) else {
        return not_found();
    };
    device.jammed = body.jammed;
    device.updated_at = chrono::Utc::now().timestamp();
    StatusCode::NO_CONTENT.into_response()
}
