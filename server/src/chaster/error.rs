//! What can go wrong when calling Chaster. `Clone` so that one failed upstream call can be
//! handed to every request that was waiting for it.

use std::time::Duration;

use crate::upstream::Failure;

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
    /// The answer is over the transport's body limit; it was not read.
    #[error("Chaster's answer is larger than {limit} bytes")]
    TooLarge { limit: usize },
}

impl From<Failure> for ChasterError {
    fn from(failure: Failure) -> Self {
        match failure {
            Failure::Timeout => ChasterError::Timeout,
            Failure::Unreachable(text) => ChasterError::Transport(text),
            Failure::Unreadable(text) => ChasterError::Decode(text),
            Failure::TooLarge { limit } => ChasterError::TooLarge { limit },
        }
    }
}
