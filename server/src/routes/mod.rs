//! HTTP routes: one `router()` per module, assembled here with the shared layers.
//! To add an API module: write `routes/x.rs` with `pub fn router() -> Router<AppState>` (its
//! paths start with `/api/`) and merge it in `api_router`.

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
use axum::routing::any;
use axum::Router;
use tower::ServiceBuilder;

use crate::error::AppError;
use crate::state::AppState;
use crate::telemetry;
use security::Served;

/// The whole application: `/api`, `/health`, the static frontend, limits, security headers,
/// telemetry.
pub fn app(state: AppState) -> anyhow::Result<Router> {
    let limits = limits::Limits::new(&state.settings);
    let router = Router::new()
        // Merged, not nested: `nest` rewrites every request's URI (an allocation and a format)
        // to strip the prefix, so the API modules name their full `/api/…` paths.
        .merge(api_router(&limits, state.settings.api_body_limit_bytes))
        // Unmarked: `Data` (no-store, a policy that allows nothing).
        .merge(health::router())
        // Server-rendered sign-in pages and redirects.
        .merge(security::mark(
            dashboard::auth_router().layer(limits::LimitsLayer::per_address(limits)),
            Served::Document,
        ))
        // Marks each answer itself: a file of the build, or the document.
        .fallback(static_files::serve)
        .with_state(state.clone());
    // One layer over every route: each `Router::layer` call costs every request a boxed
    // service clone and a boxed future.
    let headers = security::HeadersLayer::new(&state.settings)?;
    Ok(telemetry::http_layers_around(router, headers))
}

async fn api_not_found() -> AppError {
    AppError::NotFound
}

/// Every `/api/…` route, behind the layers only the API has.
fn api_router(limits: &Arc<limits::Limits>, body_limit: usize) -> Router<AppState> {
    Router::new()
        .merge(session::router())
        .merge(device::router())
        .merge(controls::router())
        .merge(config::router())
        .merge(history::router())
        .merge(dashboard::api_router())
        // An unknown API path is a JSON 404, never the SPA's index.html.
        .route("/api", any(api_not_found))
        .route("/api/{*rest}", any(api_not_found))
        // One layer (see `app`), outermost first. The answers are unmarked: `Data`, which the
        // header layer gives `no-store` (they depend on the bearer token).
        .layer(
            ServiceBuilder::new()
                // Outside the handlers' extractors: refused requests never reach Chaster.
                .layer(limits::LimitsLayer::api(limits.clone()))
                .layer(DefaultBodyLimit::max(body_limit)),
        )
}
