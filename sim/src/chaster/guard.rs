//! Middleware: `record` notes every API request (Extensions API, OAuth, profile); `guard`, in
//! front of the Extensions API, checks the developer token and plays the fault tokens
//! (`fault-404`, `fault-500`, `fault-502`, `fault-429`, `fault-429-huge`, `fault-slow`) wherever they appear in the path.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use super::nest;
use super::state::RecordedRequest;
use super::{Shared, SLOW_TOKEN};

pub const AUTH_SESSIONS_PREFIX: &str = "/api/extensions/auth/sessions/";
pub const CLIENT_ID_HEADER: &str = "x-chaster-client-id";

pub async fn record(State(state): State<Shared>, request: Request, next: Next) -> Response {
    {
        let path = request.uri().path();
        let mut s = state.lock();
        s.requests
            .push(recorded(request.method(), path, request.headers()));
        if request.method() == Method::GET && path.starts_with(AUTH_SESSIONS_PREFIX) {
            s.auth_session_calls += 1;
        }
    }
    next.run(request).await
}

pub async fn guard(State(state): State<Shared>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let authorized = {
        let expected = format!("Bearer {}", state.lock().developer_token);
        header_str(request.headers(), header::AUTHORIZATION.as_str()) == Some(expected)
    };
    if !authorized {
        return nest::unauthorized();
    }
    for segment in path.split('/') {
        match segment {
            "fault-404" => return nest::not_found("Not Found"),
            "fault-500" => {
                return nest::error(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error")
            }
            "fault-502" => return nest::bad_gateway(),
            "fault-429" => return nest::too_many_requests(7),
            // A `Retry-After` no client should take literally (u64::MAX seconds).
            "fault-429-huge" => return nest::too_many_requests(u64::MAX),
            SLOW_TOKEN => {
                let delay = state.lock().slow_delay;
                tokio::time::sleep(delay).await;
            }
            _ => {}
        }
    }
    next.run(request).await
}

fn recorded(method: &Method, path: &str, headers: &HeaderMap) -> RecordedRequest {
    RecordedRequest {
        method: method.as_str().to_owned(),
        path: path.to_owned(),
        authorization: header_str(headers, header::AUTHORIZATION.as_str()),
        client_id: header_str(headers, CLIENT_ID_HEADER),
    }
}

fn header_str(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}
