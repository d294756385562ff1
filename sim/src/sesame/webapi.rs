//! The Web API under `/api/sesame2`: `x-api-key`, signed commands answered `{"statusCode":200}`
//! whatever happens next, API Gateway `{"message"}` errors.

// Helpers return ready axum `Response`s as errors; their size does not matter in a simulator.
#![allow(clippy::result_large_err)]

use aes::Aes128;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use cmac::{Cmac, Mac};
use serde::Deserialize;
use serde_json::{json, Value};

use super::motion;
use super::state::{CommandKind, DeviceApi, Fault, SimDevice};
use super::Shared;

pub fn router() -> Router<Shared> {
    Router::new()
        .route("/api/sesame2/{uuid}", get(status))
        .route("/api/sesame2/{uuid}/cmd", post(command))
        .route("/api/sesame2/{uuid}/history", get(history))
}

fn message(status: StatusCode, text: &str) -> Response {
    (status, Json(json!({ "message": text }))).into_response()
}

/// The sign CANDY HOUSE expects at `unix_secs`: AES-CMAC over bytes 1..4 of the LE time.
pub fn expected_sign(secret: &[u8; 16], unix_secs: u32) -> String {
    let mut mac = <Cmac<Aes128> as Mac>::new_from_slice(secret).expect("16-byte key");
    mac.update(&unix_secs.to_le_bytes()[1..4]);
    hex::encode(mac.finalize().into_bytes())
}

/// Accepts the current 256-second window and its neighbours (clock skew).
fn sign_is_valid(secret: &[u8; 16], sign: &str) -> bool {
    let now = chrono::Utc::now().timestamp().max(0) as u32;
    [now, now.saturating_sub(256), now.saturating_add(256)]
        .iter()
        .any(|t| expected_sign(secret, *t).eq_ignore_ascii_case(sign))
}

/// Counts the key; finds the device for it, or the API Gateway answer.
fn with_device<R>(
    shared: &Shared,
    headers: &HeaderMap,
    uuid: &str,
    f: impl FnOnce(&mut SimDevice) -> R,
) -> Result<R, Response> {
    let key = headers.get("x-api-key").and_then(|v| v.to_str().ok());
    let mut state = shared.lock().expect("sim state poisoned");
    state.note_key(key);
    let Some(key) = key.filter(|k| state.devices.values().any(|d| d.api_key == *k)) else {
        return Err(message(StatusCode::FORBIDDEN, "Forbidden"));
    };
    match state.device_mut(uuid) {
        Some(d) if matches!(d.api, DeviceApi::WebApi { .. }) && d.api_key == key => {
            if let Some(fault) = d.take_fault(|f| {
                matches!(
                    f,
                    Fault::Throttled
                        | Fault::Banned
                        | Fault::QuotaExceeded
                        | Fault::LambdaError
                        | Fault::InternalError
                )
            }) {
                return Err(match fault {
                    Fault::QuotaExceeded => {
                        message(StatusCode::TOO_MANY_REQUESTS, "Limit Exceeded")
                    }
                    Fault::Throttled => message(StatusCode::TOO_MANY_REQUESTS, "Too Many Requests"),
                    Fault::Banned => message(StatusCode::FORBIDDEN, "Forbidden"),
                    Fault::LambdaError => Json(json!({
                        "errorMessage": "Task timed out after 6.01 seconds",
                        "errorType": "RuntimeError"
                    }))
                    .into_response(),
                    _ => message(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error"),
                });
            }
            Ok(f(d))
        }
        // A device the key does not own (e.g. after a transfer) is not found for it.
        _ => Err(message(StatusCode::NOT_FOUND, "Not Found")),
    }
}

async fn status(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(uuid): Path<String>,
) -> Response {
    let body = with_device(&shared, &headers, &uuid, |d| {
        d.status_reads += 1;
        let (locked, at) = d.visible();
        // `moved` is not motion: the position is in neither range (jammed, half-turned). While
        // the motor runs the cloud still has the last reported state.
        let state = match () {
            _ if d.jammed && !d.is_offline() => "moved",
            _ if locked => "locked",
            _ => "unlocked",
        };
        let battery = d.battery_percent();
        json!({
            "batteryPercentage": battery,
            "batteryVoltage": 5.0 + f64::from(battery) * 0.011,
            "position": if locked { 265 } else { 11 },
            "CHSesame2Status": state,
            "timestamp": at,
            "wm2State": !d.is_offline(),
            "isRechargeBattery": 0
        })
    });
    match body {
        Ok(json) => Json(json).into_response(),
        Err(r) => r,
    }
}

#[derive(Deserialize)]
struct CmdBody {
    cmd: i64,
    #[serde(default)]
    history: String,
    #[serde(default)]
    sign: String,
}

async fn command(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(uuid): Path<String>,
    body: Option<Json<Value>>,
) -> Response {
    let parsed: Option<CmdBody> = body.and_then(|Json(v)| serde_json::from_value(v).ok());
    let decision = with_device(&shared, &headers, &uuid, |d| {
        let Some(body) = parsed else {
            return Err(message(StatusCode::BAD_REQUEST, "Invalid request body"));
        };
        let target = match body.cmd {
            82 => true,
            83 => false,
            88 => !d.locked,
            _ => return Err(message(StatusCode::BAD_REQUEST, "Invalid request body")),
        };
        let DeviceApi::WebApi { secret } = &d.api else {
            unreachable!("with_device checks the api")
        };
        let right_sign = sign_is_valid(secret, &body.sign);
        // Accepted by the cloud in every case; only a reachable, healthy box with a valid sign moves.
        let dropped = d
            .take_fault(|f| {
                matches!(
                    f,
                    Fault::RejectSign | Fault::Busy { .. } | Fault::LowBattery
                )
            })
            .is_some()
            || d.is_offline();
        Ok((target, right_sign && !dropped, body.history))
    });
    let (target, moves, tag) = match decision {
        Ok(Ok(d)) => d,
        Ok(Err(r)) | Err(r) => return r,
    };
    let kind = if target {
        CommandKind::Lock
    } else {
        CommandKind::Unlock
    };
    let index = motion::record(&shared, &uuid, kind, moves);
    if moves {
        // The lock records the command with its tag at once, the motor's entry when it stops.
        let history_kind = if target {
            motion::WEB_LOCK
        } else {
            motion::WEB_UNLOCK
        };
        if let Some(d) = shared.lock().expect("sim state poisoned").device_mut(&uuid) {
            d.record_history(history_kind, tag);
        }
        motion::start(&shared, &uuid, index, target);
    }
    Json(json!({ "statusCode": 200 })).into_response()
}

#[derive(Deserialize)]
struct HistoryQuery {
    page: Option<usize>,
    lg: Option<usize>,
}

async fn history(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(uuid): Path<String>,
    Query(q): Query<HistoryQuery>,
) -> Response {
    let entries = with_device(&shared, &headers, &uuid, |d| {
        let per_page = q.lg.unwrap_or(50).min(50);
        d.history
            .iter()
            .filter(|h| h.uploaded)
            .rev()
            .skip(q.page.unwrap_or(0) * 50)
            .take(per_page)
            .map(|h| {
                json!({
                    "type": h.kind,
                    "timeStamp": h.at_ms,
                    "historyTag": h.tag_b64,
                    "devicePk": "",
                    "recordID": h.record_id,
                    "parameter": null
                })
            })
            .collect::<Vec<_>>()
    });
    match entries {
        Ok(list) => Json(list).into_response(),
        Err(r) => r,
    }
}
