//! CANDY HOUSE product types (the byte before the secret in a key-share QR code, SDK
//! `CHDeivceProtocols.kt`): which ones are locks, and which commands each one takes.

use crate::domain::Refused;

/// What a box can be told to do over the Web API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Capabilities {
    /// Lock (82) is accepted. False for a SESAME Bike: the wearer locks it by hand.
    pub can_lock: bool,
    /// Unlock (83) is accepted.
    pub can_unlock: bool,
}

impl Capabilities {
    pub const LOCK: Capabilities = Capabilities {
        can_lock: true,
        can_unlock: true,
    };
    pub const UNLOCK_ONLY: Capabilities = Capabilities {
        can_lock: false,
        can_unlock: true,
    };
}

/// A product type, judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Product {
    /// A lock this server drives.
    Lock {
        name: &'static str,
        caps: Capabilities,
    },
    /// A CANDY HOUSE device that is not a lock (or one whose command is not implemented).
    Refused { name: &'static str, why: NotALock },
    /// A type byte this server does not know.
    Unknown(u8),
}

/// Why a CANDY HOUSE device cannot close the box: each is its own reason the page words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotALock {
    /// It connects a lock to the internet.
    Hub,
    /// It presses a switch (command 89); this server does not drive it.
    Bot,
    /// A sensor, keypad, remote, … : it holds no latch.
    NoLatch,
}

impl NotALock {
    /// The reason when a QR code names such a device, and when the wearer picked it.
    fn reasons(self) -> (&'static str, &'static str) {
        match self {
            NotALock::Hub => ("qr_code_of_hub", "model_is_hub"),
            NotALock::Bot => ("qr_code_of_bot", "model_is_bot"),
            NotALock::NoLatch => ("qr_code_of_non_lock", "model_is_non_lock"),
        }
    }

    fn english(self) -> &'static str {
        match self {
            NotALock::Hub => "it is a hub that connects a lock to the internet",
            NotALock::Bot => "a Bot presses a switch (command 89); this server does not drive it",
            NotALock::NoLatch => "it does not hold a latch, so it cannot keep a key box closed",
        }
    }
}

const NOT_A_LOCK: NotALock = NotALock::NoLatch;
const BOT: NotALock = NotALock::Bot;
const HUB: NotALock = NotALock::Hub;

/// Judges a product type byte.
pub fn product(product_type: u8) -> Product {
    let lock = |name| Product::Lock {
        name,
        caps: Capabilities::LOCK,
    };
    let bike = |name| Product::Lock {
        name,
        caps: Capabilities::UNLOCK_ONLY,
    };
    let refused = |name, why| Product::Refused { name, why };
    match product_type {
        0 => lock("SESAME 3"),
        4 => lock("SESAME 4"),
        5 => lock("SESAME 5"),
        7 => lock("SESAME 5 Pro"),
        16 => lock("SESAME 5 US"),
        20 => lock("SESAME 6"),
        21 => lock("SESAME 6 Pro"),
        29 => lock("SESAME MIWA"),
        32 => lock("SESAME 6 Pro sliding door"),
        3 => bike("SESAME Bike"),
        6 => bike("SESAME Bike 2"),
        33 => bike("SESAME Bike 3"),
        1 => refused("WiFi Module 2", HUB),
        13 => refused("Hub 3", HUB),
        36 => refused("Hub 3 LTE", HUB),
        2 => refused("SESAME Bot", BOT),
        17 => refused("SESAME Bot 2", BOT),
        35 => refused("SESAME Bot 3", BOT),
        8 => refused("SESAME Open Sensor", NOT_A_LOCK),
        24 => refused("SESAME Open Sensor 2", NOT_A_LOCK),
        9 => refused("SESAME Touch Pro", NOT_A_LOCK),
        10 => refused("SESAME Touch", NOT_A_LOCK),
        25 => refused("SESAME Touch 2", NOT_A_LOCK),
        26 => refused("SESAME Touch 2 Pro", NOT_A_LOCK),
        11 => refused("BLE Connector", NOT_A_LOCK),
        14 => refused("SESAME Remote", NOT_A_LOCK),
        15 => refused("SESAME Remote Nano", NOT_A_LOCK),
        18 | 19 | 22 | 23 => refused("SESAME Face", NOT_A_LOCK),
        27 | 28 | 30 | 31 => refused("SESAME Face 2", NOT_A_LOCK),
        other => Product::Unknown(other),
    }
}

impl Product {
    /// What a lock accepts, or why a wearer cannot connect this device: `qr_code_of_<kind>` or
    /// `model_is_<kind>` with the product's `name`, which the page words.
    /// `from_qr`: the product type came from a QR code (else from the model picked).
    pub fn capabilities(&self, from_qr: bool) -> Result<Capabilities, Refused> {
        match self {
            Product::Lock { caps, .. } => Ok(*caps),
            Product::Refused { name, why } => {
                let (from_qr_reason, picked_reason) = why.reasons();
                let (reason, subject) = if from_qr {
                    (from_qr_reason, format!("This QR code belongs to a {name}"))
                } else {
                    (picked_reason, format!("A {name} is a CANDY HOUSE device"))
                };
                let message = format!(
                    "{subject}, not a lock: {}. Connect the SESAME lock that closes the box (SESAME 3, 4, 5, 6, MIWA or Bike).",
                    why.english()
                );
                Err(Refused::new(reason, message).with("name", *name))
            }
            Product::Unknown(t) => Err(Refused::new(
                "qr_code_of_unknown_device",
                format!("This QR code belongs to a CANDY HOUSE device this server does not know (product type {t}), so it cannot tell whether it is a lock. Share the key of a SESAME 3, 4, 5, 6, MIWA or Bike lock."),
            ).with("product_type", t.to_string())),
        }
    }
}

/// The product type of a model name the connect form offers (`api_types::SESAME_MODELS`).
pub fn product_type_of_name(name: &str) -> Option<u8> {
    let name = name.trim();
    (0..=u8::MAX).find(|t| match product(*t) {
        Product::Lock { name: n, .. } | Product::Refused { name: n, .. } => {
            n.eq_ignore_ascii_case(name)
        }
        Product::Unknown(_) => false,
    })
}

/// Capabilities from the model name saved with a box (older records and v3 boxes: a full lock).
pub fn capabilities_of_model(model: &str) -> Capabilities {
    if model.starts_with("SESAME Bike") {
        Capabilities::UNLOCK_ONLY
    } else {
        Capabilities::LOCK
    }
}

/// What the page says about an unlock-only box (message `notice-unlock-only-box`).
pub const UNLOCK_ONLY_NOTICE: Refused = Refused::fixed(
    "unlock_only_box",
    "This SESAME Bike can only be unlocked remotely: it cannot be locked from here. The wearer locks it by hand, and the box counts as locked from the first reading that shows it locked.",
);

/// A human model name for a product type byte (from the QR code).
pub fn model_name(product_type: Option<u8>) -> String {
    match product_type.map(product) {
        Some(Product::Lock { name, .. }) | Some(Product::Refused { name, .. }) => name,
        _ => "SESAME (Web API)",
    }
    .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_bikes_and_other_devices_are_told_apart() {
        assert!(matches!(product(5), Product::Lock { caps, .. } if caps == Capabilities::LOCK));
        assert!(
            matches!(product(33), Product::Lock { caps, .. } if caps == Capabilities::UNLOCK_ONLY)
        );
        let touch = product(26).capabilities(true).unwrap_err();
        assert!(
            touch
                .message
                .contains("belongs to a SESAME Touch 2 Pro, not a lock"),
            "{touch}"
        );
        assert!(product(17)
            .capabilities(false)
            .unwrap_err()
            .message
            .contains("A SESAME Bot 2 is"));
        assert!(product(99)
            .capabilities(true)
            .unwrap_err()
            .message
            .contains("product type 99"));
        assert_eq!(
            capabilities_of_model("SESAME Bike 2"),
            Capabilities::UNLOCK_ONLY
        );
        assert_eq!(capabilities_of_model("SESAME 5"), Capabilities::LOCK);
        for name in api_types::SESAME_MODELS {
            assert!(product_type_of_name(name).is_some(), "{name}");
        }
    }

    #[test]
    fn a_refused_device_names_its_kind_and_where_it_came_from_as_a_reason_with_its_name() {
        let reason = |t: u8, from_qr: bool| {
            let refused = product(t).capabilities(from_qr).unwrap_err();
            (refused.reason.unwrap(), refused.params)
        };
        assert_eq!(
            reason(26, true),
            (
                "qr_code_of_non_lock",
                vec![("name", "SESAME Touch 2 Pro".into())]
            )
        );
        assert_eq!(
            reason(17, false),
            ("model_is_bot", vec![("name", "SESAME Bot 2".into())])
        );
        assert_eq!(reason(13, true).0, "qr_code_of_hub");
        assert_eq!(reason(13, false).0, "model_is_hub");
        assert_eq!(reason(2, true).0, "qr_code_of_bot");
        assert_eq!(reason(14, false).0, "model_is_non_lock");
        assert_eq!(
            reason(99, true),
            (
                "qr_code_of_unknown_device",
                vec![("product_type", "99".into())]
            )
        );
        assert_eq!(product(5).capabilities(true), Ok(Capabilities::LOCK));
    }
}
