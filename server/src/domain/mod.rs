//! Domain newtypes: ids that must not be mixed up, and the secrets (mainToken, device
//! credentials, the dashboard's CSRF token and handle key) as types that never print.

mod config_token;
mod credentials;
mod dashboard_secrets;
mod ids;
mod main_token;
pub mod policy;
mod refused;
mod role;
mod usage;

pub use config_token::ConfigToken;
pub use credentials::{ApiKey, DeviceCredentials, DeviceSecret, ParsedSecret, SecretParseError};
pub use dashboard_secrets::{CsrfToken, HandleKey};
pub use ids::{DeviceId, LockId, SessionId, UserId};
pub use main_token::{MainToken, MainTokenError};
pub use refused::{Refused, Said};
pub use role::Role;
pub use usage::RequestCounter;
