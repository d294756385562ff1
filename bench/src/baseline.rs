//! The throughput peer: a bare axum server whose `GET /api/session` answers the same JSON bytes
//! as ours, prepared once (the least any handler can do), with no middleware, no token and no
//! logging. Run as `bench baseline-server` with `BIND_ADDR` and `BASELINE_BODY_FILE`.

use anyhow::Context;
use axum::body::Bytes;
use axum::http::header;
use axum::routing::get;
use axum::Router;

/// Serves until killed. The default multi-threaded runtime, like `sesame-opener`'s.
pub fn serve() -> anyhow::Result<()> {
    let addr = std::env::var("BIND_ADDR").context("BIND_ADDR is not set")?;
    let path = std::env::var("BASELINE_BODY_FILE").context("BASELINE_BODY_FILE is not set")?;
    let text = std::fs::read_to_string(&path)?;
    serde_json::from_str::<serde_json::Value>(&text)
        .with_context(|| format!("{path} is not JSON"))?;
    let body = Bytes::from(text);
    let app = Router::new()
        .route(
            "/api/session",
            get(move || {
                let body = body.clone();
                async move { ([(header::CONTENT_TYPE, "application/json")], body) }
            }),
        )
        .route("/health", get(|| async { "ok" }));
    tokio::runtime::Runtime::new()?.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&addr).await?;
        axum::serve(listener, app).await?;
        Ok(())
    })
}
