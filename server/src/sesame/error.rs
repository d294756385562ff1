//! Every way a Sesame operation can fail, with a sentence for the person in front of the page.

use std::time::Duration;

use api_types::{ApiError, ErrorCode, Sentence};

/// A failed Sesame operation. `Display` is for logs (it may name HTTP details, never a
/// credential); [`DeviceError::user_message`] is for people.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum DeviceError {
    /// v3 `DEVICE_IS_BUSY [seconds]`, still busy after the bounded retries.
    #[error("device busy (retry after {retry_after:?})")]
    Busy { retry_after: Option<Duration> },
    /// v3 `LOW_BATTERY`: the Sesame refuses to move.
    #[error("low battery ({percent:?} %)")]
    LowBattery { percent: Option<u8> },
    /// The command was accepted, but the hub or the lock is not reachable, so it was not carried out.
    #[error("device offline (last update {last_update:?})")]
    Offline { last_update: Option<String> },
    /// 429 `THROTTLED` / "Too Many Requests" / "Limit Exceeded".
    #[error("throttled for {retry_after:?}")]
    Throttled { retry_after: Duration },
    /// API Gateway's `Limit Exceeded`: the key's monthly CANDY HOUSE quota is used up. We call
    /// again once a day (or when the wearer asks) until the month turns.
    #[error("monthly CANDY HOUSE quota used up (next try in {next_try:?})")]
    QuotaExhausted { next_try: Duration },
    /// Only the requests kept for openings are left this month: routine reads wait for the
    /// next month (commands still go out).
    #[error("only the openings' reserve of requests is left this month")]
    ReserveOnly,
    /// 403 `ACCESS_DENY`: calls with this key are stopped for a while (30 min by default).
    #[error("API key banned for another {remaining:?}")]
    Banned { remaining: Duration },
    /// 401 `UNAUTHORIZED`, or 401/403 from the Web API: key wrong, revoked, or plan expired.
    #[error("credentials refused (HTTP {status:?})")]
    BadCredentials { status: Option<u16> },
    /// v3 `CLOUD_INTEGRATION_NOT_ENABLED`.
    #[error("cloud integration not enabled")]
    IntegrationDisabled,
    /// 404, or the device is not among the key's devices (ownership changed, wrong id).
    #[error("device not found for this API key")]
    NotFound,
    /// v3 `BAD_PARAMS`: the device id or a parameter was refused.
    #[error("request refused as invalid: {detail}")]
    BadRequest { detail: String },
    /// The v3 task terminated unsuccessfully for a reason not listed above.
    #[error("command failed: {reason}")]
    CommandFailed { reason: String },
    /// No answer in time (HTTP timeout, or the v3 task never terminated).
    #[error("timed out: {detail}")]
    Timeout { detail: String },
    /// 5xx, a network failure, or an answer not of the documented shape.
    #[error("upstream error (HTTP {status:?}): {detail}")]
    Upstream { status: Option<u16>, detail: String },
    /// A lock command to a box that only unlocks remotely (SESAME Bike).
    #[error("this box cannot be locked remotely")]
    LockNotSupported,
    /// The answer is over the transport's body limit; it was not read.
    #[error("CANDY HOUSE's answer is larger than {limit} bytes")]
    TooLarge { limit: usize },
}

/// What the wearer and keyholder read when the month's CANDY HOUSE requests are used up.
pub const QUOTA_MESSAGE: &str = "The monthly CANDY HOUSE quota for this box's API key is used up, so the opener cannot reach the box through the internet until the month turns (Japan time). We try once a day. If the wearer has just bought a paid CANDY HOUSE plan, \"Try again now\" checks at once. To get the key without us: open the box with the Sesame app over Bluetooth, or use the backup key.";

fn secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

fn minutes(d: Duration) -> u64 {
    secs(d).div_ceil(60).max(1)
}

impl DeviceError {
    /// A sentence for the person who pressed the button or looks at the box.
    pub fn user_message(&self) -> String {
        match self {
            Self::Busy { retry_after: Some(d) } => format!(
                "The Sesame is busy with another request (is the Sesame app open on a phone?). Try again in {} s.",
                secs(*d)
            ),
            Self::Busy { retry_after: None } => {
                "The Sesame is busy with another request (is the Sesame app open on a phone?). Try again in a moment.".into()
            }
            Self::LowBattery { percent: Some(p) } => format!(
                "The Sesame refuses to move because its batteries are low ({p} %). Replace the batteries, then try again."
            ),
            Self::LowBattery { percent: None } => {
                "The Sesame refuses to move because its batteries are low. Replace the batteries, then try again.".into()
            }
            Self::Offline { last_update } => {
                let since = last_update.as_deref().map(|t| format!(" It last reported at {t}.")).unwrap_or_default();
                format!("The Sesame or its hub is offline, so the command was not carried out.{since} Check the hub's power and Wi-Fi.")
            }
            Self::Throttled { retry_after } => format!(
                "CANDY HOUSE is limiting requests for this API key. Try again in {} s.",
                secs(*retry_after)
            ),
            Self::QuotaExhausted { .. } => QUOTA_MESSAGE.into(),
            Self::ReserveOnly => "This month's CANDY HOUSE requests are nearly used up; the rest is kept for opening the box, so its status is not read again until the month turns. Opening and locking still work.".into(),
            Self::Banned { remaining } => format!(
                "CANDY HOUSE has blocked requests for this API key because of too many requests. We stopped calling it; try again in {} min.",
                minutes(*remaining)
            ),
            Self::BadCredentials { .. } => {
                "CANDY HOUSE refused the API key: it is wrong, was deleted, or its plan no longer allows this. Check the key in the CANDY HOUSE dashboard and connect the box again.".into()
            }
            Self::IntegrationDisabled => {
                "Cloud integration is off for this Sesame. Turn it on in the Sesame app (Sesame > Change Settings > Integration).".into()
            }
            Self::NotFound => {
                "CANDY HOUSE does not know this Sesame for this API key. Check the device ID, and that the key belongs to the Sesame's owner.".into()
            }
            Self::BadRequest { .. } => {
                "CANDY HOUSE refused the request as invalid. Check the device ID and connect the box again.".into()
            }
            Self::CommandFailed { reason } => format!(
                "The Sesame could not carry out the command ({}). Check the box and try again.",
                reason.chars().filter(|c| !c.is_control()).take(80).collect::<String>()
            ),
            Self::Timeout { .. } => {
                "CANDY HOUSE did not answer in time. The box may or may not have moved; check its status before trying again.".into()
            }
            Self::Upstream { .. } | Self::TooLarge { .. } => {
                "CANDY HOUSE's service had a problem. Try again in a minute.".into()
            }
            Self::LockNotSupported => {
                "This SESAME Bike can only be unlocked remotely; it cannot be locked from here. The wearer locks it by hand.".into()
            }
        }
    }

    /// True when the same call may succeed later without anyone changing a setting.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Self::Busy { .. }
                | Self::Offline { .. }
                | Self::Throttled { .. }
                | Self::QuotaExhausted { .. }
                | Self::Banned { .. }
                | Self::CommandFailed { .. }
                | Self::Timeout { .. }
                | Self::Upstream { .. }
                | Self::TooLarge { .. }
        )
    }

    /// How long a job worker should wait before trying again, when known or sensible.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Busy { retry_after } => Some(retry_after.unwrap_or(Duration::from_secs(10))),
            Self::Throttled { retry_after } => Some(*retry_after),
            Self::QuotaExhausted { next_try } => Some(*next_try),
            Self::Banned { remaining } => Some(*remaining),
            Self::Offline { .. } => Some(Duration::from_secs(60)),
            Self::CommandFailed { .. }
            | Self::Timeout { .. }
            | Self::Upstream { .. }
            | Self::TooLarge { .. } => Some(Duration::from_secs(30)),
            _ => None,
        }
    }

    /// The code of our own `/api` for this failure.
    pub fn error_code(&self) -> ErrorCode {
        match self {
            Self::Throttled { .. } | Self::Banned { .. } => ErrorCode::RateLimited,
            Self::Timeout { .. } | Self::Upstream { .. } | Self::TooLarge { .. } => {
                ErrorCode::UpstreamUnavailable
            }
            _ => ErrorCode::DeviceError,
        }
    }

    /// The stable name of this failure and its values, which the page words in the reader's
    /// language (`last_update_at` is the box's own RFC 3339 time, shown in the reader's zone).
    pub fn reason(&self) -> (&'static str, Vec<(&'static str, String)>) {
        match self {
            Self::Busy { .. } => ("box_busy", vec![]),
            Self::LowBattery { percent: Some(p) } => {
                ("box_low_battery", vec![("percent", p.to_string())])
            }
            Self::LowBattery { percent: None } => ("box_low_battery_unknown", vec![]),
            Self::Offline {
                last_update: Some(at),
            } => ("box_offline_since", vec![("last_update_at", at.clone())]),
            Self::Offline { last_update: None } => ("box_offline", vec![]),
            Self::Throttled { .. } => ("api_key_throttled", vec![]),
            Self::QuotaExhausted { .. } => ("quota_used_up", vec![]),
            Self::ReserveOnly => ("quota_reserve_only", vec![]),
            Self::Banned { remaining } => (
                "api_key_banned",
                vec![("minutes", minutes(*remaining).to_string())],
            ),
            Self::BadCredentials { .. } => ("bad_credentials", vec![]),
            Self::IntegrationDisabled => ("integration_disabled", vec![]),
            Self::NotFound => ("box_unknown", vec![]),
            Self::BadRequest { .. } => ("box_request_refused", vec![]),
            Self::CommandFailed { reason } => (
                "command_failed",
                vec![(
                    "detail",
                    reason
                        .chars()
                        .filter(|c| !c.is_control())
                        .take(80)
                        .collect(),
                )],
            ),
            Self::Timeout { .. } => ("candy_house_timeout", vec![]),
            Self::Upstream { .. } | Self::TooLarge { .. } => ("candy_house_failed", vec![]),
            Self::LockNotSupported => ("lock_not_supported", vec![]),
        }
    }

    /// The sentence a view carries for this failure (`DeviceView.status_error`), worded by the
    /// page like the error body's.
    pub fn sentence(&self) -> Sentence {
        let (reason, params) = self.reason();
        Sentence::new(reason, self.user_message(), &params)
    }

    /// The body of our `/api` answer for this failure.
    pub fn to_api_error(&self) -> ApiError {
        // A quota is not a wait of seconds: no "try again in 60 s" on the page.
        let retry_after_secs = self
            .retry_after()
            .filter(|_| self.is_retryable() && !matches!(self, Self::QuotaExhausted { .. }))
            .map(secs);
        let (reason, params) = self.reason();
        ApiError::new(self.error_code(), self.user_message(), retry_after_secs)
            .because(reason, &params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ban_names_the_minutes_left_and_is_rate_limited() {
        let e = DeviceError::Banned {
            remaining: Duration::from_secs(29 * 60 + 1),
        };
        assert!(e.user_message().contains("30 min"), "{}", e.user_message());
        assert_eq!(e.to_api_error().code, ErrorCode::RateLimited);
        assert_eq!(e.to_api_error().retry_after_secs, Some(29 * 60 + 1));
    }

    #[test]
    fn credentials_and_settings_problems_are_not_retryable() {
        for e in [
            DeviceError::BadCredentials { status: Some(401) },
            DeviceError::IntegrationDisabled,
            DeviceError::NotFound,
            DeviceError::LowBattery { percent: None },
        ] {
            assert!(!e.is_retryable(), "{e}");
            assert_eq!(e.to_api_error().retry_after_secs, None);
        }
    }

    #[test]
    fn a_used_up_quota_says_so_names_the_ways_out_and_gives_no_seconds() {
        let e = DeviceError::QuotaExhausted {
            next_try: Duration::from_secs(86_400),
        };
        let m = e.user_message();
        assert!(
            m.contains("monthly CANDY HOUSE quota")
                && m.contains("Bluetooth")
                && m.contains("backup key"),
            "{m}"
        );
        assert!(e.is_retryable());
        assert_eq!(e.to_api_error().retry_after_secs, None);
    }

    #[test]
    fn the_busy_message_gives_the_wait() {
        let e = DeviceError::Busy {
            retry_after: Some(Duration::from_secs(35)),
        };
        assert!(e.user_message().contains("35 s"));
        assert!(e.is_retryable());
    }
}
