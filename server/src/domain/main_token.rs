//! The mainToken Chaster gives the page: a bearer secret for 12 h. It is kept in a `SecretString`,
//! never printed, and identified in caches and logs only by a SHA-256 fingerprint.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

/// Tokens are opaque to us; this bound only keeps absurd input away from Chaster.
const MAX_LEN: usize = 2048;

#[derive(Clone)]
pub struct MainToken {
    secret: SecretString,
    /// Computed once at parse: the limits layer, the token cache and the log all key by it.
    fingerprint: [u8; 32],
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum MainTokenError {
    #[error("the token is empty")]
    Empty,
    #[error("the token is longer than {MAX_LEN} characters")]
    TooLong,
    #[error("the token contains characters a Chaster token never has")]
    BadCharacters,
}

impl MainToken {
    /// Accepts visible ASCII only (no spaces or control characters), as Chaster's tokens are.
    pub fn parse(raw: &str) -> Result<MainToken, MainTokenError> {
        if raw.is_empty() {
            return Err(MainTokenError::Empty);
        }
        if raw.len() > MAX_LEN {
            return Err(MainTokenError::TooLong);
        }
        if !raw.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(MainTokenError::BadCharacters);
        }
        Ok(MainToken {
            fingerprint: Sha256::digest(raw.as_bytes()).into(),
            secret: SecretString::from(raw.to_owned()),
        })
    }

    /// The raw token, for the one place that must send it to Chaster.
    pub fn expose(&self) -> &str {
        self.secret.expose_secret()
    }

    /// SHA-256 of the token: a cache key that does not keep the token itself.
    pub fn fingerprint(&self) -> [u8; 32] {
        self.fingerprint
    }

    /// The first 8 hex digits of the fingerprint, enough to correlate log lines.
    pub fn log_id(&self) -> String {
        hex::encode(&self.fingerprint()[..4])
    }
}

impl fmt::Debug for MainToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MainToken({})", self.log_id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_contains_the_token() {
        let token = MainToken::parse("very-secret-main-token").unwrap();
        let printed = format!("{token:?}");
        assert!(!printed.contains("very-secret"), "{printed}");
    }

    #[test]
    fn empty_long_and_spaced_tokens_are_rejected() {
        assert_eq!(MainToken::parse("").unwrap_err(), MainTokenError::Empty);
        let long = "a".repeat(MAX_LEN + 1);
        assert_eq!(
            MainToken::parse(&long).unwrap_err(),
            MainTokenError::TooLong
        );
        assert_eq!(
            MainToken::parse("a b").unwrap_err(),
            MainTokenError::BadCharacters
        );
        assert_eq!(
            MainToken::parse("é").unwrap_err(),
            MainTokenError::BadCharacters
        );
    }

    #[test]
    fn equal_tokens_share_a_fingerprint_and_different_ones_do_not() {
        let a = MainToken::parse("token-a").unwrap();
        assert_eq!(
            a.fingerprint(),
            MainToken::parse("token-a").unwrap().fingerprint()
        );
        assert_ne!(
            a.fingerprint(),
            MainToken::parse("token-b").unwrap().fingerprint()
        );
    }
}
