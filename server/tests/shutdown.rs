//! SIGTERM (a deploy, a restart): the real binary finishes the requests it is answering, stops
//! listening, exits cleanly, and leaves work it had not started queued for the next start.

use std::process::Command;
use std::time::{Duration, Instant};

use server::crypto::SecretsKey;
use server::jobs::{JobKind, JobStatus};
use server::store::Store;
use sim::chaster::{ChasterSim, NewSessionSpec, Release, WebhookConfig, SLOW_TOKEN};
use sim::sesame::{SesameSim, SesameSimConfig};
use test_support::{
    free_port, server_command, sqlite_url, wait_healthy, TempDir, HOOK_PASSWORD, HOOK_USER,
};

async fn poll(what: &str, limit: Duration, mut done: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !done().await {
        assert!(
            Instant::now() < deadline,
            "{what} did not happen within {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn sigterm_finishes_the_request_in_flight_and_leaves_queued_jobs_queued() {
    let chaster = ChasterSim::spawn().await.unwrap();
    chaster.with_state(|s| s.slow_delay = Duration::from_secs(2));
    let sesame = SesameSim::spawn(SesameSimConfig::fast()).await.unwrap();
    let dir = TempDir::new();
    std::fs::create_dir_all(dir.0.join("dist")).unwrap();
    std::fs::write(dir.0.join("dist/index.html"), "<!doctype html>").unwrap();

    let port = free_port();
    let bin = env!("CARGO_BIN_EXE_sesame-opener");
    let mut child = server_command(bin, &dir.0, &chaster, &sesame, port)
        // The workers would start in ten minutes: whatever is queued stays queued.
        .env("JOBS_START_DELAY_MS", "600000")
        .spawn()
        .expect("the server binary starts");
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    wait_healthy(port).await;

    // Work for later: a release Chaster reports, stored as a job.
    let (session_id, _, _) = chaster.create_session(NewSessionSpec::default()).await;
    chaster.set_webhook(
        WebhookConfig::new(format!("{base}/webhooks/chaster"))
            .with_basic_auth(HOOK_USER, HOOK_PASSWORD)
            .with_retry_delays(vec![]),
    );
    chaster
        .release_lock(&session_id, Release::KeyholderUnlock)
        .await;
    chaster.wait_deliveries_idle().await;

    // A request Chaster takes two seconds to answer is in flight when the signal comes.
    let in_flight = tokio::spawn({
        let (http, base) = (http.clone(), base.clone());
        async move {
            http.get(format!("{base}/api/session"))
                .bearer_auth(SLOW_TOKEN)
                .send()
                .await
        }
    });
    poll(
        "the slow request to reach Chaster",
        Duration::from_secs(10),
        async || {
            chaster
                .recorded_requests()
                .iter()
                .any(|r| r.path.contains(SLOW_TOKEN))
        },
    )
    .await;
    let sent = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());

    let response = in_flight
        .await
        .unwrap()
        .expect("the request in flight got its answer");
    assert_eq!(response.status(), 200, "answered, not cut off");
    let view: serde_json::Value = response.json().await.unwrap();
    assert_eq!(view["role"], "wearer", "{view}");

    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the server did not exit after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "a clean exit, not a kill: {status}");
    assert!(
        http.get(format!("{base}/health")).send().await.is_err(),
        "nothing listens any more"
    );

    let key = SecretsKey::load_or_create(&dir.0.join("secrets.key")).unwrap();
    let store = Store::connect(&sqlite_url(&dir.0), key).await.unwrap();
    let jobs = store.jobs_of_kind(JobKind::OpenRelease).await.unwrap();
    assert_eq!(jobs.len(), 1, "the release was stored before the signal");
    assert_eq!(
        jobs[0].status,
        JobStatus::Queued,
        "untouched, for the next start"
    );
}
