//! `GET /api/session`: what the main page shows about the viewer's Chaster session.

use api_types::SessionView;
use axum::routing::get;
use axum::{Json, Router};

use crate::auth::CurrentSession;
use crate::state::AppState;
use crate::views;

pub fn router() -> Router<AppState> {
    Router::new().route("/session", get(get_session))
}

async fn get_session(current: CurrentSession) -> Json<SessionView> {
    let s = &current.session;
    Json(views::session_view(
        s.role,
        &s.extension_name,
        &s.lock_for_user,
    ))
}
