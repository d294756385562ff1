//! Headers for every response. Pages (`text/html`) get the page CSP: framing by the configured
//! Chaster origins only (CSP `frame-ancestors`; no X-Frame-Options, which would block the embed
//! in older browsers), trunk's inline bootstrap allowed by hash, no `'unsafe-inline'`. Anything
//! else gets a CSP that allows nothing. All get `nosniff` and `no-referrer` (the page's URL
//! carries the mainToken in its hash; no-referrer keeps even the path to ourselves).

mod csp;
mod inline_scripts;

use std::sync::Arc;

use anyhow::Context;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;

pub use csp::{page_policy, PageSources, NON_PAGE_POLICY};
pub use inline_scripts::{inline_script_hashes, IndexScripts};

use crate::configuration::Settings;

/// What the header layer needs: the configured sources and the served index.html.
pub struct SecurityHeaders {
    sources: PageSources,
    scripts: IndexScripts,
}

impl SecurityHeaders {
    pub fn new(settings: &Settings) -> anyhow::Result<SecurityHeaders> {
        let sources = PageSources::from_settings(settings);
        HeaderValue::from_str(&page_policy(&sources, &[]))
            .context("CHASTER_ORIGINS or AVATAR_ORIGINS cannot go into a header")?;
        let scripts = IndexScripts::new(settings.dist_dir.join("index.html"));
        // Read now so a bad build shows in the log at start, not at the first visit.
        scripts.hashes();
        Ok(SecurityHeaders { sources, scripts })
    }

    /// The page policy for the index.html currently on disk.
    pub fn page_policy(&self) -> String {
        page_policy(&self.sources, &self.scripts.hashes())
    }
}

pub fn headers(router: Router, settings: &Settings) -> anyhow::Result<Router> {
    let headers = Arc::new(SecurityHeaders::new(settings)?);
    Ok(router.layer(middleware::from_fn_with_state(headers, add_headers)))
}

async fn add_headers(
    State(policy): State<Arc<SecurityHeaders>>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    let is_page = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("text/html"));
    let csp = if is_page {
        HeaderValue::from_str(&policy.page_policy())
            // Hashes are base64 and the sources were checked at start; this cannot fail.
            .unwrap_or(HeaderValue::from_static(NON_PAGE_POLICY))
    } else {
        HeaderValue::from_static(NON_PAGE_POLICY)
    };
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}
