//! How times are stored: milliseconds since the epoch in a BIGINT, on both engines.

use chrono::{DateTime, Utc};

use super::StoreError;

pub(crate) fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub(crate) fn from_ms(v: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_millis(v).ok_or_else(|| StoreError::Corrupt(format!("bad time {v}")))
}
