//! Dates and durations without a date library: the API sends RFC 3339 strings and the page only
//! needs milliseconds since the epoch and a few human formats. In the browser the words, the
//! date format and the time zone come from `Intl` (`crate::i18n::intl`); natively (tests) the
//! English fallbacks below are used.

use crate::i18n::intl;

const MS_PER_SECOND: i64 = 1_000;
const SECONDS_PER_DAY: i64 = 86_400;

/// Milliseconds since the Unix epoch of an RFC 3339 timestamp such as
/// `2026-11-22T21:48:03.120Z` or `2026-11-22T22:48:03+01:00`; `None` if it is not one.
pub fn parse_rfc3339_ms(text: &str) -> Option<i64> {
    let bytes = text.trim().as_bytes();
    let number = |from: usize, len: usize| -> Option<i64> {
        let digits = bytes.get(from..from + len)?;
        digits.iter().try_fold(0i64, |acc, b| {
            b.is_ascii_digit().then(|| acc * 10 + i64::from(b - b'0'))
        })
    };
    let separator = |at: usize, allowed: &[u8]| bytes.get(at).is_some_and(|b| allowed.contains(b));
    if !(separator(4, b"-")
        && separator(7, b"-")
        && separator(10, b"Tt ")
        && separator(13, b":")
        && separator(16, b":"))
    {
        return None;
    }
    let (year, month, day) = (number(0, 4)?, number(5, 2)?, number(8, 2)?);
    let (hour, minute, second) = (number(11, 2)?, number(14, 2)?, number(17, 2)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return None;
    }
    // 60 is a leap second; treat it as the last second of the minute.
    if second > 60 {
        return None;
    }

    let mut at = 19;
    let mut millis = 0;
    if bytes.get(at) == Some(&b'.') {
        at += 1;
        let start = at;
        while bytes.get(at).is_some_and(u8::is_ascii_digit) {
            // Only the first three digits matter; the rest is below a millisecond.
            if at - start < 3 {
                millis = millis * 10 + i64::from(bytes[at] - b'0');
            }
            at += 1;
        }
        let digits = at - start;
        if digits == 0 {
            return None;
        }
        for _ in digits..3 {
            millis *= 10;
        }
    }

    let offset_seconds = match bytes.get(at..)? {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let (hours, minutes) = (number(at + 1, 2)?, number(at + 4, 2)?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            let magnitude = hours * 3_600 + minutes * 60;
            if *sign == b'+' {
                magnitude
            } else {
                -magnitude
            }
        }
        _ => return None,
    };

    let days = days_from_civil(year, month, day);
    let seconds = days * SECONDS_PER_DAY + hour * 3_600 + minute * 60 + second.min(59);
    Some((seconds - offset_seconds) * MS_PER_SECOND + millis)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// A countdown such as `2d 03:14:07`, or `03:14:07` under a day. Negative durations show as zero,
/// and partial seconds round up so that `00:00:00` means the time is really over.
pub fn format_countdown(ms: i64) -> String {
    let total = (ms.max(0) + MS_PER_SECOND - 1) / MS_PER_SECOND;
    let (days, rest) = (total / SECONDS_PER_DAY, total % SECONDS_PER_DAY);
    let clock = format!(
        "{:02}:{:02}:{:02}",
        rest / 3_600,
        rest % 3_600 / 60,
        rest % 60
    );
    if days > 0 {
        let days = intl::amount(days as f64, "day", false).unwrap_or_else(|| format!("{days}d"));
        format!("{days} {clock}")
    } else {
        clock
    }
}

/// An amount of time as people say it: `1 day 2 hours 5 minutes` (`2 Stunden`), leaving out
/// zero parts; seconds only under a minute.
pub fn format_amount(seconds: u64) -> String {
    let parts: Vec<(u64, &str, &str)> = if seconds < 60 {
        vec![(seconds, "second", "s")]
    } else {
        vec![
            (seconds / SECONDS_PER_DAY as u64, "day", "d"),
            (seconds % SECONDS_PER_DAY as u64 / 3_600, "hour", "h"),
            (seconds % 3_600 / 60, "minute", "min"),
        ]
    };
    parts
        .into_iter()
        .filter(|(value, ..)| *value > 0 || seconds == 0)
        .map(|(value, unit, short)| {
            intl::amount(value as f64, unit, true).unwrap_or_else(|| format!("{value} {short}"))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// How long ago something happened, for a status line: `just now`, `12 s ago`, `4 min ago`,
/// `3 h ago`, `2 d ago`. A time slightly in the future (clock skew) counts as just now.
pub fn format_ago(elapsed_ms: i64) -> String {
    let seconds = elapsed_ms.max(0) / MS_PER_SECOND;
    let (value, unit) = match seconds {
        0..=4 => (0, "second"),
        5..=59 => (seconds, "second"),
        60..=3_599 => (seconds / 60, "minute"),
        3_600..=86_399 => (seconds / 3_600, "hour"),
        _ => (seconds / SECONDS_PER_DAY, "day"),
    };
    if let Some(said) = intl::relative(-(value as f64), unit) {
        return said;
    }
    match seconds {
        0..=4 => "just now".to_owned(),
        5..=59 => format!("{seconds} s ago"),
        60..=3_599 => format!("{} min ago", seconds / 60),
        3_600..=86_399 => format!("{} h ago", seconds / 3_600),
        _ => format!("{} d ago", seconds / SECONDS_PER_DAY),
    }
}

/// A date and time a person reads, in their language and time zone: `8 Dec 2026, 11:00`.
pub fn format_date(ms: i64) -> String {
    intl::date_time(ms).unwrap_or_else(|| format_date_utc(ms))
}

/// How long until something may be tried again, as people say it: `in 30 seconds`.
pub fn format_in(seconds: u64) -> String {
    let (value, unit) = match seconds {
        0..=89 => (seconds, "second"),
        90..=5_399 => (seconds.div_ceil(60), "minute"),
        _ => (seconds.div_ceil(3_600), "hour"),
    };
    intl::relative(value as f64, unit).unwrap_or_else(|| {
        let unit = if value == 1 {
            unit.to_owned()
        } else {
            format!("{unit}s")
        };
        format!("in {value} {unit}")
    })
}

/// The English fallback of [`format_date`] (natively there is no time zone database): in UTC,
/// `8 Dec 2026, 10:00 UTC`.
pub fn format_date_utc(ms: i64) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let seconds = ms.div_euclid(MS_PER_SECOND);
    let (days, rest) = (
        seconds.div_euclid(SECONDS_PER_DAY),
        seconds.rem_euclid(SECONDS_PER_DAY),
    );
    let (year, month, day) = civil_from_days(days);
    let month_name = MONTHS[(month - 1).clamp(0, 11) as usize];
    format!(
        "{day} {month_name} {year}, {:02}:{:02} UTC",
        rest / 3_600,
        rest % 3_600 / 60
    )
}

/// The inverse of `days_from_civil` (Howard Hinnant's algorithm): (year, month, day).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_timestamps_become_epoch_milliseconds() {
        let cases = [
            ("1970-01-01T00:00:00Z", Some(0)),
            ("1970-01-01T00:00:01.5Z", Some(1_500)),
            ("2000-02-29T12:00:00Z", Some(951_825_600_000)),
            ("2026-11-22T21:48:03.120Z", Some(1_795_384_083_120)),
            ("2026-11-22T22:48:03.120+01:00", Some(1_795_384_083_120)),
            ("2026-11-22T20:48:03.120999-01:00", Some(1_795_384_083_120)),
            ("2026-11-22 21:48:03z", Some(1_795_384_083_000)),
            ("1969-12-31T23:59:59Z", Some(-1_000)),
            ("", None),
            ("2026-11-22", None),
            ("2026-11-22T21:48:03", None),
            ("2026-13-22T21:48:03Z", None),
            ("2026-11-22T24:00:00Z", None),
            ("2026-11-22T21:48:03.Z", None),
            ("2026-11-22T21:48:03+0100", None),
            ("2026-11-22T21:48:03Zjunk", None),
            ("२०२६-11-22T21:48:03Z", None),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_rfc3339_ms(text), expected, "{text:?}");
        }
    }

    #[test]
    fn countdowns_show_days_only_when_there_are_some() {
        let cases = [
            (0, "00:00:00"),
            (-5_000, "00:00:00"),
            (1, "00:00:01"),
            (59_000, "00:00:59"),
            (3_600_000, "01:00:00"),
            (86_399_000, "23:59:59"),
            (86_400_000, "1d 00:00:00"),
            (
                (2 * 86_400 + 3 * 3_600 + 14 * 60 + 7) * 1_000,
                "2d 03:14:07",
            ),
            (400 * 86_400_000, "400d 00:00:00"),
        ];
        for (ms, expected) in cases {
            assert_eq!(format_countdown(ms), expected, "{ms} ms");
        }
    }

    #[test]
    fn elapsed_times_read_like_a_person_would_say_them() {
        let cases = [
            (-3_000, "just now"),
            (0, "just now"),
            (12_000, "12 s ago"),
            (60_000, "1 min ago"),
            (3_599_000, "59 min ago"),
            (7_200_000, "2 h ago"),
            (3 * 86_400_000, "3 d ago"),
        ];
        for (ms, expected) in cases {
            assert_eq!(format_ago(ms), expected, "{ms} ms");
        }
    }

    #[test]
    fn dates_read_as_day_month_year_and_utc_time() {
        let cases = [
            ("1970-01-01T00:00:00Z", "1 Jan 1970, 00:00 UTC"),
            ("2000-02-29T12:34:56Z", "29 Feb 2000, 12:34 UTC"),
            ("2026-12-08T10:00:00.000Z", "8 Dec 2026, 10:00 UTC"),
            ("2026-12-31T23:59:59+00:00", "31 Dec 2026, 23:59 UTC"),
        ];
        for (text, expected) in cases {
            assert_eq!(format_date_utc(parse_rfc3339_ms(text).unwrap()), expected);
        }
    }
}
