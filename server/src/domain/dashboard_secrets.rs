//! The dashboard sign-in's own secrets: the CSRF token the page sends back, and the key its
//! session handles are derived with. Both are stored with the sign-in (`store/oauth.rs`) and
//! never printed: a `Debug` of a sign-in must not hand out what forges its requests.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

/// Sent to the dashboard page once, and back by it as `X-CSRF-Token`.
#[derive(Clone)]
pub struct CsrfToken(SecretString);

impl CsrfToken {
    pub fn new(token: impl Into<String>) -> Self {
        Self(SecretString::from(token.into()))
    }

    /// For the page that must send it back and the database row that keeps it.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for CsrfToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CsrfToken([REDACTED])")
    }
}

/// The hex HMAC key of one sign-in's session handles.
#[derive(Clone)]
pub struct HandleKey(SecretString);

impl HandleKey {
    pub fn new(key_hex: impl Into<String>) -> Self {
        Self(SecretString::from(key_hex.into()))
    }

    /// The hex text, for the HMAC and the database row.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for HandleKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HandleKey([REDACTED])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neither_dashboard_secret_prints_its_value() {
        let csrf = CsrfToken::new("csrf-value-1234");
        let key = HandleKey::new("00ff00ff");
        let printed = format!("{csrf:?} {key:?}");
        assert!(!printed.contains("csrf-value-1234"), "{printed}");
        assert!(!printed.contains("00ff00ff"), "{printed}");
        assert_eq!(csrf.expose(), "csrf-value-1234");
    }
}
