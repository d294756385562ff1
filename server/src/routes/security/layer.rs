//! The header layer as a hand-written tower service: `axum::middleware::from_fn` boxed the rest
//! of the stack and its future for every request. Every value but the page policy is a
//! static (cloning one copies no bytes); the page policy is formatted once per build of the pages (`SecurityHeaders`).

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::response::Response;
use pin_project_lite::pin_project;
use tower::{Layer, Service};

use crate::configuration::Settings;

use super::{SecurityHeaders, Served, IMMUTABLE, NON_PAGE_POLICY, REVALIDATE, WORKER_POLICY};

static NON_PAGE: HeaderValue = HeaderValue::from_static(NON_PAGE_POLICY);
static WORKER: HeaderValue = HeaderValue::from_static(WORKER_POLICY);
static NO_CACHE: HeaderValue = HeaderValue::from_static(REVALIDATE);
static FOR_A_YEAR: HeaderValue = HeaderValue::from_static(IMMUTABLE);
static BY_ENCODING: HeaderValue = HeaderValue::from_static("accept-encoding");
static NO_STORE: HeaderValue = HeaderValue::from_static("no-store");
static NOSNIFF: HeaderValue = HeaderValue::from_static("nosniff");
static NO_REFERRER: HeaderValue = HeaderValue::from_static("no-referrer");

#[derive(Clone)]
pub struct HeadersLayer {
    headers: Arc<SecurityHeaders>,
}

impl HeadersLayer {
    /// Fails when the configured origins cannot go into a header.
    pub fn new(settings: &Settings) -> anyhow::Result<HeadersLayer> {
        Ok(HeadersLayer {
            headers: Arc::new(SecurityHeaders::new(settings)?),
        })
    }
}

impl<S> Layer<S> for HeadersLayer {
    type Service = HeadersService<S>;

    fn layer(&self, inner: S) -> HeadersService<S> {
        HeadersService {
            inner,
            headers: self.headers.clone(),
        }
    }
}

#[derive(Clone)]
pub struct HeadersService<S> {
    inner: S,
    headers: Arc<SecurityHeaders>,
}

impl<S> Service<Request> for HeadersService<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = HeadersFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        HeadersFuture {
            inner: self.inner.call(request),
            headers: self.headers.clone(),
        }
    }
}

pin_project! {
    /// The inner service's answer, with the headers of the route that gave it.
    pub struct HeadersFuture<F> {
        #[pin]
        inner: F,
        headers: Arc<SecurityHeaders>,
    }
}

impl<F> Future for HeadersFuture<F>
where
    F: Future<Output = Result<Response, Infallible>>,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut response = ready!(this.inner.poll(cx))?;
        add_headers(this.headers, &mut response);
        Poll::Ready(Ok(response))
    }
}

/// The headers of what `response` is, as its route marked it (unmarked: `Data`).
fn add_headers(policy: &SecurityHeaders, response: &mut Response) {
    let served = response
        .extensions()
        .get::<Served>()
        .copied()
        .unwrap_or(Served::Data);
    let headers = response.headers_mut();
    match served {
        Served::Document => {
            headers.insert(header::CONTENT_SECURITY_POLICY, policy.page_policy_value());
            // Revalidate on every visit, so a new deploy is picked up at once; a page that
            // chose `no-store` (sign-in answers carrying cookies) keeps it.
            if !headers.contains_key(header::CACHE_CONTROL) {
                headers.insert(header::CACHE_CONTROL, NO_CACHE.clone());
            }
        }
        Served::Asset { content_hashed } => {
            headers.insert(header::CONTENT_SECURITY_POLICY, NON_PAGE.clone());
            let cache = if content_hashed {
                &FOR_A_YEAR
            } else {
                &NO_CACHE
            };
            headers.insert(header::CACHE_CONTROL, cache.clone());
            headers.insert(header::VARY, BY_ENCODING.clone());
        }
        Served::Worker => {
            headers.insert(header::CONTENT_SECURITY_POLICY, WORKER.clone());
            headers.insert(header::CACHE_CONTROL, NO_CACHE.clone());
            headers.insert(header::VARY, BY_ENCODING.clone());
        }
        Served::Data => {
            headers.insert(header::CONTENT_SECURITY_POLICY, NON_PAGE.clone());
            // Answers for one viewer (`/api` depends on the bearer token): no cache keeps them.
            headers.insert(header::CACHE_CONTROL, NO_STORE.clone());
        }
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, NOSNIFF.clone());
    headers.insert(header::REFERRER_POLICY, NO_REFERRER.clone());
}
