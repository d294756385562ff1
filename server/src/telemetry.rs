//! Logging: a tracing subscriber filtered by `RUST_LOG`, and the HTTP layers that give every
//! request an id and a span. Credentials are marked sensitive before anything can log them, and
//! spans carry the path only (a query string could carry anything).
//!
//! The access log is sampled at the default `info` filter: one request in [`ACCESS_LOG_SAMPLE`]
//! gets an `info` span and an "answered" line; every request gets them at `debug`
//! (`RUST_LOG=info,server::telemetry=debug`). Formatting a span and writing a line for every
//! request was the largest avoidable cost of a cached `/api/session`. Failures (5xx) are always
//! logged, at `error`.

use std::any::Any;
use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::body::Body;
use axum::http::header::{AUTHORIZATION, COOKIE, PROXY_AUTHORIZATION, SET_COOKIE};
use axum::http::{HeaderValue, Request, Response};
use axum::response::IntoResponse;
use axum::routing::Route;
use axum::Router;
use tower::layer::util::Identity;
use tower::{Layer, Service, ServiceBuilder};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::sensitive_headers::{
    SetSensitiveRequestHeadersLayer, SetSensitiveResponseHeadersLayer,
};
use tower_http::trace::TraceLayer;
use tracing::{Level, Span};
use tracing_subscriber::EnvFilter;

use crate::error::AppError;

/// Installs the global subscriber; a second call (several tests in one process) is a no-op.
pub fn init_subscriber(default_filter: &str) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
}

/// One request in this many is logged at `info` (all of them at `debug`).
pub const ACCESS_LOG_SAMPLE: u64 = 256;

/// Requests seen, for the sampling.
static REQUESTS: AtomicU64 = AtomicU64::new(0);

/// The HTTP layers of every router (see the module's documentation).
pub fn http_layers(router: Router) -> Router {
    http_layers_around(router, Identity::new())
}

/// [`http_layers`] with `inner` inside them, all in one `Router::layer`: each call of it costs
/// every request a boxed service clone and a boxed future.
pub fn http_layers_around<L>(router: Router, inner: L) -> Router
where
    L: Layer<Route> + Clone + Send + Sync + 'static,
    L::Service: Service<Request<Body>, Response = Response<Body>, Error = Infallible>
        + Clone
        + Send
        + Sync
        + 'static,
    <L::Service as Service<Request<Body>>>::Future: Send + 'static,
{
    router.layer(
        ServiceBuilder::new()
            .layer(SetSensitiveRequestHeadersLayer::new([
                AUTHORIZATION,
                PROXY_AUTHORIZATION,
                COOKIE,
            ]))
            .layer(SetSensitiveResponseHeadersLayer::new([SET_COOKIE]))
            .layer(SetRequestIdLayer::x_request_id(RandomRequestId))
            .layer(
                TraceLayer::new_for_http()
                    .make_span_with(request_span)
                    .on_response(answered),
            )
            .layer(PropagateRequestIdLayer::x_request_id())
            .layer(CatchPanicLayer::custom(panic_response))
            .layer(inner),
    )
}

/// The request's span: `info` for the sampled one, `debug` for the others. A span whose level
/// the filter drops costs one check: its fields are not even evaluated.
fn request_span(request: &Request<Body>) -> Span {
    let request_id = || {
        request
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("-")
    };
    if REQUESTS
        .fetch_add(1, Ordering::Relaxed)
        .is_multiple_of(ACCESS_LOG_SAMPLE)
    {
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

/// The access log line, at the level of the request's span; nothing when the span is off.
fn answered<B>(response: &Response<B>, latency: Duration, span: &Span) {
    if span.is_disabled() {
        return;
    }
    let status = response.status().as_u16();
    let latency_ms = latency.as_secs_f64() * 1e3;
    if span.metadata().map(|m| *m.level()) == Some(Level::INFO) {
        tracing::info!(parent: span, status, latency_ms, "answered");
    } else {
        tracing::debug!(parent: span, status, latency_ms, "answered");
    }
}

/// A random (v4) UUID per request, from the thread's generator: no system call per request.
#[derive(Clone, Copy)]
struct RandomRequestId;

impl MakeRequestId for RandomRequestId {
    fn make_request_id<B>(&mut self, _request: &Request<B>) -> Option<RequestId> {
        let id = uuid::Builder::from_random_bytes(rand::random()).into_uuid();
        let mut text = uuid::Uuid::encode_buffer();
        let text = id.hyphenated().encode_lower(&mut text);
        HeaderValue::from_str(text).ok().map(RequestId::new)
    }
}

/// A panic becomes the ordinary JSON 500; its payload is logged, not returned.
fn panic_response(payload: Box<dyn Any + Send + 'static>) -> Response<Body> {
    let detail = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic");
    AppError::Internal(anyhow::anyhow!("handler panicked: {detail}")).into_response()
}

/// Lets a repeated warning through at most once per `every`, counting what it held back, so an
/// attacker cannot fill the log (e.g. with failed webhook logins).
pub struct LogThrottle {
    every_ms: i64,
    last_ms: std::sync::atomic::AtomicI64,
    held_back: std::sync::atomic::AtomicU64,
}

impl LogThrottle {
    pub const fn new(every: std::time::Duration) -> LogThrottle {
        LogThrottle {
            every_ms: every.as_millis() as i64,
            last_ms: std::sync::atomic::AtomicI64::new(i64::MIN),
            held_back: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// `Some(how many were held back since the last one)` when this one may be logged.
    pub fn allow(&self) -> Option<u64> {
        use std::sync::atomic::Ordering;
        let now = chrono::Utc::now().timestamp_millis();
        let last = self.last_ms.load(Ordering::SeqCst);
        if now.saturating_sub(last) >= self.every_ms
            && self
                .last_ms
                .compare_exchange(last, now, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
        {
            return Some(self.held_back.swap(0, Ordering::SeqCst));
        }
        self.held_back.fetch_add(1, Ordering::SeqCst);
        None
    }
}

#[cfg(test)]
mod throttle_tests {
    use super::LogThrottle;

    #[test]
    fn a_flood_of_warnings_logs_one_and_counts_the_rest() {
        let throttle = LogThrottle::new(std::time::Duration::from_secs(3600));
        assert_eq!(throttle.allow(), Some(0));
        for _ in 0..1000 {
            assert_eq!(throttle.allow(), None);
        }
    }
}

#[cfg(test)]
mod access_log_tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use axum::routing::get;
    use tower::ServiceExt;

    use super::*;

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
        let app = http_layers(Router::new().route("/api/session", get(|| async { "{}" })));
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
