//! The simulated Keycloak (`sso.chaster.app`): authorization codes (single use, 10 min, bound to
//! a PKCE challenge when the client sent one), access tokens and rotating refresh tokens, with
//! configurable lifetimes. HTTP lives in `routes/oauth.rs`.

use std::collections::HashMap;
use std::time::Duration;

use base64::Engine;
use chrono::{DateTime, Utc};
use rand::Rng;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// The OAuth2 client the product is registered as.
pub const OAUTH_CLIENT_ID: &str = "sim-oauth-client";
pub const OAUTH_CLIENT_SECRET: &str = "sim-oauth-secret";
/// The scope granted when the authorize request names none.
pub const DEFAULT_SCOPE: &str = "profile";

#[derive(Clone, Debug)]
struct CodeGrant {
    user_id: String,
    client_id: String,
    redirect_uri: String,
    scope: String,
    /// The PKCE `code_challenge` and its method, when the authorize request carried one.
    challenge: Option<Challenge>,
    expires_at: DateTime<Utc>,
}

/// A PKCE challenge (RFC 7636) as Keycloak keeps it with the code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Challenge {
    pub value: String,
    /// `S256` or `plain`.
    pub method: String,
}

impl Challenge {
    /// The challenge of an authorize request's fields; Keycloak's default method is `plain`.
    pub fn from_query(fields: &HashMap<String, String>) -> Option<Challenge> {
        let field = |k: &str| fields.get(k).map_or("", String::as_str);
        let value = field("code_challenge");
        (!value.is_empty()).then(|| Challenge {
            value: value.to_owned(),
            method: Some(field("code_challenge_method"))
                .filter(|m| !m.is_empty())
                .unwrap_or("plain")
                .to_owned(),
        })
    }

    /// Whether `verifier` answers this challenge.
    fn accepts(&self, verifier: &str) -> bool {
        match self.method.as_str() {
            "S256" => {
                let digest = Sha256::digest(verifier.as_bytes());
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest) == self.value
            }
            "plain" => verifier == self.value,
            _ => false,
        }
    }
}

#[derive(Clone, Debug)]
struct TokenGrant {
    user_id: String,
    scope: String,
    expires_at: DateTime<Utc>,
}

/// Keycloak's error answer: `{"error", "error_description"}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OAuthError {
    pub status: u16,
    pub error: &'static str,
    pub description: &'static str,
}

impl OAuthError {
    fn invalid_grant(description: &'static str) -> Self {
        OAuthError {
            status: 400,
            error: "invalid_grant",
            description,
        }
    }

    pub fn invalid_client() -> Self {
        OAuthError {
            status: 401,
            error: "invalid_client",
            description: "Invalid client or Invalid client credentials",
        }
    }

    pub fn body(&self) -> Value {
        json!({"error": self.error, "error_description": self.description})
    }
}

#[derive(Debug)]
pub struct OAuthState {
    pub access_lifetime: Duration,
    pub refresh_lifetime: Duration,
    pub code_lifetime: Duration,
    codes: HashMap<String, CodeGrant>,
    access: HashMap<String, TokenGrant>,
    refresh: HashMap<String, TokenGrant>,
    /// The scope of every token set issued, oldest first.
    issued_scopes: Vec<String>,
}

impl Default for OAuthState {
    /// Chaster's documented example: 300 s access, 1800 s refresh, 10 min codes.
    fn default() -> Self {
        OAuthState {
            access_lifetime: Duration::from_secs(300),
            refresh_lifetime: Duration::from_secs(1800),
            code_lifetime: Duration::from_secs(600),
            codes: HashMap::new(),
            access: HashMap::new(),
            refresh: HashMap::new(),
            issued_scopes: Vec::new(),
        }
    }
}

fn later(now: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    now + chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

fn random_token(prefix: &str) -> String {
    let bytes: [u8; 24] = rand::thread_rng().gen();
    format!("{prefix}{}", hex::encode(bytes))
}

impl OAuthState {
    /// A new single-use code for `user_id`, bound to the client, the redirect URI and the PKCE
    /// challenge if any.
    pub fn issue_code(
        &mut self,
        user_id: &str,
        client_id: &str,
        redirect_uri: &str,
        scope: &str,
        challenge: Option<Challenge>,
        now: DateTime<Utc>,
    ) -> String {
        let code = random_token("code-");
        let grant = CodeGrant {
            user_id: user_id.to_owned(),
            client_id: client_id.to_owned(),
            redirect_uri: redirect_uri.to_owned(),
            scope: scope.to_owned(),
            challenge,
            expires_at: later(now, self.code_lifetime),
        };
        self.codes.insert(code.clone(), grant);
        code
    }

    /// `grant_type=authorization_code`. The code is spent even when the exchange fails. A code
    /// issued with a PKCE challenge needs the matching `code_verifier`, and a verifier without a
    /// challenge is refused, as Keycloak does.
    pub fn exchange_code(
        &mut self,
        code: &str,
        client_id: &str,
        redirect_uri: &str,
        verifier: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Value, OAuthError> {
        let grant = self
            .codes
            .remove(code)
            .ok_or(OAuthError::invalid_grant("Code not valid"))?;
        if grant.expires_at <= now {
            return Err(OAuthError::invalid_grant("Code not valid"));
        }
        if grant.client_id != client_id {
            return Err(OAuthError::invalid_grant("Code not valid"));
        }
        if grant.redirect_uri != redirect_uri {
            return Err(OAuthError::invalid_grant("Incorrect redirect_uri"));
        }
        match (&grant.challenge, verifier) {
            (None, None) => {}
            (Some(c), Some(v)) if c.accepts(v) => {}
            (Some(_), None) => {
                return Err(OAuthError::invalid_grant(
                    "PKCE code verifier not specified",
                ))
            }
            (None, Some(_)) => {
                return Err(OAuthError::invalid_grant(
                    "PKCE code verifier specified but challenge not present in authorization",
                ))
            }
            (Some(_), Some(_)) => {
                return Err(OAuthError::invalid_grant(
                    "PKCE verification failed: Code mismatch",
                ))
            }
        }
        Ok(self.issue_tokens(&grant.user_id, &grant.scope, now))
    }

    /// `grant_type=refresh_token`: new tokens; the old refresh token stops working.
    pub fn refresh(
        &mut self,
        refresh_token: &str,
        now: DateTime<Utc>,
    ) -> Result<Value, OAuthError> {
        let grant = self
            .refresh
            .remove(refresh_token)
            .ok_or(OAuthError::invalid_grant("Invalid refresh token"))?;
        if grant.expires_at <= now {
            return Err(OAuthError::invalid_grant("Token is not active"));
        }
        Ok(self.issue_tokens(&grant.user_id, &grant.scope, now))
    }

    fn issue_tokens(&mut self, user_id: &str, scope: &str, now: DateTime<Utc>) -> Value {
        let (access, refresh) = (random_token("at-"), random_token("rt-"));
        self.issued_scopes.push(scope.to_owned());
        let grant = |lifetime| TokenGrant {
            user_id: user_id.to_owned(),
            scope: scope.to_owned(),
            expires_at: later(now, lifetime),
        };
        self.access
            .insert(access.clone(), grant(self.access_lifetime));
        self.refresh
            .insert(refresh.clone(), grant(self.refresh_lifetime));
        json!({
            "access_token": access,
            "expires_in": self.access_lifetime.as_secs(),
            "refresh_expires_in": self.refresh_lifetime.as_secs(),
            "refresh_token": refresh,
            "token_type": "bearer",
            "not-before-policy": 0,
            "scope": scope
        })
    }

    /// The user an access token stands for, while it is valid.
    pub fn user_of_access_token(&self, token: &str, now: DateTime<Utc>) -> Option<&str> {
        self.access
            .get(token)
            .filter(|g| g.expires_at > now)
            .map(|g| g.user_id.as_str())
    }

    /// The scope of every token set issued so far, oldest first.
    pub fn granted_scopes(&self) -> Vec<String> {
        self.issued_scopes.clone()
    }

    /// The scope an access token was granted.
    pub fn scope_of_access_token(&self, token: &str) -> Option<&str> {
        self.access.get(token).map(|g| g.scope.as_str())
    }

    /// Makes every access token issued so far expire now.
    pub fn expire_access_tokens(&mut self, now: DateTime<Utc>) {
        self.access.values_mut().for_each(|g| g.expires_at = now);
    }

    /// Makes every refresh token issued so far expire now.
    pub fn expire_refresh_tokens(&mut self, now: DateTime<Utc>) {
        self.refresh.values_mut().for_each(|g| g.expires_at = now);
    }
}
