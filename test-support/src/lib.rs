//! The one test harness of the workspace (dev only, never published): the Chaster and Sesame
//! simulators and our application on port 0, with a temporary `dist/`, SQLite database and
//! secrets key. Every server test crate (`api`, `opener`, `sesame`, `postgres`, `shutdown`) and
//! the benches use it; each test crate imports it as `helpers` (`use test_support as helpers;`).
//!
//! - `app`: [`TestApp`], the one [`TestApp::spawn`] and its presets: [`spawn_app`] (the HTTP
//!   tests) and [`spawn`] (the opener: webhooks with Basic auth, fast jobs), [`start`] for one
//!   more instance on the same settings;
//! - `opener`: wearers with a box, webhooks, waiting for the job queue;
//! - `sesame`: a Sesame hub against the simulator or wiremock, without the application;
//! - `binary`: the real binary as a child process, configured by environment;
//! - `fs`, `wait`: temporary folders, free ports, polling, test logging.

mod app;
mod binary;
mod fs;
mod opener;
pub mod sesame;
mod wait;

pub use app::{
    api_settings, base_settings, spawn, spawn_app, spawn_app_with, spawn_with, start, TestApp,
    INDEX_HTML,
};
pub use binary::{server_command, wait_healthy};
pub use fs::{free_port, sqlite_url, TempDir};
pub use opener::{
    action_log_event, envelope, fast_sesame_settings, new_box, opener_settings, session_with_box,
    OpenerApp, Wearer, HOOK_PASSWORD, HOOK_USER,
};
pub use wait::{init_test_logging, rand_u64, wait_for};
