//! The opener's tests, as one binary: webhooks in, durable jobs, box commands at the Sesame
//! simulator, history lines and penalties at the Chaster simulator.

use test_support as helpers;

mod burst;
mod crash;
mod custody;
mod exactly_once;
mod hygiene;
mod intake;
mod penalties;
mod penalty_metadata;
mod polling;
mod quota;
mod release_path;
mod restart;
mod retries;
mod tamper;
mod tamper_history;
