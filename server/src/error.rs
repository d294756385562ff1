//! The one error type of our `/api`. Each variant knows its status, stable code and a message
//! written for the person in front of the page; internals are logged, never returned.

use std::time::Duration;

use api_types::{ApiError, ErrorCode};
use axum::extract::rejection::JsonRejection;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::chaster::ChasterError;
use crate::sesame::DeviceError;
use crate::store::StoreError;

/// Used when an upstream says 429 without a usable `Retry-After`.
const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(10);

pub const SESSION_EXPIRED_MESSAGE: &str =
    "This session has expired. Reopen the extension from Chaster.";

pub use crate::domain::{Refused, Said};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("no or malformed bearer token")]
    MissingToken,
    #[error("Chaster no longer accepts the mainToken")]
    SessionExpired,
    /// The message says what the viewer's role may not do.
    #[error("forbidden: {0}")]
    Forbidden(Refused),
    #[error("not found")]
    NotFound,
    /// Like `NotFound`; the message says what is missing.
    #[error("not found: {0}")]
    Missing(Refused),
    /// The message says what is wrong with the request.
    #[error("invalid request: {0}")]
    Invalid(Refused),
    /// Not possible in the lock's current state (409); the message says why.
    #[error("conflict: {0}")]
    Conflict(Refused),
    /// `service` is the name shown to the user ("Chaster", "CANDY HOUSE"); `detail` is only logged.
    #[error("{service} unavailable: {detail}")]
    UpstreamUnavailable {
        service: &'static str,
        detail: String,
    },
    #[error("{service} rate limited us for {retry_after_secs} s")]
    RateLimited {
        service: &'static str,
        retry_after_secs: u64,
    },
    /// This page or address sent more requests than its budget (`routes::limits`).
    #[error("too many requests; retry in {retry_after_secs} s")]
    TooManyRequests { retry_after_secs: u64 },
    /// The request body is over the configured limit.
    #[error("request body too large")]
    TooLarge,
    /// A Sesame operation failed: its own message, code and retry hint are returned.
    #[error("Sesame: {0}")]
    Device(#[from] DeviceError),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::MissingToken | AppError::SessionExpired => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound | AppError::Missing(_) => StatusCode::NOT_FOUND,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::UpstreamUnavailable { .. } => StatusCode::BAD_GATEWAY,
            AppError::RateLimited { .. } => StatusCode::SERVICE_UNAVAILABLE,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Device(e) => device_status(e),
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The JSON body: safe to show, free of internals. `reason` and `params` let the page word
    /// it in the reader's language; `message` is the English fallback.
    pub fn to_api_error(&self) -> ApiError {
        match self {
            AppError::MissingToken => ApiError::new(
                ErrorCode::MissingToken,
                "This page has no Chaster session token. Open it from the extension in Chaster.",
                None,
            )
            .because("missing_token", &[]),
            AppError::SessionExpired => {
                ApiError::new(ErrorCode::SessionExpired, SESSION_EXPIRED_MESSAGE, None)
                    .because("session_expired", &[])
            }
            AppError::Forbidden(r) => r.to_api_error(ErrorCode::Forbidden),
            AppError::NotFound => {
                ApiError::new(ErrorCode::NotFound, "There is nothing here.", None)
                    .because("not_found", &[])
            }
            AppError::Missing(r) => r.to_api_error(ErrorCode::NotFound),
            AppError::Invalid(r) => r.to_api_error(ErrorCode::Invalid),
            AppError::Conflict(r) => r.to_api_error(ErrorCode::Conflict),
            AppError::UpstreamUnavailable { service, .. } => ApiError::new(
                ErrorCode::UpstreamUnavailable,
                format!("{service} is not answering right now. Please try again in a few seconds."),
                None,
            )
            .because(
                "upstream_unavailable",
                &[("service", (*service).to_owned())],
            ),
            AppError::RateLimited {
                service,
                retry_after_secs,
            } => ApiError::new(
                ErrorCode::RateLimited,
                format!("{service} is busy. Please try again in {retry_after_secs} seconds."),
                Some(*retry_after_secs),
            )
            .because("upstream_busy", &[("service", (*service).to_owned())]),
            AppError::TooManyRequests { retry_after_secs } => ApiError::new(
                ErrorCode::RateLimited,
                format!(
                    "Too many requests from this page. Wait {retry_after_secs} s and try again."
                ),
                Some(*retry_after_secs),
            )
            .because("too_many_requests", &[]),
            AppError::TooLarge => ApiError::new(
                ErrorCode::Invalid,
                "This request is too large for the server. Reload the page and try again.",
                None,
            )
            .because("too_large", &[]),
            AppError::Device(e) => e.to_api_error(),
            AppError::Internal(_) => ApiError::new(
                ErrorCode::Internal,
                "Something went wrong on our side. Please try again.",
                None,
            )
            .because("internal", &[]),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        match &self {
            AppError::Internal(e) => tracing::error!(error = ?e, "internal error"),
            AppError::UpstreamUnavailable { .. }
            | AppError::RateLimited { .. }
            | AppError::Device(_) => {
                tracing::warn!(error = %self, "upstream problem")
            }
            _ => tracing::info!(error = %self, status = status.as_u16(), "request refused"),
        }
        let body = self.to_api_error();
        let mut response = (status, Json(&body)).into_response();
        if let Some(secs) = body.retry_after_secs {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

impl From<ChasterError> for AppError {
    fn from(e: ChasterError) -> Self {
        const SERVICE: &str = "Chaster";
        match e {
            ChasterError::Unauthorized | ChasterError::NotFound => AppError::SessionExpired,
            ChasterError::RateLimited { retry_after } => AppError::RateLimited {
                service: SERVICE,
                retry_after_secs: retry_after.unwrap_or(DEFAULT_RETRY_AFTER).as_secs().max(1),
            },
            other @ (ChasterError::Rejected { .. }
            | ChasterError::Upstream { .. }
            | ChasterError::Timeout
            | ChasterError::Transport(_)
            | ChasterError::Decode(_)
            | ChasterError::TooLarge { .. }) => AppError::UpstreamUnavailable {
                service: SERVICE,
                detail: other.to_string(),
            },
        }
    }
}

/// The box refused or is busy (409), cannot be reached or we are rate limited (503), or CANDY
/// HOUSE failed or refused our stored credentials (502).
fn device_status(e: &DeviceError) -> StatusCode {
    match e {
        DeviceError::Busy { .. }
        | DeviceError::LowBattery { .. }
        | DeviceError::IntegrationDisabled
        | DeviceError::LockNotSupported
        | DeviceError::CommandFailed { .. } => StatusCode::CONFLICT,
        DeviceError::Offline { .. }
        | DeviceError::Throttled { .. }
        | DeviceError::QuotaExhausted { .. }
        | DeviceError::ReserveOnly
        | DeviceError::Banned { .. } => StatusCode::SERVICE_UNAVAILABLE,
        DeviceError::BadCredentials { .. }
        | DeviceError::NotFound
        | DeviceError::BadRequest { .. }
        | DeviceError::Timeout { .. }
        | DeviceError::Upstream { .. }
        | DeviceError::TooLarge { .. } => StatusCode::BAD_GATEWAY,
    }
}

/// Database and decryption failures are ours: logged, shown as a generic internal error.
impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        AppError::Internal(anyhow::Error::new(e))
    }
}

impl From<JsonRejection> for AppError {
    fn from(rejection: JsonRejection) -> Self {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return AppError::TooLarge;
        }
        AppError::Invalid(
            format!("The request body is not valid: {}", rejection.body_text()).into(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chaster_errors_map_to_the_documented_statuses_and_codes() {
        use ErrorCode::*;
        let table: Vec<(ChasterError, u16, ErrorCode)> = vec![
            (ChasterError::Unauthorized, 401, SessionExpired),
            (ChasterError::NotFound, 401, SessionExpired),
            (
                ChasterError::Upstream { status: 500 },
                502,
                UpstreamUnavailable,
            ),
            (
                ChasterError::Upstream { status: 502 },
                502,
                UpstreamUnavailable,
            ),
            (ChasterError::Timeout, 502, UpstreamUnavailable),
            (
                ChasterError::Transport("refused".into()),
                502,
                UpstreamUnavailable,
            ),
            (
                ChasterError::Decode("bad json".into()),
                502,
                UpstreamUnavailable,
            ),
            (
                ChasterError::Rejected {
                    status: 400,
                    message: "no".into(),
                },
                502,
                UpstreamUnavailable,
            ),
            (
                ChasterError::RateLimited {
                    retry_after: Some(Duration::from_secs(7)),
                },
                503,
                RateLimited,
            ),
        ];
        for (chaster, status, code) in table {
            let label = chaster.to_string();
            let app = AppError::from(chaster);
            assert_eq!(app.status().as_u16(), status, "{label}");
            assert_eq!(app.to_api_error().code, code, "{label}");
        }
    }

    #[test]
    fn an_expired_session_says_to_reopen_the_extension() {
        let body = AppError::from(ChasterError::Unauthorized).to_api_error();
        assert_eq!(
            body.message,
            "This session has expired. Reopen the extension from Chaster."
        );
    }

    #[test]
    fn rate_limits_carry_retry_after_in_body_and_header() {
        let e = AppError::from(ChasterError::RateLimited {
            retry_after: Some(Duration::from_secs(7)),
        });
        assert_eq!(e.to_api_error().retry_after_secs, Some(7));
        let response = e.into_response();
        assert_eq!(response.headers()[header::RETRY_AFTER], "7");
        let without = AppError::from(ChasterError::RateLimited { retry_after: None });
        assert_eq!(without.to_api_error().retry_after_secs, Some(10));
    }

    #[test]
    fn upstream_failures_suggest_trying_again_and_hide_details() {
        let e = AppError::from(ChasterError::Transport("tcp connect error 10.0.0.7".into()));
        let body = e.to_api_error();
        assert!(body.message.contains("try again"));
        assert!(!body.message.contains("10.0.0.7"));
    }

    #[test]
    fn internal_errors_never_show_their_cause() {
        let e = AppError::Internal(anyhow::anyhow!("database password is hunter2"));
        assert!(!e.to_api_error().message.contains("hunter2"));
        assert_eq!(e.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[test]
    fn a_custody_refusal_sends_its_reason_and_the_desertion_date_as_an_rfc3339_param() {
        use crate::custody::rules::{decide, Hold, Move, Phase};
        use crate::domain::Role;
        let at = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let hold = Hold::ThisLock { opens_at: Some(at) };
        let refusal = decide(Role::Wearer, Move::Open, Phase::Deserted, hold, true).unwrap_err();
        let e = AppError::from(refusal);
        assert_eq!(e.status(), StatusCode::CONFLICT);
        let body = e.to_api_error();
        assert_eq!(body.reason.as_deref(), Some("deserted_box_shut_until"));
        assert_eq!(body.params["opens_at"], "2027-01-15T08:00:00Z");
        assert!(body.message.contains("15 January 2027"), "{}", body.message);

        let keyholder = decide(
            Role::Keyholder,
            Move::Change,
            Phase::Running,
            Hold::Nobody,
            true,
        );
        let body = AppError::from(keyholder.unwrap_err()).to_api_error();
        assert_eq!(body.code, ErrorCode::Forbidden);
        assert_eq!(body.reason.as_deref(), Some("only_wearer_changes_box"));
        assert!(body.params.is_empty());
    }

    #[test]
    fn a_sentence_without_a_reason_still_reaches_the_page_in_english() {
        let body = AppError::Invalid("The history cursor is not valid.".into()).to_api_error();
        assert_eq!(body.reason, None);
        assert_eq!(body.message, "The history cursor is not valid.");
    }

    #[test]
    fn chasters_refusals_of_an_action_get_a_reason_and_keep_chasters_words_as_a_param() {
        use crate::routes::controls::actions::refused;
        let body = refused(ChasterError::Rejected {
            status: 400,
            message: "Hygiene opening already in progress".into(),
        })
        .to_api_error();
        assert_eq!(body.reason.as_deref(), Some("hygiene_in_progress"));
        let body = refused(ChasterError::Rejected {
            status: 400,
            message: "Something new".into(),
        })
        .to_api_error();
        assert_eq!(body.reason.as_deref(), Some("chaster_refused_saying"));
        assert_eq!(body.params["detail"], "Something new");
    }
}
