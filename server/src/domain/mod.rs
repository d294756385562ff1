//! Domain newtypes: ids that must not be mixed up, and the mainToken secret.

mod ids;
mod main_token;
mod role;

pub use ids::{LockId, SessionId, UserId};
pub use main_token::{MainToken, MainTokenError};
pub use role::Role;
