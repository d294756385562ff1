//! Environment names of the opener (webhooks, jobs, tamper watch, polling, policy defaults).

use std::time::Duration;

use super::source::number;
use super::ConfigError;
use super::OpenerSettings;
use crate::domain::policy::{parse_penalty, Penalty};

fn boolean(name: &'static str, value: Option<String>) -> Result<Option<bool>, ConfigError> {
    value
        .map(|v| match v.trim().to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => Ok(true),
            "0" | "false" | "no" | "off" => Ok(false),
            other => Err(ConfigError::Invalid {
                name,
                problem: format!("{other:?} is not true or false"),
            }),
        })
        .transpose()
}

fn positive(name: &'static str, value: Option<String>) -> Result<Option<u64>, ConfigError> {
    match number(name, value)? {
        Some(0) => Err(ConfigError::Invalid {
            name,
            problem: "must be at least 1".into(),
        }),
        n => Ok(n),
    }
}

/// Fills `s` from `var` (a lookup that already ignores empty values).
pub(super) fn apply(
    s: &mut OpenerSettings,
    var: &dyn Fn(&'static str) -> Option<String>,
) -> Result<(), ConfigError> {
    let ms = Duration::from_millis;
    let secs = Duration::from_secs;
    if let Some(n) = positive("WEBHOOK_BODY_LIMIT_BYTES", var("WEBHOOK_BODY_LIMIT_BYTES"))? {
        s.webhook_body_limit_bytes = n as usize;
    }
    let j = &mut s.jobs;
    if let Some(n) = positive("JOBS_WORKERS", var("JOBS_WORKERS"))? {
        j.workers = n.min(64) as usize;
    }
    if let Some(n) = positive("JOBS_IDLE_POLL_MS", var("JOBS_IDLE_POLL_MS"))? {
        j.idle_poll = ms(n);
    }
    if let Some(n) = positive("JOBS_LEASE_SECS", var("JOBS_LEASE_SECS"))? {
        j.lease = secs(n);
    }
    if let Some(n) = positive("JOBS_DEADLINE_SECS", var("JOBS_DEADLINE_SECS"))? {
        j.deadline = secs(n);
    }
    if let Some(n) = positive("JOBS_RETRY_BASE_MS", var("JOBS_RETRY_BASE_MS"))? {
        j.retry_base = ms(n);
    }
    if let Some(n) = positive("JOBS_RETRY_MAX_MS", var("JOBS_RETRY_MAX_MS"))? {
        j.retry_max = ms(n);
    }
    if let Some(n) = positive("JOBS_OPEN_RETRY_MAX_SECS", var("JOBS_OPEN_RETRY_MAX_SECS"))? {
        j.open_retry_max = secs(n);
    }
    if let Some(n) = number("JOBS_START_DELAY_MS", var("JOBS_START_DELAY_MS"))? {
        j.start_delay = ms(n);
    }
    if let Some(n) = positive("JOBS_RETENTION_DAYS", var("JOBS_RETENTION_DAYS"))? {
        j.retention = secs(n * 24 * 3600);
    }
    let t = &mut s.tamper;
    if let Some(n) = positive("TAMPER_SCAN_SECS", var("TAMPER_SCAN_SECS"))? {
        t.scan_interval = secs(n);
    }
    if let Some(n) = positive("TAMPER_CHECK_WEBAPI_SECS", var("TAMPER_CHECK_WEBAPI_SECS"))? {
        t.webapi_interval = secs(n);
    }
    if let Some(n) = positive("TAMPER_CHECK_V3_SECS", var("TAMPER_CHECK_V3_SECS"))? {
        t.v3_interval = secs(n);
    }
    if let Some(n) = positive("TAMPER_UNREACHABLE_SECS", var("TAMPER_UNREACHABLE_SECS"))? {
        t.unreachable_after = secs(n);
    }
    let p = &mut s.poll;
    p.extension_slug = var("CHASTER_EXTENSION_SLUG").map(|v| v.trim().to_owned());
    if let Some(n) = positive(
        "CHASTER_POLL_INTERVAL_SECS",
        var("CHASTER_POLL_INTERVAL_SECS"),
    )? {
        p.interval = secs(n);
    }
    if let Some(n) = positive(
        "CHASTER_POLL_MAX_AGE_SECS",
        var("CHASTER_POLL_MAX_AGE_SECS"),
    )? {
        p.max_age = secs(n);
    }
    let d = &mut s.defaults;
    if let Some(b) = boolean("OPEN_ON_RELEASE", var("OPEN_ON_RELEASE"))? {
        d.open_on_release = b;
    }
    if let Some(b) = boolean("OPEN_FOR_HYGIENE", var("OPEN_FOR_HYGIENE"))? {
        d.open_for_hygiene = b;
    }
    if let Some(b) = boolean("OPEN_ON_DESERTED", var("OPEN_ON_DESERTED"))? {
        d.open_on_deserted = b;
    }
    if let Some(kind) = var("TAMPER_PENALTY") {
        let minutes = positive("TAMPER_PENALTY_MINUTES", var("TAMPER_PENALTY_MINUTES"))?;
        let mut spec = serde_json::json!({ "kind": kind.trim() });
        if let Some(m) = minutes {
            spec["minutes"] = m.into();
        }
        d.penalty = parse_penalty(&spec, Penalty::AddTime { minutes: 60 }).ok_or_else(|| {
            ConfigError::Invalid {
                name: "TAMPER_PENALTY",
                problem: "expected none, add_time, freeze or block_unlocking".into(),
            }
        })?;
    }
    if let Some(h) = positive(
        "TAMPER_PENALTY_BOUND_HOURS",
        var("TAMPER_PENALTY_BOUND_HOURS"),
    )? {
        let max = crate::domain::policy::MAX_BOUND_HOURS;
        if h > u64::from(max) {
            return Err(ConfigError::Invalid {
                name: "TAMPER_PENALTY_BOUND_HOURS",
                problem: format!("must be at most {max} (a week)"),
            });
        }
        d.penalty_bound_hours = h as u32;
    }
    Ok(())
}
