//! What every request gets on its way in and out, as one hand-written tower layer: its
//! credentials marked sensitive, an id (`x-request-id`: the client's if it sent one, else ours,
//! echoed in the answer), a span, the sampled access line, and a panic turned into the JSON 500.
//!
//! One layer instead of tower-http's six (sensitive request and response headers, set and
//! propagate the id, trace, catch panic): each was a service, a future and a poll per request,
//! the request id also went into the request's extensions, which nothing reads, and catch-panic
//! boxed every answer's body once more. On a cached `/api/session` that was a measurable share
//! of the answer's CPU time (issue 17).

use std::any::Any;
use std::convert::Infallible;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::body::Body;
use axum::http::header::{HeaderName, AUTHORIZATION, COOKIE, PROXY_AUTHORIZATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, Request, Response};
use axum::response::IntoResponse;
use pin_project_lite::pin_project;
use tower::{Layer, Service};
use tracing::{Level, Span};

use crate::error::AppError;

/// One request in this many is logged at `info` (all of them at `debug`).
pub const ACCESS_LOG_SAMPLE: u64 = 256;

static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The application has one layer; each has its own count (tests build several).
#[derive(Clone, Debug)]
pub struct AccessLayer {
    ids: Arc<Ids>,
}

/// Where request ids come from.
#[derive(Debug)]
struct Ids {
    /// Drawn once: tells ids of different runs (and layers) apart.
    prefix: u32,
    /// Requests seen: the sampling, and the counter part of the ids.
    count: AtomicU64,
}

impl AccessLayer {
    pub fn new() -> AccessLayer {
        let ids = Ids {
            prefix: rand::random(),
            count: AtomicU64::new(0),
        };
        AccessLayer { ids: Arc::new(ids) }
    }
}

impl Default for AccessLayer {
    fn default() -> Self {
        AccessLayer::new()
    }
}

impl<S> Layer<S> for AccessLayer {
    type Service = Access<S>;

    fn layer(&self, inner: S) -> Access<S> {
        Access {
            inner,
            ids: self.ids.clone(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Access<S> {
    inner: S,
    ids: Arc<Ids>,
}

impl<S> Service<Request<Body>> for Access<S>
where
    S: Service<Request<Body>, Response = Response<Body>, Error = Infallible>,
{
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = AccessFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<Body>) -> Self::Future {
        mark_sensitive(
            request.headers_mut(),
            &[AUTHORIZATION, PROXY_AUTHORIZATION, COOKIE],
        );
        let n = self.ids.count.fetch_add(1, Ordering::Relaxed);
        let id = match request.headers().get(&X_REQUEST_ID) {
            Some(theirs) => theirs.clone(),
            None => {
                let ours = request_id(self.ids.prefix, n);
                request.headers_mut().insert(&X_REQUEST_ID, ours.clone());
                ours
            }
        };
        let span = request_span(&request, &id, n.is_multiple_of(ACCESS_LOG_SAMPLE));
        let started = Instant::now();
        let state = {
            let _entered = span.enter();
            match catch_unwind(AssertUnwindSafe(|| self.inner.call(request))) {
                Ok(inner) => State::Running { inner },
                Err(payload) => State::Panicked {
                    response: Some(panic_response(payload)),
                },
            }
        };
        AccessFuture {
            state,
            span,
            id,
            started,
        }
    }
}

pin_project! {
    /// The inner service's answer, with the request id and the access line.
    pub struct AccessFuture<F> {
        #[pin]
        state: State<F>,
        span: Span,
        id: HeaderValue,
        started: Instant,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F> {
        Running { #[pin] inner: F },
        /// The handler panicked while being called: its answer is the JSON 500.
        Panicked { response: Option<Response<Body>> },
    }
}

impl<F> Future for AccessFuture<F>
where
    F: Future<Output = Result<Response<Body>, Infallible>>,
{
    type Output = Result<Response<Body>, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut response = {
            let _entered = this.span.enter();
            match this.state.project() {
                StateProj::Running { inner } => {
                    match catch_unwind(AssertUnwindSafe(|| inner.poll(cx))) {
                        Ok(Poll::Pending) => return Poll::Pending,
                        Ok(Poll::Ready(Ok(response))) => response,
                        Ok(Poll::Ready(Err(never))) => match never {},
                        Err(payload) => panic_response(payload),
                    }
                }
                StateProj::Panicked { response } => response
                    .take()
                    .unwrap_or_else(|| panic_response(Box::new("polled after its answer"))),
            }
        };
        let headers = response.headers_mut();
        if !headers.contains_key(&X_REQUEST_ID) {
            headers.insert(&X_REQUEST_ID, this.id.clone());
        }
        mark_sensitive(headers, &[SET_COOKIE]);
        answered(response.status().as_u16(), *this.started, this.span);
        Poll::Ready(Ok(response))
    }
}

/// A panic becomes the ordinary JSON 500; its payload is logged, not returned. (Caught here,
/// not by tower-http's layer, which would box every answer's body once more.)
fn panic_response(payload: Box<dyn Any + Send + 'static>) -> Response<Body> {
    let detail = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic");
    AppError::Internal(anyhow::anyhow!("handler panicked: {detail}")).into_response()
}

/// Marks every value of `names` sensitive: `Debug` of the map (a log line) shows
/// "Sensitive" instead of the credential.
fn mark_sensitive(headers: &mut HeaderMap, names: &[HeaderName]) {
    for name in names {
        if let axum::http::header::Entry::Occupied(mut entry) = headers.entry(name) {
            for value in entry.iter_mut() {
                value.set_sensitive(true);
            }
        }
    }
}

/// `<8 hex digits drawn at start>-<request count, 16 hex digits>`: unique within the run and,
/// by its random part, across restarts; no UUID, no random draw and no formatting per request.
fn request_id(process: u32, n: u64) -> HeaderValue {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut text = [b'-'; 25];
    for (i, byte) in text[..8].iter_mut().enumerate() {
        *byte = HEX[(process >> (28 - 4 * i)) as usize & 15];
    }
    for (i, byte) in text[9..].iter_mut().enumerate() {
        *byte = HEX[(n >> (60 - 4 * i)) as usize & 15];
    }
    // Hex digits and a dash are always a valid header value.
    HeaderValue::from_bytes(&text).unwrap_or(HeaderValue::from_static("-"))
}

/// The request's span: `info` for the sampled one, `debug` for the others. A span whose level
/// the filter drops costs one check: its fields are not even evaluated.
fn request_span<B>(request: &Request<B>, id: &HeaderValue, sampled: bool) -> Span {
    let request_id = || id.to_str().unwrap_or("-");
    if sampled {
        tracing::info_span!(
            "http",
            method = %request.method(),
            path = %request.uri().path(),
            request_id = %request_id(),
        )
    } else {
        tracing::debug_span!(
            "http",
            method = %request.method(),
            path = %request.uri().path(),
            request_id = %request_id(),
        )
    }
}

/// The access line, at the level of the request's span; a server error always, at `error`.
fn answered(status: u16, started: Instant, span: &Span) {
    let failed = status >= 500;
    if span.is_disabled() && !failed {
        return;
    }
    let latency_ms = started.elapsed().as_secs_f64() * 1e3;
    if failed {
        tracing::error!(parent: span, status, latency_ms, "answered with a server error");
    } else if span.metadata().map(|m| *m.level()) == Some(Level::INFO) {
        tracing::info!(parent: span, status, latency_ms, "answered");
    } else {
        tracing::debug!(parent: span, status, latency_ms, "answered");
    }
}

#[cfg(test)]
mod access_log_tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use axum::body::Body;
    use axum::routing::get;
    use axum::Router;
    use tower::ServiceExt;
    use tracing_subscriber::EnvFilter;

    use super::*;
    use tower::Layer;

    use crate::telemetry::AccessLayer;

    /// Log lines written while `f` runs with a subscriber at `filter` on this thread.
    #[derive(Clone, Default)]
    struct Capture(Arc<Mutex<Vec<u8>>>);

    impl Write for Capture {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    async fn answered_lines(filter: &str, requests: usize) -> usize {
        let capture = Capture::default();
        let writer = capture.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(EnvFilter::new(filter))
            .with_writer(move || writer.clone())
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        let app =
            AccessLayer::new().layer(Router::new().route("/api/session", get(|| async { "{}" })));
        for _ in 0..requests {
            let request = Request::get("/api/session").body(Body::empty()).unwrap();
            let response = app.clone().oneshot(request).await.unwrap();
            assert!(response.headers().contains_key("x-request-id"));
        }
        let text = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
        text.lines().filter(|l| l.contains("answered")).count()
    }

    #[tokio::test]
    async fn at_the_default_info_filter_one_request_in_the_sample_is_logged() {
        let n = 2 * ACCESS_LOG_SAMPLE as usize;
        assert_eq!(answered_lines("info", n).await, 2);
    }

    #[tokio::test]
    async fn at_debug_every_request_is_logged() {
        assert_eq!(answered_lines("debug", 10).await, 10);
    }
}

#[cfg(test)]
mod header_tests {
    use axum::body::Body;
    use axum::http::header::{AUTHORIZATION, COOKIE, SET_COOKIE};
    use axum::http::{HeaderMap, Request, Response};
    use axum::routing::get;
    use axum::Router;
    use tower::ServiceExt;

    use tower::Layer;

    use crate::telemetry::AccessLayer;

    /// Answers with whether the request's credentials arrived marked sensitive, and a cookie.
    async fn echo(headers: HeaderMap) -> Response<Body> {
        let sensitive = [AUTHORIZATION, COOKIE]
            .iter()
            .all(|h| headers.get(h).is_some_and(|v| v.is_sensitive()));
        let id = headers.get("x-request-id").cloned();
        let mut response = Response::new(Body::from(sensitive.to_string()));
        response
            .headers_mut()
            .insert(SET_COOKIE, "a=b".parse().unwrap());
        if let Some(id) = id {
            response.headers_mut().insert("x-seen-id", id);
        }
        response
    }

    fn app() -> crate::telemetry::Access<Router> {
        AccessLayer::new().layer(Router::new().route("/", get(echo)))
    }

    async fn call(request: Request<Body>) -> Response<Body> {
        app().oneshot(request).await.unwrap()
    }

    #[tokio::test]
    async fn credentials_are_marked_sensitive_both_ways() {
        let request = Request::get("/")
            .header(AUTHORIZATION, "Bearer secret")
            .header(COOKIE, "session=secret")
            .body(Body::empty())
            .unwrap();
        let response = call(request).await;
        assert!(response.headers()[SET_COOKIE].is_sensitive());
        let body = axum::body::to_bytes(response.into_body(), 100)
            .await
            .unwrap();
        assert_eq!(&body[..], b"true");
    }

    #[tokio::test]
    async fn a_request_gets_an_id_that_the_handler_sees_and_the_answer_echoes() {
        let app = app();
        let get = || Request::get("/").body(Body::empty()).unwrap();
        let first = app.clone().oneshot(get()).await.unwrap();
        let second = app.oneshot(get()).await.unwrap();
        let id = |r: &Response<Body>| r.headers()["x-request-id"].to_str().unwrap().to_owned();
        assert_eq!(
            first.headers()["x-seen-id"],
            first.headers()["x-request-id"]
        );
        assert_ne!(id(&first), id(&second));
        let first_id = id(&first);
        let (process, count) = first_id.split_once('-').unwrap();
        assert_eq!((process.len(), count.len()), (8, 16), "{first_id}");
        assert_eq!(process, id(&second).split_once('-').unwrap().0);
    }

    #[tokio::test]
    async fn a_panicking_handler_gets_the_json_500_and_the_server_goes_on() {
        async fn boom() -> &'static str {
            panic!("secret detail")
        }
        let app = AccessLayer::new().layer(
            Router::new()
                .route("/boom", get(boom))
                .route("/", get(echo)),
        );
        let request = Request::get("/boom").body(Body::empty()).unwrap();
        let response = app.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), 500);
        assert!(response.headers().contains_key("x-request-id"));
        let body = axum::body::to_bytes(response.into_body(), 10_000)
            .await
            .unwrap();
        let body = String::from_utf8(body.to_vec()).unwrap();
        assert!(body.contains("\"reason\""), "{body}");
        assert!(!body.contains("secret detail"), "{body}");
        let after = app.oneshot(Request::get("/").body(Body::empty()).unwrap());
        assert_eq!(after.await.unwrap().status(), 200);
    }

    #[tokio::test]
    async fn the_clients_request_id_is_kept() {
        let request = Request::get("/")
            .header("x-request-id", "from-the-proxy-1")
            .body(Body::empty())
            .unwrap();
        let response = call(request).await;
        assert_eq!(response.headers()["x-request-id"], "from-the-proxy-1");
        assert_eq!(response.headers()["x-seen-id"], "from-the-proxy-1");
    }
}
