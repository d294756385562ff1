//! Settings of the keyholder dashboard: Chaster's OAuth2 sign-in (SSO) and our public address.

use std::time::Duration;

use secrecy::SecretString;

use super::source::{base_url, number};
use super::ConfigError;

#[derive(Clone, Debug)]
pub struct DashboardSettings {
    /// Chaster's Keycloak (`CHASTER_SSO_BASE_URL`), without a trailing slash.
    pub sso_base_url: String,
    /// The OAuth2 client (`CHASTER_OAUTH_CLIENT_ID`, `CHASTER_OAUTH_CLIENT_SECRET`); without
    /// both, the dashboard says it is not set up.
    pub oauth_client_id: Option<String>,
    pub oauth_client_secret: Option<SecretString>,
    /// Where browsers reach this server (`PUBLIC_BASE_URL`): the sign-in returns to
    /// `{PUBLIC_BASE_URL}/auth/callback`, and dashboard requests must come from its origin.
    pub public_base_url: Option<String>,
    /// Our extension's slug (`CHASTER_EXTENSION_SLUG`, shared with the polling fallback): the
    /// session search needs it.
    pub extension_slug: Option<String>,
    /// A sign-in must come back from Chaster within this time.
    pub login_timeout: Duration,
    /// A dashboard sign-in lasts this long; no Chaster token is kept, so nothing shortens it
    /// (`DASHBOARD_SESSION_DAYS`).
    pub max_session_age: Duration,
    /// Pages of 100 sessions read per list (running, ended) and dashboard load at most (each
    /// page is one Chaster call).
    pub max_pages: u32,
}

/// What the sign-in needs, once configured.
#[derive(Clone, Debug)]
pub struct OAuthApp {
    pub sso_base_url: String,
    pub client_id: String,
    pub client_secret: SecretString,
    pub redirect_uri: String,
}

impl Default for DashboardSettings {
    fn default() -> Self {
        DashboardSettings {
            sso_base_url: "https://sso.chaster.app".to_owned(),
            oauth_client_id: None,
            oauth_client_secret: None,
            public_base_url: None,
            extension_slug: None,
            login_timeout: Duration::from_secs(10 * 60),
            max_session_age: Duration::from_secs(30 * 24 * 3600),
            max_pages: 20,
        }
    }
}

impl DashboardSettings {
    /// The sign-in settings, when the client and the public address are all configured.
    pub fn oauth_app(&self) -> Option<OAuthApp> {
        Some(OAuthApp {
            sso_base_url: self.sso_base_url.clone(),
            client_id: self.oauth_client_id.clone()?,
            client_secret: self.oauth_client_secret.clone()?,
            redirect_uri: format!("{}/auth/callback", self.public_base_url.as_ref()?),
        })
    }

    /// The origin (`scheme://host[:port]`) browsers use for this server, if configured.
    pub fn public_origin(&self) -> Option<String> {
        let url = url::Url::parse(self.public_base_url.as_ref()?).ok()?;
        Some(url.origin().ascii_serialization())
    }
}

/// Fills `s` from `var` (a lookup that already ignores empty values).
pub(super) fn apply(
    s: &mut DashboardSettings,
    var: &dyn Fn(&'static str) -> Option<String>,
) -> Result<(), ConfigError> {
    s.sso_base_url = base_url(
        "CHASTER_SSO_BASE_URL",
        var("CHASTER_SSO_BASE_URL"),
        &s.sso_base_url,
    )?;
    s.oauth_client_id = var("CHASTER_OAUTH_CLIENT_ID").map(|v| v.trim().to_owned());
    s.oauth_client_secret = var("CHASTER_OAUTH_CLIENT_SECRET").map(SecretString::from);
    if let Some(url) = var("PUBLIC_BASE_URL") {
        s.public_base_url = Some(base_url("PUBLIC_BASE_URL", Some(url), "")?);
    }
    s.extension_slug = var("CHASTER_EXTENSION_SLUG").map(|v| v.trim().to_owned());
    if let Some(days) = number("DASHBOARD_SESSION_DAYS", var("DASHBOARD_SESSION_DAYS"))? {
        s.max_session_age = Duration::from_secs(days.clamp(1, 365) * 24 * 3600);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn the_sign_in_needs_client_id_secret_and_public_address() {
        let mut s = DashboardSettings::default();
        let var = lookup(&[("CHASTER_OAUTH_CLIENT_ID", "client")]);
        apply(&mut s, &|n| var(n)).unwrap();
        assert!(s.oauth_app().is_none());

        let var = lookup(&[
            ("CHASTER_OAUTH_CLIENT_ID", "client"),
            ("CHASTER_OAUTH_CLIENT_SECRET", "secret"),
            ("PUBLIC_BASE_URL", "https://opener.example/"),
        ]);
        apply(&mut s, &|n| var(n)).unwrap();
        let app = s.oauth_app().unwrap();
        assert_eq!(app.redirect_uri, "https://opener.example/auth/callback");
        assert_eq!(app.sso_base_url, "https://sso.chaster.app");
        assert_eq!(s.public_origin().unwrap(), "https://opener.example");
        assert!(
            !format!("{s:?}").contains("secret\""),
            "the secret is redacted"
        );
    }

    #[test]
    fn a_public_address_that_is_not_a_web_url_is_refused() {
        let mut s = DashboardSettings::default();
        let var = lookup(&[("PUBLIC_BASE_URL", "opener.example")]);
        let err = apply(&mut s, &|n| var(n)).unwrap_err();
        assert!(err.to_string().contains("PUBLIC_BASE_URL"));
    }
}
