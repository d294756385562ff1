//! Chaster ids. They are not secrets, but `SessionId` must never reach the browser, so none of
//! them implements `Serialize`: a view model cannot carry one by accident.

use std::fmt;

macro_rules! chaster_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub struct $name(String);

        impl $name {
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
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
