//! The only code that calls Chaster: the Extensions API with our developer token and client id,
//! the Public API's profile with a user's token (`oauth.rs`), and the sign-in's token endpoint.
//! Every call goes through [`crate::upstream`]; every call to the API also through the one
//! request budget ([`RateLimiter`]), whose pause a 429 sets.

mod error;
mod limiter;
pub mod models;
pub mod oauth;
mod partner;

use std::sync::Arc;
use std::time::Duration;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use reqwest::RequestBuilder;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;

pub use error::ChasterError;
pub use limiter::{LimiterStats, Priority, RateLimiter};
pub use models::{
    CustomLog, ExtensionSession, LockAction, LogRole, SearchedSession, SessionAuth, SessionSearch,
    SessionSearchPage,
};
pub use oauth::{OAuthClient, OAuthError, Pkce, TokenSet};
pub use partner::{ActionLog, HygieneActor, LogPage, LogSearch, PartnerConfiguration};

use crate::configuration::ChasterSettings;
use crate::domain::{MainToken, SessionId};
use crate::upstream::{Answer, ErrorShape, Status, Transport, CHASTER_BODY_LIMIT};

const CLIENT_ID_HEADER: &str = "X-Chaster-Client-Id";

/// Everything but RFC 3986 unreserved characters is escaped in a path segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// An interactive call waits at most this long for a slot of the shared request budget.
const MAX_INTERACTIVE_WAIT: Duration = Duration::from_secs(2);
/// How long a 429 without a readable `Retry-After` pauses every call.
const DEFAULT_PAUSE: Duration = Duration::from_secs(10);

/// Cheap to clone: the reqwest client shares its connection pool, and every clone shares one
/// request budget ([`RateLimiter`]).
#[derive(Clone, Debug)]
pub struct ChasterClient {
    transport: Transport,
    base_url: String,
    developer_token: SecretString,
    client_id: String,
    limiter: Arc<RateLimiter>,
    priority: Priority,
    /// Background calls: the longest wait for the budget before the call fails as rate
    /// limited (`None`: wait).
    max_wait: Option<Duration>,
}

impl ChasterClient {
    pub fn new(settings: &ChasterSettings) -> anyhow::Result<ChasterClient> {
        Ok(ChasterClient {
            transport: Transport::new(settings.timeout, CHASTER_BODY_LIMIT)?,
            base_url: settings.base_url.trim_end_matches('/').to_owned(),
            developer_token: settings.developer_token.clone(),
            client_id: settings.client_id.clone(),
            limiter: Arc::new(RateLimiter::new(
                settings.max_requests_per_minute,
                MAX_INTERACTIVE_WAIT,
            )),
            priority: Priority::Interactive,
            max_wait: None,
        })
    }

    /// The same client for background work: it waits for budget left over by interactive calls.
    pub fn background(&self) -> ChasterClient {
        ChasterClient {
            priority: Priority::Background,
            ..self.clone()
        }
    }

    /// The same client for jobs: background priority, and a call that would wait longer than
    /// `max_wait` for the budget fails as rate limited, so the job runs again later instead of
    /// holding a worker.
    pub fn for_jobs(&self, max_wait: Duration) -> ChasterClient {
        ChasterClient {
            priority: Priority::Background,
            max_wait: Some(max_wait),
            ..self.clone()
        }
    }

    /// As [`for_jobs`](Self::for_jobs), for confirming openings: their own reserve of the budget.
    pub fn for_openings(&self, max_wait: Duration) -> ChasterClient {
        ChasterClient {
            priority: Priority::Opening,
            max_wait: Some(max_wait),
            ..self.clone()
        }
    }

    /// What the shared request budget granted so far.
    pub fn limiter_stats(&self) -> LimiterStats {
        self.limiter.stats()
    }

    /// `GET /api/extensions/auth/sessions/{mainToken}`: who is looking, at which session.
    pub async fn get_session_auth(&self, token: &MainToken) -> Result<SessionAuth, ChasterError> {
        let url = self.url(&["api", "extensions", "auth", "sessions", token.expose()]);
        let response = self.send("auth/sessions", self.transport.get(url)).await?;
        decode(&response)
    }

    /// `GET /api/extensions/sessions/{sessionId}`, unwrapped from `{session}`.
    pub async fn get_session(&self, id: &SessionId) -> Result<ExtensionSession, ChasterError> {
        let url = self.url(&["api", "extensions", "sessions", id.as_str()]);
        let response = self.send("sessions/get", self.transport.get(url)).await?;
        Ok(decode::<models::SessionEnvelope>(&response)?.session)
    }

    /// `POST /api/extensions/sessions/{sessionId}/logs/custom`.
    pub async fn post_custom_log(
        &self,
        id: &SessionId,
        log: &CustomLog,
    ) -> Result<(), ChasterError> {
        let url = self.url(&[
            "api",
            "extensions",
            "sessions",
            id.as_str(),
            "logs",
            "custom",
        ]);
        self.send("logs/custom", self.transport.post(url).json(log))
            .await?;
        Ok(())
    }

    /// `PATCH /api/extensions/sessions/{sessionId}` with `{metadata}`: Chaster replaces the whole
    /// field, so `metadata` must be the complete new value (read, modify, write).
    pub async fn patch_metadata(
        &self,
        id: &SessionId,
        metadata: &models::PartnerMetadata,
    ) -> Result<(), ChasterError> {
        let url = self.url(&["api", "extensions", "sessions", id.as_str()]);
        let body = serde_json::json!({ "metadata": metadata });
        self.send("sessions/patch", self.transport.patch(url).json(&body))
            .await?;
        Ok(())
    }

    /// `POST /api/extensions/sessions/search`: one page of our extension's sessions.
    pub async fn search_sessions(
        &self,
        query: &SessionSearch,
    ) -> Result<SessionSearchPage, ChasterError> {
        let url = self.url(&["api", "extensions", "sessions", "search"]);
        let response = self
            .send("sessions/search", self.transport.post(url).json(query))
            .await?;
        decode(&response)
    }

    /// `POST /api/extensions/sessions/{sessionId}/action`: add time, freeze, ….
    pub async fn do_action(&self, id: &SessionId, action: &LockAction) -> Result<(), ChasterError> {
        let url = self.url(&["api", "extensions", "sessions", id.as_str(), "action"]);
        let body = serde_json::json!({ "action": action });
        self.send("sessions/action", self.transport.post(url).json(&body))
            .await?;
        Ok(())
    }

    fn url(&self, segments: &[&str]) -> String {
        let mut url = self.base_url.clone();
        for segment in segments {
            url.push('/');
            url.extend(utf8_percent_encode(segment, SEGMENT));
        }
        url
    }

    /// Sends with our credentials (developer token, client id): see [`call`](Self::call).
    async fn send(
        &self,
        endpoint: &'static str,
        request: RequestBuilder,
    ) -> Result<Answer, ChasterError> {
        let request = request
            .bearer_auth(self.developer_token.expose_secret())
            .header(CLIENT_ID_HEADER, &self.client_id);
        self.call(endpoint, request).await
    }

    /// The one path of every call to Chaster's API, whoever's credentials it carries: a slot of
    /// the shared budget, the transport, every non-2xx answer as a `ChasterError`, and a 429
    /// pausing every caller. `endpoint` names the call in logs; URLs are never logged because
    /// they may hold a mainToken.
    async fn call(
        &self,
        endpoint: &'static str,
        request: RequestBuilder,
    ) -> Result<Answer, ChasterError> {
        self.limiter
            .acquire_within(self.priority, self.max_wait)
            .await?;
        let answer = match self.transport.send(request).await {
            Ok(answer) => answer,
            Err(failure) => {
                let error = ChasterError::from(failure);
                tracing::warn!(endpoint, %error, "Chaster call failed");
                return Err(error);
            }
        };
        if answer.is_success() {
            return Ok(answer);
        }
        let error = error_for(&answer);
        if let ChasterError::RateLimited { retry_after } = &error {
            // Already capped by the transport; the limiter caps a pause at one window too.
            self.limiter.pause(retry_after.unwrap_or(DEFAULT_PAUSE));
        }
        tracing::warn!(endpoint, status = answer.status_code(), %error, "Chaster refused a call");
        Err(error)
    }
}

/// What a non-2xx answer of Chaster's API means.
fn error_for(answer: &Answer) -> ChasterError {
    match answer.status() {
        Status::Unauthorized => ChasterError::Unauthorized,
        Status::NotFound => ChasterError::NotFound,
        Status::TooManyRequests { retry_after } => ChasterError::RateLimited { retry_after },
        Status::Forbidden | Status::OtherClientError(_) => ChasterError::Rejected {
            status: answer.status_code(),
            message: answer.error_text(ErrorShape::Nest).unwrap_or_default(),
        },
        Status::Success | Status::ServerError(_) => ChasterError::Upstream {
            status: answer.status_code(),
        },
    }
}

fn decode<T: DeserializeOwned>(answer: &Answer) -> Result<T, ChasterError> {
    answer.json().map_err(|e| {
        tracing::warn!(error = %e, "Chaster sent a body we cannot read");
        ChasterError::Decode(e.to_string())
    })
}

#[cfg(test)]
mod tests;
