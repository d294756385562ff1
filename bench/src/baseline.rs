//! The throughput peer: a bare axum server whose `GET /api/session` answers a JSON value of the
//! same bytes as ours, serialized per request as our handler does, with no middleware, no token
//! and no logging. Run as `bench baseline-server` with `BIND_ADDR` and `BASELINE_BODY_FILE`.

use std::sync::Arc;

use anyhow::Context;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::Value;

/// Serves until killed. The default multi-threaded runtime, like `sesame-opener`'s.
pub fn serve() -> anyhow::Result<()> {
    let addr = std::env::var("BIND_ADDR").context("BIND_ADDR is not set")?;
    let path = std::env::var("BASELINE_BODY_FILE").context("BASELINE_BODY_FILE is not set")?;
    let body: Value = serde_json::from_str(&std::fs::read_to_string(&path)?)
        .with_context(|| format!("{path} is not JSON"))?;
    let body = Arc::new(body);
    let app = Router::new()
        .route(
            "/api/session",
            get(move || {
                let body = body.clone();
                async move { Json(body.as_ref().clone()) }
            }),
        )
        .route("/health", get(|| async { "ok" }));
    tokio::runtime::Runtime::new()?.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&addr).await?;
        axum::serve(listener, app).await?;
        Ok(())
    })
}
