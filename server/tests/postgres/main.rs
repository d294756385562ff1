//! The database layer on Postgres: a throwaway cluster per test (see `pg`), the same migrations as
//! SQLite, and two instances of the server sharing it behind a round-robin balancer. Without
//! Postgres every test fails with a message saying how to install it (scripts/setup.sh does).

mod balancer;
use test_support as helpers;
mod instances;
mod pg;

mod custody;
mod exactly_once;
mod migrations;
mod token_cache;
