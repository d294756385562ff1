//! The only code that calls CANDY HOUSE: the legacy v3 API, the Web API, and one device interface over both.
//!
//! The rest of the server holds a [`SesameHub`] (built from [`SesameSettings`]) and asks it for a
//! [`Device`] per box: `status()` (cached, coalesced), `lock()` / `unlock()` (serialized per box,
//! verified by re-reading the status). Every failure is a [`DeviceError`] with a
//! `user_message()`. Credentials are `domain`'s [`ApiKey`] and [`DeviceSecret`], which never
//! print (re-exported here for the callers that drive a box).

pub mod budget;
mod cache;
mod command;
mod device;
mod error;
// Entry points for the fuzz targets in `fuzz/` and their regression tests; not an API.
#[doc(hidden)]
pub mod fuzzing;
mod gate;
mod http;
mod hub;
pub mod product;
mod proof;
mod settings;
pub mod sign;
mod step;
pub mod tags;
pub mod v3;
pub mod webapi;

pub use crate::domain::{ApiKey, DeviceCredentials, DeviceSecret, ParsedSecret, SecretParseError};
pub use budget::QuotaSettings;
pub use device::{Device, Target};
pub use error::DeviceError;
pub use hub::{DeviceProbe, SesameHub};
pub use product::{model_name, Capabilities};
pub use proof::ProofOutcome;
pub use settings::{PollSettings, SesameSettings, VerifySettings};
pub use step::{Sent, Step};
