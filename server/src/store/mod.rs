//! Persistence through sqlx: SQLite by default, Postgres for several instances.
