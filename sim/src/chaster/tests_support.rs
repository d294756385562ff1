//! Helpers for the simulator's own tests: HTTP calls with the developer token, and a webhook
//! receiver that records what it gets and answers from a script.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::Value;

use super::{ChasterSim, DEV_TOKEN};

pub async fn api_post(sim: &ChasterSim, path: &str, body: Value) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(format!("{}{path}", sim.base_url()))
        .bearer_auth(DEV_TOKEN)
        .json(&body)
        .send()
        .await
        .expect("simulator reachable");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

pub async fn api_get(sim: &ChasterSim, path: &str) -> (u16, Value) {
    let r = reqwest::Client::new()
        .get(format!("{}{path}", sim.base_url()))
        .bearer_auth(DEV_TOKEN)
        .send()
        .await
        .expect("simulator reachable");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

pub async fn api_put(sim: &ChasterSim, path: &str, body: Value) -> (u16, Value) {
    let r = reqwest::Client::new()
        .put(format!("{}{path}", sim.base_url()))
        .bearer_auth(DEV_TOKEN)
        .json(&body)
        .send()
        .await
        .expect("simulator reachable");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// One request the receiver got.
#[derive(Clone, Debug)]
pub struct Received {
    pub authorization: Option<String>,
    pub body: Value,
}

/// How the receiver answers the next request: a status, or a status after a pause.
#[derive(Clone, Copy, Debug)]
pub enum Reply {
    Status(u16),
    SlowStatus(Duration, u16),
}

#[derive(Default)]
struct ReceiverState {
    script: VecDeque<Reply>,
    received: Vec<Received>,
}

/// A webhook endpoint on loopback; answers 200 once its script is used up.
pub struct Receiver {
    pub addr: SocketAddr,
    state: Arc<Mutex<ReceiverState>>,
}

impl Receiver {
    pub async fn spawn(script: &[Reply]) -> Receiver {
        let state = Arc::new(Mutex::new(ReceiverState {
            script: script.iter().copied().collect(),
            received: Vec::new(),
        }));
        let app = Router::new()
            .route("/webhooks/chaster", post(receive))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Receiver { addr, state }
    }

    pub fn url(&self) -> String {
        format!("http://{}/webhooks/chaster", self.addr)
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.lock().unwrap().received.clone()
    }
}

async fn receive(
    State(state): State<Arc<Mutex<ReceiverState>>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> StatusCode {
    let reply = {
        let mut s = state.lock().unwrap();
        let authorization = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        s.received.push(Received {
            authorization,
            body,
        });
        s.script.pop_front().unwrap_or(Reply::Status(200))
    };
    let code = match reply {
        Reply::Status(code) => code,
        Reply::SlowStatus(pause, code) => {
            tokio::time::sleep(pause).await;
            code
        }
    };
    StatusCode::from_u16(code).unwrap()
}
