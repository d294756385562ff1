//! The real `sesame-opener` binary as a child process (a kill -9, a SIGTERM), configured by
//! environment as an operator would.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use sim::chaster::{ChasterSim, CLIENT_ID, DEV_TOKEN};
use sim::sesame::SesameSim;

use crate::fs::sqlite_url;
use crate::opener::{HOOK_PASSWORD, HOOK_USER};
use crate::wait::wait_for;

/// The binary at `bin` (the test crate's `env!("CARGO_BIN_EXE_sesame-opener")`) on `port`, with
/// `dir/dist`, a database and a secrets key in `dir`, both upstreams at the simulators and the
/// opener's webhook credentials; the caller adds what its test needs and spawns it.
/// `TEST_CHILD_LOG=<filter>` shows the child's log.
pub fn server_command(
    bin: &str,
    dir: &Path,
    chaster: &ChasterSim,
    sesame: &SesameSim,
    port: u16,
) -> Command {
    let mut command = Command::new(bin);
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env(
            "RUST_LOG",
            std::env::var("TEST_CHILD_LOG").unwrap_or_else(|_| "warn".into()),
        )
        .env("BIND_ADDR", format!("127.0.0.1:{port}"))
        .env("DIST_DIR", dir.join("dist"))
        .env("DATABASE_URL", sqlite_url(dir))
        .env("SECRETS_KEY_FILE", dir.join("secrets.key"))
        .env("CHASTER_BASE_URL", chaster.base_url())
        .env("CHASTER_DEVELOPER_TOKEN", DEV_TOKEN)
        .env("CHASTER_CLIENT_ID", CLIENT_ID)
        .env("CHASTER_WEBHOOK_USERNAME", HOOK_USER)
        .env("CHASTER_WEBHOOK_PASSWORD", HOOK_PASSWORD)
        .env("SESAME_WEBAPI_BASE_URL", sesame.base_url())
        .env("SESAME_V3_BASE_URL", sesame.v3_base_url())
        .stdout(Stdio::null())
        .stderr(if std::env::var_os("TEST_CHILD_LOG").is_some() {
            Stdio::inherit()
        } else {
            Stdio::null()
        });
    command
}

/// Waits until the server on `port` answers `/health` (at most 30 s).
pub async fn wait_healthy(port: u16) {
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("an HTTP client");
    wait_for("the server to listen", Duration::from_secs(30), || {
        let client = client.clone();
        async move {
            client
                .get(format!("http://127.0.0.1:{port}/health"))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
        }
    })
    .await;
}
