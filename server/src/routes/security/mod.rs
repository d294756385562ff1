//! Headers for every response, chosen by the route that answered, never by the response's
//! content type: a `304 Not Modified` of the page has no `Content-Type`, and Chromium merges
//! a 304's headers into the page it cached, so a 304 with the wrong policy breaks the next visit.
//!
//! - The HTML documents (`/`, `/configure`, `/dashboard`, every other SPA path) and the server-rendered sign-in pages:
//!   the page CSP (framing by the configured Chaster origins only: CSP `frame-ancestors`, no
//!   X-Frame-Options, which would block the embed in older browsers; trunk's inline bootstrap
//!   allowed by hash; no `'unsafe-inline'`) and `Cache-Control: no-cache`, on every status.
//! - trunk's files: a CSP that allows nothing (none is a document), `Vary: Accept-Encoding`
//!   (they are served precompressed), and a year of caching when the name carries a content hash.
//! - A web worker's entry script (trunk's `*_loader.js`, unhashed): a policy that lets the worker
//!   load its glue and WASM from our origin, revalidated on every use.
//! - JSON (`/api`, `/health`) and anything unmarked: a CSP that allows nothing and `no-store`
//!   (`/api` answers depend on the bearer token).
//!
//! All get `nosniff` and `no-referrer` (the page's URL carries the mainToken in its hash;
//! no-referrer keeps even the path to ourselves).

mod cache;
mod csp;
mod inline_scripts;
mod layer;

use std::sync::Mutex;

use anyhow::Context;
use axum::http::HeaderValue;
use axum::response::Response;
use axum::Router;
use tower::util::MapResponseLayer;

pub use cache::{is_content_hashed, IMMUTABLE, REVALIDATE};
pub use csp::{page_policy, PageSources, NON_PAGE_POLICY, WORKER_POLICY};
pub use inline_scripts::{inline_script_hashes, IndexScripts};
pub use layer::{HeadersLayer, HeadersService};

use crate::configuration::Settings;

/// What a route answers with. Each router marks its responses (`mark`, or the static files
/// handler per request); the header layer reads the mark. Unmarked responses count as `Data`,
/// the kind that allows the least.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Served {
    /// An HTML document the browser renders (and may show in Chaster's iframe).
    Document,
    /// A file of the trunk build other than index.html.
    Asset { content_hashed: bool },
    /// A web worker's entry script (the connect form's QR reader): it gets the worker policy.
    Worker,
    /// JSON and anything else no browser should render.
    Data,
}

/// Marks every response of a router as `served`, with tower's `map_response`: unlike axum's,
/// it boxes neither the service nor its future.
pub fn mark<S>(router: Router<S>, served: Served) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    router.layer(MapResponseLayer::new(move |mut response: Response| {
        response.extensions_mut().insert(served);
        response
    }))
}

/// The pages that have their own bundle besides the main page, by the first segment of their
/// path; each is built into its own directory of the build (trunk's `--public-url /<page>/`,
/// `scripts/pages.sh`) with its own inline bootstrap.
pub const PAGES: [&str; 3] = ["connect", "configure", "dashboard"];

/// What the header layer needs: the configured sources and the index.html of every page.
pub struct SecurityHeaders {
    sources: PageSources,
    scripts: Vec<IndexScripts>,
    /// The page policy's header value and the hashes it was built from: built again only when
    /// a page's inline scripts changed (a new build while the server runs).
    built: Mutex<Option<(Vec<String>, HeaderValue)>>,
}

impl SecurityHeaders {
    pub fn new(settings: &Settings) -> anyhow::Result<SecurityHeaders> {
        let sources = PageSources::from_settings(settings);
        HeaderValue::from_str(&page_policy(&sources, &[]))
            .context("CHASTER_ORIGINS or AVATAR_ORIGINS cannot go into a header")?;
        let dist = &settings.dist_dir;
        let scripts: Vec<IndexScripts> = std::iter::once(dist.join("index.html"))
            .chain(PAGES.iter().map(|page| dist.join(page).join("index.html")))
            .map(IndexScripts::new)
            .collect();
        let headers = SecurityHeaders {
            sources,
            scripts,
            built: Mutex::new(None),
        };
        // Read now so a bad build shows in the log at start, not at the first visit.
        headers.page_policy();
        Ok(headers)
    }

    /// The page policy for the index.html files currently on disk: one policy for every page,
    /// allowing the inline bootstrap of each (all of them are ours).
    pub fn page_policy(&self) -> String {
        page_policy(&self.sources, &self.hashes())
    }

    /// The inline scripts' hashes of every page, without duplicates.
    fn hashes(&self) -> Vec<String> {
        let mut hashes: Vec<String> = Vec::new();
        for hash in self.scripts.iter().flat_map(IndexScripts::hashes) {
            if !hashes.contains(&hash) {
                hashes.push(hash);
            }
        }
        hashes
    }

    /// [`page_policy`](Self::page_policy) as a header value, formatted again only when the
    /// hashes changed.
    fn page_policy_value(&self) -> HeaderValue {
        let hashes = self.hashes();
        let mut built = self.built.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((for_hashes, value)) = built.as_ref() {
            if *for_hashes == hashes {
                return value.clone();
            }
        }
        let value = HeaderValue::from_str(&page_policy(&self.sources, &hashes))
            // Hashes are base64 and the sources were checked at start; this cannot fail.
            .unwrap_or(HeaderValue::from_static(NON_PAGE_POLICY));
        *built = Some((hashes, value.clone()));
        value
    }
}
