//! The Sesame opener's server: a thin axum proxy that holds every secret.
//! See ARCHITECTURE.md for the map.

pub mod crypto;
pub mod sesame;
pub mod store;
