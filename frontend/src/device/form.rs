//! The connect form's content and its checks, before anything is sent. Pure.
//! The server checks again; these checks only catch typos early and explain them.

use crate::i18n::{t, PageMsg};
use api_types::{DeviceApi, DeviceRegistration};

/// One answer to "Which Sesame do you have?": the name on the box, and what it means for the
/// server (which API, and the model name it knows).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ModelChoice {
    /// As CANDY HOUSE sells it.
    pub label: Label,
    pub api: DeviceApi,
    /// The server's model name (`api_types::SESAME_MODELS`); `None`: a SESAME lock, model unsaid.
    pub model: Option<&'static str>,
}

/// A model's name: a product name stays as it is; a description is translated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Label {
    Name(&'static str),
    Words(PageMsg),
}

impl Label {
    pub fn text(self) -> &'static str {
        match self {
            Label::Name(name) => name,
            Label::Words(msg) => t(msg),
        }
    }
}

const fn web(label: &'static str, model: &'static str) -> ModelChoice {
    ModelChoice {
        label: Label::Name(label),
        api: DeviceApi::WebApi,
        model: Some(model),
    }
}

/// The locks the form offers, newest first; the original Sesame (the legacy API) last.
/// Bots, Touch, Remote, Open Sensor, Face and hubs are not locks: the form says so instead.
pub const MODEL_CHOICES: &[ModelChoice] = &[
    web("Sesame 5", "SESAME 5"),
    web("Sesame 5 Pro", "SESAME 5 Pro"),
    web("Sesame 5 US", "SESAME 5 US"),
    web("Sesame 6", "SESAME 6"),
    web("Sesame 6 Pro", "SESAME 6 Pro"),
    ModelChoice {
        label: Label::Words(PageMsg::ConnectModelSlidingDoor),
        api: DeviceApi::WebApi,
        model: Some("SESAME 6 Pro sliding door"),
    },
    web("Sesame 4", "SESAME 4"),
    web("Sesame 3", "SESAME 3"),
    web("Sesame MIWA", "SESAME MIWA"),
    web("Sesame Bike", "SESAME Bike"),
    web("Sesame Bike 2", "SESAME Bike 2"),
    web("Sesame Bike 3", "SESAME Bike 3"),
    ModelChoice {
        label: Label::Words(PageMsg::ConnectModelOriginal),
        api: DeviceApi::LegacyV3,
        model: None,
    },
];

/// What the wearer typed (or the QR reader filled in).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConnectDraft {
    /// An index into [`MODEL_CHOICES`]; `None` until picked (then: a Web API lock).
    pub choice: Option<usize>,
    pub nickname: String,
    pub api_key: String,
    pub device_id: String,
    /// Web API only: 32 hex characters, or the owner QR code's text (it names its own UUID).
    pub secret: String,
}

impl ConnectDraft {
    pub fn model_choice(&self) -> Option<ModelChoice> {
        self.choice.and_then(|i| MODEL_CHOICES.get(i)).copied()
    }

    pub fn api(&self) -> DeviceApi {
        self.model_choice().map_or(DeviceApi::WebApi, |c| c.api)
    }

    /// The secret is a QR code's text: the server reads the UUID and the model from it.
    pub fn secret_is_qr(&self) -> bool {
        is_qr_text(self.secret.trim())
    }
}

/// `ssm://…`, in any case.
pub fn is_qr_text(text: &str) -> bool {
    text.get(..6)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("ssm://"))
}

/// A field of the connect form that can be wrong; each has its input's and its error's id, so the
/// error sits next to its field and the input names it (`aria-describedby`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnectField {
    Nickname,
    ApiKey,
    DeviceId,
    Secret,
}

impl ConnectField {
    /// The fields in the order the form shows them.
    pub const ALL: [ConnectField; 4] = [
        ConnectField::Nickname,
        ConnectField::ApiKey,
        ConnectField::DeviceId,
        ConnectField::Secret,
    ];

    pub fn input_id(self) -> &'static str {
        match self {
            ConnectField::Nickname => "connect-nickname",
            ConnectField::ApiKey => "connect-api-key",
            ConnectField::DeviceId => "connect-device-id",
            ConnectField::Secret => "connect-secret",
        }
    }

    pub fn error_id(self) -> &'static str {
        match self {
            ConnectField::Nickname => "connect-nickname-error",
            ConnectField::ApiKey => "connect-api-key-error",
            ConnectField::DeviceId => "connect-device-id-error",
            ConnectField::Secret => "connect-secret-error",
        }
    }
}

/// Something wrong with one field of a draft.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DraftProblem {
    NicknameTooLong,
    ApiKeyMissing,
    ApiKeyHasSpaces,
    DeviceIdMissing,
    DeviceIdNotUuid,
    DeviceIdHasSpaces,
    SecretMissing,
    SecretMalformed,
}

impl DraftProblem {
    pub fn message(self) -> &'static str {
        t(match self {
            DraftProblem::NicknameTooLong => PageMsg::ConnectNicknameTooLong,
            DraftProblem::ApiKeyMissing => PageMsg::ConnectApiKeyMissing,
            DraftProblem::ApiKeyHasSpaces => PageMsg::ConnectApiKeySpaces,
            DraftProblem::DeviceIdMissing => PageMsg::ConnectDeviceIdMissing,
            DraftProblem::DeviceIdNotUuid => PageMsg::ConnectDeviceIdNotUuid,
            DraftProblem::DeviceIdHasSpaces => PageMsg::ConnectDeviceIdSpaces,
            DraftProblem::SecretMissing => PageMsg::ConnectSecretMissing,
            DraftProblem::SecretMalformed => PageMsg::ConnectSecretMalformed,
        })
    }

    /// The field the problem is shown next to.
    pub fn field(self) -> ConnectField {
        match self {
            DraftProblem::NicknameTooLong => ConnectField::Nickname,
            DraftProblem::ApiKeyMissing | DraftProblem::ApiKeyHasSpaces => ConnectField::ApiKey,
            DraftProblem::DeviceIdMissing
            | DraftProblem::DeviceIdNotUuid
            | DraftProblem::DeviceIdHasSpaces => ConnectField::DeviceId,
            DraftProblem::SecretMissing | DraftProblem::SecretMalformed => ConnectField::Secret,
        }
    }
}

/// The name used when the wearer leaves it empty.
pub const DEFAULT_NICKNAME: &str = "Key box";
const MAX_NICKNAME_CHARS: usize = 40;

/// Every problem of the draft, at most one per field, in the form's order.
pub fn problems(draft: &ConnectDraft) -> Vec<DraftProblem> {
    to_registration(draft).err().unwrap_or_default()
}

/// The problem shown next to `field`, if any.
pub fn problem_of(problems: &[DraftProblem], field: ConnectField) -> Option<DraftProblem> {
    problems.iter().copied().find(|p| p.field() == field)
}

/// Checks the draft and builds the request body, or names every field that is wrong.
/// Spaces around values are dropped.
pub fn to_registration(draft: &ConnectDraft) -> Result<DeviceRegistration, Vec<DraftProblem>> {
    let mut found = Vec::new();
    let nickname = match draft.nickname.trim() {
        "" => DEFAULT_NICKNAME.to_owned(),
        name if name.chars().count() > MAX_NICKNAME_CHARS => {
            found.push(DraftProblem::NicknameTooLong);
            String::new()
        }
        name => name.to_owned(),
    };
    let api_key = draft.api_key.trim();
    if api_key.is_empty() {
        found.push(DraftProblem::ApiKeyMissing);
    } else if api_key.chars().any(char::is_whitespace) {
        found.push(DraftProblem::ApiKeyHasSpaces);
    }
    let device_id = draft.device_id.trim();
    let api = draft.api();
    let secret = match api {
        DeviceApi::WebApi => {
            // The owner QR code names its Sesame: the UUID may then be left empty.
            if device_id.is_empty() && !draft.secret_is_qr() {
                found.push(DraftProblem::DeviceIdMissing);
            } else if !device_id.is_empty() && !is_uuid(device_id) {
                found.push(DraftProblem::DeviceIdNotUuid);
            }
            secret(&draft.secret).map_err(|p| found.push(p)).ok()
        }
        DeviceApi::LegacyV3 => {
            if device_id.is_empty() {
                found.push(DraftProblem::DeviceIdMissing);
            } else if device_id.chars().any(char::is_whitespace) {
                found.push(DraftProblem::DeviceIdHasSpaces);
            }
            None
        }
    };
    if !found.is_empty() {
        return Err(found);
    }
    Ok(DeviceRegistration {
        api,
        nickname,
        api_key: api_key.to_owned(),
        device_id: device_id.to_owned(),
        model: draft
            .model_choice()
            .and_then(|c| c.model)
            .map(str::to_owned),
        secret,
    })
}

fn secret(text: &str) -> Result<String, DraftProblem> {
    let text = text.trim();
    if text.is_empty() {
        return Err(DraftProblem::SecretMissing);
    }
    // QR text goes to the server as it is: decoding it is the server's job.
    if is_qr_text(text) {
        return if text.contains("sk=") {
            Ok(text.to_owned())
        } else {
            Err(DraftProblem::SecretMalformed)
        };
    }
    let hex: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if hex.len() == 32 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
        Ok(hex)
    } else {
        Err(DraftProblem::SecretMalformed)
    }
}

/// 8-4-4-4-12 hex digits, in either case.
fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.chars().all(|c| c.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const UUID: &str = "12345678-1234-5678-1234-567812345678";
    const SECRET: &str = "0b3e5f16a1b2c3d4e5f60718293a06d9";

    fn web_draft() -> ConnectDraft {
        ConnectDraft {
            choice: None,
            nickname: "  Drawer  ".into(),
            api_key: " key123 ".into(),
            device_id: UUID.into(),
            secret: SECRET.into(),
        }
    }

    fn choice_of(api: DeviceApi, model: Option<&str>) -> Option<usize> {
        MODEL_CHOICES
            .iter()
            .position(|c| c.api == api && c.model == model)
    }

    fn legacy() -> Option<usize> {
        choice_of(DeviceApi::LegacyV3, None)
    }

    #[test]
    fn a_complete_web_api_draft_becomes_a_trimmed_registration() {
        let registration = to_registration(&web_draft()).unwrap();
        assert_eq!(registration.nickname, "Drawer");
        assert_eq!(registration.api_key, "key123");
        assert_eq!(registration.device_id, UUID);
        assert_eq!(registration.secret.as_deref(), Some(SECRET));
    }

    #[test]
    fn qr_text_is_accepted_as_the_secret_and_passed_on_unchanged() {
        let qr = "ssm://UI?t=sk&sk=AAECAwQ&l=0&n=Box";
        let draft = ConnectDraft {
            secret: qr.into(),
            ..web_draft()
        };
        assert_eq!(to_registration(&draft).unwrap().secret.as_deref(), Some(qr));
    }

    #[test]
    fn a_qr_code_needs_no_typed_uuid_since_it_names_its_sesame() {
        let draft = ConnectDraft {
            device_id: " ".into(),
            secret: "ssm://UI?t=sk&sk=AAECAwQ&l=0&n=Box".into(),
            ..web_draft()
        };
        let registration = to_registration(&draft).unwrap();
        assert_eq!(registration.device_id, "");
        let hex_without_uuid = ConnectDraft {
            device_id: "".into(),
            ..web_draft()
        };
        assert_eq!(
            problems(&hex_without_uuid),
            vec![DraftProblem::DeviceIdMissing]
        );
    }

    #[test]
    fn each_plain_model_name_sends_a_model_the_server_knows() {
        for choice in MODEL_CHOICES {
            if let Some(model) = choice.model {
                assert!(api_types::SESAME_MODELS.contains(&model), "{model}");
            }
        }
        let draft = ConnectDraft {
            choice: choice_of(DeviceApi::WebApi, Some("SESAME 5 Pro")),
            ..web_draft()
        };
        let registration = to_registration(&draft).unwrap();
        assert_eq!(registration.api, DeviceApi::WebApi);
        assert_eq!(registration.model.as_deref(), Some("SESAME 5 Pro"));
        assert_eq!(to_registration(&web_draft()).unwrap().model, None);
        let original = ConnectDraft {
            choice: legacy(),
            device_id: "abc".into(),
            ..web_draft()
        };
        let registration = to_registration(&original).unwrap();
        assert_eq!(
            (registration.api, registration.model),
            (DeviceApi::LegacyV3, None)
        );
    }

    #[test]
    fn a_legacy_draft_needs_no_secret_and_sends_none() {
        let draft = ConnectDraft {
            choice: legacy(),
            device_id: "abc-device".into(),
            secret: SECRET.into(),
            ..web_draft()
        };
        assert_eq!(to_registration(&draft).unwrap().secret, None);
    }

    #[test]
    fn an_empty_nickname_gets_the_default() {
        let draft = ConnectDraft {
            nickname: "   ".into(),
            ..web_draft()
        };
        assert_eq!(to_registration(&draft).unwrap().nickname, DEFAULT_NICKNAME);
    }

    #[test]
    fn each_mistake_is_named() {
        let cases = [
            (
                ConnectDraft {
                    nickname: "x".repeat(41),
                    ..web_draft()
                },
                DraftProblem::NicknameTooLong,
            ),
            (
                ConnectDraft {
                    api_key: " ".into(),
                    ..web_draft()
                },
                DraftProblem::ApiKeyMissing,
            ),
            (
                ConnectDraft {
                    api_key: "a b".into(),
                    ..web_draft()
                },
                DraftProblem::ApiKeyHasSpaces,
            ),
            (
                ConnectDraft {
                    device_id: "".into(),
                    ..web_draft()
                },
                DraftProblem::DeviceIdMissing,
            ),
            (
                ConnectDraft {
                    device_id: "1234".into(),
                    ..web_draft()
                },
                DraftProblem::DeviceIdNotUuid,
            ),
            (
                ConnectDraft {
                    secret: "".into(),
                    ..web_draft()
                },
                DraftProblem::SecretMissing,
            ),
            (
                ConnectDraft {
                    secret: "xyz".into(),
                    ..web_draft()
                },
                DraftProblem::SecretMalformed,
            ),
            (
                ConnectDraft {
                    secret: "ssm://UI?t=x".into(),
                    ..web_draft()
                },
                DraftProblem::SecretMalformed,
            ),
            (
                ConnectDraft {
                    choice: legacy(),
                    device_id: "a b".into(),
                    ..web_draft()
                },
                DraftProblem::DeviceIdHasSpaces,
            ),
        ];
        for (draft, problem) in cases {
            assert_eq!(to_registration(&draft), Err(vec![problem]), "{draft:?}");
            assert_eq!(
                problem_of(&problems(&draft), problem.field()),
                Some(problem)
            );
        }
    }

    #[test]
    fn every_wrong_field_is_named_at_once_in_the_forms_order() {
        let draft = ConnectDraft {
            nickname: "x".repeat(41),
            api_key: "".into(),
            device_id: "1234".into(),
            secret: "xyz".into(),
            ..web_draft()
        };
        let found = problems(&draft);
        assert_eq!(
            found,
            vec![
                DraftProblem::NicknameTooLong,
                DraftProblem::ApiKeyMissing,
                DraftProblem::DeviceIdNotUuid,
                DraftProblem::SecretMalformed,
            ]
        );
        let fields: Vec<_> = found.iter().map(|p| p.field()).collect();
        assert_eq!(fields, ConnectField::ALL);
        assert!(problems(&web_draft()).is_empty());
    }

    #[test]
    fn a_legacy_draft_never_shows_a_secret_error() {
        let draft = ConnectDraft {
            choice: legacy(),
            device_id: "".into(),
            secret: "".into(),
            ..web_draft()
        };
        assert_eq!(problems(&draft), vec![DraftProblem::DeviceIdMissing]);
    }

    #[test]
    fn each_field_has_its_own_input_and_error_ids() {
        let mut ids: Vec<&str> = ConnectField::ALL
            .iter()
            .flat_map(|f| [f.input_id(), f.error_id()])
            .collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 2 * ConnectField::ALL.len());
    }
}
