//! Sending a v3 command and waiting for its task: busy and 5xx retries, then `action-result`.

use std::time::Duration;

use serde_json::{json, Value};
use tokio::time::Instant;

use super::{encode, map_error, V3Client, V3Command};
use crate::domain::{ApiKey, DeviceId};
use crate::sesame::error::DeviceError;

impl V3Client {
    /// Sends a command and waits until its task terminated successfully. Busy devices and
    /// 5xx answers are retried a bounded number of times before the task exists.
    pub async fn command(
        &self,
        key: &ApiKey,
        device_id: &DeviceId,
        command: V3Command,
    ) -> Result<(), DeviceError> {
        let task_id = self.submit(key, device_id, command).await?;
        self.await_task(key, &task_id).await
    }

    async fn submit(
        &self,
        key: &ApiKey,
        device_id: &DeviceId,
        command: V3Command,
    ) -> Result<String, DeviceError> {
        let path = format!("/sesame/{}", encode(device_id.as_str()));
        let (mut busy, mut failures) = (0u32, 0u32);
        loop {
            let body = json!({ "command": command.as_str() });
            let reply = self
                .call(key, reqwest::Method::POST, &path, Some(body))
                .await?;
            let valid = |v: &Value| v.get("task_id").and_then(Value::as_str).is_some();
            match self.check(key, reply, "the command", valid) {
                Ok(json) => return Ok(json["task_id"].as_str().unwrap_or_default().to_owned()),
                Err(DeviceError::Busy { retry_after }) if busy < self.settings.busy_retries => {
                    busy += 1;
                    let wait = retry_after
                        .unwrap_or(Duration::from_secs(1))
                        .min(self.settings.busy_max_wait);
                    tracing::info!(
                        wait_ms = wait.as_millis() as u64,
                        "Sesame busy; waiting before retrying"
                    );
                    tokio::time::sleep(wait).await;
                }
                Err(DeviceError::Upstream {
                    status: Some(s), ..
                }) if s >= 500 && failures < self.settings.server_error_retries => {
                    failures += 1;
                    tokio::time::sleep(self.settings.retry_backoff * failures).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    async fn await_task(&self, key: &ApiKey, task_id: &str) -> Result<(), DeviceError> {
        let poll = &self.settings.poll;
        let deadline = Instant::now() + poll.deadline;
        tokio::time::sleep(poll.initial_wait).await;
        let path = format!("/action-result?task_id={}", encode(task_id));
        loop {
            match self.call(key, reqwest::Method::GET, &path, None).await {
                Ok(reply) if reply.status == 400 => {} // asked too early: not ready yet
                Ok(reply)
                    if reply.is_success()
                        && reply.json.get("status").and_then(Value::as_str)
                            == Some("terminated") =>
                {
                    return terminated_outcome(&reply.json);
                }
                Ok(reply)
                    if reply.is_success()
                        && reply.json.get("status").and_then(Value::as_str).is_some() => {}
                Ok(reply) => match self.check(key, reply, "the task result", |_| false) {
                    Err(DeviceError::Upstream { .. } | DeviceError::Timeout { .. }) => {}
                    Err(e) => return Err(e),
                    Ok(_) => unreachable!("a validator returning false never accepts"),
                },
                Err(DeviceError::Upstream { .. } | DeviceError::Timeout { .. }) => {}
                Err(e) => return Err(e),
            }
            if Instant::now() + poll.interval > deadline {
                return Err(DeviceError::Timeout {
                    detail: "the v3 task did not terminate before the deadline".into(),
                });
            }
            tokio::time::sleep(poll.interval).await;
        }
    }
}

/// The body of a terminated `GET /action-result` (pure: the fuzz targets in `fuzz/` drive it).
pub(crate) fn terminated_outcome(json: &Value) -> Result<(), DeviceError> {
    if json.get("successful").and_then(Value::as_bool) == Some(true) {
        return Ok(());
    }
    let reason = json
        .get("error")
        .and_then(Value::as_str)
        .unwrap_or("no reason given");
    Err(match map_error(Some(reason), 400) {
        DeviceError::Upstream { .. } | DeviceError::BadRequest { .. } => {
            DeviceError::CommandFailed {
                reason: reason.to_owned(),
            }
        }
        typed => typed,
    })
}
