//! Saved box + live status → what a viewer may see of it. Pure, and built field by field from
//! non-secret data only: the record's credentials never enter a view. The lock's extension
//! config (set by the keyholder) decides the low-battery threshold and whether the wearer may lock.

use api_types::{BoxStatus, DeviceSlot, DeviceView, ExtensionConfig};

use crate::domain::Role;
use crate::sesame::DeviceError;
use crate::store::DeviceRecord;

/// What the viewer may do with the box. The routes enforce the same rules.
pub fn can_open(role: Role) -> bool {
    role == Role::Keyholder
}

pub fn can_lock(role: Role, config: &ExtensionConfig) -> bool {
    match role {
        Role::Keyholder => true,
        Role::Wearer => config.wearer_may_lock,
    }
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

pub fn device_view(
    record: &DeviceRecord,
    status: Result<BoxStatus, DeviceError>,
    requests_this_month: u64,
    role: Role,
    config: &ExtensionConfig,
) -> DeviceView {
    let (status, status_error) = match status {
        Ok(s) => {
            let error = (!s.reachable).then(|| offline_message(s.last_update.as_deref()));
            (Some(with_battery_flag(s, config)), error)
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
        can_lock: can_lock(role, config),
        budget: None,
    }
}

/// `battery_low` by the lock's threshold (the Sesame layer flags by its own setting).
pub fn with_battery_flag(mut status: BoxStatus, config: &ExtensionConfig) -> BoxStatus {
    status.battery_low = status
        .battery_percent
        .is_some_and(|p| p <= config.low_battery_percent);
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

    fn config(low_battery_percent: u8, wearer_may_lock: bool) -> ExtensionConfig {
        ExtensionConfig {
            low_battery_percent,
            wearer_may_lock,
            ..ExtensionConfig::default()
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
            let view = device_view(
                &record(),
                Ok(status(Some(80), true)),
                12,
                role,
                &config(30, true),
            );
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
        let low = |p, threshold| {
            device_view(
                &record(),
                Ok(status(p, true)),
                0,
                Role::Wearer,
                &config(threshold, true),
            )
            .status
            .unwrap()
            .battery_low
        };
        assert!(low(Some(30), 30));
        assert!(low(Some(8), 30));
        assert!(!low(Some(31), 30));
        assert!(!low(None, 30));
        assert!(low(Some(45), 50));
        assert_eq!(ExtensionConfig::default().low_battery_percent, 30);
    }

    #[test]
    fn only_the_keyholder_may_open_and_only_the_wearer_may_manage() {
        let view = |role, wearer_may_lock| {
            device_view(
                &record(),
                Ok(status(Some(80), true)),
                0,
                role,
                &config(30, wearer_may_lock),
            )
        };
        let kh = view(Role::Keyholder, false);
        assert!(kh.can_open && kh.can_lock);
        let wearer = view(Role::Wearer, true);
        assert!(!wearer.can_open && wearer.can_lock);
        assert!(!view(Role::Wearer, false).can_lock);
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
            &ExtensionConfig::default(),
        );
        assert_eq!(view.status, None);
        assert!(view.status_error.unwrap().contains("CANDY HOUSE"));
        assert_eq!(view.api, DeviceApi::WebApi);
    }

    #[test]
    fn an_unreachable_box_keeps_its_last_status_and_says_it_is_offline() {
        let view = device_view(
            &record(),
            Ok(status(Some(80), false)),
            0,
            Role::Wearer,
            &ExtensionConfig::default(),
        );
        assert!(view.status.is_some());
        let error = view.status_error.unwrap();
        assert!(
            error.contains("offline") && error.contains("hub"),
            "{error}"
        );
        assert!(error.contains("2025-06-01T10:00:00Z"));
    }
}
