//! The trunk build in `DIST_DIR`: its files, and for every other path the document of its
//! page: `configure/index.html` under `/configure`, `dashboard/index.html` under `/dashboard`
//! (each page is its own bundle, built by `scripts/pages.sh`), index.html (the main page)
//! elsewhere; a build without the other pages (a `trunk serve` dist) answers with index.html. Each answer is marked with what it is, so the header layer gives the document
//! its policy on every status (a 304 included) and the files theirs. Files are served
//! precompressed when the build step left a `.br` or `.gz` next to them, and as they are when
//! not. Without a build, a 503 says how to make one instead of a bare 404.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, request::Parts, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

use super::security::{is_content_hashed, Served, PAGES};
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
        let response = (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            message,
        );
        return marked(response.into_response(), Served::Document);
    }
    let (parts, _body) = request.into_parts();
    let path = parts.uri.path();
    let may_be_a_file =
        matches!(parts.method, Method::GET | Method::HEAD) && path != "/" && path != "/index.html";
    if may_be_a_file {
        let files = ServeDir::new(dist)
            .append_index_html_on_directories(false)
            .precompressed_br()
            .precompressed_gzip();
        let response = oneshot(files, copy_of(&parts)).await;
        if response.status() != StatusCode::NOT_FOUND {
            // trunk names a worker's entry `<bin>_loader.js` (workers keep unhashed names).
            if path.ends_with("_loader.js") {
                return marked(response, Served::Worker);
            }
            let content_hashed = is_content_hashed(path);
            return marked(response, Served::Asset { content_hashed });
        }
    }
    // The document itself is never precompressed: a `.br` left from an older build would not
    // match the inline-script hashes the policy is computed from.
    let document = page_document(dist, path).await.unwrap_or(index);
    let response = oneshot(ServeFile::new(document), copy_of(&parts)).await;
    marked(response, Served::Document)
}

/// The document of the page `path` belongs to, if it is one of [`PAGES`] and was built.
async fn page_document(dist: &std::path::Path, path: &str) -> Option<std::path::PathBuf> {
    let first = path.trim_start_matches('/').split('/').next()?;
    let page = PAGES.into_iter().find(|page| *page == first)?;
    let document = dist.join(page).join("index.html");
    tokio::fs::try_exists(&document)
        .await
        .unwrap_or(false)
        .then_some(document)
}

/// The request again, without a body (files and the document are only read).
fn copy_of(parts: &Parts) -> Request {
    Request::from_parts(parts.clone(), Body::empty())
}

async fn oneshot<S>(service: S, request: Request) -> Response
where
    S: tower::Service<
        Request,
        Response = axum::http::Response<tower_http::services::fs::ServeFileSystemResponseBody>,
        Error = std::convert::Infallible,
    >,
{
    match service.oneshot(request).await {
        Ok(response) => response.map(Body::new),
        Err(never) => match never {},
    }
}

fn marked(mut response: Response, served: Served) -> Response {
    response.extensions_mut().insert(served);
    response
}
