//! Small security helpers of the dashboard: random tokens, hashes, opaque session handles,
//! cookies and the same-origin + CSRF check of state-changing requests.

use axum::http::{header, HeaderMap, HeaderValue};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::rngs::OsRng;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::domain::{CsrfToken, HandleKey};
use crate::error::{AppError, Refused};

/// The signed-in keyholder's cookie. `__Host-`: Secure, Path=/ and no Domain, so no other site
/// or subdomain can set or read it.
pub const SESSION_COOKIE: &str = "__Host-opener_session";
/// Binds a pending sign-in to the browser that started it.
pub const LOGIN_COOKIE: &str = "__Host-opener_login";
/// The header the page sends its CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Characters of a session handle (22 base64url characters: 132 bits).
const HANDLE_LEN: usize = 22;

pub const NOT_FROM_THIS_PAGE: Refused = Refused::fixed(
    "not_from_dashboard_page",
    "This request did not come from the dashboard page. Reload the page and try again.",
);

/// 32 random bytes, base64url.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    B64URL.encode(bytes)
}

/// A new sign-in's CSRF token: 32 random bytes, base64url.
pub fn new_csrf_token() -> CsrfToken {
    CsrfToken::new(random_token())
}

/// A new sign-in's handle key: 32 random bytes, hex.
pub fn new_handle_key() -> HandleKey {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    HandleKey::new(hex::encode(bytes))
}

/// SHA-256, hex: how cookies and OAuth states are stored.
pub fn sha256_hex(value: &str) -> String {
    hex::encode(Sha256::digest(value.as_bytes()))
}

/// The opaque handle of a Chaster session on one keyholder's dashboard: HMAC-SHA256 of the
/// sessionId under that sign-in's key, base64url, truncated. It reveals nothing of the sessionId
/// and differs between sign-ins.
pub fn session_handle(key: &HandleKey, session_id: &str) -> String {
    let key = secrecy::zeroize::Zeroizing::new(hex::decode(key.expose()).unwrap_or_default());
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("HMAC takes keys of any length");
    mac.update(session_id.as_bytes());
    let mut handle = B64URL.encode(mac.finalize().into_bytes());
    handle.truncate(HANDLE_LEN);
    handle
}

/// Compares secrets in time independent of where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The value of a cookie from the request's `Cookie` headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// `Set-Cookie` for an HttpOnly, Secure, SameSite=Lax, host-only cookie; `max_age` 0 deletes it.
pub fn set_cookie(name: &str, value: &str, max_age_secs: u64) -> HeaderValue {
    let text =
        format!("{name}={value}; Max-Age={max_age_secs}; Path=/; HttpOnly; Secure; SameSite=Lax");
    HeaderValue::from_str(&text).expect("cookie names and base64url values are header-safe")
}

/// A state-changing dashboard request must come from our own page: `Sec-Fetch-Site` (when the
/// browser sends it) says same-origin, `Origin` (when sent) is ours, and `X-CSRF-Token` is the
/// sign-in's token.
pub fn check_request_origin(
    headers: &HeaderMap,
    public_origin: Option<&str>,
    csrf_token: &CsrfToken,
) -> Result<(), AppError> {
    let forbidden = || AppError::Forbidden(NOT_FROM_THIS_PAGE);
    if let Some(site) = headers.get("sec-fetch-site") {
        if site.as_bytes() != b"same-origin" {
            return Err(forbidden());
        }
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let ours = public_origin.is_some_and(|o| origin.as_bytes() == o.as_bytes());
        if !ours {
            return Err(forbidden());
        }
    }
    let sent = headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(forbidden)?;
    if same_secret(sent.trim(), csrf_token.expose()) {
        Ok(())
    } else {
        Err(forbidden())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.append(*name, HeaderValue::from_str(value).unwrap());
        }
        h
    }

    #[test]
    fn handles_are_stable_per_key_and_reveal_nothing() {
        let key = new_handle_key();
        let a = session_handle(&key, "sA9xQ2mZp7WkLr4Tn6VbE");
        assert_eq!(a, session_handle(&key, "sA9xQ2mZp7WkLr4Tn6VbE"));
        assert_eq!(a.len(), HANDLE_LEN);
        assert!(!a.contains("sA9x"));
        assert_ne!(
            a,
            session_handle(&new_handle_key(), "sA9xQ2mZp7WkLr4Tn6VbE")
        );
        assert_ne!(a, session_handle(&key, "hB3tK8yPq1ZcXv5Rm2NdW"));
    }

    #[test]
    fn cookies_are_found_among_others() {
        let h = headers(&[("cookie", "a=1; __Host-opener_session=abc ; b=2")]);
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie(&h, LOGIN_COOKIE), None);
    }

    #[test]
    fn only_our_page_with_the_right_token_passes() {
        let o = Some("https://opener.example");
        let token = CsrfToken::new("t0k");
        let ok = headers(&[
            ("x-csrf-token", "t0k"),
            ("origin", "https://opener.example"),
            ("sec-fetch-site", "same-origin"),
        ]);
        assert!(check_request_origin(&ok, o, &token).is_ok());
        assert!(check_request_origin(&headers(&[("x-csrf-token", "t0k")]), o, &token).is_ok());
        for bad in [
            headers(&[]),
            headers(&[("x-csrf-token", "wrong")]),
            headers(&[("x-csrf-token", "t0k"), ("origin", "https://evil.example")]),
            headers(&[("x-csrf-token", "t0k"), ("sec-fetch-site", "cross-site")]),
        ] {
            let e = check_request_origin(&bad, o, &token).unwrap_err();
            assert_eq!(e.status().as_u16(), 403);
        }
    }
}
