//! Chaster ids and the box's device id. They are not secrets, but `SessionId` must never reach
//! the browser, so none of them implements `Serialize`: a view model cannot carry one by
//! accident. Chaster's wire models deserialize straight into them.

use std::fmt;

use serde::Deserialize;

macro_rules! chaster_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                Self(id)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self(id.to_owned())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

chaster_id!(
    /// The partner session id (`session.sessionId`), used in every `/sessions/{id}` call.
    /// Not the lock-extension `_id`.
    SessionId
);
chaster_id!(
    /// A Chaster user's `_id`.
    UserId
);
chaster_id!(
    /// A Chaster lock's `_id`.
    LockId
);
chaster_id!(
    /// A box's Sesame: the Web API's device UUID or the legacy v3 `device_id`.
    DeviceId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_deserialize_from_plain_strings() {
        let id: SessionId = serde_json::from_str("\"LuV23MTfUFvxu3j-BASHc\"").unwrap();
        assert_eq!(id.as_str(), "LuV23MTfUFvxu3j-BASHc");
        let user: UserId = serde_json::from_value(serde_json::json!("u1")).unwrap();
        assert_eq!(user, UserId::new("u1"));
        assert!(serde_json::from_value::<SessionId>(serde_json::json!(7)).is_err());
    }
}
