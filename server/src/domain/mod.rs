//! Domain newtypes: ids that must not be mixed up, and the mainToken secret.

mod config_token;
mod ids;
mod main_token;
mod role;

pub use config_token::ConfigToken;
pub use ids::{DeviceId, LockId, SessionId, UserId};
pub use main_token::{MainToken, MainTokenError};
pub use role::Role;
