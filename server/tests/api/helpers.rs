//! `spawn_app()`: the Chaster and Sesame simulators plus our application on random ports, with a
//! temporary `dist/` holding an index.html and a fresh SQLite database.

use std::path::{Path, PathBuf};
use std::sync::Once;

use server::configuration::{ChasterSettings, RateLimitSettings, Settings};
use server::sesame::SesameSettings;
use server::startup::{AppState, Application};
use sim::chaster::{ChasterSim, CLIENT_ID, DEV_TOKEN};
use sim::sesame::{SesameSim, SesameSimConfig};

pub const INDEX_HTML: &str = "<!doctype html><title>Sesame opener test page</title>";

pub struct TestApp {
    pub address: String,
    pub chaster: ChasterSim,
    /// Seeded with the `sim::sesame::DEMO_*` boxes; commands take ~50 ms.
    pub sesame: SesameSim,
    pub state: AppState,
    pub client: reqwest::Client,
    pub dir: TempDir,
}

impl TestApp {
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("the app answers")
    }

    /// `GET /api/session` with `Authorization: Bearer <token>`.
    pub async fn get_session(&self, token: &str) -> reqwest::Response {
        self.client
            .get(format!("{}/api/session", self.address))
            .bearer_auth(token)
            .send()
            .await
            .expect("the app answers")
    }

    /// The `/api/session` JSON for a token that must succeed.
    pub async fn session_json(&self, token: &str) -> serde_json::Value {
        let response = self.get_session(token).await;
        assert_eq!(response.status(), 200, "GET /api/session for {token}");
        response.json().await.unwrap()
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Like [`spawn_app`], letting the test change the settings before the app is built.
pub async fn spawn_app_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
    init_test_logging();
    let chaster = ChasterSim::spawn()
        .await
        .expect("the Chaster simulator starts");
    let sesame = SesameSim::spawn(SesameSimConfig::fast())
        .await
        .expect("the Sesame simulator starts");
    let dir = TempDir::new();
    std::fs::create_dir_all(dir.path().join("dist")).unwrap();
    std::fs::write(dir.path().join("dist/index.html"), INDEX_HTML).unwrap();

    let mut settings = Settings::new(ChasterSettings::new(
        chaster.base_url(),
        DEV_TOKEN,
        CLIENT_ID,
    ));
    settings.bind_addr = "127.0.0.1:0".parse().unwrap();
    settings.dist_dir = dir.path().join("dist");
    settings.database_url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("opener.db").display()
    )
    .into();
    settings.secrets_key_file = dir.path().join("secrets.key");
    settings.sesame = fast_sesame_settings(&sesame);
    // Tests fire bursts of requests with one token; `limits.rs` tests the budgets themselves.
    settings.rate_limits = RateLimitSettings::off();
    settings.session_cache.misses_per_ip = server::configuration::Rate::OFF;
    configure(&mut settings);

    let application = Application::build(settings).await.expect("the app builds");
    let address = format!("http://127.0.0.1:{}", application.port());
    let state = application.state().clone();
    tokio::spawn(application.run_until_stopped());
    TestApp {
        address,
        chaster,
        sesame,
        state,
        client: reqwest::Client::new(),
        dir,
    }
}

/// The Sesame layer's defaults scaled down to the simulator's ~50 ms commands.
/// The monthly request budget is made so large that every page view may read the box (these
/// tests change the simulated box and look at it at once); `opener/quota.rs` tests the budget.
fn fast_sesame_settings(sim: &SesameSim) -> SesameSettings {
    SesameSettings {
        quota: server::sesame::QuotaSettings {
            monthly_quota: 1_000_000_000_000,
            ..Default::default()
        },
        ..SesameSettings::for_tests(sim.v3_base_url(), sim.base_url())
    }
}

/// Logs only when `TEST_LOG` is set, so test output stays readable.
fn init_test_logging() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if std::env::var_os("TEST_LOG").is_some() {
            server::telemetry::init_subscriber("debug");
        }
    });
}

/// A directory removed when the test ends.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new() -> TempDir {
        let path =
            std::env::temp_dir().join(format!("sesame-opener-test-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
