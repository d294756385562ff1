//! What can go wrong when calling Chaster. `Clone` so that one failed upstream call can be
//! handed to every request that was waiting for it.

use std::time::Duration;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChasterError {
    /// 401: the mainToken expired, or our developer token is not accepted.
    #[error("Chaster answered 401 Unauthorized")]
    Unauthorized,
    /// 404: unknown token, session or resource.
    #[error("Chaster answered 404 Not Found")]
    NotFound,
    #[error("Chaster answered 429 Too Many Requests (retry after {retry_after:?})")]
    RateLimited { retry_after: Option<Duration> },
    /// Any other 4xx, with Chaster's message (e.g. "You cannot modify an unlocked lock.").
    #[error("Chaster refused the request with {status}: {message}")]
    Rejected { status: u16, message: String },
    /// 5xx or another unexpected status.
    #[error("Chaster answered {status}")]
    Upstream { status: u16 },
    #[error("Chaster did not answer in time")]
    Timeout,
    #[error("cannot reach Chaster: {0}")]
    Transport(String),
    #[error("cannot read Chaster's answer: {0}")]
    Decode(String),
}

impl ChasterError {
    /// From a reqwest failure, without the URL (it may contain a mainToken).
    pub(super) fn from_reqwest(e: reqwest::Error) -> ChasterError {
        if e.is_timeout() {
            ChasterError::Timeout
        } else if e.is_decode() {
            ChasterError::Decode(with_causes(e.without_url()))
        } else {
            ChasterError::Transport(with_causes(e.without_url()))
        }
    }
}

/// "error sending request: client error (Connect): tcp connect error: Connection refused".
fn with_causes(e: reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
