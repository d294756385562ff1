//! The only code that calls Chaster: the Extensions API with our developer token and client id.

mod error;
mod limiter;
pub mod models;
pub mod oauth;
mod partner;

use std::sync::Arc;
use std::time::Duration;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use reqwest::header::RETRY_AFTER;
use reqwest::{RequestBuilder, Response, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;

pub use error::ChasterError;
pub use limiter::{LimiterStats, Priority, RateLimiter};
pub use models::{
    CustomLog, ExtensionSession, LockAction, LogRole, SearchedSession, SessionAuth, SessionSearch,
    SessionSearchPage,
};
pub use oauth::{OAuthClient, OAuthError, TokenSet};
pub use partner::{ActionLog, HygieneActor, LogPage, LogSearch, PartnerConfiguration};

use crate::configuration::ChasterSettings;
use crate::domain::{MainToken, SessionId};

const CLIENT_ID_HEADER: &str = "X-Chaster-Client-Id";

/// Everything but RFC 3986 unreserved characters is escaped in a path segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// An interactive call waits at most this long for a slot of the shared request budget.
const MAX_INTERACTIVE_WAIT: Duration = Duration::from_secs(2);

/// Cheap to clone: the reqwest client shares its connection pool, and every clone shares one
/// request budget ([`RateLimiter`]).
#[derive(Clone, Debug)]
pub struct ChasterClient {
    http: reqwest::Client,
    base_url: String,
    developer_token: SecretString,
    client_id: String,
    limiter: Arc<RateLimiter>,
    priority: Priority,
}

impl ChasterClient {
    pub fn new(settings: &ChasterSettings) -> anyhow::Result<ChasterClient> {
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout.min(Duration::from_secs(5)))
            .user_agent(concat!("sesame-opener/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(ChasterClient {
            http,
            base_url: settings.base_url.trim_end_matches('/').to_owned(),
            developer_token: settings.developer_token.clone(),
            client_id: settings.client_id.clone(),
            limiter: Arc::new(RateLimiter::new(
                settings.max_requests_per_minute,
                MAX_INTERACTIVE_WAIT,
            )),
            priority: Priority::Interactive,
        })
    }

    /// The same client for background work: it waits for budget left over by interactive calls.
    pub fn background(&self) -> ChasterClient {
        ChasterClient {
            priority: Priority::Background,
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
        let response = self.send("auth/sessions", self.http.get(url)).await?;
        decode(response).await
    }

    /// `GET /api/extensions/sessions/{sessionId}`, unwrapped from `{session}`.
    pub async fn get_session(&self, id: &SessionId) -> Result<ExtensionSession, ChasterError> {
        let url = self.url(&["api", "extensions", "sessions", id.as_str()]);
        let response = self.send("sessions/get", self.http.get(url)).await?;
        Ok(decode::<models::SessionEnvelope>(response).await?.session)
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
        self.send("logs/custom", self.http.post(url).json(log))
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
        self.send("sessions/patch", self.http.patch(url).json(&body))
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
            .send("sessions/search", self.http.post(url).json(query))
            .await?;
        decode(response).await
    }

    /// `POST /api/extensions/sessions/{sessionId}/action`: add time, freeze, ….
    pub async fn do_action(&self, id: &SessionId, action: &LockAction) -> Result<(), ChasterError> {
        let url = self.url(&["api", "extensions", "sessions", id.as_str(), "action"]);
        let body = serde_json::json!({ "action": action });
        self.send("sessions/action", self.http.post(url).json(&body))
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

    /// Sends with our credentials and turns every non-2xx answer into a `ChasterError`.
    /// `endpoint` names the call in logs; URLs are never logged because they may hold a mainToken.
    async fn send(
        &self,
        endpoint: &'static str,
        request: RequestBuilder,
    ) -> Result<Response, ChasterError> {
        self.limiter.acquire(self.priority).await?;
        let result = request
            .bearer_auth(self.developer_token.expose_secret())
            .header(CLIENT_ID_HEADER, &self.client_id)
            .send()
            .await;
        let response = match result {
            Ok(r) => r,
            Err(e) => {
                let error = ChasterError::from_reqwest(e);
                tracing::warn!(endpoint, %error, "Chaster call failed");
                return Err(error);
            }
        };
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let error = error_for(status, response).await;
        if let ChasterError::RateLimited { retry_after } = &error {
            self.limiter.pause(crate::retry_after::cap(
                retry_after.unwrap_or(Duration::from_secs(10)),
            ));
        }
        tracing::warn!(endpoint, status = status.as_u16(), %error, "Chaster refused a call");
        Err(error)
    }
}

async fn error_for(status: StatusCode, response: Response) -> ChasterError {
    match status {
        StatusCode::UNAUTHORIZED => ChasterError::Unauthorized,
        StatusCode::NOT_FOUND => ChasterError::NotFound,
        StatusCode::TOO_MANY_REQUESTS => ChasterError::RateLimited {
            retry_after: crate::retry_after::parse(
                response
                    .headers()
                    .get(RETRY_AFTER)
                    .and_then(|v| v.to_str().ok()),
            ),
        },
        s if s.is_client_error() => ChasterError::Rejected {
            status: s.as_u16(),
            message: nest_message(response).await,
        },
        s => ChasterError::Upstream { status: s.as_u16() },
    }
}

/// Chaster's own message from a NestJS error body, joined if it is a list.
async fn nest_message(response: Response) -> String {
    let body: Option<models::NestError> = response.json().await.ok();
    match body.map(|b| b.message) {
        Some(serde_json::Value::String(s)) => s,
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .filter_map(|i| i.as_str())
            .collect::<Vec<_>>()
            .join("; "),
        _ => String::new(),
    }
}

async fn decode<T: DeserializeOwned>(response: Response) -> Result<T, ChasterError> {
    let bytes = response.bytes().await.map_err(ChasterError::from_reqwest)?;
    serde_json::from_slice(&bytes).map_err(|e| {
        tracing::warn!(error = %e, "Chaster sent a body we cannot read");
        ChasterError::Decode(e.to_string())
    })
}
