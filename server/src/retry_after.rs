//! `Retry-After`, read the same way for every upstream (Chaster and both CANDY HOUSE APIs).
//!
//! Capped: an answer may name any number (`18446744073709551615` was seen by the fuzzer), and an
//! uncapped wait overflowed `Instant + wait` and `DateTime + wait` and panicked. No real back-off
//! we honour lasts longer than an hour; a longer one would also stall an opening.

use std::time::Duration;

/// The longest wait any upstream can impose on us through `Retry-After`.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

/// Seconds (the only form our upstreams send), capped at [`MAX_RETRY_AFTER`]; `None` when absent
/// or unreadable.
pub fn parse(value: Option<&str>) -> Option<Duration> {
    let secs = value?.trim().parse::<u64>().ok()?;
    Some(cap(Duration::from_secs(secs)))
}

/// The `Retry-After` header of an upstream answer: the one place it is read
/// (`upstream::Transport::send`, for Chaster, its sign-in and both CANDY HOUSE APIs).
pub fn from_headers(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    parse(
        headers
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok()),
    )
}

/// Caps a wait from any source at [`MAX_RETRY_AFTER`].
pub fn cap(wait: Duration) -> Duration {
    wait.min(MAX_RETRY_AFTER)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_number_is_capped_and_garbage_is_ignored() {
        assert_eq!(parse(Some("18446744073709551615")), Some(MAX_RETRY_AFTER));
        assert_eq!(parse(Some(" 7 ")), Some(Duration::from_secs(7)));
        assert_eq!(parse(Some("soon")), None);
        assert_eq!(parse(None), None);
    }
}
