//! The v3 error codes (`{"error": "DEVICE_IS_BUSY 35"}` …) as typed errors.

use std::time::Duration;

use crate::sesame::error::DeviceError;

/// Maps a documented error code (or an unknown text) and HTTP status to a typed error.
pub(crate) fn map_error(code: Option<&str>, status: u16) -> DeviceError {
    let code = code.unwrap_or("").trim();
    let mut words = code.split_whitespace();
    let first = words.next().unwrap_or("");
    match first.to_ascii_uppercase().as_str() {
        "BAD_PARAMS" => {
            return DeviceError::BadRequest {
                detail: code.to_owned(),
            }
        }
        "CLOUD_INTEGRATION_NOT_ENABLED" => return DeviceError::IntegrationDisabled,
        "LOW_BATTERY" => return DeviceError::LowBattery { percent: None },
        "DEVICE_IS_BUSY" => {
            let secs = words.next().and_then(|s| s.parse::<u64>().ok());
            return DeviceError::Busy {
                // A wait read from an answer, capped like every `Retry-After`.
                retry_after: secs.map(|s| crate::retry_after::cap(Duration::from_secs(s))),
            };
        }
        "UNAUTHORIZED" => {
            return DeviceError::BadCredentials {
                status: Some(status),
            }
        }
        "FORBIDDEN" | "ACCESS_DENY" => {
            return DeviceError::Banned {
                remaining: Duration::ZERO,
            }
        }
        "THROTTLED" => {
            return DeviceError::Throttled {
                retry_after: Duration::ZERO,
            }
        }
        "INTERNAL_ERROR" => {
            return DeviceError::Upstream {
                status: Some(status),
                detail: "INTERNAL_ERROR".into(),
            }
        }
        _ => {}
    }
    match status {
        401 => DeviceError::BadCredentials {
            status: Some(status),
        },
        403 => DeviceError::Banned {
            remaining: Duration::ZERO,
        },
        404 => DeviceError::NotFound,
        429 => DeviceError::Throttled {
            retry_after: Duration::ZERO,
        },
        _ => DeviceError::Upstream {
            status: Some(status),
            detail: format!("error {code:?}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_codes_map_to_typed_errors() {
        assert_eq!(
            map_error(Some("DEVICE_IS_BUSY 35"), 400),
            DeviceError::Busy {
                retry_after: Some(Duration::from_secs(35))
            }
        );
        assert_eq!(
            map_error(Some("DEVICE_IS_BUSY"), 400),
            DeviceError::Busy { retry_after: None }
        );
        assert_eq!(
            map_error(Some("LOW_BATTERY"), 400),
            DeviceError::LowBattery { percent: None }
        );
        assert_eq!(
            map_error(Some("CLOUD_INTEGRATION_NOT_ENABLED"), 400),
            DeviceError::IntegrationDisabled
        );
        assert!(matches!(
            map_error(Some("BAD_PARAMS"), 400),
            DeviceError::BadRequest { .. }
        ));
        assert!(matches!(
            map_error(Some("UNAUTHORIZED"), 200),
            DeviceError::BadCredentials { .. }
        ));
        assert!(matches!(
            map_error(Some("Forbidden"), 403),
            DeviceError::Banned { .. }
        ));
        assert!(matches!(
            map_error(Some("ACCESS_DENY"), 403),
            DeviceError::Banned { .. }
        ));
        assert!(matches!(
            map_error(Some("THROTTLED"), 429),
            DeviceError::Throttled { .. }
        ));
        assert!(matches!(
            map_error(Some("INTERNAL_ERROR"), 500),
            DeviceError::Upstream {
                status: Some(500),
                ..
            }
        ));
        assert!(matches!(map_error(None, 404), DeviceError::NotFound));
    }
}
