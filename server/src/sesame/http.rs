//! What both CANDY HOUSE clients share: one request through the hub's transport, and any
//! answer read into a [`Reply`].

use std::time::Duration;

use serde_json::Value;

use super::error::DeviceError;
use crate::upstream::{Answer, ErrorShape, Failure, Transport};

/// An answer, read whole. `json` is `Null` when the body is not JSON.
#[derive(Debug)]
pub(crate) struct Reply {
    pub status: u16,
    pub json: Value,
    /// The start of the body, for logs (CANDY HOUSE bodies carry no credentials).
    pub excerpt: String,
    /// Capped by the transport ([`crate::retry_after`]).
    pub retry_after: Option<Duration>,
}

impl Reply {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The error text of any CANDY HOUSE error shape ([`ErrorShape::CandyHouse`]).
    pub fn error_text(&self) -> Option<String> {
        ErrorShape::CandyHouse.text(&self.json)
    }

    pub fn unexpected(&self, what: &str) -> DeviceError {
        DeviceError::Upstream {
            status: Some(self.status),
            detail: format!("unexpected answer to {what}: {}", self.excerpt),
        }
    }

    pub(crate) fn from_answer(answer: &Answer) -> Reply {
        Reply {
            status: answer.status_code(),
            json: answer.value(),
            excerpt: answer.excerpt(),
            retry_after: answer.retry_after(),
        }
    }

    /// Reads an answer from its parts (pure, so the fuzz targets in `fuzz/` can drive it).
    pub(crate) fn from_parts(status: u16, retry_after: Option<&str>, bytes: &[u8]) -> Reply {
        Reply::from_answer(&Answer::from_parts(status, retry_after, bytes))
    }
}

/// Sends the request through the transport; a failure to get an answer is a typed error.
pub(crate) async fn send(
    transport: &Transport,
    request: reqwest::RequestBuilder,
    what: &str,
) -> Result<Reply, DeviceError> {
    match transport.send(request).await {
        Ok(answer) => Ok(Reply::from_answer(&answer)),
        Err(failure) => Err(device_error(failure, what)),
    }
}

fn device_error(failure: Failure, what: &str) -> DeviceError {
    match failure {
        Failure::Timeout => DeviceError::Timeout {
            detail: format!("{what}: no answer in time"),
        },
        Failure::TooLarge { limit } => DeviceError::TooLarge { limit },
        Failure::Unreachable(text) | Failure::Unreadable(text) => DeviceError::Upstream {
            status: None,
            detail: format!("{what}: {text}"),
        },
    }
}

const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes one path segment or query value (device ids are user input).
pub(crate) fn encode_segment(segment: &str) -> String {
    percent_encoding::utf8_percent_encode(segment, SEGMENT).to_string()
}

/// True for API Gateway / CANDY HOUSE wordings of a rate limit.
pub(crate) fn mentions_rate_limit(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    t.contains("too many requests") || t.contains("limit exceeded") || t.contains("throttl")
}

/// Seconds or milliseconds since the epoch (CANDY HOUSE documents ms and sends s).
pub(crate) fn epoch_to_utc(value: &Value) -> Option<chrono::DateTime<chrono::Utc>> {
    let n = value.as_f64()?;
    if !n.is_finite() || n <= 0.0 {
        return None;
    }
    let millis = if n > 1e11 { n } else { n * 1000.0 };
    chrono::DateTime::from_timestamp_millis(millis as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_in_seconds_and_milliseconds_give_the_same_instant() {
        let s = epoch_to_utc(&serde_json::json!(1598523693)).unwrap();
        let ms = epoch_to_utc(&serde_json::json!(1598523693000u64)).unwrap();
        let float = epoch_to_utc(&serde_json::json!(1598523693.0)).unwrap();
        assert_eq!(s, ms);
        assert_eq!(s, float);
        assert!(epoch_to_utc(&serde_json::json!("x")).is_none());
    }

    #[test]
    fn ids_are_percent_encoded_but_keep_dashes() {
        assert_eq!(encode_segment("ab-12/c?d"), "ab-12%2Fc%3Fd");
    }

    #[test]
    fn rate_limit_wordings_are_recognised() {
        assert!(mentions_rate_limit("Too Many Requests"));
        assert!(mentions_rate_limit("Limit Exceeded"));
        assert!(mentions_rate_limit("THROTTLED"));
        assert!(!mentions_rate_limit("Forbidden"));
    }
}
