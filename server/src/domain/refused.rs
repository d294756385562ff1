//! A refusal or a result the page words in the reader's language: the English sentence, and a
//! stable reason with its values. Here, not in `error`, so that `sesame` and `custody` can
//! name one without depending on the HTTP error enum.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use api_types::{ApiError, ErrorCode, Sentence};

/// A refusal the page can word: the English sentence (the fallback), and the stable `reason` with
/// its `params` that the page's message files word in the reader's language. Names ending in
/// `_at` are RFC 3339 times, shown in the reader's zone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused {
    pub message: Cow<'static, str>,
    pub reason: Option<&'static str>,
    pub params: Vec<(&'static str, String)>,
}

impl Refused {
    /// A fixed refusal (usable in a `const`).
    pub const fn fixed(reason: &'static str, message: &'static str) -> Self {
        Refused {
            message: Cow::Borrowed(message),
            reason: Some(reason),
            params: Vec::new(),
        }
    }

    pub fn new(reason: &'static str, message: impl Into<String>) -> Self {
        Refused {
            message: Cow::Owned(message.into()),
            reason: Some(reason),
            params: Vec::new(),
        }
    }

    /// Adds a value the wording names.
    pub fn with(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.params.push((name, value.into()));
        self
    }

    pub(crate) fn to_api_error(&self, code: ErrorCode) -> ApiError {
        let body = ApiError::new(code, self.message.to_string(), None);
        match self.reason {
            Some(reason) => body.because(reason, &self.params),
            None => body,
        }
    }
}

/// A result's sentence (`CommandResult`, `ControlResult`) is worded the same way.
pub type Said = Refused;

impl Refused {
    /// `reason` and `params` as the wire carries them.
    pub fn wire(&self) -> (Option<String>, BTreeMap<String, String>) {
        let params = self
            .params
            .iter()
            .map(|(n, v)| ((*n).to_owned(), v.clone()))
            .collect();
        (self.reason.map(str::to_owned), params)
    }

    /// As a sentence of a view (`DeviceView.status_error`, `notice`, …).
    pub fn sentence(&self) -> Sentence {
        let (reason, params) = self.wire();
        Sentence {
            message: self.message.to_string(),
            reason,
            params,
        }
    }
}

/// A sentence without a reason yet: the page shows the English.
impl From<String> for Refused {
    fn from(message: String) -> Self {
        Refused {
            message: Cow::Owned(message),
            reason: None,
            params: Vec::new(),
        }
    }
}

impl From<&'static str> for Refused {
    fn from(message: &'static str) -> Self {
        Refused {
            message: Cow::Borrowed(message),
            reason: None,
            params: Vec::new(),
        }
    }
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
