//! The database layer on Postgres: a throwaway cluster per test (see `pg`), the same migrations as
//! SQLite, and two instances of the server sharing it behind a round-robin balancer. Skipped with
//! a visible note when Postgres is not installed, unless `CI` is set (then it fails:
//! scripts/setup.sh installs it).

mod balancer;
mod helpers;
mod instances;
mod pg;

mod custody;
mod exactly_once;
mod migrations;
mod token_cache;
