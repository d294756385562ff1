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
use tower::Layer;

use crate::error::AppError;
use crate::state::AppState;
use crate::telemetry::{Access, AccessLayer};
use security::{HeadersService, Served};

/// The whole application as one service: `/api`, `/health`, the static frontend and
/// `webhooks` (Chaster's, outside `/api` and its limits), with limits, security headers and
/// the access layer.
pub type App = Access<HeadersService<Router>>;

/// Builds [`App`]. The headers and access layers wrap the whole router, not each route: a
/// `Router::layer` would cost every request one more boxed service clone and boxed future.
pub fn app(state: AppState, webhooks: Router) -> anyhow::Result<App> {
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
        .with_state(state.clone())
        .merge(webhooks);
    let headers = security::HeadersLayer::new(&state.settings)?;
    Ok(AccessLayer::new().layer(headers.layer(router)))
}

async fn api_not_found() -> AppError {
    AppError::NotFound
}

/// Every `/api/…` route, behind the layers only the API has.
fn api_router(limits: &Arc<limits::Limits>, body_limit: usize) -> Router<AppState> {
    // Only the routes that read a body carry the body limit: it is one more layer and request
    // extension, and the GETs the page asks for most (`/api/session`, history) read none. The
    // limits layer refuses a declared length over the limit on every route.
    let with_bodies = Router::new()
        .merge(device::router())
        .merge(controls::router())
        .merge(config::router())
        .merge(dashboard::api_router())
        .layer(DefaultBodyLimit::max(body_limit));
    Router::new()
        .merge(session::router())
        .merge(history::router())
        .merge(with_bodies)
        // An unknown API path is a JSON 404, never the SPA's index.html.
        .route("/api", any(api_not_found))
        .route("/api/{*rest}", any(api_not_found))
        // The answers are unmarked: `Data`, which the header layer gives `no-store` (they
        // depend on the bearer token). Outside the handlers' extractors: refused requests
        // never reach Chaster.
        .layer(limits::LimitsLayer::api(limits.clone()))
}
