//! The trunk build in `DIST_DIR`, with index.html for every path that is not a file (the app
//! routes itself). Without a build, a 503 says how to make one instead of a bare 404.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

use crate::state::AppState;

pub async fn serve(State(state): State<AppState>, request: Request) -> Response {
    let dist = &state.settings.dist_dir;
    let index = dist.join("index.html");
    if !tokio::fs::try_exists(&index).await.unwrap_or(false) {
        tracing::warn!(dist = %dist.display(), "no frontend build to serve");
        let message = format!(
            "The frontend is not built: {} has no index.html.\n\
             Build it with `trunk build --release` (or run scripts/demo.sh), \
             or point DIST_DIR at a trunk build.\n",
            dist.display()
        );
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            message,
        )
            .into_response();
    }
    let service = ServeDir::new(dist).fallback(ServeFile::new(index));
    match service.oneshot(request).await {
        Ok(response) => response.map(Body::new),
        Err(never) => match never {},
    }
}
