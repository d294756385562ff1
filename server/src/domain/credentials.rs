//! A box's CANDY HOUSE credentials: the account API key, the device secret, and both together.
//! They live here, not in `sesame/`, because the store seals them and the Sesame layer uses
//! them: neither should depend on the other. None of them prints a credential.

mod secret_text;

use super::DeviceId;
use std::fmt;

use api_types::DeviceApi;
use secrecy::{ExposeSecret, SecretBox, SecretString};
use sha2::{Digest, Sha256};

pub use secret_text::{ParsedSecret, SecretParseError};

/// A CANDY HOUSE API key (v3 `Authorization`, Web API `x-api-key`).
#[derive(Clone)]
pub struct ApiKey(SecretString);

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey([REDACTED])")
    }
}

impl ApiKey {
    /// Trims surrounding whitespace; rejects an empty key or one with inner whitespace.
    pub fn parse(text: &str) -> Result<Self, SecretParseError> {
        let text = text.trim();
        if text.is_empty() || text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(SecretParseError::BadApiKey);
        }
        Ok(Self(SecretString::from(text.to_owned())))
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// Web API keys (biz.candyhouse.co) are 40 characters; anything else is a copy mistake.
    pub fn check_web_api_length(&self) -> Result<(), SecretParseError> {
        match self.expose().chars().count() {
            40 => Ok(()),
            n => Err(SecretParseError::ApiKeyLength(n)),
        }
    }

    /// A stable, non-reversible identifier of the key (sha256, hex) for counters and bans.
    pub fn fingerprint(&self) -> String {
        hex::encode(Sha256::digest(self.expose().as_bytes()))
    }
}

/// The 16-byte AES-128 secret of a SESAME 3/4/5.
pub struct DeviceSecret(SecretBox<[u8; 16]>);

impl Clone for DeviceSecret {
    fn clone(&self) -> Self {
        Self::from_bytes(*self.0.expose_secret())
    }
}

impl fmt::Debug for DeviceSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DeviceSecret([REDACTED])")
    }
}

impl DeviceSecret {
    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(SecretBox::new(Box::new(bytes)))
    }

    pub fn expose(&self) -> &[u8; 16] {
        self.0.expose_secret()
    }
}

/// What is needed to drive one box. `Debug` shows ids only, never a credential.
#[derive(Clone, Debug)]
pub enum DeviceCredentials {
    WebApi {
        uuid: DeviceId,
        api_key: ApiKey,
        secret: DeviceSecret,
    },
    LegacyV3 {
        device_id: DeviceId,
        api_key: ApiKey,
    },
}

impl DeviceCredentials {
    pub fn api_key(&self) -> &ApiKey {
        match self {
            Self::WebApi { api_key, .. } | Self::LegacyV3 { api_key, .. } => api_key,
        }
    }

    /// The Web API UUID or the v3 device id.
    pub fn device_id(&self) -> &DeviceId {
        match self {
            Self::WebApi { uuid, .. } => uuid,
            Self::LegacyV3 { device_id, .. } => device_id,
        }
    }

    /// Which API drives this box.
    pub fn api(&self) -> DeviceApi {
        match self {
            Self::WebApi { .. } => DeviceApi::WebApi,
            Self::LegacyV3 { .. } => DeviceApi::LegacyV3,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_api_keys_must_have_40_characters() {
        assert!(ApiKey::parse(&"k".repeat(40))
            .unwrap()
            .check_web_api_length()
            .is_ok());
        let err = ApiKey::parse(&"k".repeat(39))
            .unwrap()
            .check_web_api_length()
            .unwrap_err();
        assert!(err.to_string().contains("this one has 39"), "{err}");
    }

    #[test]
    fn credentials_are_never_debug_printed() {
        let parsed = DeviceSecret::parse("0b3e5f1665e143b59180c915fa4b06d9").unwrap();
        let printed = format!("{parsed:?}");
        assert!(!printed.to_lowercase().contains("0b3e5f"), "{printed}");
        let key = ApiKey::parse("abcdefghij").unwrap();
        assert_eq!(format!("{key:?}"), "ApiKey([REDACTED])");
        assert_eq!(key.fingerprint().len(), 64);
        let both = DeviceCredentials::WebApi {
            uuid: "U-1".into(),
            api_key: key,
            secret: parsed.secret,
        };
        let printed = format!("{both:?}");
        assert!(printed.contains("U-1"), "{printed}");
        assert!(
            !printed.contains("abcdefghij") && !printed.to_lowercase().contains("0b3e5f"),
            "{printed}"
        );
    }
}
