//! `GET /api/session`: what the main page shows about the viewer's Chaster session.

use axum::body::Bytes;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::auth::CurrentSession;
use crate::error::AppError;
use crate::state::AppState;
use crate::views;

pub fn router() -> Router<AppState> {
    Router::new().route("/session", get(get_session))
}

/// Serialised once per resolved session (the page asks again on every visit and refresh).
async fn get_session(current: CurrentSession) -> Result<Response, AppError> {
    let body = current.session.view_json(|s| {
        let view = views::session_view(s.role, &s.extension_name, &s.lock_for_user);
        serde_json::to_vec(&view)
            .map(Bytes::from)
            .map_err(|e| AppError::Internal(e.into()))
    })?;
    let json = HeaderValue::from_static("application/json");
    Ok(([(header::CONTENT_TYPE, json)], body).into_response())
}
