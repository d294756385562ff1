//! The session cookie → the signed-in keyholder. Chaster access tokens are refreshed when they
//! expire within a minute (the rotated refresh token replaces the old one); a refresh Chaster
//! refuses ends the sign-in: the row is deleted and the page is told to sign in again.

use api_types::{ApiError, ErrorCode};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Duration, Utc};

use super::secure::{cookie, sha256_hex, SESSION_COOKIE};
use super::Dashboard;
use crate::chaster::{OAuthError, TokenSet};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::{DashboardSessionRecord, OAuthTokens, Store};

/// Tokens expiring sooner than this are refreshed first.
const REFRESH_MARGIN_SECS: i64 = 60;

pub const SIGN_IN_EXPIRED: &str = "Your Chaster sign-in expired. Sign in again.";
pub const SIGN_IN_NEEDED: &str = "Sign in with Chaster to see your dashboard.";

/// A keyholder signed in to the dashboard, with tokens valid for at least a minute.
pub struct SignedIn {
    pub record: DashboardSessionRecord,
}

/// Why a request has no signed-in keyholder: 401 (the page goes to `/auth/login`), or a
/// failure on our side or Chaster's.
pub enum SignInRejection {
    Needed,
    Expired,
    Failed(AppError),
}

impl From<AppError> for SignInRejection {
    fn from(e: AppError) -> Self {
        SignInRejection::Failed(e)
    }
}

impl IntoResponse for SignInRejection {
    fn into_response(self) -> Response {
        let (code, message) = match self {
            SignInRejection::Needed => (ErrorCode::MissingToken, SIGN_IN_NEEDED),
            SignInRejection::Expired => (ErrorCode::SessionExpired, SIGN_IN_EXPIRED),
            SignInRejection::Failed(e) => return e.into_response(),
        };
        let body = ApiError {
            code,
            message: message.to_owned(),
            retry_after_secs: None,
        };
        (StatusCode::UNAUTHORIZED, Json(body)).into_response()
    }
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = SignInRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let id = cookie(&parts.headers, SESSION_COOKIE).ok_or(SignInRejection::Needed)?;
        let id_hash = sha256_hex(&id);
        let record = state
            .store
            .get_dashboard_session(&id_hash)
            .await
            .map_err(AppError::from)?
            .ok_or(SignInRejection::Expired)?;
        let record = fresh(&state.dashboard, &state.store, record).await?;
        Ok(SignedIn { record })
    }
}

fn needs_refresh(tokens: &OAuthTokens, now: DateTime<Utc>) -> bool {
    tokens.access_expires_at <= now + Duration::seconds(REFRESH_MARGIN_SECS)
}

/// The record with an access token valid for at least a minute.
async fn fresh(
    dashboard: &Dashboard,
    store: &Store,
    record: DashboardSessionRecord,
) -> Result<DashboardSessionRecord, SignInRejection> {
    if !needs_refresh(&record.tokens, Utc::now()) {
        return Ok(record);
    }
    let Some(oauth) = &dashboard.oauth else {
        return Err(SignInRejection::Expired);
    };
    let lock = dashboard.refresh_lock(&record.id_hash);
    let _refreshing = lock.lock().await;
    // Another request may have refreshed while this one waited.
    let mut record = store
        .get_dashboard_session(&record.id_hash)
        .await
        .map_err(AppError::from)?
        .ok_or(SignInRejection::Expired)?;
    let now = Utc::now();
    if !needs_refresh(&record.tokens, now) {
        return Ok(record);
    }
    let refused = record.tokens.refresh_expires_at <= now;
    let result = if refused {
        Err(OAuthError::InvalidGrant)
    } else {
        oauth.refresh(&record.tokens.refresh_token).await
    };
    match result {
        Ok(tokens) => {
            record.tokens = stored_tokens(tokens, now, record.expires_at);
            store
                .update_dashboard_tokens(&record.id_hash, &record.tokens)
                .await
                .map_err(AppError::from)?;
            tracing::debug!("dashboard tokens refreshed");
            Ok(record)
        }
        Err(OAuthError::InvalidGrant) => {
            tracing::info!("dashboard sign-in expired: Chaster refused the refresh token");
            store
                .delete_dashboard_session(&record.id_hash)
                .await
                .map_err(AppError::from)?;
            Err(SignInRejection::Expired)
        }
        Err(other) => Err(SignInRejection::Failed(oauth_failure(other))),
    }
}

/// Expiry times of fresh tokens; a refresh token without a lifetime lasts as long as the sign-in.
pub fn stored_tokens(t: TokenSet, now: DateTime<Utc>, session_end: DateTime<Utc>) -> OAuthTokens {
    let after = |d: std::time::Duration| {
        Duration::from_std(d)
            .ok()
            .and_then(|d| now.checked_add_signed(d))
            .unwrap_or(session_end)
    };
    OAuthTokens {
        access_expires_at: after(t.expires_in),
        refresh_expires_at: t
            .refresh_expires_in
            .map(after)
            .unwrap_or(session_end)
            .min(session_end),
        access_token: t.access_token,
        refresh_token: t.refresh_token,
    }
}

/// Our OAuth client refused, or Chaster's sign-in is down: the keyholder can only try later.
pub fn oauth_failure(e: OAuthError) -> AppError {
    match e {
        OAuthError::Unavailable(e) => AppError::from(e),
        other => AppError::UpstreamUnavailable {
            service: "Chaster",
            detail: other.to_string(),
        },
    }
}
