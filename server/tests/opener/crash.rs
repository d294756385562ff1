//! kill -9 between accepting a webhook and sending the command: the box opens after a restart.

use std::path::Path;
use std::process::{Child, Command};
use std::time::Duration;

use server::crypto::SecretsKey;
use server::sesame::{ApiKey, DeviceCredentials, DeviceSecret};
use server::store::{NewDevice, Store};
use sim::chaster::{ChasterSim, NewSessionSpec, Release, WebhookConfig};
use sim::sesame::{CommandKind, SesameSim, SesameSimConfig, DEMO_API_KEY, DEMO_SECRET_HEX};

use crate::helpers::*;
use server::domain::UserId;
use server::jobs::{JobKind, JobStatus};

const UUID: &str = "5E5A3E05-0000-4000-8000-00000000C1A5";

/// Starts the real binary with its configuration in the environment.
fn start_server(
    dir: &Path,
    chaster: &ChasterSim,
    sesame: &SesameSim,
    port: u16,
    start_delay_ms: u64,
) -> Child {
    let bin = env!("CARGO_BIN_EXE_sesame-opener");
    server_command(bin, dir, chaster, sesame, port)
        .env("JOBS_START_DELAY_MS", start_delay_ms.to_string())
        .env("JOBS_IDLE_POLL_MS", "50")
        .spawn()
        .expect("the server binary starts")
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
