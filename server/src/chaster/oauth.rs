//! Chaster's OAuth2 sign-in (Keycloak at `sso.chaster.app`) for the keyholder dashboard, and the
//! Public API's `GET /auth/profile` with the signed-in user's access token.
//!
//! The dashboard asks for `profile` only, with PKCE (S256), reads the profile once and keeps no
//! Chaster token: Chaster's refresh tokens live 30 minutes, so a sign-in built on them would end
//! after half an hour idle, and a token we do not keep cannot leak.
//!
//! Tokens are `SecretString`s from the moment they are read; neither they nor the token
//! endpoint's bodies are ever logged. Both calls go through [`crate::upstream`] like every
//! other; the profile also through the request budget and its 429 pause (`ChasterClient::call`).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::models::User;
use super::{decode, ChasterClient, ChasterError};
use crate::configuration::OAuthApp;
use crate::upstream::{ErrorShape, Status, Transport};

const AUTH_PATH: &str = "/auth/realms/app/protocol/openid-connect/auth";
const TOKEN_PATH: &str = "/auth/realms/app/protocol/openid-connect/token";
/// What the dashboard asks for: who the user is, nothing else (the locks it shows are read
/// with our extension's own credentials).
pub const SCOPE: &str = "profile";

/// The access token from the token endpoint, used once for the profile. Its lifetime and the
/// refresh token are not read: nothing of it is kept.
#[derive(Debug)]
pub struct TokenSet {
    pub access_token: SecretString,
}

#[derive(Deserialize)]
struct TokenBody {
    access_token: String,
}

/// A PKCE pair (RFC 7636): the verifier stays on the server, the S256 challenge goes to the
/// browser in the authorize URL.
pub struct Pkce {
    pub verifier: SecretString,
    pub challenge: String,
}

impl Pkce {
    /// 32 random bytes as the verifier (43 characters of base64url, the RFC's minimum length).
    pub fn generate() -> Pkce {
        let mut bytes = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut bytes);
        let verifier = URL_SAFE_NO_PAD.encode(bytes);
        let challenge = Pkce::challenge_of(&verifier);
        Pkce {
            verifier: SecretString::from(verifier),
            challenge,
        }
    }

    /// `BASE64URL(SHA256(verifier))`.
    pub fn challenge_of(verifier: &str) -> String {
        URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
    }
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
    pub fn authorize_url(&self, state: &str, code_challenge: &str) -> String {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("client_id", &self.app.client_id)
            .append_pair("redirect_uri", &self.app.redirect_uri)
            .append_pair("response_type", "code")
            .append_pair("scope", SCOPE)
            .append_pair("state", state)
            .append_pair("code_challenge", code_challenge)
            .append_pair("code_challenge_method", "S256")
            .finish();
        // Form encoding writes spaces as `+`; Keycloak's examples spell them %20, which every
        // server reads (a literal `+` would have been encoded as %2B).
        let query = query.replace('+', "%20");
        format!("{}{AUTH_PATH}?{query}", self.app.sso_base_url)
    }

    /// `grant_type=authorization_code` with the PKCE verifier of this sign-in.
    pub async fn exchange_code(
        &self,
        code: &str,
        verifier: &SecretString,
    ) -> Result<TokenSet, OAuthError> {
        self.token(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", &self.app.redirect_uri),
            ("code_verifier", verifier.expose_secret()),
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

#[cfg(test)]
mod pkce_tests {
    use super::*;

    #[test]
    fn the_challenge_is_the_rfc_7636_s256_of_the_verifier() {
        // RFC 7636, appendix B.
        let challenge = Pkce::challenge_of("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    }

    #[test]
    fn each_sign_in_gets_its_own_verifier_of_the_minimum_length() {
        let (a, b) = (Pkce::generate(), Pkce::generate());
        assert_eq!(a.verifier.expose_secret().len(), 43);
        assert_ne!(a.verifier.expose_secret(), b.verifier.expose_secret());
        assert_eq!(a.challenge, Pkce::challenge_of(a.verifier.expose_secret()));
    }
}
