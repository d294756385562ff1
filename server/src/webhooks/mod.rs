//! `POST /webhooks/chaster`: Chaster's webhook calls. Basic auth first (before the body is
//! read), then the delivery and the jobs it asks for are stored in one transaction (shared with
//! the deliveries that arrived at the same moment, see `batch`), and only then is it
//! acknowledged; the work itself happens in the job workers.
//!
//! Answers: 401 wrong or missing credentials (nothing stored), 413 body too large, 400 not an
//! envelope, 200 stored (also for events we ignore and for duplicates), 500 when the database
//! failed (Chaster retries).

mod auth;
mod batch;
mod intake;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{middleware, Json, Router};
use chrono::Utc;
use serde_json::json;

pub use auth::credentials_match;
pub use batch::IngestQueue;
pub use intake::{intake, Intake, IntakeError};

use crate::state::AppState;

pub fn router(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/webhooks/chaster", post(receive))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            auth::require_basic_auth,
        ))
        .layer(DefaultBodyLimit::max(
            state.settings.opener.webhook_body_limit_bytes,
        ))
}

async fn receive(State(state): State<AppState>, body: Bytes) -> Response {
    let intake = match intake(&body, &state.settings.opener, Utc::now()) {
        Ok(i) => i,
        Err(e) => {
            tracing::warn!(error = %e, "webhook refused");
            return (
                StatusCode::BAD_REQUEST,
                Json(json!({"error": e.to_string()})),
            )
                .into_response();
        }
    };
    let wanted = intake.jobs.len();
    let (event, request_id) = (intake.event.event.clone(), intake.event.request_id.clone());
    let stored = state.webhook_intake.store(intake).await;
    match stored {
        Ok(created) => {
            let outcome = match (wanted, created) {
                (0, _) => "ignored",
                (_, 0) => "duplicate",
                _ => "enqueued",
            };
            tracing::info!(
                event = %event,
                request_id = request_id.as_deref().unwrap_or("-"),
                outcome,
                "webhook stored"
            );
            if created > 0 {
                state.jobs.wake();
            }
            (StatusCode::OK, Json(json!({ "status": outcome }))).into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot store a webhook; Chaster will retry");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Json(json!({"error": "not stored"})),
            )
                .into_response()
        }
    }
}
