//! The `partnerConfigurationToken` Chaster gives the configuration page. Like the mainToken it is
//! a bearer secret, but it opens a different endpoint, so it has its own type: one cannot be sent
//! where the other belongs.

use std::fmt;

use super::{MainToken, MainTokenError};

#[derive(Clone)]
pub struct ConfigToken(MainToken);

impl ConfigToken {
    /// Same rules as a mainToken: visible ASCII, bounded length.
    pub fn parse(raw: &str) -> Result<ConfigToken, MainTokenError> {
        MainToken::parse(raw).map(ConfigToken)
    }

    /// The raw token, for the one place that sends it to Chaster.
    pub fn expose(&self) -> &str {
        self.0.expose()
    }
}

impl From<MainToken> for ConfigToken {
    /// A bearer token read from a header, taken as a configuration token.
    fn from(token: MainToken) -> Self {
        ConfigToken(token)
    }
}

impl fmt::Debug for ConfigToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ConfigToken({})", self.0.log_id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_contains_the_token() {
        let token = ConfigToken::parse("very-secret-config-token").unwrap();
        assert!(!format!("{token:?}").contains("very-secret"));
    }
}
