//! The one HTTP transport of every upstream call: Chaster's Extensions and Public APIs, its
//! sign-in (OAuth2 token endpoint), and both CANDY HOUSE APIs.
//!
//! [`Transport::send`] sends a request and turns what comes back into an [`Answer`] (status,
//! the capped `Retry-After`, the body read whole but never past the upstream's size limit) or
//! a [`Failure`] (no answer in time, no connection, a body over the limit). An answer is read
//! the same way for every upstream: its [`Status`] class, and the error text of each API's body
//! shape ([`ErrorShape`]). What a status *means* is the API's own: a 403 is a ban at CANDY
//! HOUSE v3 and bad credentials at its Web API, so `chaster/` and `sesame/` map an answer to
//! their typed error (`ChasterError`, `DeviceError`) through `From<Failure>` and their mapping.
//!
//! URLs are never part of an error: a Chaster URL may carry a mainToken.

mod shapes;

use std::time::Duration;

use reqwest::{Method, RequestBuilder, Response};

pub use shapes::ErrorShape;

/// Chaster: a search page of 50 sessions of ~20 KB each (they grow) is ~1 MB.
pub const CHASTER_BODY_LIMIT: usize = 4 * 1024 * 1024;
/// CANDY HOUSE: a status is under 1 KB, a history page of 50 entries a few KB.
pub const SESAME_BODY_LIMIT: usize = 1024 * 1024;

/// An upstream's HTTP client: timeouts, user agent, body limit. Cheap to clone (one pool).
#[derive(Clone, Debug)]
pub struct Transport {
    http: reqwest::Client,
    body_limit: usize,
}

/// Why no answer could be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Failure {
    #[error("no answer in time")]
    Timeout,
    /// Connecting or sending failed (the text has the causes, never the URL).
    #[error("cannot reach it: {0}")]
    Unreachable(String),
    /// The body could not be read (a broken encoding, a cut connection).
    #[error("cannot read its answer: {0}")]
    Unreadable(String),
    /// The body (or its declared length) is over the upstream's limit: not read further.
    #[error("its answer is larger than {limit} bytes")]
    TooLarge { limit: usize },
}

/// The class of an answer's status, the same for every upstream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Success,
    Unauthorized,
    Forbidden,
    NotFound,
    /// 429, with the capped `Retry-After` when one was readable.
    TooManyRequests {
        retry_after: Option<Duration>,
    },
    /// Any other 4xx.
    OtherClientError(u16),
    /// 5xx, or a status no upstream documents (1xx, 3xx).
    ServerError(u16),
}

/// An answer, read whole (within the limit).
#[derive(Clone, Debug)]
pub struct Answer {
    status: u16,
    retry_after: Option<Duration>,
    body: Vec<u8>,
}

impl Transport {
    /// `timeout` bounds every call, body included; connecting takes at most 5 s of it.
    pub fn new(timeout: Duration, body_limit: usize) -> reqwest::Result<Transport> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .user_agent(concat!("sesame-opener/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Transport { http, body_limit })
    }

    pub fn request(&self, method: Method, url: impl reqwest::IntoUrl) -> RequestBuilder {
        self.http.request(method, url)
    }

    pub fn get(&self, url: impl reqwest::IntoUrl) -> RequestBuilder {
        self.http.get(url)
    }

    pub fn post(&self, url: impl reqwest::IntoUrl) -> RequestBuilder {
        self.http.post(url)
    }

    pub fn put(&self, url: impl reqwest::IntoUrl) -> RequestBuilder {
        self.http.put(url)
    }

    pub fn patch(&self, url: impl reqwest::IntoUrl) -> RequestBuilder {
        self.http.patch(url)
    }

    /// Sends the request and reads the answer, whatever its status.
    pub async fn send(&self, request: RequestBuilder) -> Result<Answer, Failure> {
        let response = request.send().await.map_err(failure)?;
        let status = response.status().as_u16();
        let retry_after = crate::retry_after::from_headers(response.headers());
        let body = read_limited(response, self.body_limit).await?;
        Ok(Answer {
            status,
            retry_after,
            body,
        })
    }
}

/// The body, chunk by chunk, refused as soon as it passes `limit` (a declared length first).
async fn read_limited(mut response: Response, limit: usize) -> Result<Vec<u8>, Failure> {
    if response.content_length().is_some_and(|n| n > limit as u64) {
        return Err(Failure::TooLarge { limit });
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(failure)? {
        if body.len() + chunk.len() > limit {
            return Err(Failure::TooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn failure(e: reqwest::Error) -> Failure {
    if e.is_timeout() {
        Failure::Timeout
    } else if e.is_decode() || e.is_body() {
        Failure::Unreadable(with_causes(e.without_url()))
    } else {
        Failure::Unreachable(with_causes(e.without_url()))
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

impl Answer {
    /// An answer from its parts, `Retry-After` read as from a header (pure: the fuzz targets in
    /// `fuzz/` drive it).
    pub fn from_parts(status: u16, retry_after: Option<&str>, body: &[u8]) -> Answer {
        Answer {
            status,
            retry_after: crate::retry_after::parse(retry_after),
            body: body.to_vec(),
        }
    }

    pub fn status_code(&self) -> u16 {
        self.status
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The capped `Retry-After` ([`crate::retry_after`]), whatever the status.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }

    pub fn status(&self) -> Status {
        match self.status {
            200..=299 => Status::Success,
            401 => Status::Unauthorized,
            403 => Status::Forbidden,
            404 => Status::NotFound,
            429 => Status::TooManyRequests {
                retry_after: self.retry_after,
            },
            s @ 400..=499 => Status::OtherClientError(s),
            s => Status::ServerError(s),
        }
    }

    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The body as `T`.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(&self.body)
    }

    /// The body as any JSON value; `Null` when it is not JSON.
    pub fn value(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }

    /// The start of the body, for logs of upstreams whose bodies carry no secret (CANDY HOUSE).
    pub fn excerpt(&self) -> String {
        String::from_utf8_lossy(&self.body[..self.body.len().min(200)]).into_owned()
    }

    /// The upstream's own error text, read in its API's body shape.
    pub fn error_text(&self, shape: ErrorShape) -> Option<String> {
        shape.text(&self.value())
    }
}

#[cfg(test)]
mod tests;
