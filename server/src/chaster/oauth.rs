//! Chaster's OAuth2 sign-in (Keycloak at `sso.chaster.app`) for the keyholder dashboard, and the
//! Public API's `GET /auth/profile` with the signed-in user's access token.
//!
//! Tokens are `SecretString`s from the moment they are read; neither they nor the token
//! endpoint's bodies are ever logged. Both calls go through [`crate::upstream`] like every
//! other; the profile also through the request budget and its 429 pause (`ChasterClient::call`).

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::models::User;
use super::{decode, ChasterClient, ChasterError};
use crate::configuration::OAuthApp;
use crate::upstream::{ErrorShape, Status, Transport};

const AUTH_PATH: &str = "/auth/realms/app/protocol/openid-connect/auth";
const TOKEN_PATH: &str = "/auth/realms/app/protocol/openid-connect/token";
/// What the dashboard asks for: who the user is, and their keyholding.
pub const SCOPE: &str = "profile keyholder";

/// Tokens from the token endpoint.
#[derive(Debug)]
pub struct TokenSet {
    pub access_token: SecretString,
    pub refresh_token: SecretString,
    /// Seconds the access token lives.
    pub expires_in: Duration,
    /// Seconds the refresh token lives; `None` when Keycloak gives none (offline tokens).
    pub refresh_expires_in: Option<Duration>,
}

#[derive(Deserialize)]
struct TokenBody {
    access_token: String,
    refresh_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
    #[serde(default)]
    refresh_expires_in: Option<u64>,
}

#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    /// The code or refresh token is spent, expired or revoked: the user must sign in again.
    #[error("Chaster's sign-in no longer accepts the grant")]
    InvalidGrant,
    /// Our client is refused (wrong id or secret), or the request is malformed.
    #[error("Chaster's sign-in refused our request with {status}: {error}")]
    Refused { status: u16, error: String },
    #[error(transparent)]
    Unavailable(#[from] ChasterError),
}

/// The token endpoint of one OAuth2 client. Cheap to clone.
#[derive(Clone, Debug)]
pub struct OAuthClient {
    transport: Transport,
    app: OAuthApp,
}

impl ChasterClient {
    /// An OAuth2 client sharing this client's connection pool and timeouts.
    pub fn oauth(&self, app: OAuthApp) -> OAuthClient {
        OAuthClient {
            transport: self.transport.clone(),
            app,
        }
    }

    /// `GET /auth/profile` as the user of `access_token` (Public API): the same budget, 429
    /// pause and errors as every other Chaster call.
    pub async fn get_profile(&self, access_token: &SecretString) -> Result<User, ChasterError> {
        let url = self.url(&["auth", "profile"]);
        let request = self
            .transport
            .get(url)
            .bearer_auth(access_token.expose_secret());
        let answer = self.call("auth/profile", request).await?;
        decode(&answer)
    }
}

impl OAuthClient {
    /// Where the browser signs in; Chaster sends it back to the redirect URI with `code` and `state`.
    pub fn authorize_url(&self, state: &str) -> String {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("client_id", &self.app.client_id)
            .append_pair("redirect_uri", &self.app.redirect_uri)
            .append_pair("response_type", "code")
            .append_pair("scope", SCOPE)
            .append_pair("state", state)
            .finish();
        // Form encoding writes spaces as `+`; Keycloak's examples spell them %20, which every
        // server reads (a literal `+` would have been encoded as %2B).
        let query = query.replace('+', "%20");
        format!("{}{AUTH_PATH}?{query}", self.app.sso_base_url)
    }

    /// `grant_type=authorization_code`.
    pub async fn exchange_code(&self, code: &str) -> Result<TokenSet, OAuthError> {
        self.token(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", &self.app.redirect_uri),
        ])
        .await
    }

    /// `grant_type=refresh_token`. Keycloak rotates the refresh token: keep the new one.
    pub async fn refresh(&self, refresh_token: &SecretString) -> Result<TokenSet, OAuthError> {
        self.token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.expose_secret()),
        ])
        .await
    }

    async fn token(&self, fields: &[(&str, &str)]) -> Result<TokenSet, OAuthError> {
        let mut form: Vec<(&str, &str)> = vec![
            ("client_id", &self.app.client_id),
            ("client_secret", self.app.client_secret.expose_secret()),
        ];
        form.extend_from_slice(fields);
        let url = format!("{}{TOKEN_PATH}", self.app.sso_base_url);
        let answer = self
            .transport
            .send(self.transport.post(url).form(&form))
            .await
            .map_err(|failure| {
                let error = ChasterError::from(failure);
                tracing::warn!(%error, "Chaster's token endpoint failed");
                error
            })?;
        let status = answer.status_code();
        match answer.status() {
            Status::Success => {
                let body: TokenBody = decode(&answer)?;
                return Ok(TokenSet {
                    access_token: SecretString::from(body.access_token),
                    refresh_token: SecretString::from(body.refresh_token),
                    expires_in: Duration::from_secs(body.expires_in.unwrap_or(60)),
                    refresh_expires_in: body
                        .refresh_expires_in
                        .filter(|s| *s > 0)
                        .map(Duration::from_secs),
                });
            }
            Status::TooManyRequests { .. } | Status::ServerError(_) => {
                tracing::warn!(status, "Chaster's token endpoint failed");
                return Err(ChasterError::Upstream { status }.into());
            }
            _ => {}
        }
        let error = answer.error_text(ErrorShape::OAuth).unwrap_or_default();
        if error == "invalid_grant" {
            return Err(OAuthError::InvalidGrant);
        }
        tracing::warn!(status, %error, "Chaster's token endpoint refused us");
        Err(OAuthError::Refused { status, error })
    }
}
