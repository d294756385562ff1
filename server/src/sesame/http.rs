//! What both CANDY HOUSE clients share: sending one request and reading any answer safely.

use std::time::Duration;

use serde_json::Value;

use super::error::DeviceError;

/// An answer, read whole. `json` is `Null` when the body is not JSON.
#[derive(Debug)]
pub(crate) struct Reply {
    pub status: u16,
    pub json: Value,
    /// The start of the body, for logs (CANDY HOUSE bodies carry no credentials).
    pub excerpt: String,
    pub retry_after: Option<Duration>,
}

impl Reply {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The error text of any known error shape: `{error}`, `{errorMessage}` (AWS Lambda) or
    /// `{message}` (API Gateway), or a bare JSON string.
    pub fn error_text(&self) -> Option<&str> {
        match &self.json {
            Value::Object(map) => ["error", "errorMessage", "message"]
                .iter()
                .find_map(|k| map.get(*k).and_then(Value::as_str))
                .filter(|s| !s.trim().is_empty()),
            Value::String(s) => Some(s.as_str()),
            _ => None,
        }
    }

    pub fn unexpected(&self, what: &str) -> DeviceError {
        DeviceError::Upstream {
            status: Some(self.status),
            detail: format!("unexpected answer to {what}: {}", self.excerpt),
        }
    }
}

pub(crate) fn build_client(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(5)))
        .user_agent(concat!("sesame-opener/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("the HTTP client configuration is valid")
}

/// Sends the request and reads the whole answer; transport failures become typed errors.
pub(crate) async fn send(
    request: reqwest::RequestBuilder,
    what: &str,
) -> Result<Reply, DeviceError> {
    let response = request.send().await.map_err(|e| transport_error(e, what))?;
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bytes = response
        .bytes()
        .await
        .map_err(|e| transport_error(e, what))?;
    Ok(Reply::from_parts(status, retry_after.as_deref(), &bytes))
}

impl Reply {
    /// Reads an answer from its parts (pure, so the fuzz targets in `fuzz/` can drive it).
    pub(crate) fn from_parts(status: u16, retry_after: Option<&str>, bytes: &[u8]) -> Reply {
        // Capped in one place for every upstream (fuzz/regressions/sesame_answer).
        let retry_after = crate::retry_after::parse(retry_after);
        let json = serde_json::from_slice(bytes).unwrap_or(Value::Null);
        let excerpt: String = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).into_owned();
        Reply {
            status,
            json,
            excerpt,
            retry_after,
        }
    }
}

fn transport_error(e: reqwest::Error, what: &str) -> DeviceError {
    // reqwest's Display may contain the URL; ours carry only ids, never credentials.
    if e.is_timeout() {
        DeviceError::Timeout {
            detail: format!("{what}: no answer in time"),
        }
    } else {
        DeviceError::Upstream {
            status: None,
            detail: format!("{what}: {e}"),
        }
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
