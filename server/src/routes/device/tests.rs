//! How device failures become `/api` answers.

use std::time::Duration;

use api_types::ErrorCode;

use super::access::NO_BOX;
use super::*;

#[test]
fn refusals_while_connecting_are_invalid_input_and_outages_keep_their_code() {
    let e = registration_error(DeviceError::BadCredentials { status: Some(403) });
    assert_eq!(e.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(e.to_api_error().message.contains("API key"));
    assert_eq!(
        registration_error(DeviceError::NotFound)
            .to_api_error()
            .code,
        ErrorCode::Invalid
    );
    let e = registration_error(DeviceError::Throttled {
        retry_after: Duration::from_secs(5),
    });
    assert_eq!(e.to_api_error().code, ErrorCode::RateLimited);
    assert_eq!(e.to_api_error().retry_after_secs, Some(5));
}

#[test]
fn device_failures_map_to_conflict_unavailable_or_bad_gateway() {
    let table = [
        (
            DeviceError::Busy { retry_after: None },
            409,
            ErrorCode::DeviceError,
        ),
        (
            DeviceError::LowBattery { percent: Some(3) },
            409,
            ErrorCode::DeviceError,
        ),
        (
            DeviceError::Offline { last_update: None },
            503,
            ErrorCode::DeviceError,
        ),
        (
            DeviceError::Throttled {
                retry_after: Duration::from_secs(9),
            },
            503,
            ErrorCode::RateLimited,
        ),
        (
            DeviceError::Timeout { detail: "t".into() },
            502,
            ErrorCode::UpstreamUnavailable,
        ),
        (
            DeviceError::BadCredentials { status: Some(401) },
            502,
            ErrorCode::DeviceError,
        ),
    ];
    for (device, status, code) in table {
        let label = device.to_string();
        let e = AppError::from(device);
        assert_eq!(e.status().as_u16(), status, "{label}");
        assert_eq!(e.to_api_error().code, code, "{label}");
    }
}

#[test]
fn a_missing_box_is_a_404_that_says_so() {
    let e = AppError::Missing(NO_BOX);
    assert_eq!(e.status(), StatusCode::NOT_FOUND);
    assert_eq!(e.to_api_error().code, ErrorCode::NotFound);
    assert_eq!(
        e.to_api_error().message,
        "No box is connected to this lock yet."
    );
}
