//! Settings of the Sesame layer. The configuration module embeds [`SesameSettings`].

use std::time::Duration;

use super::tags::TagKey;

/// How the legacy v3 client waits for a command's `task_id` to terminate.
#[derive(Clone, Debug)]
pub struct PollSettings {
    /// Wait before the first `action-result` call (asked too early, the API answers 400).
    pub initial_wait: Duration,
    pub interval: Duration,
    /// Give up polling after this long (from the command's acceptance).
    pub deadline: Duration,
}

/// How a command's effect is verified by re-reading the status.
#[derive(Clone, Debug)]
pub struct VerifySettings {
    /// Wait before each re-read.
    pub delay: Duration,
    /// At most this many re-reads (each one counts against the API key's quota).
    pub attempts: u32,
}

/// Everything the Sesame layer needs from configuration.
#[derive(Clone, Debug)]
pub struct SesameSettings {
    /// Legacy API, e.g. `https://api.candyhouse.co/public`.
    pub v3_base_url: String,
    /// Web API host, e.g. `https://app.candyhouse.co` (paths start with `/api/sesame2`).
    pub webapi_base_url: String,
    /// Timeout of every single HTTP call.
    pub timeout: Duration,
    pub poll: PollSettings,
    pub verify: VerifySettings,
    /// How long a status read is served from cache to every viewer.
    pub status_ttl: Duration,
    /// Minimum spacing of requests made with one API key (v3 guarantees no throttling at ≤ 1/s).
    pub request_interval: Duration,
    /// How long an API key is left alone after CANDY HOUSE answered 403 `ACCESS_DENY`.
    pub ban_duration: Duration,
    /// Back-off after a 429 when the answer does not say how long.
    pub throttle_backoff: Duration,
    /// How often a `DEVICE_IS_BUSY` command is retried before giving up.
    pub busy_retries: u32,
    /// Upper bound of one wait for a busy device (the API's `<seconds>` is capped by this).
    pub busy_max_wait: Duration,
    /// Retries after a 5xx (only before CANDY HOUSE accepted the command).
    pub server_error_retries: u32,
    pub retry_backoff: Duration,
    /// Battery at or below this percentage is reported as low.
    pub low_battery_percent: u8,
    /// The text shown as "who operated" in the Sesame app's history (its first 8 bytes, then
    /// a per-command code).
    pub history_tag: String,
    /// Signs the per-command codes, so the tamper watch knows our commands from the wearer's.
    /// The application derives it from the secrets key; the default is random per process.
    pub tag_key: TagKey,
    /// The monthly CANDY HOUSE quota, its time zone and how routine reads share it.
    pub quota: super::budget::QuotaSettings,
    /// The wall clock the month and the readings' age are counted with.
    pub clock: crate::clock::Clock,
}

impl Default for SesameSettings {
    fn default() -> Self {
        Self {
            v3_base_url: "https://api.candyhouse.co/public".into(),
            webapi_base_url: "https://app.candyhouse.co".into(),
            timeout: Duration::from_secs(10),
            poll: PollSettings {
                initial_wait: Duration::from_secs(1),
                interval: Duration::from_secs(1),
                deadline: Duration::from_secs(30),
            },
            verify: VerifySettings {
                delay: Duration::from_millis(2500),
                attempts: 3,
            },
            status_ttl: Duration::from_secs(10),
            request_interval: Duration::from_secs(1),
            ban_duration: Duration::from_secs(30 * 60),
            throttle_backoff: Duration::from_secs(60),
            busy_retries: 3,
            busy_max_wait: Duration::from_secs(60),
            server_error_retries: 2,
            retry_backoff: Duration::from_secs(1),
            low_battery_percent: 20,
            history_tag: "Chaster".into(),
            tag_key: TagKey::random(),
            quota: super::budget::QuotaSettings::default(),
            clock: crate::clock::Clock::system(),
        }
    }
}

impl SesameSettings {
    /// The defaults, pointed at other base URLs (the simulator, a wiremock server).
    pub fn with_base_urls(
        v3_base_url: impl Into<String>,
        webapi_base_url: impl Into<String>,
    ) -> Self {
        Self {
            v3_base_url: v3_base_url.into(),
            webapi_base_url: webapi_base_url.into(),
            ..Self::default()
        }
    }
    /// The defaults scaled down to the simulator's ~50 ms commands, for the test suites.
    #[doc(hidden)]
    pub fn for_tests(v3_base_url: impl Into<String>, webapi_base_url: impl Into<String>) -> Self {
        Self {
            timeout: Duration::from_secs(3),
            poll: PollSettings {
                initial_wait: Duration::from_millis(10),
                interval: Duration::from_millis(20),
                deadline: Duration::from_millis(600),
            },
            verify: VerifySettings {
                delay: Duration::from_millis(100),
                attempts: 3,
            },
            request_interval: Duration::ZERO,
            busy_max_wait: Duration::from_millis(100),
            retry_backoff: Duration::from_millis(10),
            ..Self::with_base_urls(v3_base_url, webapi_base_url)
        }
    }
}
