//! Reading the device secret as the wearer pastes it: 32 hex characters, or the text of the
//! owner's key-sharing QR code (CANDY HOUSE's two documented layouts).

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use secrecy::zeroize::Zeroizing;

use super::DeviceSecret;
use crate::domain::Refused;

/// What the owner's key-share QR code tells besides the secret.
#[derive(Clone, Debug)]
pub struct ParsedSecret {
    pub secret: DeviceSecret,
    /// The device UUID (upper case), when the input was a QR code.
    pub uuid: Option<String>,
    /// The product type byte, when the input was a QR code.
    pub product_type: Option<u8>,
}

/// Why a credential typed by the wearer was refused. The texts are shown to them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretParseError {
    #[error("The API key is empty or contains spaces. Paste it exactly as CANDY HOUSE shows it.")]
    BadApiKey,
    #[error("The secret key must be 32 hexadecimal characters, or the text of the owner's key-sharing QR code (ssm://UI?t=sk&sk=…).")]
    Unrecognised,
    #[error("This QR code is a guest key: it does not contain the device secret. Share an owner or manager key from the Sesame app instead.")]
    GuestKey,
    #[error(
        "This QR code does not contain a readable secret key (the sk= part is missing or damaged)."
    )]
    BadQrCode,
    #[error("This QR code has a layout this server does not know ({0} bytes instead of 39 or 99), so the secret key cannot be read from it safely. Enter the secret key as 32 hexadecimal characters instead: the CANDY HOUSE developer page (biz.candyhouse.co) shows it next to the device UUID.")]
    UnknownQrLayout(usize),
    #[error("A CANDY HOUSE API key is 40 characters long; this one has {0}. Copy it again from the CANDY HOUSE developer page (biz.candyhouse.co).")]
    ApiKeyLength(usize),
}

impl SecretParseError {
    /// The refusal the page words in the reader's language; `Display` is its English fallback.
    pub fn refused(&self) -> Refused {
        let refused = |reason| Refused::new(reason, self.to_string());
        match self {
            Self::BadApiKey => refused("api_key_malformed"),
            Self::Unrecognised => refused("secret_key_malformed"),
            Self::GuestKey => refused("qr_code_guest_key"),
            Self::BadQrCode => refused("qr_code_secret_unreadable"),
            Self::UnknownQrLayout(bytes) => {
                refused("qr_code_unknown_layout").with("bytes", bytes.to_string())
            }
            Self::ApiKeyLength(length) => {
                refused("api_key_length").with("length", length.to_string())
            }
        }
    }
}

/// Accepts standard base64 with or without padding, as QR payloads come both ways.
const LENIENT_BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

impl DeviceSecret {
    /// 32 hex characters, or the QR text `ssm://UI?t=sk&sk=…&l=…&n=…`.
    pub fn parse(input: &str) -> Result<ParsedSecret, SecretParseError> {
        let input = input.trim();
        if input.len() == 32 && input.bytes().all(|b| b.is_ascii_hexdigit()) {
            let bytes =
                Zeroizing::new(hex::decode(input).map_err(|_| SecretParseError::Unrecognised)?);
            let array: [u8; 16] = bytes
                .as_slice()
                .try_into()
                .map_err(|_| SecretParseError::Unrecognised)?;
            return Ok(ParsedSecret {
                secret: Self::from_bytes(array),
                uuid: None,
                product_type: None,
            });
        }
        if input.to_ascii_lowercase().starts_with("ssm://") {
            return parse_qr(input);
        }
        Err(SecretParseError::Unrecognised)
    }
}

fn parse_qr(text: &str) -> Result<ParsedSecret, SecretParseError> {
    let query = text
        .split_once('?')
        .map(|(_, q)| q)
        .ok_or(SecretParseError::BadQrCode)?;
    let mut sk = None;
    let mut level = None;
    for pair in query.split('&') {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        // Percent-decoding (not form-decoding) keeps a literal `+`; a `+` already turned into a
        // space by some form decoder is put back below.
        let value = percent_encoding::percent_decode_str(value)
            .decode_utf8_lossy()
            .into_owned();
        match name {
            "sk" => sk = Some(Zeroizing::new(value)),
            "l" => level = Some(value),
            _ => {}
        }
    }
    if level.as_deref().map(str::trim) == Some("2") {
        return Err(SecretParseError::GuestKey);
    }
    let sk = sk.ok_or(SecretParseError::BadQrCode)?;
    let sk = Zeroizing::new(sk.trim().replace(' ', "+"));
    let raw = Zeroizing::new(
        LENIENT_BASE64
            .decode(sk.as_bytes())
            .map_err(|_| SecretParseError::BadQrCode)?,
    );
    // Only the two layouts CANDY HOUSE documents: OS3 (type ≥ 5) 39 bytes, OS2 99 bytes. Any
    // other (e.g. a payload the newer apps redeem through a server) would give a wrong secret.
    let uuid_at = match (raw.len(), raw.first()) {
        (39, Some(t)) if *t >= 5 => 23,
        (99, Some(t)) if *t < 5 => 83,
        (0..=16, _) => return Err(SecretParseError::BadQrCode),
        (n, _) => return Err(SecretParseError::UnknownQrLayout(n)),
    };
    let secret: [u8; 16] = raw[1..17]
        .try_into()
        .map_err(|_| SecretParseError::BadQrCode)?;
    // Guest QR codes carry a guest key id, not the secret, in this slot; it starts with zeros.
    if secret[..8].iter().all(|b| *b == 0) {
        return Err(SecretParseError::GuestKey);
    }
    let product_type = raw[0];
    let uuid = raw.get(uuid_at..uuid_at + 16).map(format_uuid);
    Ok(ParsedSecret {
        secret: DeviceSecret::from_bytes(secret),
        uuid,
        product_type: Some(product_type),
    })
}

fn format_uuid(bytes: &[u8]) -> String {
    let h = hex::encode_upper(bytes);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: [u8; 16] = [
        0x0b, 0x3e, 0x5f, 0x16, 0x65, 0xe1, 0x43, 0xb5, 0x91, 0x80, 0xc9, 0x15, 0xfa, 0x4b, 0x06,
        0xd9,
    ];
    const OS3_SK: &str = "BQs+XxZl4UO1kYDJFfpLBtkBAgMEAAESNFZ4EjRWeBI0VngSNFZ4";
    const OS2_SK: &str = "BAs+XxZl4UO1kYDJFfpLBtkAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAESNFZ4EjRWeBI0VngSNFZ4";
    const UUID: &str = "12345678-1234-5678-1234-567812345678";

    #[test]
    fn a_hex_secret_is_accepted_in_either_case() {
        let parsed = DeviceSecret::parse(" 0B3E5F1665E143B59180C915FA4B06D9 ").unwrap();
        assert_eq!(parsed.secret.expose(), &SECRET);
        assert!(parsed.uuid.is_none());
    }

    #[test]
    fn the_os3_qr_code_yields_the_secret_uuid_and_model() {
        let parsed = DeviceSecret::parse(&format!("ssm://UI?t=sk&sk={OS3_SK}&l=0&n=Box")).unwrap();
        assert_eq!(parsed.secret.expose(), &SECRET);
        assert_eq!(parsed.uuid.as_deref(), Some(UUID));
        assert_eq!(parsed.product_type, Some(5));
    }

    #[test]
    fn the_os2_qr_code_yields_the_secret_and_uuid() {
        let parsed = DeviceSecret::parse(&format!("ssm://UI?t=sk&sk={OS2_SK}&l=1&n=Box")).unwrap();
        assert_eq!(parsed.secret.expose(), &SECRET);
        assert_eq!(parsed.uuid.as_deref(), Some(UUID));
        assert_eq!(parsed.product_type, Some(4));
    }

    #[test]
    fn a_plus_turned_into_a_space_or_percent_encoded_still_decodes() {
        let spaced = OS3_SK.replace('+', " ");
        let parsed = DeviceSecret::parse(&format!("ssm://UI?t=sk&sk={spaced}&l=0&n=Box")).unwrap();
        assert_eq!(parsed.secret.expose(), &SECRET);
        let encoded = OS3_SK.replace('+', "%2B");
        let parsed = DeviceSecret::parse(&format!("ssm://UI?t=sk&sk={encoded}&l=0")).unwrap();
        assert_eq!(parsed.secret.expose(), &SECRET);
    }

    #[test]
    fn a_guest_qr_code_is_refused_with_an_explanation() {
        let err =
            DeviceSecret::parse(&format!("ssm://UI?t=sk&sk={OS3_SK}&l=2&n=Guest")).unwrap_err();
        assert_eq!(err, SecretParseError::GuestKey);
        assert!(err.to_string().contains("guest key"));
    }

    #[test]
    fn garbage_is_refused() {
        assert_eq!(
            DeviceSecret::parse("hello").unwrap_err(),
            SecretParseError::Unrecognised
        );
        assert_eq!(
            DeviceSecret::parse("ssm://UI?t=sk&l=0").unwrap_err(),
            SecretParseError::BadQrCode
        );
        assert_eq!(
            DeviceSecret::parse("ssm://UI?t=sk&sk=AAEC&l=0").unwrap_err(),
            SecretParseError::BadQrCode
        );
    }

    /// The QR text of a raw `sk` payload.
    fn qr_of(bytes: &[u8]) -> String {
        let sk = base64::engine::general_purpose::STANDARD.encode(bytes);
        format!("ssm://UI?t=sk&sk={sk}&l=0&n=Box")
    }

    #[test]
    fn only_the_two_known_qr_layouts_are_read() {
        let mut touch = base64::engine::general_purpose::STANDARD
            .decode(OS3_SK)
            .unwrap();
        touch[0] = 26;
        let parsed = DeviceSecret::parse(&qr_of(&touch)).unwrap();
        assert_eq!(parsed.product_type, Some(26));
        let mut long = vec![5u8];
        long.extend_from_slice(&SECRET);
        long.resize(160, 7);
        let err = DeviceSecret::parse(&qr_of(&long)).unwrap_err();
        assert_eq!(err, SecretParseError::UnknownQrLayout(160));
        assert!(err.to_string().contains("biz.candyhouse.co"), "{err}");
        // A 39-byte payload of an OS2 type is not a layout CANDY HOUSE writes.
        let mut os2_short = touch.clone();
        os2_short[0] = 4;
        assert_eq!(
            DeviceSecret::parse(&qr_of(&os2_short)).unwrap_err(),
            SecretParseError::UnknownQrLayout(39)
        );
    }

    #[test]
    fn each_refusal_has_its_own_reason_and_keeps_its_english_as_the_fallback() {
        let all = [
            SecretParseError::BadApiKey,
            SecretParseError::Unrecognised,
            SecretParseError::GuestKey,
            SecretParseError::BadQrCode,
            SecretParseError::UnknownQrLayout(160),
            SecretParseError::ApiKeyLength(39),
        ];
        let mut reasons: Vec<&str> = all.iter().map(|e| e.refused().reason.unwrap()).collect();
        reasons.sort_unstable();
        reasons.dedup();
        assert_eq!(reasons.len(), all.len(), "{reasons:?}");
        for e in &all {
            assert_eq!(e.refused().message, e.to_string());
        }
        let layout = SecretParseError::UnknownQrLayout(160).refused();
        assert_eq!(layout.reason, Some("qr_code_unknown_layout"));
        assert_eq!(layout.params, vec![("bytes", "160".to_owned())]);
        let length = SecretParseError::ApiKeyLength(39).refused();
        assert_eq!(length.reason, Some("api_key_length"));
        assert_eq!(length.params, vec![("length", "39".to_owned())]);
    }
}
