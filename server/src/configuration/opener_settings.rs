//! Settings of the webhook intake, the tamper watch and the polling fallback (the job
//! runtime's own are `jobs::JobSettings`).
//! Environment names are listed in ARCHITECTURE.md; `configuration` fills these in.

use std::time::Duration;

use crate::domain::policy::Policy;
use crate::jobs::JobSettings;

#[derive(Clone, Debug)]
pub struct OpenerSettings {
    /// Largest webhook body accepted (`WEBHOOK_BODY_LIMIT_BYTES`).
    pub webhook_body_limit_bytes: usize,
    pub jobs: JobSettings,
    pub tamper: TamperSettings,
    pub poll: PollFallbackSettings,
    /// Used for whatever a session's `config` does not say (until the configuration page exists).
    pub defaults: Policy,
    /// The wall clock (a copy of `Settings::clock`).
    pub clock: crate::clock::Clock,
}

#[derive(Clone, Debug)]
pub struct TamperSettings {
    /// How often locked sessions are scheduled for a check (`TAMPER_SCAN_SECS`).
    pub scan_interval: Duration,
    /// Between two scheduled checks of a Web API box (`TAMPER_CHECK_WEBAPI_SECS`): 20 min is
    /// about 2,200 reads a month, under the free tier's 3,000.
    pub webapi_interval: Duration,
    /// Between two scheduled checks of a legacy v3 box (`TAMPER_CHECK_V3_SECS`; v3 is not metered).
    pub v3_interval: Duration,
    /// A hub offline this long during a locked session is an `unreachable` incident
    /// (`TAMPER_UNREACHABLE_SECS`).
    pub unreachable_after: Duration,
}

#[derive(Clone, Debug)]
pub struct PollFallbackSettings {
    /// Our extension's slug (`CHASTER_EXTENSION_SLUG`); polling needs it.
    pub extension_slug: Option<String>,
    /// Between two polls when no webhook credentials are configured (`CHASTER_POLL_INTERVAL_SECS`).
    pub interval: Duration,
    pub page_size: u32,
    /// Pages read per poll at most (each page is one Chaster request).
    pub max_pages: u32,
    /// Sessions we know as locked that are re-read per poll (least recently refreshed first):
    /// Chaster does not document the search order, so a release may be on no page we read.
    pub locked_checks: u32,
    /// Releases older than this are history, not work (`CHASTER_POLL_MAX_AGE_SECS`).
    pub max_age: Duration,
}

impl Default for OpenerSettings {
    fn default() -> Self {
        OpenerSettings {
            // Real session events are ~20 KB and grow during a session: a wide margin.
            webhook_body_limit_bytes: 1024 * 1024,
            jobs: JobSettings::default(),
            tamper: TamperSettings {
                scan_interval: Duration::from_secs(60),
                webapi_interval: Duration::from_secs(20 * 60),
                v3_interval: Duration::from_secs(5 * 60),
                unreachable_after: Duration::from_secs(30 * 60),
            },
            poll: PollFallbackSettings {
                extension_slug: None,
                interval: Duration::from_secs(30),
                page_size: 50,
                max_pages: 4,
                locked_checks: 10,
                max_age: Duration::from_secs(24 * 3600),
            },
            defaults: Policy::default(),
            clock: crate::clock::Clock::system(),
        }
    }
}
