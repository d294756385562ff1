//! How every request is sent and how every answer is read. Every failure, including ones that
//! never reached our server, becomes an [`ApiError`] a person can read.

use crate::hash::MainToken;
use crate::i18n::{en, fill, Msg};
use api_types::{ApiError, ErrorCode};
use gloo_net::http::{Request, RequestBuilder, Response};
use leptos::prelude::on_cleanup;
use send_wrapper::SendWrapper;
use serde::de::DeserializeOwned;
use web_sys::RequestCredentials;

/// Who the request speaks for.
#[derive(Clone, Copy)]
pub(super) enum Auth<'a> {
    /// The iframe pages: Chaster's token, as `Authorization: Bearer …`.
    Bearer(&'a MainToken),
    /// The dashboard: the session cookie, plus the CSRF token on state-changing requests.
    Cookie { csrf: Option<&'a str> },
}

/// Whether a request may be cancelled when the view that asked for it goes away.
pub(super) enum Abort {
    /// Reads: cancel them when the view is unmounted or the resource reloads.
    OnCleanup,
    /// Commands: once sent, let them finish; the server carries them out anyway.
    Never,
}

fn authorized(builder: RequestBuilder, auth: Auth<'_>) -> RequestBuilder {
    match auth {
        Auth::Bearer(token) => {
            builder.header("Authorization", &format!("Bearer {}", token.expose()))
        }
        Auth::Cookie { csrf } => {
            let builder = builder.credentials(RequestCredentials::SameOrigin);
            match csrf {
                Some(csrf) => builder.header("X-CSRF-Token", csrf),
                None => builder,
            }
        }
    }
}

/// Sends `body` as JSON. Commands are never aborted: the server carries them out anyway.
pub(super) async fn send_json<T: serde::Serialize>(
    builder: RequestBuilder,
    auth: Auth<'_>,
    body: &T,
) -> Result<Response, ApiError> {
    let request: Request = authorized(builder, auth)
        .json(body)
        .map_err(|_| not_sent())?;
    finish(request.send().await)
}

pub(super) async fn send(
    builder: RequestBuilder,
    auth: Auth<'_>,
    abort: Abort,
) -> Result<Response, ApiError> {
    let builder = authorized(builder, auth);
    let builder = match abort {
        Abort::OnCleanup => match abort_on_cleanup() {
            Some(signal) => builder.abort_signal(Some(&signal)),
            None => builder,
        },
        Abort::Never => builder,
    };
    finish(builder.send().await)
}

/// Aborts the request when the current reactive owner is cleaned up (the resource refetches or
/// its view unmounts), so a stale answer never arrives after a newer one was asked for.
fn abort_on_cleanup() -> Option<web_sys::AbortSignal> {
    let controller = web_sys::AbortController::new().ok()?;
    let signal = controller.signal();
    // The browser is single-threaded; SendWrapper only satisfies on_cleanup's bounds.
    let controller = SendWrapper::new(controller);
    on_cleanup(move || controller.abort());
    Some(signal)
}

fn finish(sent: Result<Response, gloo_net::Error>) -> Result<Response, ApiError> {
    sent.map_err(|_| unreachable_server())
}

pub(super) async fn read_json<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    if !response.ok() {
        return Err(error_of(response).await);
    }
    let body = response.text().await.map_err(|_| unreachable_server())?;
    serde_json::from_str(&body).map_err(|_| unreadable_answer())
}

pub(super) async fn error_of(response: Response) -> ApiError {
    // A body that cannot be read still has a status worth explaining.
    let body = response.text().await.unwrap_or_default();
    let retry_after = response.headers().get("Retry-After");
    error_from_answer(response.status(), &body, retry_after.as_deref())
}

/// What a non-2xx answer means. Our server always sends an [`ApiError`] body; anything else came
/// from something in between (a proxy page, a gateway timeout) and is described honestly.
pub fn error_from_answer(status: u16, body: &str, retry_after: Option<&str>) -> ApiError {
    if let Ok(error) = serde_json::from_str::<ApiError>(body) {
        return error;
    }
    let code = match status {
        401 => ErrorCode::SessionExpired,
        403 => ErrorCode::Forbidden,
        404 => ErrorCode::NotFound,
        429 => ErrorCode::RateLimited,
        502..=504 => ErrorCode::UpstreamUnavailable,
        _ => ErrorCode::Internal,
    };
    // A reason of the page's own, so the reader gets it in their language (`error-page-…`).
    let (reason, message) = match code {
        ErrorCode::SessionExpired => ("page_session_invalid", Msg::ErrorPageSessionInvalid),
        ErrorCode::RateLimited => ("page_too_many_requests", Msg::ErrorPageTooManyRequests),
        ErrorCode::UpstreamUnavailable => (
            "page_server_unreachable_status",
            Msg::ErrorPageServerUnreachableStatus,
        ),
        _ => ("page_unexpected_status", Msg::ErrorPageUnexpectedStatus),
    };
    let status = status.to_string();
    ApiError::new(
        code,
        english(message, &[("status", &status)]),
        retry_after.and_then(|value| value.trim().parse().ok()),
    )
    .because(reason, &[("status", status.clone())])
}

/// The English text of a page error, kept as the `message` every error carries.
fn english(msg: Msg, values: &[(&str, &str)]) -> String {
    fill(en(msg), values)
}

/// An error of the page's own, with no values.
fn page_error(code: ErrorCode, reason: &str, msg: Msg) -> ApiError {
    ApiError::new(code, english(msg, &[]), None).because(reason, &[])
}

pub(super) fn unreachable_server() -> ApiError {
    page_error(
        ErrorCode::UpstreamUnavailable,
        "page_offline",
        Msg::ErrorPageOffline,
    )
}

fn unreadable_answer() -> ApiError {
    page_error(
        ErrorCode::Internal,
        "page_unreadable_answer",
        Msg::ErrorPageUnreadableAnswer,
    )
}

fn not_sent() -> ApiError {
    page_error(ErrorCode::Internal, "page_not_sent", Msg::ErrorPageNotSent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_api_error_body_is_passed_through_as_it_is() {
        let body = r#"{"code":"session_expired","message":"Reopen it","retry_after_secs":null}"#;
        let error = error_from_answer(401, body, None);
        assert_eq!(error.code, ErrorCode::SessionExpired);
        assert_eq!(error.message, "Reopen it");
    }

    #[test]
    fn a_foreign_body_becomes_an_honest_error_chosen_by_status() {
        let html = "<html><body>502 Bad Gateway</body></html>";
        let cases = [
            (502, ErrorCode::UpstreamUnavailable),
            (504, ErrorCode::UpstreamUnavailable),
            (429, ErrorCode::RateLimited),
            (401, ErrorCode::SessionExpired),
            (404, ErrorCode::NotFound),
            (500, ErrorCode::Internal),
            (418, ErrorCode::Internal),
        ];
        for (status, code) in cases {
            let error = error_from_answer(status, html, None);
            assert_eq!(error.code, code, "HTTP {status}");
            assert!(
                !error.message.contains("<html>"),
                "HTTP {status}: {}",
                error.message
            );
        }
    }

    #[test]
    fn every_error_the_page_makes_itself_has_a_reason_the_page_words() {
        let made = [
            error_from_answer(401, "", None),
            error_from_answer(429, "", None),
            error_from_answer(502, "", None),
            error_from_answer(418, "", None),
            unreachable_server(),
            unreadable_answer(),
            not_sent(),
        ];
        for error in made {
            let reason = error.reason.clone().expect("a reason");
            let id = format!("error-{}", reason.replace('_', "-"));
            assert!(crate::i18n::by_id(&id).is_some(), "{id} has no message");
            assert_eq!(crate::ui::error_text(&error), error.message, "{id}");
        }
        assert_eq!(
            error_from_answer(503, "", None).message,
            "The server could not be reached right now (HTTP 503)."
        );
    }

    #[test]
    fn retry_after_is_read_from_the_header_when_the_body_has_none() {
        assert_eq!(
            error_from_answer(429, "", Some(" 30 ")).retry_after_secs,
            Some(30)
        );
        assert_eq!(
            error_from_answer(429, "", Some("Wed, 21 Oct")).retry_after_secs,
            None
        );
    }
}
