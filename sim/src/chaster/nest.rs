//! Error answers in the NestJS shape Chaster's backend produces.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

/// `{"statusCode":…, "message":…, "error":…}`; 401 has no `error`, as NestJS' guard answers it.
pub fn error(status: StatusCode, message: impl Into<Value>) -> Response {
    let mut body = json!({"statusCode": status.as_u16(), "message": message.into()});
    if status != StatusCode::UNAUTHORIZED {
        if let Some(reason) = status.canonical_reason() {
            body["error"] = json!(reason);
        }
    }
    (status, Json(body)).into_response()
}

pub fn unauthorized() -> Response {
    error(StatusCode::UNAUTHORIZED, "Unauthorized")
}

pub fn not_found(message: &str) -> Response {
    error(StatusCode::NOT_FOUND, message)
}

pub fn too_many_requests(retry_after_secs: u64) -> Response {
    let mut r = error(
        StatusCode::TOO_MANY_REQUESTS,
        "ThrottlerException: Too Many Requests",
    );
    r.headers_mut()
        .insert(header::RETRY_AFTER, retry_after_secs.into());
    r
}

/// A bad gateway as a load balancer in front of Chaster would answer it: HTML, not JSON.
pub fn bad_gateway() -> Response {
    (
        StatusCode::BAD_GATEWAY,
        [(header::CONTENT_TYPE, "text/html")],
        "<html><body><h1>502 Bad Gateway</h1></body></html>",
    )
        .into_response()
}

/// A NestJS error not yet rendered: small enough to travel in a `Result`.
#[derive(Debug)]
pub struct Rejection {
    status: StatusCode,
    message: Value,
}

impl Rejection {
    pub fn new(status: StatusCode, message: impl Into<Value>) -> Self {
        Rejection {
            status,
            message: message.into(),
        }
    }
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        error(self.status, self.message)
    }
}
