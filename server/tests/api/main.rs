//! The server's HTTP tests, as one binary: the app on port 0 against the Chaster simulator.

use test_support as helpers;

mod caching;
mod chaster_client;
mod config;
mod controls;
mod dashboard;
mod device;
mod history;
mod leak_scan;
mod limits;
mod role_matrix;
mod security_headers;
mod session;
mod static_files;
mod token_cache;
mod token_handling;
mod upstream_errors;
