//! HTTP Basic authentication of Chaster's webhook calls, compared in constant time.

use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};

use crate::configuration::WebhookAuth;
use crate::state::AppState;

/// Runs before the body is read: a caller without the credentials gets 401 and nothing is stored.
pub async fn require_basic_auth(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let allowed = match &state.settings.chaster.webhook_auth {
        Some(expected) => credentials_match(request.headers(), expected),
        // Without configured credentials nobody is accepted (the server polls instead).
        None => false,
    };
    if !allowed {
        static FAILED: crate::telemetry::LogThrottle =
            crate::telemetry::LogThrottle::new(std::time::Duration::from_secs(10));
        if let Some(held_back) = FAILED.allow() {
            tracing::warn!(
                more_since_last_warning = held_back,
                "webhook refused: missing or wrong Basic credentials"
            );
        }
        let mut response = (StatusCode::UNAUTHORIZED, "unauthorized").into_response();
        response.headers_mut().insert(
            WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"chaster-webhooks\""),
        );
        return response;
    }
    next.run(request).await
}

pub fn credentials_match(headers: &HeaderMap, expected: &WebhookAuth) -> bool {
    let Some((user, password)) = basic_credentials(headers) else {
        return false;
    };
    // Both compared in full, whatever the first one gave, so timing reveals neither.
    let user_ok = constant_time_eq(user.as_bytes(), expected.username.as_bytes());
    let password_ok = constant_time_eq(
        password.as_bytes(),
        expected.password.expose_secret().as_bytes(),
    );
    user_ok & password_ok
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = B64.decode(encoded.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

/// Compares SHA-256 digests byte by byte without early exit: equal-length inputs for the loop,
/// whatever the lengths of the originals.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let (da, db) = (Sha256::digest(a), Sha256::digest(b));
    let diff = da
        .iter()
        .zip(db.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::SecretString;

    fn expected() -> WebhookAuth {
        WebhookAuth {
            username: "chaster".into(),
            password: SecretString::from("s3cret:with:colons"),
        }
    }

    fn headers(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        h
    }

    fn basic(user: &str, password: &str) -> String {
        format!("Basic {}", B64.encode(format!("{user}:{password}")))
    }

    #[test]
    fn the_configured_credentials_are_accepted() {
        assert!(credentials_match(
            &headers(&basic("chaster", "s3cret:with:colons")),
            &expected()
        ));
        assert!(credentials_match(
            &headers(&basic("chaster", "s3cret:with:colons").replace("Basic", "basic")),
            &expected()
        ));
    }

    #[test]
    fn anything_else_is_refused() {
        for h in [
            basic("chaster", "wrong"),
            basic("other", "s3cret:with:colons"),
            basic("chaster", ""),
            "Bearer abc".to_owned(),
            "Basic not-base64!".to_owned(),
            "Basic".to_owned(),
        ] {
            assert!(!credentials_match(&headers(&h), &expected()), "{h}");
        }
        assert!(!credentials_match(&HeaderMap::new(), &expected()));
    }
}
