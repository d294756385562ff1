//! Temporary folders and ports for tests.

use std::net::TcpListener;
use std::path::{Path, PathBuf};

/// A directory under the system temp dir, removed when the test ends.
pub struct TempDir(pub PathBuf);

impl TempDir {
    #[allow(clippy::new_without_default)]
    pub fn new() -> TempDir {
        let path =
            std::env::temp_dir().join(format!("sesame-opener-test-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&path).expect("the temporary directory is created");
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// A SQLite database in this directory, created on first use.
    pub fn sqlite_url(&self) -> String {
        sqlite_url(&self.0)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `sqlite://<dir>/opener.db?mode=rwc`, as the server's `DATABASE_URL`.
pub fn sqlite_url(dir: &Path) -> String {
    format!("sqlite://{}?mode=rwc", dir.join("opener.db").display())
}

/// A loopback port free at the time of asking (for a server started as a child process).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}
