//! The opener's tests, as one binary: webhooks in, durable jobs, box commands at the Sesame
//! simulator, history lines and penalties at the Chaster simulator.

mod helpers;

mod crash;
mod exactly_once;
mod hygiene;
mod intake;
mod polling;
mod quota;
mod release_path;
mod retries;
mod tamper;
