//! The legacy v3 API (`https://api.candyhouse.co/public`) for the original Sesame.
//!
//! Commands are asynchronous: `POST /sesame/{id}` returns a `task_id`, and `GET /action-result`
//! says when the task terminated and whether it succeeded.

use std::sync::Arc;

use serde_json::Value;

use super::error::DeviceError;
use super::gate::KeyGate;
use super::http::{self, encode_segment as encode, Reply};
use super::settings::SesameSettings;
use crate::domain::{ApiKey, DeviceId};
use crate::upstream::Transport;

/// `GET /sesame/{device_id}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct V3Status {
    pub locked: bool,
    pub battery: Option<u8>,
    pub responsive: bool,
}

/// One entry of `GET /sesames`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct V3Device {
    pub device_id: String,
    pub serial: String,
    pub nickname: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum V3Command {
    Lock,
    Unlock,
    /// Forces the server to refresh the status (costs the Sesame battery).
    Sync,
}

impl V3Command {
    fn as_str(self) -> &'static str {
        match self {
            Self::Lock => "lock",
            Self::Unlock => "unlock",
            Self::Sync => "sync",
        }
    }
}

#[derive(Clone)]
pub struct V3Client {
    transport: Transport,
    base: String,
    settings: Arc<SesameSettings>,
    gate: Arc<KeyGate>,
}

mod codes;
mod command;

pub(crate) use codes::map_error;
pub(crate) use command::terminated_outcome;

impl V3Client {
    pub(crate) fn new(
        settings: Arc<SesameSettings>,
        gate: Arc<KeyGate>,
        transport: Transport,
    ) -> Self {
        Self {
            transport,
            base: settings.v3_base_url.trim_end_matches('/').to_owned(),
            settings,
            gate,
        }
    }

    /// One request, admitted by the key gate. Documented errors, including a Lambda error
    /// object under HTTP 200, become typed errors; bans and throttling are recorded.
    async fn call(
        &self,
        key: &ApiKey,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Reply, DeviceError> {
        let admission = self.gate.admit(key).await?;
        let mut request = self
            .transport
            .request(method, format!("{}{path}", self.base))
            .header(reqwest::header::AUTHORIZATION, key.expose());
        if let Some(body) = body {
            request = request.json(&body);
        }
        let send = http::send(
            &self.transport,
            request,
            path.split('?').next().unwrap_or(path),
        );
        let ((), reply) = tokio::join!(admission.count(), send);
        let reply = reply?;
        Ok(reply)
    }

    /// Turns an error answer into a typed error, applying the key-wide consequences.
    pub(crate) fn fail(&self, key: &ApiKey, reply: &Reply) -> DeviceError {
        let text = reply.error_text();
        let error = match map_error(text.as_deref(), reply.status) {
            DeviceError::Banned { .. } => DeviceError::Banned {
                remaining: self.gate.ban(key),
            },
            DeviceError::Throttled { .. } => {
                let wait = reply.retry_after.unwrap_or(self.settings.throttle_backoff);
                self.gate.throttle(key, wait);
                DeviceError::Throttled { retry_after: wait }
            }
            DeviceError::Upstream { .. } if text.is_none() => reply.unexpected("a v3 call"),
            other => other,
        };
        tracing::warn!(status = reply.status, error = %error, "Sesame v3 call failed");
        error
    }

    /// A reply that is an error in any shape (non-2xx, or a 2xx carrying an error object).
    fn check(
        &self,
        key: &ApiKey,
        reply: Reply,
        what: &str,
        valid: impl Fn(&Value) -> bool,
    ) -> Result<Value, DeviceError> {
        if reply.is_success() && valid(&reply.json) {
            return Ok(reply.json);
        }
        if reply.is_success() && reply.error_text().is_none() {
            return Err(reply.unexpected(what));
        }
        Err(self.fail(key, &reply))
    }

    /// A GET whose answer must pass `valid`; `INTERNAL_ERROR` (temporary, says the doc) and
    /// other 5xx answers are retried a bounded number of times.
    async fn get_json(
        &self,
        key: &ApiKey,
        path: &str,
        what: &str,
        valid: impl Fn(&Value) -> bool,
    ) -> Result<Value, DeviceError> {
        let mut failures = 0u32;
        loop {
            let reply = self.call(key, reqwest::Method::GET, path, None).await?;
            match self.check(key, reply, what, &valid) {
                Err(DeviceError::Upstream {
                    status: Some(s), ..
                }) if s >= 500 && failures < self.settings.server_error_retries => {
                    failures += 1;
                    tokio::time::sleep(self.settings.retry_backoff * failures).await;
                }
                result => return result,
            }
        }
    }

    /// `GET /sesames`: the Sesames owned by the key's account.
    pub async fn list(&self, key: &ApiKey) -> Result<Vec<V3Device>, DeviceError> {
        let json = self
            .get_json(key, "/sesames", "the device list", Value::is_array)
            .await?;
        Ok(parse_list(&json))
    }

    /// `GET /sesame/{device_id}`.
    pub async fn status(
        &self,
        key: &ApiKey,
        device_id: &DeviceId,
    ) -> Result<V3Status, DeviceError> {
        let path = format!("/sesame/{}", encode(device_id.as_str()));
        let valid = |v: &Value| v.get("locked").is_some_and(Value::is_boolean);
        let json = self.get_json(key, &path, "the status", valid).await?;
        Ok(parse_status(&json))
    }
}

/// The body of `GET /sesames` (pure: the fuzz targets in `fuzz/` drive it).
pub(crate) fn parse_list(json: &Value) -> Vec<V3Device> {
    let text = |v: &Value, k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    json.as_array()
        .into_iter()
        .flatten()
        .filter(|d| d.get("device_id").and_then(Value::as_str).is_some())
        .map(|d| V3Device {
            device_id: text(d, "device_id"),
            serial: text(d, "serial"),
            nickname: text(d, "nickname"),
        })
        .collect()
}

/// The body of `GET /sesame/{device_id}` (pure: the fuzz targets in `fuzz/` drive it).
pub(crate) fn parse_status(json: &Value) -> V3Status {
    V3Status {
        locked: json["locked"].as_bool().unwrap_or_default(),
        battery: json
            .get("battery")
            .and_then(Value::as_u64)
            .map(|b| b.min(100) as u8),
        responsive: json
            .get("responsive")
            .and_then(Value::as_bool)
            .unwrap_or(true),
    }
}
