//! HTTP control of the simulated world, for the demo page and for other processes: release a
//! lock, run a hygiene opening, desert, configure webhooks, list deliveries. A browser form post
//! (`Accept: text/html`) is redirected back to `/sim`; other callers get JSON.

use std::collections::HashMap;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::chaster::webhooks::{self, WebhookConfig};
use crate::chaster::world::{self, ActionLogId, Release, WorldError};
use crate::chaster::{nest, now, Shared};

type Fields = HashMap<String, String>;

pub fn router() -> Router<Shared> {
    Router::new()
        .route("/sim/sessions/{session_id}/release", post(release))
        .route(
            "/sim/sessions/{session_id}/hygiene/start",
            post(hygiene_start),
        )
        .route("/sim/sessions/{session_id}/hygiene/end", post(hygiene_end))
        .route("/sim/sessions/{session_id}/desert", post(desert))
        .route("/sim/action-logs/{log_id}/redeliver", post(redeliver))
        .route("/sim/webhook", post(configure_webhook))
        .route("/sim/deliveries", get(deliveries))
}

/// The fields of a JSON object or an urlencoded form (empty for an empty body).
fn fields(headers: &HeaderMap, body: &Bytes) -> Fields {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"));
    if is_json {
        let map =
            serde_json::from_slice::<serde_json::Map<String, Value>>(body).unwrap_or_default();
        return map
            .into_iter()
            .map(|(k, v)| {
                let v = match v {
                    Value::String(s) => s,
                    Value::Array(items) => items
                        .iter()
                        .map(|i| i.to_string())
                        .collect::<Vec<_>>()
                        .join(","),
                    other => other.to_string(),
                };
                (k, v)
            })
            .collect();
    }
    let query = String::from_utf8_lossy(body);
    reqwest::Url::parse(&format!("http://form.invalid/?{query}"))
        .map(|u| u.query_pairs().into_owned().collect())
        .unwrap_or_default()
}

fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

fn flag(f: &Fields, name: &str) -> bool {
    matches!(
        f.get(name).map(String::as_str),
        Some("true" | "on" | "1" | "yes")
    )
}

/// Back to the page with a message, or JSON.
fn answer(headers: &HeaderMap, result: Result<ActionLogId, WorldError>, done: &str) -> Response {
    if wants_html(headers) {
        let message = match &result {
            Ok(id) => format!("{done} (action log {id})"),
            Err(e) => format!("Refused: {e}"),
        };
        let mut url = reqwest::Url::parse("http://sim.invalid/sim").expect("constant URL");
        url.query_pairs_mut().append_pair("msg", &message);
        return Redirect::to(&format!("/sim?{}", url.query().unwrap_or_default())).into_response();
    }
    match result {
        Ok(id) => Json(json!({"actionLogId": id.as_str()})).into_response(),
        Err(e) => e.response(),
    }
}

/// `how=keyholder` (default) or `how=timer`.
async fn release(
    State(hub): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let how = match fields(&headers, &body).get("how").map(String::as_str) {
        Some("timer" | "timer_ended" | "TimerEnded") => Release::TimerEnded,
        _ => Release::KeyholderUnlock,
    };
    let r = hub.apply(|s, e| world::release(s, e, &id, how, now()));
    answer(&headers, r, "Released")
}

async fn hygiene_start(
    State(hub): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let r = hub.apply(|s, e| world::start_hygiene(s, e, &id, "wearer", now()));
    answer(&headers, r, "Hygiene opening started")
}

/// `late=true` locks back late.
async fn hygiene_end(
    State(hub): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let late = flag(&fields(&headers, &body), "late");
    let r = hub.apply(|s, e| world::end_hygiene(s, e, &id, late, now()));
    answer(
        &headers,
        r,
        if late {
            "Locked back late"
        } else {
            "Locked back"
        },
    )
}

async fn desert(State(hub): State<Shared>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let r = hub.apply(|s, e| world::desert(s, e, &id, now()));
    answer(&headers, r, "Deserted")
}

/// `copies` (default 1) more deliveries of an action log; `concurrent=true` sends them at once.
async fn redeliver(
    State(hub): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let f = fields(&headers, &body);
    let copies = f
        .get("copies")
        .and_then(|c| c.parse().ok())
        .unwrap_or(1usize)
        .min(100);
    let event = webhooks::action_log_event(&hub.lock(), &id);
    let r = match event {
        Some(event) => {
            webhooks::dispatch_copies(&hub, event, copies, flag(&f, "concurrent"));
            Ok(ActionLogId(id))
        }
        None => Err(WorldError::NotFound("Action log not found".into())),
    };
    answer(&headers, r, &format!("Redelivering {copies} time(s)"))
}

fn millis_list(text: &str) -> Option<Vec<Duration>> {
    text.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| t.parse().ok().map(Duration::from_millis))
        .collect()
}

/// `url` (empty: no webhooks), `user` and `password` (Basic auth when `user` is set),
/// `timeout_ms`, `retry_delays_ms` (comma-separated).
async fn configure_webhook(State(hub): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let f = fields(&headers, &body);
    let url = f.get("url").map(|u| u.trim()).unwrap_or_default();
    let config = if url.is_empty() {
        None
    } else {
        if reqwest::Url::parse(url).is_err() {
            return nest::error(
                StatusCode::BAD_REQUEST,
                json!(["url must be a URL address"]),
            );
        }
        let mut config = WebhookConfig::new(url);
        let user = f.get("user").map(String::as_str).unwrap_or_default();
        if !user.is_empty() {
            let password = f.get("password").cloned().unwrap_or_default();
            config = config.with_basic_auth(user, password);
        }
        if let Some(ms) = f.get("timeout_ms").and_then(|t| t.trim().parse().ok()) {
            config = config.with_timeout(Duration::from_millis(ms));
        }
        if let Some(delays) = f.get("retry_delays_ms").and_then(|d| millis_list(d)) {
            config = config.with_retry_delays(delays);
        }
        Some(config)
    };
    let summary = config.as_ref().map(|c| c.url.clone());
    hub.lock().webhook = config;
    if wants_html(&headers) {
        return Redirect::to("/sim?msg=Webhook%20saved").into_response();
    }
    Json(json!({"url": summary})).into_response()
}

/// Every delivery attempt, oldest first.
async fn deliveries(State(hub): State<Shared>) -> Response {
    Json(hub.lock().deliveries.clone()).into_response()
}
