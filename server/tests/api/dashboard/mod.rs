//! The keyholder dashboard: sign-in with the simulated Chaster SSO, token refresh, CSRF, and what
//! the page may see and change.

mod browser;
mod controls;
mod device;
mod ended;
mod signin;

pub use browser::{sign_in, spawn_dashboard_app, titles};
