//! Checks what the wearer typed to connect a box, before anything reaches CANDY HOUSE. Pure.
//! Every refusal names a reason the page words in the wearer's language (English fallback).

use api_types::{DeviceApi, DeviceRegistration};

use crate::domain::{ApiKey, DeviceCredentials, DeviceId, DeviceSecret};
use crate::error::{AppError, Refused};
use crate::sesame::product::{product, product_type_of_name};
use crate::sesame::{model_name, Capabilities};

/// As the connect form allows.
const MAX_NICKNAME_CHARS: usize = 40;
/// Longer than any real v3 device id; bounds what we send upstream and store.
const MAX_DEVICE_ID_CHARS: usize = 100;

/// A registration that passed the local checks; CANDY HOUSE has not seen it yet.
#[derive(Debug)]
pub struct Candidate {
    pub credentials: DeviceCredentials,
    /// From the QR code or the model picked, for the model name.
    pub product_type: Option<u8>,
    /// What the box accepts (a SESAME Bike only unlocks).
    pub caps: Capabilities,
    /// `None` when the wearer left it empty.
    pub nickname: Option<String>,
}

/// A refusal the page words by `reason`.
fn refused(reason: &'static str, message: impl Into<String>) -> AppError {
    AppError::Invalid(Refused::new(reason, message))
}

pub fn parse(registration: &DeviceRegistration) -> Result<Candidate, AppError> {
    let nickname = nickname(&registration.nickname)?;
    let api_key =
        ApiKey::parse(&registration.api_key).map_err(|e| AppError::Invalid(e.refused()))?;
    let device_id = registration.device_id.trim();
    let secret = registration
        .secret
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    match registration.api {
        DeviceApi::WebApi => {
            let secret = secret.ok_or_else(|| {
                refused("secret_key_needed", "A SESAME 3, 4 or 5 needs its secret key: 32 hexadecimal characters, or the text of the owner's key-sharing QR code.")
            })?;
            api_key
                .check_web_api_length()
                .map_err(|e| AppError::Invalid(e.refused()))?;
            let parsed = DeviceSecret::parse(secret).map_err(|e| AppError::Invalid(e.refused()))?;
            let product_type = match (parsed.product_type, registration.model.as_deref()) {
                (Some(t), _) => Some(t),
                (None, Some(m)) if !m.trim().is_empty() => {
                    Some(product_type_of_name(m).ok_or_else(|| {
                        AppError::Invalid(Refused::new("model_unknown", format!("\"{m}\" is not a CANDY HOUSE model this server knows. Pick the model from the list, or paste the owner's key-sharing QR code.")).with("model", m))
                    })?)
                }
                (None, _) => None,
            };
            let caps = match product_type.map(product) {
                None => Capabilities::LOCK,
                Some(p) => p
                    .capabilities(parsed.product_type.is_some())
                    .map_err(AppError::Invalid)?,
            };
            let uuid = web_uuid(device_id, parsed.uuid.as_deref())?;
            Ok(Candidate {
                credentials: DeviceCredentials::WebApi {
                    uuid: DeviceId::new(uuid),
                    api_key,
                    secret: parsed.secret,
                },
                product_type,
                caps,
                nickname,
            })
        }
        DeviceApi::LegacyV3 => {
            if secret.is_some() {
                return Err(refused("v3_needs_no_secret", "The original Sesame (legacy v3 API) needs no secret key. Leave it empty, or choose the Web API for a SESAME 3, 4 or 5."));
            }
            if device_id.is_empty() {
                return Err(refused(
                    "v3_device_id_needed",
                    "Please enter the device id of the Sesame, as the v3 API lists it.",
                ));
            }
            if device_id.chars().count() > MAX_DEVICE_ID_CHARS
                || device_id
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control())
            {
                return Err(refused(
                    "v3_device_id_malformed",
                    "The device id cannot contain spaces; paste it exactly as the v3 API lists it.",
                ));
            }
            Ok(Candidate {
                credentials: DeviceCredentials::LegacyV3 {
                    device_id: DeviceId::new(device_id),
                    api_key,
                },
                product_type: None,
                caps: Capabilities::LOCK,
                nickname,
            })
        }
    }
}

impl Candidate {
    /// The model name saved with the box (it decides the capabilities later).
    pub fn model(&self) -> String {
        model_name(self.product_type)
    }

    /// The model name when the product type is known, else `fallback` (what CANDY HOUSE said).
    pub fn model_or(&self, fallback: String) -> String {
        if self.product_type.is_some() {
            self.model()
        } else {
            fallback
        }
    }
}

fn nickname(raw: &str) -> Result<Option<String>, AppError> {
    let name: String = raw.trim().chars().filter(|c| !c.is_control()).collect();
    if name.chars().count() > MAX_NICKNAME_CHARS {
        return Err(AppError::Invalid(
            Refused::new(
                "box_name_too_long",
                format!("Please keep the name under {MAX_NICKNAME_CHARS} characters."),
            )
            .with("max", MAX_NICKNAME_CHARS.to_string()),
        ));
    }
    Ok(Some(name).filter(|n| !n.is_empty()))
}

/// The device UUID, upper case. A QR code names its device: it must be the one typed, and it
/// stands in for an empty field.
fn web_uuid(typed: &str, from_qr: Option<&str>) -> Result<String, AppError> {
    match (typed.is_empty(), from_qr) {
        (true, Some(qr)) => Ok(qr.to_ascii_uppercase()),
        (true, None) => Err(refused(
            "device_uuid_needed",
            "Please enter the device UUID of the Sesame (it looks like 12345678-1234-5678-1234-567812345678).",
        )),
        (false, _) if !is_uuid(typed) => Err(refused(
            "device_uuid_malformed",
            "The device UUID looks like 12345678-1234-5678-1234-567812345678: 32 hexadecimal characters in groups of 8-4-4-4-12.",
        )),
        (false, Some(qr)) if !qr.eq_ignore_ascii_case(typed) => Err(AppError::Invalid(
            Refused::new(
                "qr_code_of_other_box",
                format!("This QR code belongs to the Sesame {qr}, not to the device UUID you entered. Check the UUID, or share the key of the right Sesame."),
            )
            .with("uuid", qr),
        )),
        (false, _) => Ok(typed.to_ascii_uppercase()),
    }
}

fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, len)| g.len() == len && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    const KEY: &str = "demo-sesame-api-key-0000000000000000000a";
    const SECRET_HEX: &str = "0b3e5f1665e143b59180c915fa4b06d9";
    /// A SESAME 5 QR payload (product type 5) for the UUID below.
    const QR_SK: &str = "BQs+XxZl4UO1kYDJFfpLBtkBAgMEAAESNFZ4EjRWeBI0VngSNFZ4";
    const QR_UUID: &str = "12345678-1234-5678-1234-567812345678";

    fn web(device_id: &str, secret: Option<&str>) -> DeviceRegistration {
        DeviceRegistration {
            api: DeviceApi::WebApi,
            nickname: "  Key box ".into(),
            api_key: KEY.into(),
            device_id: device_id.into(),
            secret: secret.map(str::to_owned),
            model: None,
        }
    }

    fn message(result: Result<Candidate, AppError>) -> String {
        match result {
            Err(AppError::Invalid(m)) => m.message.into_owned(),
            other => panic!("expected an invalid registration, got {other:?}"),
        }
    }

    #[test]
    fn a_web_registration_with_a_hex_secret_yields_upper_case_uuid_credentials() {
        let c = parse(&web(&QR_UUID.to_lowercase(), Some(SECRET_HEX))).unwrap();
        assert_eq!(c.credentials.device_id().as_str(), QR_UUID);
        assert_eq!(c.nickname.as_deref(), Some("Key box"));
        assert_eq!(c.product_type, None);
    }

    #[test]
    fn a_qr_code_gives_the_model_and_may_stand_in_for_the_uuid() {
        let qr = format!("ssm://UI?t=sk&sk={QR_SK}&l=0&n=Box");
        let c = parse(&web("", Some(&qr))).unwrap();
        assert_eq!(c.credentials.device_id().as_str(), QR_UUID);
        assert_eq!(c.product_type, Some(5));
        assert!(parse(&web(QR_UUID, Some(&qr))).is_ok());
    }

    #[test]
    fn a_qr_code_of_another_sesame_is_refused() {
        let qr = format!("ssm://UI?t=sk&sk={QR_SK}&l=0&n=Box");
        let m = message(parse(&web(
            "5E5A3E05-0000-4000-8000-000000000001",
            Some(&qr),
        )));
        assert!(m.contains("belongs to the Sesame 12345678"), "{m}");
    }

    #[test]
    fn registration_refusals_name_a_reason_and_the_values_the_page_words() {
        let qr = format!("ssm://UI?t=sk&sk={QR_SK}&l=0&n=Box");
        let other = parse(&web("5E5A3E05-0000-4000-8000-000000000001", Some(&qr)));
        let body = other.err().unwrap().to_api_error();
        assert_eq!(body.reason.as_deref(), Some("qr_code_of_other_box"));
        assert_eq!(body.params["uuid"], QR_UUID);
        let body = parse(&web("", Some(SECRET_HEX)))
            .err()
            .unwrap()
            .to_api_error();
        assert_eq!(body.reason.as_deref(), Some("device_uuid_needed"));
        let body = parse(&web("not-a-uuid", Some(SECRET_HEX)))
            .err()
            .unwrap()
            .to_api_error();
        assert_eq!(body.reason.as_deref(), Some("device_uuid_malformed"));
    }

    #[test]
    fn a_guest_qr_code_is_refused_with_an_explanation() {
        let qr = format!("ssm://UI?t=sk&sk={QR_SK}&l=2&n=Guest");
        assert!(message(parse(&web(QR_UUID, Some(&qr)))).contains("guest key"));
    }

    #[test]
    fn a_malformed_or_missing_secret_says_what_is_expected() {
        assert!(message(parse(&web(QR_UUID, Some("12ab")))).contains("32 hexadecimal"));
        assert!(message(parse(&web(QR_UUID, None))).contains("secret key"));
        assert!(message(parse(&web(QR_UUID, Some("  ")))).contains("secret key"));
    }

    #[test]
    fn bad_api_keys_uuids_and_nicknames_are_refused() {
        let mut r = web(QR_UUID, Some(SECRET_HEX));
        r.api_key = "two words".into();
        assert!(message(parse(&r)).contains("API key"));
        assert!(message(parse(&web("not-a-uuid", Some(SECRET_HEX)))).contains("8-4-4-4-12"));
        assert!(message(parse(&web("", Some(SECRET_HEX)))).contains("device UUID"));
        let mut r = web(QR_UUID, Some(SECRET_HEX));
        r.nickname = "x".repeat(41);
        assert!(message(parse(&r)).contains("40 characters"));
    }

    #[test]
    fn a_touch_2_pro_qr_code_is_refused_naming_the_device() {
        let mut raw = base64::engine::general_purpose::STANDARD
            .decode(QR_SK)
            .unwrap();
        raw[0] = 26;
        let sk = base64::engine::general_purpose::STANDARD.encode(&raw);
        let qr = format!("ssm://UI?t=sk&sk={sk}&l=0&n=Touch");
        let m = message(parse(&web(QR_UUID, Some(&qr))));
        assert!(m.contains("SESAME Touch 2 Pro, not a lock"), "{m}");
    }

    #[test]
    fn a_160_byte_qr_payload_asks_for_the_hex_secret() {
        let mut raw = vec![5u8];
        raw.resize(160, 9);
        let sk = base64::engine::general_purpose::STANDARD.encode(&raw);
        let m = message(parse(&web(
            QR_UUID,
            Some(&format!("ssm://UI?t=sk&sk={sk}&l=0")),
        )));
        assert!(
            m.contains("160 bytes") && m.contains("32 hexadecimal"),
            "{m}"
        );
    }

    #[test]
    fn a_bike_is_an_unlock_only_box_and_a_bot_2_is_refused() {
        let mut r = web(QR_UUID, Some(SECRET_HEX));
        r.model = Some("SESAME Bike 2".into());
        let c = parse(&r).unwrap();
        assert!(!c.caps.can_lock && c.caps.can_unlock);
        assert_eq!(c.model(), "SESAME Bike 2");
        r.model = Some("SESAME Bot 2".into());
        let m = message(parse(&r));
        assert!(
            m.contains("A SESAME Bot 2 is a CANDY HOUSE device, not a lock"),
            "{m}"
        );
    }

    #[test]
    fn a_web_api_key_must_have_40_characters() {
        let mut r = web(QR_UUID, Some(SECRET_HEX));
        r.api_key = "k".repeat(39);
        assert!(message(parse(&r)).contains("40 characters"));
    }

    #[test]
    fn a_legacy_registration_needs_a_device_id_and_no_secret() {
        let mut r = web("5e5a3e01-0000-4000-8000-000000000003", None);
        r.api = DeviceApi::LegacyV3;
        r.nickname = String::new();
        let c = parse(&r).unwrap();
        assert_eq!(
            c.credentials.device_id().as_str(),
            "5e5a3e01-0000-4000-8000-000000000003"
        );
        assert_eq!(c.nickname, None);
        r.secret = Some(SECRET_HEX.into());
        assert!(message(parse(&r)).contains("needs no secret"));
        r.secret = None;
        r.device_id = "a b".into();
        assert!(message(parse(&r)).contains("spaces"));
    }

    /// The reason and params the page words for a refused registration.
    fn wording(result: Result<Candidate, AppError>) -> (String, Vec<(String, String)>) {
        let body = result.expect_err("a refusal").to_api_error();
        (
            body.reason.expect("a reason"),
            body.params.into_iter().collect(),
        )
    }

    #[test]
    fn secret_key_and_device_refusals_name_a_reason_and_their_values_for_the_page() {
        let mut r = web(QR_UUID, Some(SECRET_HEX));
        r.api_key = "k".repeat(39);
        assert_eq!(
            wording(parse(&r)),
            (
                "api_key_length".into(),
                vec![("length".into(), "39".into())]
            )
        );
        r.api_key = "two words".into();
        assert_eq!(wording(parse(&r)).0, "api_key_malformed");
        assert_eq!(
            wording(parse(&web(QR_UUID, Some("12ab")))).0,
            "secret_key_malformed"
        );
        let guest = format!("ssm://UI?t=sk&sk={QR_SK}&l=2&n=Guest");
        assert_eq!(
            wording(parse(&web(QR_UUID, Some(&guest)))).0,
            "qr_code_guest_key"
        );

        let mut raw = base64::engine::general_purpose::STANDARD
            .decode(QR_SK)
            .unwrap();
        raw[0] = 26;
        let sk = base64::engine::general_purpose::STANDARD.encode(&raw);
        let touch = format!("ssm://UI?t=sk&sk={sk}&l=0&n=Touch");
        assert_eq!(
            wording(parse(&web(QR_UUID, Some(&touch)))),
            (
                "qr_code_of_non_lock".into(),
                vec![("name".into(), "SESAME Touch 2 Pro".into())]
            )
        );

        let mut r = web(QR_UUID, Some(SECRET_HEX));
        r.model = Some("SESAME Bot 2".into());
        assert_eq!(
            wording(parse(&r)),
            (
                "model_is_bot".into(),
                vec![("name".into(), "SESAME Bot 2".into())]
            )
        );
        r.model = Some("Sesame 99".into());
        assert_eq!(
            wording(parse(&r)),
            (
                "model_unknown".into(),
                vec![("model".into(), "Sesame 99".into())]
            )
        );
    }
}
