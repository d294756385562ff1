//! History tags ("who operated" in the Sesame history) that prove a command was ours.
//!
//! The wearer owns the API key and the device secret, so a fixed tag could be forged from their
//! own script. Each of our commands therefore carries `"<prefix> <12 chars>"`: the send time and
//! an HMAC of (device, time) under a server-only key. Checking needs no stored state and
//! survives restarts; a copied tag only passes near the time it names.

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::domain::DeviceId;

/// The server-only key of the tags. Never printed.
#[derive(Clone)]
pub struct TagKey([u8; 32]);

impl fmt::Debug for TagKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TagKey([REDACTED])")
    }
}

impl TagKey {
    pub fn from_bytes(bytes: [u8; 32]) -> TagKey {
        TagKey(bytes)
    }

    /// A random key: tags of an earlier process are then not recognised (tests, fuzzing).
    pub fn random() -> TagKey {
        TagKey(rand::random())
    }

    fn mac(&self, device: &str, at: u32) -> [u8; 5] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0).expect("any key length");
        mac.update(device.to_ascii_uppercase().as_bytes());
        mac.update(&at.to_be_bytes());
        let out = mac.finalize().into_bytes();
        [out[0], out[1], out[2], out[3], out[4]]
    }

    /// The tag of a command to `device` sent at `at` (≤ 21 bytes, the history's limit).
    pub fn tag(&self, prefix: &str, device: &DeviceId, at: DateTime<Utc>) -> String {
        let secs = at.timestamp().clamp(0, i64::from(u32::MAX)) as u32;
        let mut raw = [0u8; 9];
        raw[..4].copy_from_slice(&secs.to_be_bytes());
        raw[4..].copy_from_slice(&self.mac(device.as_str(), secs));
        format!("{} {}", short_prefix(prefix), URL_SAFE_NO_PAD.encode(raw))
    }

    /// When the tag says our command was sent, if it is one of ours for this device.
    pub fn sent_at(&self, device: &DeviceId, tag: &str) -> Option<DateTime<Utc>> {
        let code = tag.rsplit(' ').next()?;
        let raw = URL_SAFE_NO_PAD.decode(code).ok()?;
        let raw: [u8; 9] = raw.try_into().ok()?;
        let secs = u32::from_be_bytes([raw[0], raw[1], raw[2], raw[3]]);
        let expected = self.mac(device.as_str(), secs);
        // Constant time is not needed: the tag is public in the history anyway.
        (raw[4..] == expected).then(|| DateTime::from_timestamp(i64::from(secs), 0))?
    }
}

/// At most 8 bytes of the configured tag, cut on a character boundary.
fn short_prefix(prefix: &str) -> &str {
    let mut end = prefix.len().min(8);
    while !prefix.is_char_boundary(end) {
        end -= 1;
    }
    &prefix[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_fits_the_history_and_proves_device_and_time() {
        let key = TagKey::from_bytes([7; 32]);
        let at = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let tag = key.tag(
            "Chaster",
            &"5E5A3E05-0000-4000-8000-000000000001".into(),
            at,
        );
        assert!(tag.len() <= 21 && tag.starts_with("Chaster "), "{tag}");
        assert_eq!(
            key.sent_at(&"5e5a3e05-0000-4000-8000-000000000001".into(), &tag),
            Some(at)
        );
        assert_eq!(key.sent_at(&"OTHER".into(), &tag), None);
        assert_eq!(
            TagKey::from_bytes([8; 32])
                .sent_at(&"5E5A3E05-0000-4000-8000-000000000001".into(), &tag),
            None
        );
        assert_eq!(key.sent_at(&"x".into(), "Chaster"), None);
        assert_eq!(key.sent_at(&"x".into(), "Alice's iPhone"), None);
    }
}
