//! The Web API (`https://app.candyhouse.co/api/sesame2/{uuid}`) for SESAME 3, 4 and 5.
//!
//! A 200 to a command only means the cloud accepted it: the hub may drop it silently, and a
//! wrong `sign` is not rejected either. The device layer re-reads the status to find out.

use std::sync::Arc;

use api_types::LatchState;
use base64::Engine;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::error::DeviceError;
use super::gate::KeyGate;
use super::http::{self, encode_segment, mentions_rate_limit, Reply};
use super::settings::SesameSettings;
use super::sign;
use crate::domain::{ApiKey, DeviceId, DeviceSecret};
use crate::upstream::Transport;

/// `GET /api/sesame2/{uuid}`, tolerant of missing and unknown fields.
#[derive(Clone, Debug, PartialEq)]
pub struct WebStatus {
    pub latch: LatchState,
    pub battery: Option<u8>,
    /// `wm2State`: false when the hub says it is offline. Absent → assumed online.
    pub hub_online: bool,
    /// When the shadow was last updated (seconds or milliseconds on the wire).
    pub updated_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WebCommand {
    Lock = 82,
    Unlock = 83,
}

/// One entry of `GET …/history`.
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryEntry {
    /// 16 webLock, 17 webUnLock, 7/8 manual, 14/15 wm2… (see the reference).
    pub kind: i64,
    pub at: Option<DateTime<Utc>>,
    /// The decoded `historyTag` ("who operated"), lossy UTF-8.
    pub tag: Option<String>,
    pub record_id: Option<i64>,
}

#[derive(Clone)]
pub struct WebApiClient {
    transport: Transport,
    base: String,
    settings: Arc<SesameSettings>,
    gate: Arc<KeyGate>,
}

/// Maps an error answer (any status, any of the known body shapes) to a typed error.
pub(crate) fn map_error(
    status: u16,
    text: Option<&str>,
    retry_after: std::time::Duration,
) -> DeviceError {
    let text_lc = text.unwrap_or_default().to_ascii_lowercase();
    // API Gateway's quota answer (by inference: its throttle says "Too Many Requests").
    if text_lc.contains("limit exceeded") {
        return DeviceError::QuotaExhausted {
            next_try: std::time::Duration::ZERO,
        };
    }
    if status == 429 || text.is_some_and(mentions_rate_limit) {
        return DeviceError::Throttled { retry_after };
    }
    let detail = text
        .unwrap_or_default()
        .chars()
        .take(120)
        .collect::<String>();
    match status {
        401 | 403 => DeviceError::BadCredentials {
            status: Some(status),
        },
        404 => DeviceError::NotFound,
        400 => DeviceError::BadRequest { detail },
        _ if text_lc.contains("forbidden") || text_lc.contains("unauthorized") => {
            DeviceError::BadCredentials {
                status: Some(status),
            }
        }
        _ if text_lc.contains("not found") => DeviceError::NotFound,
        _ => DeviceError::Upstream {
            status: Some(status),
            detail,
        },
    }
}

impl WebApiClient {
    pub(crate) fn new(
        settings: Arc<SesameSettings>,
        gate: Arc<KeyGate>,
        transport: Transport,
    ) -> Self {
        Self {
            transport,
            base: format!(
                "{}/api/sesame2",
                settings.webapi_base_url.trim_end_matches('/')
            ),
            settings,
            gate,
        }
    }

    async fn call(
        &self,
        key: &ApiKey,
        request: reqwest::RequestBuilder,
        what: &str,
    ) -> Result<Reply, DeviceError> {
        let admission = self.gate.admit(key).await?;
        let send = http::send(
            &self.transport,
            request.header("x-api-key", key.expose()),
            what,
        );
        let ((), reply) = tokio::join!(admission.count(), send);
        let reply = reply?;
        if reply.is_success() {
            self.gate.quota_available(key);
        }
        Ok(reply)
    }

    pub(crate) fn fail(&self, key: &ApiKey, reply: &Reply) -> DeviceError {
        // An error body may also carry its own status (`{"statusCode":500,"message":…}`).
        let status = match reply.json.get("statusCode").and_then(Value::as_u64) {
            Some(code) if reply.is_success() && !(200..300).contains(&code) => code as u16,
            _ => reply.status,
        };
        let wait = reply.retry_after.unwrap_or(self.settings.throttle_backoff);
        let text = reply.error_text();
        let error = match map_error(status, text.as_deref(), wait) {
            DeviceError::Upstream { .. } if text.is_none() => reply.unexpected("a Web API call"),
            other => other,
        };
        let error = match error {
            DeviceError::Throttled { retry_after } => {
                self.gate.throttle(key, retry_after);
                DeviceError::Throttled { retry_after }
            }
            DeviceError::QuotaExhausted { .. } => DeviceError::QuotaExhausted {
                next_try: self.gate.quota_exhausted(key),
            },
            other => other,
        };
        tracing::warn!(status = reply.status, error = %error, "Sesame Web API call failed");
        error
    }

    /// `GET /api/sesame2/{uuid}`.
    pub async fn status(&self, key: &ApiKey, uuid: &DeviceId) -> Result<WebStatus, DeviceError> {
        let request =
            self.transport
                .get(format!("{}/{}", self.base, encode_segment(uuid.as_str())));
        let reply = self.call(key, request, "status").await?;
        let status = Some(&reply.json)
            .filter(|_| reply.is_success())
            .and_then(parse_status);
        let Some(status) = status else {
            return Err(if reply.is_success() && reply.error_text().is_none() {
                reply.unexpected("the status")
            } else {
                self.fail(key, &reply)
            });
        };
        Ok(status)
    }

    /// `POST /api/sesame2/{uuid}/cmd` with a fresh sign. `Ok` means accepted, nothing more.
    /// 5xx answers are retried a bounded number of times: the command was not accepted then.
    /// `tag` is what the Sesame history shows as "who operated" (cut to 21 bytes).
    pub async fn command(
        &self,
        key: &ApiKey,
        uuid: &DeviceId,
        secret: &DeviceSecret,
        command: WebCommand,
        tag: &str,
    ) -> Result<(), DeviceError> {
        let url = format!("{}/{}/cmd", self.base, encode_segment(uuid.as_str()));
        let tag = base64::engine::general_purpose::STANDARD.encode(truncate_tag(tag));
        let mut failures = 0u32;
        loop {
            let body =
                json!({ "cmd": command as u8, "history": tag, "sign": sign::sign_now(secret) });
            let reply = self
                .call(key, self.transport.post(&url).json(&body), "command")
                .await?;
            let status_in_body = reply.json.get("statusCode").and_then(Value::as_u64);
            let accepted = reply.is_success()
                && status_in_body.is_none_or(|c| (200..300).contains(&c))
                && (reply.error_text().is_none() || status_in_body.is_some());
            if accepted {
                return Ok(());
            }
            match self.fail(key, &reply) {
                DeviceError::Upstream {
                    status: Some(s), ..
                } if s >= 500 && failures < self.settings.server_error_retries => {
                    failures += 1;
                    tokio::time::sleep(self.settings.retry_backoff * failures).await;
                }
                e => return Err(e),
            }
        }
    }

    /// `GET …/history?page=&lg=`: newest first, at most 50 per page.
    pub async fn history(
        &self,
        key: &ApiKey,
        uuid: &DeviceId,
        page: u32,
        count: u32,
    ) -> Result<Vec<HistoryEntry>, DeviceError> {
        let url = format!("{}/{}/history", self.base, encode_segment(uuid.as_str()));
        let request = self
            .transport
            .get(url)
            .query(&[("page", page), ("lg", count.min(50))]);
        let reply = self.call(key, request, "history").await?;
        let Some(entries) = reply.json.as_array().filter(|_| reply.is_success()) else {
            return Err(if reply.is_success() && reply.error_text().is_none() {
                reply.unexpected("the history")
            } else {
                self.fail(key, &reply)
            });
        };
        Ok(entries.iter().map(parse_history_entry).collect())
    }
}

/// The body of `GET /api/sesame2/{uuid}`; `None` without a `CHSesame2Status` text.
/// Pure, so the fuzz targets in `fuzz/` can drive it.
pub(crate) fn parse_status(json: &Value) -> Option<WebStatus> {
    let state = json.get("CHSesame2Status").and_then(Value::as_str)?;
    Some(WebStatus {
        latch: match state {
            "locked" => LatchState::Locked,
            "unlocked" => LatchState::Unlocked,
            // Not motion: the position is in neither range (SDK `isInLockRange ? … : .moved`).
            "moved" => LatchState::Jammed,
            _ => LatchState::Unknown,
        },
        battery: json
            .get("batteryPercentage")
            .and_then(Value::as_f64)
            .map(|b| b.clamp(0.0, 100.0) as u8),
        hub_online: json
            .get("wm2State")
            .and_then(Value::as_bool)
            .unwrap_or(true),
        updated_at: json.get("timestamp").and_then(http::epoch_to_utc),
    })
}

/// One entry of the history body (pure: the fuzz targets in `fuzz/` drive it).
pub(crate) fn parse_history_entry(v: &Value) -> HistoryEntry {
    let tag = v
        .get("historyTag")
        .and_then(Value::as_str)
        .and_then(|t| base64::engine::general_purpose::STANDARD.decode(t).ok())
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned());
    HistoryEntry {
        kind: v.get("type").and_then(Value::as_i64).unwrap_or(0),
        at: v.get("timeStamp").and_then(http::epoch_to_utc),
        tag,
        record_id: v.get("recordID").and_then(Value::as_i64),
    }
}

/// The history tag holds at most 21 bytes; cut on a character boundary.
fn truncate_tag(tag: &str) -> &str {
    let mut end = tag.len().min(21);
    while !tag.is_char_boundary(end) {
        end -= 1;
    }
    &tag[..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn error_answers_map_to_typed_errors() {
        let wait = Duration::from_secs(60);
        assert!(matches!(
            map_error(429, Some("Too Many Requests"), wait),
            DeviceError::Throttled { .. }
        ));
        assert!(matches!(
            map_error(429, Some("Limit Exceeded"), wait),
            DeviceError::QuotaExhausted { .. }
        ));
        assert!(matches!(
            map_error(200, Some("Limit Exceeded"), wait),
            DeviceError::QuotaExhausted { .. }
        ));
        assert!(matches!(
            map_error(401, None, wait),
            DeviceError::BadCredentials { .. }
        ));
        assert!(matches!(
            map_error(403, Some("Forbidden"), wait),
            DeviceError::BadCredentials { .. }
        ));
        assert!(matches!(map_error(404, None, wait), DeviceError::NotFound));
        assert!(matches!(
            map_error(502, Some("Bad Gateway"), wait),
            DeviceError::Upstream {
                status: Some(502),
                ..
            }
        ));
        assert!(matches!(
            map_error(500, Some("Internal server error"), wait),
            DeviceError::Upstream { .. }
        ));
    }

    #[test]
    fn history_entries_decode_their_tag_and_either_time_unit() {
        let e = parse_history_entry(
            &json!({"type":16,"timeStamp":1597492862000u64,"historyTag":"dGVzdDI=","recordID":5,"extra":1}),
        );
        assert_eq!(e.kind, 16);
        assert_eq!(e.tag.as_deref(), Some("test2"));
        assert_eq!(e.at.unwrap().timestamp(), 1597492862);
    }

    #[test]
    fn the_history_tag_is_cut_to_21_bytes() {
        assert_eq!(truncate_tag("Chaster"), "Chaster");
        assert_eq!(truncate_tag("ééééééééééé").len(), 20);
    }
}
