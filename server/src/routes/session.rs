//! `GET /api/session`: what the main page shows about the viewer's Chaster session.

use axum::body::Bytes;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::auth::CurrentSession;
use crate::error::AppError;
use crate::state::AppState;
use crate::views;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/session", get(get_session))
}

/// Serialised once per resolved session (the page asks again on every visit and refresh).
async fn get_session(current: CurrentSession) -> Result<Response, AppError> {
    let body = current.session.view_json(|s| {
        let view = views::session_view(s.role, &s.extension_name, &s.lock_for_user);
        serde_json::to_vec(&view)
            .map(Bytes::from)
            .map_err(|e| AppError::Internal(e.into()))
    })?;
    // Room for the headers the layers add (request id, cache and security headers), so the
    // map is allocated once instead of growing on the way out.
    let mut headers = HeaderMap::with_capacity(8);
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok((headers, body).into_response())
}
