//! kill -9 between accepting a webhook and sending the command: the box opens after a restart.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use server::crypto::SecretsKey;
use server::sesame::{ApiKey, DeviceCredentials, DeviceSecret};
use server::store::{NewDevice, Store};
use sim::chaster::{ChasterSim, NewSessionSpec, Release, WebhookConfig, CLIENT_ID, DEV_TOKEN};
use sim::sesame::{CommandKind, SesameSim, SesameSimConfig, DEMO_API_KEY, DEMO_SECRET_HEX};

use crate::helpers::*;
use server::domain::UserId;
use server::jobs::{JobKind, JobStatus};

const UUID: &str = "5E5A3E05-0000-4000-8000-00000000C1A5";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts the real binary with its configuration in the environment.
fn start_server(
    dir: &Path,
    chaster: &ChasterSim,
    sesame: &SesameSim,
    port: u16,
    start_delay_ms: u64,
) -> Child {
    Command::new(env!("CARGO_BIN_EXE_sesame-opener"))
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
        .env("JOBS_START_DELAY_MS", start_delay_ms.to_string())
        .env("JOBS_IDLE_POLL_MS", "50")
        .stdout(Stdio::null())
        .stderr(if std::env::var_os("TEST_CHILD_LOG").is_some() {
            Stdio::inherit()
        } else {
            Stdio::null()
        })
        .spawn()
        .expect("the server binary starts")
}

fn sqlite_url(dir: &Path) -> String {
    format!("sqlite://{}?mode=rwc", dir.join("opener.db").display())
}

async fn wait_healthy(port: u16) {
    let client = reqwest::Client::new();
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

#[tokio::test]
async fn a_release_accepted_before_a_kill_9_opens_the_box_after_the_restart() {
    let chaster = ChasterSim::spawn().await.unwrap();
    // This test counts the line in Chaster's history; refusals are tested in `penalties`.
    chaster.accept_logs_on_ended_locks(true);
    let sesame = SesameSim::spawn(SesameSimConfig::fast()).await.unwrap();
    sesame.add_webapi_device(UUID, DEMO_SECRET_HEX, DEMO_API_KEY);
    let dir = TempDir::new();
    std::fs::create_dir_all(dir.path().join("dist")).unwrap();
    std::fs::write(dir.path().join("dist/index.html"), "<!doctype html>").unwrap();

    let (session_id, _, _) = chaster.create_session(NewSessionSpec::default()).await;
    let wearer = chaster.with_state(|s| s.lock_of_session(&session_id).unwrap().wearer_id.clone());
    // The wearer's box, saved with the key the server will load.
    let key = SecretsKey::load_or_create(&dir.path().join("secrets.key")).unwrap();
    let store = Store::connect(&sqlite_url(dir.path()), key).await.unwrap();
    store
        .upsert_device(&NewDevice {
            user_id: UserId::new(wearer),
            nickname: "Key box".into(),
            model: "SESAME 5".into(),
            credentials: DeviceCredentials::WebApi {
                uuid: UUID.into(),
                api_key: ApiKey::parse(DEMO_API_KEY).unwrap(),
                secret: DeviceSecret::parse(DEMO_SECRET_HEX).unwrap().secret,
            },
        })
        .await
        .unwrap();

    // First life: the workers would only start in ten minutes.
    let port = free_port();
    let mut first = start_server(dir.path(), &chaster, &sesame, port, 600_000);
    wait_healthy(port).await;
    chaster.set_webhook(
        WebhookConfig::new(format!("http://127.0.0.1:{port}/webhooks/chaster"))
            .with_basic_auth(HOOK_USER, HOOK_PASSWORD)
            .with_retry_delays(vec![]),
    );
    let log = chaster
        .release_lock(&session_id, Release::KeyholderUnlock)
        .await;
    chaster.wait_deliveries_idle().await;
    let delivery = chaster
        .deliveries()
        .into_iter()
        .find(|d| d.action_log_id.as_deref() == Some(log.as_str()));
    assert_eq!(
        delivery.and_then(|d| d.status),
        Some(200),
        "the webhook was acknowledged"
    );
    let jobs = store.jobs_of_kind(JobKind::OpenRelease).await.unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].status, JobStatus::Queued);

    first.kill().expect("SIGKILL");
    first.wait().unwrap();
    assert_eq!(
        sesame.commands_received(UUID, CommandKind::Unlock),
        0,
        "nothing was sent before the crash"
    );
    assert!(sesame.latch_locked(UUID));

    // Second life, no delay: the stored job runs.
    chaster.clear_webhook();
    let port = free_port();
    let mut second = start_server(dir.path(), &chaster, &sesame, port, 0);
    wait_for(
        "the box to open after the restart",
        Duration::from_secs(30),
        || async { !sesame.latch_locked(UUID) },
    )
    .await;
    wait_for("the history line", Duration::from_secs(30), || async {
        chaster
            .custom_logs(&session_id)
            .iter()
            .any(|l| l["title"] == "Box opened after release")
    })
    .await;
    second.kill().unwrap();
    second.wait().unwrap();
    assert_eq!(sesame.commands_received(UUID, CommandKind::Unlock), 1);
}

#[tokio::test]
async fn on_sigterm_the_server_stops_taking_jobs_and_exits_promptly() {
    let chaster = ChasterSim::spawn().await.unwrap();
    let sesame = SesameSim::spawn(SesameSimConfig::fast()).await.unwrap();
    let dir = TempDir::new();
    std::fs::create_dir_all(dir.path().join("dist")).unwrap();
    let port = free_port();
    let mut child = start_server(dir.path(), &chaster, &sesame, port, 0);
    wait_healthy(port).await;
    let terminated = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(terminated.success());
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "still running after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "clean exit, got {status:?}");
}
