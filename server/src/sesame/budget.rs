//! The CANDY HOUSE request budget as a resource: the month it is counted in, and how often the
//! routine reads (the tamper watch and page views, which share one reading) may ask the box.
//!
//! The free tier is 3,000 requests a month per CANDY HOUSE account, across every integration
//! using the key [field notes, single report]. Routine reads plan to spend at most
//! `routine_share_percent` of it (the rest is for openings, commands, other integrations on the
//! same account and a margin), at a pace that lasts the month, and never touch the
//! `opening_reserve`. Pure functions, so the schedule is unit-tested without a clock.

use std::time::Duration;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Offset, TimeZone, Utc};

/// The history line for the keyholder when the quota is used up.
pub const QUOTA_HISTORY: &str = "The API key of the wearer's Sesame has used this month's CANDY HOUSE requests, so the opener cannot read or move the box until the month turns (Japan time); it tries once a day, and an opening Chaster asks for still waits and happens as soon as a request goes through. The wearer can press \"Try again now\" after buying a paid plan. To get the key without us: the Sesame app over Bluetooth, or the backup key.";

/// `SESAME_MONTHLY_QUOTA`, `SESAME_QUOTA_TIMEZONE`, `SESAME_OPENING_RESERVE`,
/// `SESAME_ROUTINE_SHARE_PERCENT`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuotaSettings {
    /// Requests a month the CANDY HOUSE plan allows (free tier: 3,000).
    pub monthly_quota: u64,
    /// Offset of the time zone the month is counted in (Asia/Tokyo, +09:00, has no DST).
    pub utc_offset_minutes: i32,
    /// Requests kept for openings: routine reads never spend them.
    pub opening_reserve: u64,
    /// Share of the quota routine reads plan to spend in a month.
    pub routine_share_percent: u8,
}

impl Default for QuotaSettings {
    fn default() -> Self {
        QuotaSettings {
            monthly_quota: 3_000,
            utc_offset_minutes: 9 * 60,
            opening_reserve: 100,
            routine_share_percent: 50,
        }
    }
}

/// Parses `SESAME_QUOTA_TIMEZONE`: `Asia/Tokyo` (or another zone without DST that we know),
/// `UTC`, or a fixed offset such as `+09:00`. Returns minutes east of UTC.
pub fn parse_timezone(value: &str) -> Option<i32> {
    let v = value.trim();
    let known = [
        ("asia/tokyo", 540),
        ("japan", 540),
        ("jst", 540),
        ("utc", 0),
        ("etc/utc", 0),
        ("z", 0),
    ];
    if let Some((_, m)) = known.iter().find(|(n, _)| v.eq_ignore_ascii_case(n)) {
        return Some(*m);
    }
    let (sign, rest) = match v.as_bytes().first()? {
        b'+' => (1, &v[1..]),
        b'-' => (-1, &v[1..]),
        _ => return None,
    };
    let (h, m) = rest.split_once(':').unwrap_or((rest, "0"));
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 14 && m < 60).then_some(sign * (h * 60 + m))
}

fn offset(settings: &QuotaSettings) -> FixedOffset {
    FixedOffset::east_opt(settings.utc_offset_minutes * 60).unwrap_or_else(|| Utc.fix())
}

/// The month `now` falls in, in the quota's time zone: `"2026-12"`.
pub fn month_of(settings: &QuotaSettings, now: DateTime<Utc>) -> String {
    now.with_timezone(&offset(settings))
        .format("%Y-%m")
        .to_string()
}

/// Start and end (exclusive) of the month `now` falls in, as UTC instants.
pub fn month_bounds(
    settings: &QuotaSettings,
    now: DateTime<Utc>,
) -> (DateTime<Utc>, DateTime<Utc>) {
    let tz = offset(settings);
    let local = now.with_timezone(&tz);
    let first = NaiveDate::from_ymd_opt(local.year(), local.month(), 1);
    let next = if local.month() == 12 {
        NaiveDate::from_ymd_opt(local.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(local.year(), local.month() + 1, 1)
    };
    let at_midnight = |d: Option<NaiveDate>| {
        d.and_then(|d| d.and_hms_opt(0, 0, 0))
            .and_then(|t| tz.from_local_datetime(&t).single())
            .map(|t| t.with_timezone(&Utc))
    };
    match (at_midnight(first), at_midnight(next)) {
        (Some(a), Some(b)) if a < b => (a, b),
        // Out of chrono's range: a nominal 30-day month around now.
        _ => (now, now + chrono::Duration::days(30)),
    }
}

/// Requests routine reads plan to spend in a whole month.
pub fn routine_monthly(settings: &QuotaSettings) -> u64 {
    (settings
        .monthly_quota
        .saturating_mul(u64::from(settings.routine_share_percent.min(100)))
        / 100)
        .saturating_sub(settings.opening_reserve)
}

/// How long routine reads of one key must be apart at `now`, given `used` requests this month:
/// the slower of the planned pace (the monthly routine budget spread over the month) and what
/// is left before the reserve spread over the rest of the month. `None`: no routine read may go
/// out until the month turns (only the reserve is left).
pub fn routine_interval(
    settings: &QuotaSettings,
    used: u64,
    now: DateTime<Utc>,
) -> Option<Duration> {
    let planned = routine_monthly(settings);
    let left = settings
        .monthly_quota
        .saturating_sub(settings.opening_reserve)
        .saturating_sub(used);
    if planned == 0 || left == 0 {
        return None;
    }
    let (start, end) = month_bounds(settings, now);
    let month_ms = (end - start).num_milliseconds().max(1) as u64;
    let ms_left = (end - now).num_milliseconds().max(1) as u64;
    let pace = month_ms.div_ceil(planned);
    let stretch = ms_left.div_ceil(left);
    Some(Duration::from_millis(pace.max(stretch)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn the_month_turns_at_midnight_in_tokyo() {
        let s = QuotaSettings::default();
        assert_eq!(month_of(&s, at("2026-11-30T14:59:59Z")), "2026-11");
        assert_eq!(month_of(&s, at("2026-11-30T15:00:00Z")), "2026-12");
        let (start, end) = month_bounds(&s, at("2026-12-10T00:00:00Z"));
        assert_eq!(start, at("2026-11-30T15:00:00Z"));
        assert_eq!(end, at("2026-12-31T15:00:00Z"));
    }

    #[test]
    fn time_zones_are_read_by_name_or_offset() {
        assert_eq!(parse_timezone("Asia/Tokyo"), Some(540));
        assert_eq!(parse_timezone("UTC"), Some(0));
        assert_eq!(parse_timezone("+05:30"), Some(330));
        assert_eq!(parse_timezone("-03"), Some(-180));
        assert_eq!(
            parse_timezone("Europe/Berlin"),
            None,
            "zones with DST are not guessed"
        );
    }

    #[test]
    fn routine_reads_pace_the_month_and_never_touch_the_reserve() {
        let s = QuotaSettings::default();
        assert_eq!(routine_monthly(&s), 1_400);
        let now = at("2026-12-01T00:00:00Z");
        let fresh = routine_interval(&s, 0, now).unwrap();
        // 31 days / 1,400 reads: about 32 minutes apart.
        assert_eq!(
            fresh.as_millis() as u64,
            (31 * 86_400_000u64).div_ceil(1_400)
        );
        let late = routine_interval(&s, 2_800, now).unwrap();
        assert!(late > fresh * 10, "little left: the watch slows down");
        assert_eq!(routine_interval(&s, 2_900, now), None, "the reserve stays");
        assert_eq!(routine_interval(&s, 5_000, now), None);
    }
}
