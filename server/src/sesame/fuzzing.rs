//! Entry points for the fuzz targets in `fuzz/` and for `tests/fuzz_regressions.rs`.
//!
//! They run one input through the real parsers of CANDY HOUSE answers (no network), so a crash
//! found by the fuzzer is replayed by an ordinary `cargo test`.

use std::sync::OnceLock;

use serde_json::Value;

use super::error::DeviceError;
use super::http::Reply;
use super::settings::SesameSettings;
use super::{v3, webapi, SesameHub};
use crate::domain::{ApiKey, DeviceSecret};

/// Splits a fuzz input into the parts of an HTTP answer: `STATUS\nRETRY-AFTER\nBODY`
/// (the first two lines as text, the body as raw bytes). `None` when the status is not
/// an HTTP status code (100..=999, as reqwest would hand it over).
pub fn split_answer(data: &[u8]) -> Option<(u16, Option<String>, &[u8])> {
    let mut parts = data.splitn(3, |b| *b == b'\n');
    let status = std::str::from_utf8(parts.next()?)
        .ok()?
        .trim()
        .parse()
        .ok()?;
    if !(100..=999).contains(&status) {
        return None;
    }
    let retry_after = parts
        .next()
        .map(|h| String::from_utf8_lossy(h).into_owned())
        .filter(|h| !h.is_empty());
    Some((status, retry_after, parts.next().unwrap_or_default()))
}

fn hub() -> &'static (SesameHub, ApiKey) {
    static HUB: OnceLock<(SesameHub, ApiKey)> = OnceLock::new();
    HUB.get_or_init(|| {
        let key = ApiKey::parse("fuzz-api-key").expect("a valid key");
        (SesameHub::new(SesameSettings::default(), None), key)
    })
}

/// Everything the server does with an error once it has one: log, show, answer.
fn use_error(error: &DeviceError) {
    let _ = error.to_string();
    let _ = error.user_message();
    let _ = error.is_retryable();
    let _ = error.to_api_error();
}

/// One CANDY HOUSE answer (see [`split_answer`]) through every parser of both APIs: the
/// error shapes, the v3 status, device list and action result, the Web API status and
/// history, and the error mapping with its consequences (throttling the key).
pub fn sesame_answer(data: &[u8]) {
    let Some((status, retry_after, body)) = split_answer(data) else {
        return;
    };
    let reply = Reply::from_parts(status, retry_after.as_deref(), body);
    let _ = reply.is_success();
    let _ = reply.error_text();
    use_error(&reply.unexpected("a fuzzed call"));
    let (hub, key) = hub();

    // Legacy v3.
    let _ = hub.box_status_from_v3(v3::parse_status(&reply.json));
    for device in v3::parse_list(&reply.json) {
        let _ = device.device_id.eq_ignore_ascii_case("fuzz");
    }
    let _ = reply.json.get("task_id").and_then(Value::as_str);
    if let Err(e) = v3::terminated_outcome(&reply.json) {
        use_error(&e);
    }
    use_error(&hub.v3().fail(key, &reply));

    // Web API.
    if let Some(status) = webapi::parse_status(&reply.json) {
        let _ = hub.box_status_from_web(status);
    }
    if let Some(entries) = reply.json.as_array() {
        for entry in entries.iter().map(webapi::parse_history_entry) {
            let _ = entry.at.map(|t| t.to_rfc3339());
        }
    }
    use_error(&hub.webapi().fail(key, &reply));
}

/// The text a wearer pastes as the device secret (hex, or the key-sharing QR code).
pub fn device_secret(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(parsed) = DeviceSecret::parse(&text) {
        let _ = super::model_name(parsed.product_type);
        let _ = format!("{parsed:?}");
    }
    let _ = ApiKey::parse(&text).map(|k| k.fingerprint());
}
