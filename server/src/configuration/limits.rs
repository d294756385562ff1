//! Request budgets of `/api` and the browser-facing sources of the page's CSP.

use axum::http::HeaderName;

use super::source::{number, origins};
use super::{ConfigError, Settings};

/// How many requests `/api` takes from one page (mainToken) and from one address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateLimitSettings {
    /// Per mainToken (`RATE_LIMIT_PER_TOKEN_PER_MIN`, `RATE_LIMIT_PER_TOKEN_BURST`).
    pub per_token: Rate,
    /// Per client address (`RATE_LIMIT_PER_IP_PER_MIN`, `RATE_LIMIT_PER_IP_BURST`); IPv6
    /// addresses count per /64, which one household usually holds.
    pub per_ip: Rate,
    /// Behind a reverse proxy: the header it writes the client's address into
    /// (`CLIENT_IP_HEADER`, e.g. `x-forwarded-for`; its last entry is used). Without it the
    /// peer address counts, which behind a proxy is the proxy's.
    pub client_ip_header: Option<HeaderName>,
}

/// A budget: `per_minute` requests a minute on average, up to `burst` at once. A `per_minute`
/// of 0 switches the limit off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    pub per_minute: u32,
    pub burst: u32,
}

impl Rate {
    pub const OFF: Rate = Rate {
        per_minute: 0,
        burst: 0,
    };
}

impl Default for RateLimitSettings {
    /// Generous for a page: it loads with a handful of calls and acts when a person clicks.
    fn default() -> Self {
        RateLimitSettings {
            per_token: Rate {
                per_minute: 30,
                burst: 20,
            },
            per_ip: Rate {
                per_minute: 300,
                burst: 100,
            },
            client_ip_header: None,
        }
    }
}

impl RateLimitSettings {
    /// No limit at all (tests of other behaviour).
    pub fn off() -> Self {
        RateLimitSettings {
            per_token: Rate::OFF,
            per_ip: Rate::OFF,
            client_ip_header: None,
        }
    }
}

/// The default of `AVATAR_ORIGINS`: Chaster's CDN.
pub fn default_avatar_origins() -> Vec<String> {
    vec!["https://*.chaster.app".to_owned()]
}

/// Fills `s` from `var` (a lookup that already ignores empty values).
pub(super) fn apply(
    s: &mut Settings,
    var: &dyn Fn(&'static str) -> Option<String>,
) -> Result<(), ConfigError> {
    let r = &mut s.rate_limits;
    let small = |name: &'static str| -> Result<Option<u32>, ConfigError> {
        Ok(number(name, var(name))?.map(|n| n.min(1_000_000) as u32))
    };
    if let Some(n) = small("RATE_LIMIT_PER_TOKEN_PER_MIN")? {
        r.per_token.per_minute = n;
    }
    if let Some(n) = small("RATE_LIMIT_PER_TOKEN_BURST")? {
        r.per_token.burst = n.max(1);
    }
    if let Some(n) = small("RATE_LIMIT_PER_IP_PER_MIN")? {
        r.per_ip.per_minute = n;
    }
    if let Some(n) = small("RATE_LIMIT_PER_IP_BURST")? {
        r.per_ip.burst = n.max(1);
    }
    if let Some(name) = var("CLIENT_IP_HEADER") {
        let header = HeaderName::try_from(name.trim().to_ascii_lowercase()).map_err(|e| {
            ConfigError::Invalid {
                name: "CLIENT_IP_HEADER",
                problem: e.to_string(),
            }
        })?;
        r.client_ip_header = Some(header);
    }
    if let Some(n) = number("API_BODY_LIMIT_BYTES", var("API_BODY_LIMIT_BYTES"))? {
        s.api_body_limit_bytes = n.clamp(1024, 16 * 1024 * 1024) as usize;
    }
    if let Some(raw) = var("AVATAR_ORIGINS") {
        s.avatar_origins = origins("AVATAR_ORIGINS", &raw)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn settings(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let mut map: HashMap<String, String> = HashMap::from([
            ("CHASTER_DEVELOPER_TOKEN".into(), "dev".into()),
            ("CHASTER_CLIENT_ID".into(), "client".into()),
        ]);
        map.extend(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        Settings::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn the_defaults_suit_a_page_and_avatars_come_from_chaster() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.rate_limits, RateLimitSettings::default());
        assert_eq!(s.rate_limits.per_token.per_minute, 30);
        assert_eq!(s.rate_limits.per_ip.per_minute, 300);
        assert_eq!(s.avatar_origins, vec!["https://*.chaster.app"]);
        assert_eq!(s.api_body_limit_bytes, 64 * 1024);
    }

    #[test]
    fn limits_header_and_avatar_origins_are_read() {
        let s = settings(&[
            ("RATE_LIMIT_PER_TOKEN_PER_MIN", "5"),
            ("RATE_LIMIT_PER_TOKEN_BURST", "2"),
            ("RATE_LIMIT_PER_IP_PER_MIN", "0"),
            ("CLIENT_IP_HEADER", "X-Forwarded-For"),
            (
                "AVATAR_ORIGINS",
                "https://cdn.example, https://img.example:8443",
            ),
            ("API_BODY_LIMIT_BYTES", "2048"),
        ])
        .unwrap();
        let r = &s.rate_limits;
        assert_eq!(
            r.per_token,
            Rate {
                per_minute: 5,
                burst: 2
            }
        );
        assert_eq!(r.per_ip.per_minute, 0, "0 switches the limit off");
        assert_eq!(r.client_ip_header.as_ref().unwrap(), "x-forwarded-for");
        assert_eq!(
            s.avatar_origins,
            vec!["https://cdn.example", "https://img.example:8443"]
        );
        assert_eq!(s.api_body_limit_bytes, 2048);
    }

    #[test]
    fn avatar_origins_that_could_break_the_csp_are_refused_by_name() {
        let err = settings(&[("AVATAR_ORIGINS", "https://a; script-src *")]).unwrap_err();
        assert!(err.to_string().contains("AVATAR_ORIGINS"), "{err}");
        let err = settings(&[("RATE_LIMIT_PER_IP_PER_MIN", "lots")]).unwrap_err();
        assert!(
            err.to_string().contains("RATE_LIMIT_PER_IP_PER_MIN"),
            "{err}"
        );
    }
}
