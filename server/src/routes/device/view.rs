//! Saved box + live status → what a viewer may see of it. Pure, and built field by field from
//! non-secret data only: the record's credentials never enter a view.

use api_types::{BoxStatus, DeviceSlot, DeviceView};

use crate::domain::Role;
use crate::sesame::DeviceError;
use crate::store::DeviceRecord;

/// What the viewer may do with the box. The routes enforce the same rules.
pub fn can_open(role: Role) -> bool {
    role == Role::Keyholder
}

pub fn can_lock(role: Role) -> bool {
    matches!(role, Role::Keyholder | Role::Wearer)
}

pub fn can_manage(role: Role) -> bool {
    role == Role::Wearer
}

pub fn slot(device: Option<DeviceView>, role: Role) -> DeviceSlot {
    DeviceSlot {
        device,
        can_manage: can_manage(role),
    }
}

/// `low_battery_percent`: a battery at or below it is flagged.
pub fn device_view(
    record: &DeviceRecord,
    status: Result<BoxStatus, DeviceError>,
    requests_this_month: u64,
    role: Role,
    low_battery_percent: u8,
) -> DeviceView {
    let (status, status_error) = match status {
        Ok(s) => {
            let error = (!s.reachable).then(|| offline_message(s.last_update.as_deref()));
            (Some(with_battery_flag(s, low_battery_percent)), error)
        }
        Err(e) => (None, Some(e.user_message())),
    };
    DeviceView {
        nickname: record.nickname.clone(),
        api: record.api(),
        model: record.model.clone(),
        status,
        status_error,
        requests_this_month,
        can_open: can_open(role),
        can_lock: can_lock(role),
    }
}

pub fn with_battery_flag(mut status: BoxStatus, low_battery_percent: u8) -> BoxStatus {
    status.battery_low = status
        .battery_percent
        .is_some_and(|p| p <= low_battery_percent);
    status
}

/// The status was read, but it is the last one the box sent before it went quiet.
fn offline_message(last_update: Option<&str>) -> String {
    let since = last_update
        .map(|t| format!(" It last reported at {t}."))
        .unwrap_or_default();
    format!("The Sesame or its hub is offline, so this is its last known status.{since} Check the hub's power and Wi-Fi.")
}

#[cfg(test)]
mod tests {
    use api_types::{DeviceApi, LatchState};
    use chrono::Utc;

    use super::*;
    use crate::sesame::{ApiKey, DeviceCredentials, DeviceSecret};

    const KEY: &str = "very-secret-api-key-1234567890";
    const SECRET_HEX: &str = "0b3e5f1665e143b59180c915fa4b06d9";
    const UUID: &str = "5E5A3E05-0000-4000-8000-000000000001";

    fn record() -> DeviceRecord {
        DeviceRecord {
            user_id: "wearer-1".into(),
            nickname: "Key box".into(),
            model: "SESAME 5".into(),
            credentials: DeviceCredentials::WebApi {
                uuid: UUID.into(),
                api_key: ApiKey::parse(KEY).unwrap(),
                secret: DeviceSecret::parse(SECRET_HEX).unwrap().secret,
            },
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    fn status(battery: Option<u8>, reachable: bool) -> BoxStatus {
        BoxStatus {
            latch: LatchState::Locked,
            battery_percent: battery,
            battery_low: false,
            reachable,
            last_update: Some("2025-06-01T10:00:00Z".into()),
        }
    }

    #[test]
    fn the_view_json_carries_no_credential_nor_device_id() {
        for role in [Role::Wearer, Role::Keyholder] {
            let view = device_view(&record(), Ok(status(Some(80), true)), 12, role, 30);
            let json = serde_json::to_string(&slot(Some(view), role)).unwrap();
            for needle in [KEY, SECRET_HEX, UUID, "wearer-1"] {
                assert!(
                    !json.to_lowercase().contains(&needle.to_lowercase()),
                    "{needle} in {json}"
                );
            }
            assert!(json.contains("Key box") && json.contains("SESAME 5"));
        }
    }

    #[test]
    fn battery_low_is_set_at_or_below_the_threshold_only() {
        let low = |p| {
            device_view(&record(), Ok(status(p, true)), 0, Role::Wearer, 30)
                .status
                .unwrap()
                .battery_low
        };
        assert!(low(Some(30)));
        assert!(low(Some(8)));
        assert!(!low(Some(31)));
        assert!(!low(None));
    }

    #[test]
    fn only_the_keyholder_may_open_and_only_the_wearer_may_manage() {
        let view = |role| device_view(&record(), Ok(status(Some(80), true)), 0, role, 30);
        let kh = view(Role::Keyholder);
        assert!(kh.can_open && kh.can_lock);
        let wearer = view(Role::Wearer);
        assert!(!wearer.can_open && wearer.can_lock);
        assert!(slot(None, Role::Wearer).can_manage);
        assert!(!slot(None, Role::Keyholder).can_manage);
    }

    #[test]
    fn a_failed_status_read_leaves_the_status_empty_and_says_why() {
        let view = device_view(
            &record(),
            Err(DeviceError::Upstream {
                status: Some(500),
                detail: "boom".into(),
            }),
            0,
            Role::Keyholder,
            30,
        );
        assert_eq!(view.status, None);
        assert!(view.status_error.unwrap().contains("CANDY HOUSE"));
        assert_eq!(view.api, DeviceApi::WebApi);
    }

    #[test]
    fn an_unreachable_box_keeps_its_last_status_and_says_it_is_offline() {
        let view = device_view(&record(), Ok(status(Some(80), false)), 0, Role::Wearer, 30);
        assert!(view.status.is_some());
        let error = view.status_error.unwrap();
        assert!(
            error.contains("offline") && error.contains("hub"),
            "{error}"
        );
        assert!(error.contains("2025-06-01T10:00:00Z"));
    }
}
