//! Persistence through sqlx: SQLite by default, Postgres for several instances.
//!
//! One code path through `sqlx::Any`; SQL is kept portable (TEXT/BIGINT, `$n` binds, upserts with
//! `ON CONFLICT`), so the same migrations and queries run on both engines. Credentials are
//! encrypted with the [`SecretsKey`] before they reach the database.

mod box_watch;
pub mod custody;
mod devices;
pub mod incidents;
pub mod jobs;
mod locked;
mod oauth;
pub mod penalties;
pub mod sessions;
mod time;
mod usage;

use std::path::Path;

use sqlx::any::AnyPoolOptions;
use sqlx::AnyPool;

use crate::crypto::{CryptoError, SecretsKey};

pub use crate::jobs::{Completion, Job, NewJob};
pub use box_watch::{BoxWatch, PointIncident};
pub use custody::{CustodyEnd, CustodyPeriod};
pub use devices::{DeviceRecord, NewDevice};
pub use incidents::Incident;
pub use jobs::{NewWebhookEvent, Supersede};
pub use oauth::DashboardSessionRecord;
pub use penalties::{Hold, KeptLine, Lift, NewHold};
pub use sessions::{SessionRecord, WatchedSession};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("stored credentials cannot be decrypted (wrong secrets key?): {0}")]
    Crypto(#[from] CryptoError),
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
}

/// The database handle. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    /// Reads (and, on Postgres or in-memory SQLite, writes too).
    pool: AnyPool,
    /// Writes. On a SQLite file this is a pool of ONE connection: SQLite has one writer at a
    /// time, and writers queued here are woken the moment the connection is free, in order;
    /// several connections competing for SQLite's write lock instead sleep in its busy handler
    /// (1, 2, 5, … up to 100 ms a try) while the lock may be free, which was most of a release
    /// burst's latency.
    writer: AnyPool,
    key: SecretsKey,
}

impl Store {
    /// Connects (creating a SQLite file and its folder on first start when the URL says
    /// `mode=rwc`) and runs the migrations.
    pub async fn connect(database_url: &str, key: SecretsKey) -> anyhow::Result<Self> {
        sqlx::any::install_default_drivers();
        let in_memory = database_url.contains(":memory:") || database_url.contains("mode=memory");
        if let Some(path) = sqlite_file(database_url).filter(|_| !in_memory) {
            if let Some(dir) = Path::new(path)
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
            {
                crate::crypto::create_private_dir(dir)?;
            }
            // Owner-only before SQLite creates it with the default umask.
            if database_url.contains("mode=rwc") {
                crate::crypto::create_private_file(Path::new(path))?;
            }
        }
        // Each connection to an in-memory SQLite database would see its own empty database.
        let max = if in_memory { 1 } else { 5 };
        let file_sqlite = sqlite_file(database_url).is_some() && !in_memory;
        let options = |max: u32| {
            AnyPoolOptions::new()
                .max_connections(max)
                .after_connect(move |conn, _| {
                    Box::pin(async move {
                        if file_sqlite {
                            // WAL: readers never block the writer and a commit costs one fsync
                            // (synchronous stays FULL, so a commit survives a power cut too).
                            sqlx::query("PRAGMA journal_mode = WAL")
                                .execute(&mut *conn)
                                .await?;
                            sqlx::query("PRAGMA busy_timeout = 15000")
                                .execute(&mut *conn)
                                .await?;
                        }
                        Ok(())
                    })
                })
        };
        let open = |max: u32| async move {
            options(max)
                .connect(database_url)
                .await
                .map_err(|e| anyhow::anyhow!("cannot open the database: {e}"))
        };
        let writer = if file_sqlite {
            open(1).await?
        } else {
            open(max).await?
        };
        let pool = if file_sqlite {
            open(max).await?
        } else {
            writer.clone()
        };
        sqlx::migrate!("./migrations")
            .run(&writer)
            .await
            .map_err(|e| anyhow::anyhow!("database migration failed: {e}"))?;
        Ok(Self { pool, writer, key })
    }

    /// The pool for reads.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The pool for writes (every INSERT, UPDATE, DELETE and transaction of the store).
    pub(crate) fn writer(&self) -> &AnyPool {
        &self.writer
    }

    /// Closes every connection (tests that read the database's files).
    pub async fn close(&self) {
        self.writer.close().await;
        self.pool.close().await;
    }
}

/// The file path of a `sqlite:` URL, if it is one.
fn sqlite_file(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty()).then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_sqlite_files_writes_share_one_connection_and_never_fail_busy() {
        let dir = std::env::temp_dir().join(format!("store-writer-{}", uuid::Uuid::new_v4()));
        let url = format!("sqlite://{}?mode=rwc", dir.join("w.db").display());
        let store = Store::connect(&url, SecretsKey::generate()).await.unwrap();
        let until = chrono::Utc::now() + chrono::Duration::minutes(1);
        let takes = (0..40).map(|i| {
            let store = store.clone();
            async move {
                let wearer = crate::domain::UserId::new(format!("w{i}"));
                store
                    .acquire_box(&wearer, "t", chrono::Utc::now(), until)
                    .await
            }
        });
        for taken in futures::future::join_all(takes).await {
            assert!(taken.unwrap(), "every free box's lease was taken");
        }
        assert_eq!(store.writer().size(), 1, "one writing connection");
        store.close().await;
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn sqlite_urls_yield_their_file() {
        assert_eq!(
            sqlite_file("sqlite://.data/opener.db?mode=rwc"),
            Some(".data/opener.db")
        );
        assert_eq!(sqlite_file("sqlite:x.db"), Some("x.db"));
        assert_eq!(sqlite_file("postgres://u@h/db"), None);
    }
}
