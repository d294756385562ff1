//! The Sesame opener's server: a thin axum proxy that holds every secret.
//! See ARCHITECTURE.md for the map.

pub mod auth;
pub mod bucket;
pub mod chaster;
pub mod clock;
pub mod configuration;
pub mod crypto;
pub mod custody;
pub mod domain;
pub mod error;
pub mod jobs;
pub mod opener;
pub mod retry_after;
pub mod routes;
pub mod sesame;
pub mod startup;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod upstream;
pub mod views;
pub mod webhooks;
