//! HTTP routes: one `router()` per module, assembled here with the shared layers.
//! To add an API module: write `routes/x.rs` with `pub fn router() -> Router<AppState>` and merge
//! it in `api_router`.

mod config;
pub(crate) mod controls;
pub mod dashboard;
pub(crate) mod device;
mod health;
mod history;
pub mod limits;
pub mod security;
mod session;
mod static_files;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue};
use axum::{middleware, Router};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::error::AppError;
use crate::state::AppState;
use crate::telemetry;
use security::Served;

/// The whole application: `/api`, `/health`, the static frontend, limits, security headers,
/// telemetry.
pub fn app(state: AppState) -> anyhow::Result<Router> {
    let limits = limits::Limits::new(&state.settings);
    let router = Router::new()
        .nest(
            "/api",
            security::mark(
                api_router(&limits, state.settings.api_body_limit_bytes),
                Served::Data,
            ),
        )
        .merge(security::mark(health::router(), Served::Data))
        // Server-rendered sign-in pages and redirects.
        .merge(security::mark(
            dashboard::auth_router().layer(middleware::from_fn_with_state(limits, limits::per_ip)),
            Served::Document,
        ))
        // Marks each answer itself: a file of the build, or the document.
        .fallback(static_files::serve)
        .with_state(state.clone());
    let router = security::headers(router, &state.settings)?;
    Ok(telemetry::http_layers(router))
}

fn api_router(limits: &Arc<limits::Limits>, body_limit: usize) -> Router<AppState> {
    Router::new()
        .merge(session::router())
        .merge(device::router())
        .merge(controls::router())
        .merge(config::router())
        .merge(history::router())
        .merge(dashboard::api_router())
        // An unknown API path is a JSON 404, never the SPA's index.html.
        .fallback(|| async { AppError::NotFound })
        .layer(DefaultBodyLimit::max(body_limit))
        // Outside the handlers' extractors: refused requests never reach Chaster.
        .layer(middleware::from_fn_with_state(limits.clone(), limits::api))
        // Answers depend on the bearer token: no shared cache may keep them.
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
}
