//! Saved box + live status → what a viewer may see of it. Pure, and built field by field from
//! non-secret data only: the record's credentials never enter a view. Custody's permissions
//! decide the `can_*` flags; the lock's config decides the low-battery threshold.

use api_types::{BoxStatus, DeviceSlot, DeviceView, ExtensionConfig, Sentence};

use crate::custody::Permissions;
use crate::sesame::product::{capabilities_of_model, UNLOCK_ONLY_NOTICE};
use crate::sesame::DeviceError;
use crate::store::DeviceRecord;

/// The slot; `can_manage`: the viewer may connect, replace or remove the box now.
pub fn slot(device: Option<DeviceView>, can_manage: bool) -> DeviceSlot {
    DeviceSlot { device, can_manage }
}

pub fn device_view(
    record: &DeviceRecord,
    status: Result<BoxStatus, DeviceError>,
    requests_this_month: u64,
    permissions: Permissions,
    config: &ExtensionConfig,
) -> DeviceView {
    let (status, status_error) = match status {
        Ok(s) => {
            let error = (!s.reachable).then(|| offline_sentence(s.last_update.as_deref()));
            (Some(with_battery_flag(s, config)), error)
        }
        Err(e) => (None, Some(e.sentence())),
    };
    let caps = capabilities_of_model(&record.model);
    DeviceView {
        nickname: record.nickname.clone(),
        api: record.api(),
        model: record.model.clone(),
        status,
        status_error,
        requests_this_month,
        can_open: permissions.can_open,
        // An unlock-only box (Bike) cannot be locked remotely, whoever asks.
        can_lock: caps.can_lock && permissions.can_lock,
        holds_box: permissions.holds_box,
        notice: (!caps.can_lock).then(|| UNLOCK_ONLY_NOTICE.sentence()),
        budget: None,
        opened_by_keyholder_at: None,
        opens_at: None,
        opens_on_release: permissions.holds_box && config.open_on_release,
    }
}

/// `battery_low` by the lock's threshold (the Sesame layer flags by its own setting).
pub fn with_battery_flag(mut status: BoxStatus, config: &ExtensionConfig) -> BoxStatus {
    status.battery_low = status
        .battery_percent
        .is_some_and(|p| p <= config.low_battery_percent);
    status
}

/// The status was read, but it is the last one the box sent before it went quiet. The page words
/// the time (`last_update_at`, the box's own RFC 3339 report) in the reader's zone.
fn offline_sentence(last_update: Option<&str>) -> Sentence {
    const ADVICE: &str = "Check the hub's power and Wi-Fi.";
    match last_update {
        Some(at) => Sentence::new(
            "box_offline_last_status_since",
            format!("The Sesame or its hub is offline, so this is its last known status. It last reported at {at}. {ADVICE}"),
            &[("last_update_at", at.to_owned())],
        ),
        None => Sentence::new(
            "box_offline_last_status",
            format!("The Sesame or its hub is offline, so this is its last known status. {ADVICE}"),
            &[],
        ),
    }
}

#[cfg(test)]
mod tests {
    use api_types::{DeviceApi, LatchState};
    use chrono::Utc;

    use super::*;
    use crate::domain::{ApiKey, DeviceCredentials, DeviceSecret};

    const ALL: Permissions = Permissions {
        can_open: true,
        can_lock: true,
        can_change: true,
        holds_box: true,
    };

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

    fn config(low_battery_percent: u8) -> ExtensionConfig {
        ExtensionConfig {
            low_battery_percent,
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
        for can_manage in [true, false] {
            let view = device_view(&record(), Ok(status(Some(80), true)), 12, ALL, &config(30));
            let json = serde_json::to_string(&slot(Some(view), can_manage)).unwrap();
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
            device_view(&record(), Ok(status(p, true)), 0, ALL, &config(threshold))
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
    fn the_flags_are_custodys_permissions() {
        let none = Permissions {
            can_open: false,
            can_lock: true,
            can_change: false,
            holds_box: false,
        };
        let view = device_view(&record(), Ok(status(Some(80), true)), 0, none, &config(30));
        assert!(!view.can_open && view.can_lock && !view.holds_box);
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
            ALL,
            &ExtensionConfig::default(),
        );
        assert_eq!(view.status, None);
        let error = view.status_error.unwrap();
        assert!(error.message.contains("CANDY HOUSE"), "{error:?}");
        assert_eq!(error.reason.as_deref(), Some("candy_house_failed"));
        assert_eq!(view.api, DeviceApi::WebApi);
    }

    #[test]
    fn an_unreachable_box_keeps_its_last_status_and_says_it_is_offline() {
        let view = device_view(
            &record(),
            Ok(status(Some(80), false)),
            0,
            ALL,
            &ExtensionConfig::default(),
        );
        assert!(view.status.is_some());
        let error = view.status_error.unwrap();
        assert!(
            error.message.contains("offline") && error.message.contains("hub"),
            "{error:?}"
        );
        // The page words the time from the param, in the reader's zone and language.
        assert_eq!(
            error.reason.as_deref(),
            Some("box_offline_last_status_since")
        );
        assert_eq!(error.params["last_update_at"], "2025-06-01T10:00:00Z");
        assert_eq!(error.params.len(), 1);
    }

    #[test]
    fn an_unreachable_box_without_a_report_time_names_no_time() {
        let mut unreported = status(Some(80), false);
        unreported.last_update = None;
        let view = device_view(
            &record(),
            Ok(unreported),
            0,
            ALL,
            &ExtensionConfig::default(),
        );
        let error = view.status_error.unwrap();
        assert_eq!(error.reason.as_deref(), Some("box_offline_last_status"));
        assert!(error.params.is_empty());
    }

    #[test]
    fn an_unlock_only_box_carries_its_notice_as_a_reason() {
        let mut bike = record();
        bike.model = "SESAME Bike 2".into();
        let view = device_view(&bike, Ok(status(Some(80), true)), 0, ALL, &config(30));
        let notice = view.notice.unwrap();
        assert_eq!(notice.reason.as_deref(), Some("unlock_only_box"));
        assert!(notice.message.contains("unlocked remotely"), "{notice:?}");
        assert!(!view.can_lock);
        let lock = device_view(&record(), Ok(status(Some(80), true)), 0, ALL, &config(30));
        assert_eq!(lock.notice, None);
    }
}
