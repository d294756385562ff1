//! Settings from the environment (names in ARCHITECTURE.md), optionally under a TOML file named by
//! `CONFIG_FILE` with the same keys in lower case; the environment wins. Tests build `Settings`
//! directly with [`Settings::new`]. Secrets are `SecretString`, so `Debug` prints them redacted.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use secrecy::SecretString;

use crate::sesame::SesameSettings;

#[derive(Clone, Debug)]
pub struct Settings {
    pub bind_addr: SocketAddr,
    /// The trunk build served at `/`.
    pub dist_dir: PathBuf,
    pub chaster: ChasterSettings,
    pub sesame: SesameSettings,
    /// sqlx URL; secret because a Postgres URL carries a password.
    pub database_url: SecretString,
    /// 32-byte AEAD key for device secrets, created on first start.
    pub secrets_key_file: PathBuf,
    pub session_cache: SessionCacheSettings,
    /// Largest request body `/api` accepts.
    pub api_body_limit_bytes: usize,
    /// Webhooks, the job worker, the tamper watch and the polling fallback.
    pub opener: OpenerSettings,
    /// The keyholder dashboard's sign-in with Chaster.
    pub dashboard: DashboardSettings,
    /// Request budgets of `/api`.
    pub rate_limits: RateLimitSettings,
    /// Where avatar images may come from (`AVATAR_ORIGINS`, CSP `img-src`).
    pub avatar_origins: Vec<String>,
    /// The wall clock of schedules, quotas and back-offs (tests move a manual one).
    pub clock: crate::clock::Clock,
}

#[derive(Clone, Debug)]
pub struct ChasterSettings {
    /// Without a trailing slash, e.g. `https://api.chaster.app`.
    pub base_url: String,
    pub developer_token: SecretString,
    pub client_id: String,
    /// Origins allowed to frame the page and to post messages to it.
    pub origins: Vec<String>,
    /// Timeout of every call to Chaster.
    pub timeout: Duration,
    /// Basic-auth credentials Chaster must present on webhooks; `None` accepts none (see webhooks).
    pub webhook_auth: Option<WebhookAuth>,
    /// The whole server's budget of calls to Chaster (it allows 100 per minute per IP).
    pub max_requests_per_minute: u32,
}

#[derive(Clone, Debug)]
pub struct WebhookAuth {
    pub username: String,
    pub password: SecretString,
}

/// The mainToken → session cache.
#[derive(Clone, Debug)]
pub struct SessionCacheSettings {
    /// Short, so a revoked token or a changed lock shows within a minute.
    pub ttl: Duration,
    pub max_entries: usize,
    /// How long a token Chaster refused is answered from the cache (`SESSION_NEGATIVE_TTL_SECS`).
    pub negative_ttl: Duration,
    /// Cache misses (Chaster look-ups) per client address (`SESSION_MISSES_PER_IP_PER_MIN`,
    /// `SESSION_MISSES_PER_IP_BURST`), well below the Chaster budget.
    pub misses_per_ip: Rate,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{0} is required but not set")]
    Missing(&'static str),
    #[error("{name} is invalid: {problem}")]
    Invalid { name: &'static str, problem: String },
    #[error("cannot read CONFIG_FILE {path}: {problem}")]
    File { path: String, problem: String },
}

impl ChasterSettings {
    /// Defaults for everything but what identifies the application.
    pub fn new(
        base_url: impl Into<String>,
        developer_token: &str,
        client_id: impl Into<String>,
    ) -> Self {
        ChasterSettings {
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            developer_token: SecretString::from(developer_token.to_owned()),
            client_id: client_id.into(),
            origins: vec!["https://chaster.app".to_owned()],
            timeout: Duration::from_secs(10),
            webhook_auth: None,
            max_requests_per_minute: 90,
        }
    }
}

impl Default for SessionCacheSettings {
    fn default() -> Self {
        SessionCacheSettings {
            ttl: Duration::from_secs(45),
            max_entries: 10_000,
            negative_ttl: Duration::from_secs(30),
            misses_per_ip: Rate {
                per_minute: 20,
                burst: 10,
            },
        }
    }
}

impl Settings {
    /// The documented defaults around the given Chaster settings.
    pub fn new(chaster: ChasterSettings) -> Self {
        Settings {
            bind_addr: SocketAddr::from(([127, 0, 0, 1], 3000)),
            dist_dir: PathBuf::from("dist"),
            chaster,
            sesame: SesameSettings::default(),
            database_url: SecretString::from("sqlite://.data/opener.db?mode=rwc"),
            secrets_key_file: PathBuf::from(".data/secrets.key"),
            session_cache: SessionCacheSettings::default(),
            api_body_limit_bytes: 64 * 1024,
            opener: OpenerSettings::default(),
            dashboard: DashboardSettings::default(),
            rate_limits: RateLimitSettings::default(),
            avatar_origins: limits::default_avatar_origins(),
            clock: crate::clock::Clock::system(),
        }
    }

    /// Reads the process environment and, if `CONFIG_FILE` is set, that TOML file.
    pub fn from_env() -> Result<Settings, ConfigError> {
        let file = match std::env::var("CONFIG_FILE") {
            Ok(path) if !path.is_empty() => Some(source::read_toml(&path)?),
            _ => None,
        };
        Self::from_lookup(|name| {
            std::env::var(name)
                .ok()
                .or_else(|| file.as_ref().and_then(|t| source::toml_value(t, name)))
        })
    }

    /// Builds settings from any `NAME → value` lookup (the environment, a file, a test map).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Settings, ConfigError> {
        let var = |name: &'static str| get(name).filter(|v| !v.trim().is_empty());
        let required = |name: &'static str| var(name).ok_or(ConfigError::Missing(name));

        let mut chaster = ChasterSettings::new(
            source::base_url(
                "CHASTER_BASE_URL",
                var("CHASTER_BASE_URL"),
                "https://api.chaster.app",
            )?,
            &required("CHASTER_DEVELOPER_TOKEN")?,
            required("CHASTER_CLIENT_ID")?,
        );
        if let Some(origins) = var("CHASTER_ORIGINS") {
            chaster.origins = source::origins("CHASTER_ORIGINS", &origins)?;
        }
        if let Some(ms) = source::number("CHASTER_TIMEOUT_MS", var("CHASTER_TIMEOUT_MS"))? {
            chaster.timeout = Duration::from_millis(ms);
        }
        if let Some(n) = source::number(
            "CHASTER_MAX_REQUESTS_PER_MINUTE",
            var("CHASTER_MAX_REQUESTS_PER_MINUTE"),
        )? {
            chaster.max_requests_per_minute = n.clamp(1, 10_000) as u32;
        }
        chaster.webhook_auth =
            match (
                var("CHASTER_WEBHOOK_USERNAME"),
                var("CHASTER_WEBHOOK_PASSWORD"),
            ) {
                (Some(username), Some(password)) => Some(WebhookAuth {
                    username,
                    password: SecretString::from(password),
                }),
                (None, None) => None,
                _ => return Err(ConfigError::Invalid {
                    name: "CHASTER_WEBHOOK_USERNAME",
                    problem:
                        "set both CHASTER_WEBHOOK_USERNAME and CHASTER_WEBHOOK_PASSWORD, or neither"
                            .into(),
                }),
            };

        let mut s = Settings::new(chaster);
        if let Some(addr) = var("BIND_ADDR") {
            s.bind_addr = addr.trim().parse().map_err(|e| ConfigError::Invalid {
                name: "BIND_ADDR",
                problem: format!("{e} (expected e.g. 127.0.0.1:3000)"),
            })?;
        }
        if let Some(dir) = var("DIST_DIR") {
            s.dist_dir = PathBuf::from(dir);
        }
        let v3 = source::base_url(
            "SESAME_V3_BASE_URL",
            var("SESAME_V3_BASE_URL"),
            &s.sesame.v3_base_url,
        )?;
        let webapi = source::base_url(
            "SESAME_WEBAPI_BASE_URL",
            var("SESAME_WEBAPI_BASE_URL"),
            &s.sesame.webapi_base_url,
        )?;
        s.sesame = SesameSettings::with_base_urls(v3, webapi);
        if let Some(ms) = source::number("SESAME_TIMEOUT_MS", var("SESAME_TIMEOUT_MS"))? {
            s.sesame.timeout = Duration::from_millis(ms);
        }
        let q = &mut s.sesame.quota;
        if let Some(n) = source::number("SESAME_MONTHLY_QUOTA", var("SESAME_MONTHLY_QUOTA"))? {
            q.monthly_quota = n;
        }
        if let Some(n) = source::number("SESAME_OPENING_RESERVE", var("SESAME_OPENING_RESERVE"))? {
            q.opening_reserve = n;
        }
        if let Some(n) = source::number(
            "SESAME_ROUTINE_SHARE_PERCENT",
            var("SESAME_ROUTINE_SHARE_PERCENT"),
        )? {
            q.routine_share_percent = n.min(100) as u8;
        }
        if let Some(zone) = var("SESAME_QUOTA_TIMEZONE") {
            q.utc_offset_minutes =
                crate::sesame::budget::parse_timezone(&zone).ok_or_else(|| {
                    ConfigError::Invalid {
                        name: "SESAME_QUOTA_TIMEZONE",
                        problem: format!(
                            "{zone:?}: use Asia/Tokyo, UTC or a fixed offset such as +09:00"
                        ),
                    }
                })?;
        }
        if let Some(url) = var("DATABASE_URL") {
            s.database_url = SecretString::from(url);
        }
        if let Some(path) = var("SECRETS_KEY_FILE") {
            s.secrets_key_file = PathBuf::from(path);
        }
        if let Some(secs) = source::number("SESSION_CACHE_TTL_SECS", var("SESSION_CACHE_TTL_SECS"))?
        {
            s.session_cache.ttl = Duration::from_secs(secs);
        }
        if let Some(secs) = source::number(
            "SESSION_NEGATIVE_TTL_SECS",
            var("SESSION_NEGATIVE_TTL_SECS"),
        )? {
            s.session_cache.negative_ttl = Duration::from_secs(secs);
        }
        if let Some(n) = source::number(
            "SESSION_MISSES_PER_IP_PER_MIN",
            var("SESSION_MISSES_PER_IP_PER_MIN"),
        )? {
            s.session_cache.misses_per_ip.per_minute = n.min(100_000) as u32;
        }
        if let Some(n) = source::number(
            "SESSION_MISSES_PER_IP_BURST",
            var("SESSION_MISSES_PER_IP_BURST"),
        )? {
            s.session_cache.misses_per_ip.burst = n.min(100_000) as u32;
        }
        opener::apply(&mut s.opener, &var)?;
        dashboard::apply(&mut s.dashboard, &var)?;
        limits::apply(&mut s, &var)?;
        Ok(s)
    }
}

mod dashboard;
mod limits;
mod opener;
mod opener_settings;
mod source;

pub use dashboard::{DashboardSettings, OAuthApp};
pub use limits::{Rate, RateLimitSettings};
pub use opener_settings::{OpenerSettings, PollFallbackSettings, TamperSettings};

#[cfg(test)]
mod tests;
