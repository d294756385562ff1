//! A round-robin HTTP balancer for the webhook endpoint, as a load balancer without sticky
//! sessions would be: each request goes to the next instance, headers (Basic auth) and body kept.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;

struct Backends {
    addresses: Vec<String>,
    next: AtomicUsize,
    forwarded: Vec<AtomicUsize>,
    client: reqwest::Client,
}

pub struct Balancer {
    pub address: String,
    backends: Arc<Backends>,
}

impl Balancer {
    pub async fn spawn(addresses: Vec<String>) -> Balancer {
        let backends = Arc::new(Backends {
            forwarded: addresses.iter().map(|_| AtomicUsize::new(0)).collect(),
            addresses,
            next: AtomicUsize::new(0),
            client: reqwest::Client::new(),
        });
        let app = Router::new()
            .route("/webhooks/chaster", post(forward))
            .with_state(backends.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Balancer { address, backends }
    }

    /// Requests forwarded to each backend, in the order given to `spawn`.
    pub fn forwarded(&self) -> Vec<usize> {
        let counts = &self.backends.forwarded;
        counts.iter().map(|c| c.load(Ordering::SeqCst)).collect()
    }
}

async fn forward(
    State(b): State<Arc<Backends>>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, Bytes) {
    let i = b.next.fetch_add(1, Ordering::SeqCst) % b.addresses.len();
    b.forwarded[i].fetch_add(1, Ordering::SeqCst);
    let mut request = b
        .client
        .post(format!("{}/webhooks/chaster", b.addresses[i]))
        .body(body);
    for name in [
        reqwest::header::AUTHORIZATION,
        reqwest::header::CONTENT_TYPE,
    ] {
        if let Some(value) = headers.get(name.as_str()) {
            request = request.header(name, value.as_bytes());
        }
    }
    match request.send().await {
        Ok(r) => {
            let status =
                StatusCode::from_u16(r.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
            (status, r.bytes().await.unwrap_or_default())
        }
        Err(_) => (StatusCode::BAD_GATEWAY, Bytes::new()),
    }
}
