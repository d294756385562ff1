//! The session cookie → the signed-in keyholder. The sign-in is ours alone (no Chaster token is
//! kept), so it lasts until it ends or the keyholder signs out, whatever Chaster's token
//! lifetimes are.

use api_types::{ApiError, ErrorCode};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::secure::{cookie, sha256_hex, SESSION_COOKIE};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::DashboardSessionRecord;

pub const SIGN_IN_EXPIRED: &str = "Your dashboard sign-in has ended. Sign in again.";
pub const SIGN_IN_NEEDED: &str = "Sign in with Chaster to see your dashboard.";

/// A keyholder signed in to the dashboard.
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
            reason: None,
            params: Default::default(),
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
        Ok(SignedIn { record })
    }
}
