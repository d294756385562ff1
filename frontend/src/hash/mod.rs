//! Parses the URL hash Chaster opens us with: `#` + URI-encoded JSON, e.g.
//! `#%7B%22mainToken%22%3A%22…%22%2C%22extensionSlug%22%3A%22…%22%7D`.
//!
//! Pure and natively tested: it never touches the DOM and never panics, whatever the hash holds.

use crate::i18n::{t, Msg};
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::collections::BTreeMap;
use std::fmt;

/// The token that identifies the viewer to our server. Its `Debug` never prints the value, so a
/// stray `{:?}` cannot leak it into the console.
#[derive(Clone, PartialEq, Eq)]
pub struct MainToken(String);

impl MainToken {
    /// The raw token, for the `Authorization` header only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for MainToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MainToken(…)")
    }
}

/// What Chaster opened us for.
#[derive(Clone, Debug, PartialEq)]
pub enum Launch {
    /// The extension's page inside a running lock.
    Main {
        main_token: MainToken,
        extension_slug: Option<String>,
        /// Every other key of the hash, kept because Chaster may add some (e.g. a home action).
        extra: Extra,
    },
    /// The configuration modal, opened while a lock is created or edited.
    Configuration {
        configuration_token: MainToken,
        extension_slug: Option<String>,
        extra: Extra,
    },
}

/// The hash's other keys.
pub type Extra = BTreeMap<String, HashValue>;

/// A value of the hash's JSON object. Only text is ever read (a token, a slug), so the rest is
/// skipped unread: no generic JSON value (`serde_json::Value`) in the page's WASM.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HashValue {
    Text(String),
    /// A number, `true`/`false`, `null`, an array or an object.
    Other,
}

impl HashValue {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            HashValue::Text(text) => Some(text),
            HashValue::Other => None,
        }
    }
}

impl<'de> Deserialize<'de> for HashValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<HashValue, D::Error> {
        deserializer.deserialize_any(HashValueVisitor)
    }
}

struct HashValueVisitor;

impl<'de> Visitor<'de> for HashValueVisitor {
    type Value = HashValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_str<E: de::Error>(self, text: &str) -> Result<HashValue, E> {
        Ok(HashValue::Text(text.to_owned()))
    }
    fn visit_string<E: de::Error>(self, text: String) -> Result<HashValue, E> {
        Ok(HashValue::Text(text))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<HashValue, E> {
        Ok(HashValue::Other)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<HashValue, E> {
        Ok(HashValue::Other)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<HashValue, E> {
        Ok(HashValue::Other)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<HashValue, E> {
        Ok(HashValue::Other)
    }
    fn visit_unit<E: de::Error>(self) -> Result<HashValue, E> {
        Ok(HashValue::Other)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<HashValue, A::Error> {
        while items.next_element::<IgnoredAny>()?.is_some() {}
        Ok(HashValue::Other)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut entries: A) -> Result<HashValue, A::Error> {
        while entries.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(HashValue::Other)
    }
}

impl Launch {
    /// Whether the wearer came from our entry on their Chaster lock page (the key box): the
    /// hash then carries its slug. Chaster does not document the key's name, so any value of
    /// the kept keys counts.
    pub fn opens_box(&self) -> bool {
        let Launch::Main { extra, .. } = self else {
            return false;
        };
        extra
            .values()
            .any(|v| v.as_str() == Some(api_types::BOX_HOME_ACTION_SLUG))
    }
}

/// Why the hash could not be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HashError {
    /// No hash at all: the page was not opened by Chaster.
    Missing,
    /// A malformed `%` escape or bytes that are not UTF-8.
    BadEncoding,
    InvalidJson,
    NotAnObject,
    /// Neither `mainToken` nor `partnerConfigurationToken`.
    MissingToken,
    /// The token key is there but is not a string.
    TokenNotAString,
    EmptyToken,
    /// The token holds characters that can never be part of an HTTP header.
    MalformedToken,
}

impl HashError {
    /// What went wrong, in words for the "Details:" line (same words for the same cause).
    pub fn msg(self) -> Msg {
        match self {
            HashError::Missing => Msg::HashMissing,
            HashError::BadEncoding => Msg::HashBadEncoding,
            HashError::InvalidJson | HashError::NotAnObject => Msg::HashBadFormat,
            HashError::MissingToken | HashError::TokenNotAString => Msg::HashNoToken,
            HashError::EmptyToken | HashError::MalformedToken => Msg::HashBadToken,
        }
    }
}

impl fmt::Display for HashError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(t(self.msg()))
    }
}

const MAIN_TOKEN: &str = "mainToken";
const CONFIGURATION_TOKEN: &str = "partnerConfigurationToken";
const EXTENSION_SLUG: &str = "extensionSlug";

/// Parses `location.hash` (with or without the leading `#`).
pub fn parse(hash: &str) -> Result<Launch, HashError> {
    let raw = hash.strip_prefix('#').unwrap_or(hash).trim();
    if raw.is_empty() {
        return Err(HashError::Missing);
    }
    let decoded = decode_uri_component(raw)?;
    let mut object: Extra = serde_json::from_str(&decoded).map_err(|error| {
        // Well-formed JSON of another kind than an object is a "data" error.
        if error.classify() == serde_json::error::Category::Data {
            HashError::NotAnObject
        } else {
            HashError::InvalidJson
        }
    })?;
    // mainToken wins if both are present: the main page is the one that shows the session.
    let is_main = object.contains_key(MAIN_TOKEN);
    let token_key = if is_main {
        MAIN_TOKEN
    } else if object.contains_key(CONFIGURATION_TOKEN) {
        CONFIGURATION_TOKEN
    } else {
        return Err(HashError::MissingToken);
    };
    let token = match object.remove(token_key) {
        Some(HashValue::Text(token)) => validate_token(token)?,
        _ => return Err(HashError::TokenNotAString),
    };
    let extension_slug = match object.remove(EXTENSION_SLUG) {
        Some(HashValue::Text(slug)) => Some(slug),
        // A slug of another type is not ours to judge: keep it with the other keys.
        Some(other) => {
            object.insert(EXTENSION_SLUG.to_owned(), other);
            None
        }
        None => None,
    };
    Ok(if is_main {
        Launch::Main {
            main_token: token,
            extension_slug,
            extra: object,
        }
    } else {
        Launch::Configuration {
            configuration_token: token,
            extension_slug,
            extra: object,
        }
    })
}

fn validate_token(token: String) -> Result<MainToken, HashError> {
    if token.trim().is_empty() {
        return Err(HashError::EmptyToken);
    }
    // It travels in `Authorization: Bearer …`, where only visible ASCII is allowed.
    if !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(HashError::MalformedToken);
    }
    Ok(MainToken(token))
}

/// `decodeURIComponent`: every `%XX` becomes one byte, everything else stays as it is, and the
/// result must be UTF-8. Unlike form decoding, `+` stays a `+`.
pub fn decode_uri_component(input: &str) -> Result<String, HashError> {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hi = bytes.get(i + 1).and_then(|b| hex_value(*b));
            let lo = bytes.get(i + 2).and_then(|b| hex_value(*b));
            match (hi, lo) {
                (Some(hi), Some(lo)) => out.push(hi << 4 | lo),
                _ => return Err(HashError::BadEncoding),
            }
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| HashError::BadEncoding)
}

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
