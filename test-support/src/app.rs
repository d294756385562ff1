//! `spawn_app()`: the Chaster and Sesame simulators plus our application on random ports, with a
//! temporary `dist/` holding an index.html and a fresh SQLite database.

use std::time::Duration;

use secrecy::ExposeSecret;
use server::configuration::{RateLimitSettings, Settings};
use server::sesame::SesameSettings;
use server::startup::{AppState, Application};
use sim::chaster::{ChasterSim, WebhookConfig, CLIENT_ID, DEV_TOKEN};
use sim::sesame::{SesameSim, SesameSimConfig};

use crate::fs::{sqlite_url, TempDir};
use crate::opener::opener_settings;
use crate::wait::init_test_logging;

pub const INDEX_HTML: &str = "<!doctype html><title>Sesame opener test page</title>";

pub struct TestApp {
    pub address: String,
    pub chaster: ChasterSim,
    /// Seeded with the `sim::sesame::DEMO_*` boxes; commands take ~50 ms.
    pub sesame: SesameSim,
    pub state: AppState,
    pub client: reqwest::Client,
    /// What the app was built with (a restart builds another app from it).
    pub settings: Settings,
    /// Holds `dist/`, the database and the secrets key; removed when the test ends.
    pub dir: TempDir,
}

impl TestApp {
    /// The one harness: both simulators, a temporary folder, [`base_settings`] changed by
    /// `configure`, the application started on port 0. When the settings have webhook
    /// credentials, the Chaster simulator delivers its webhooks to the app with them.
    pub async fn spawn(configure: impl FnOnce(&mut Settings)) -> TestApp {
        init_test_logging();
        let chaster = ChasterSim::spawn()
            .await
            .expect("the Chaster simulator starts");
        let sesame = SesameSim::spawn(SesameSimConfig::fast())
            .await
            .expect("the Sesame simulator starts");
        let dir = TempDir::new();
        let mut settings = base_settings(&chaster, &sesame, &dir);
        configure(&mut settings);

        let (address, state) = start(settings.clone()).await;
        if let Some(auth) = &settings.chaster.webhook_auth {
            chaster.set_webhook(
                WebhookConfig::new(format!("{address}/webhooks/chaster"))
                    .with_basic_auth(&auth.username, auth.password.expose_secret())
                    .with_retry_delays(vec![Duration::from_millis(200); 4]),
            );
        }
        TestApp {
            address,
            chaster,
            sesame,
            state,
            client: reqwest::Client::builder()
                .no_proxy()
                .build()
                .expect("an HTTP client"),
            settings,
            dir,
        }
    }

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
        response.json().await.expect("a JSON answer")
    }
}

/// Builds and runs one application (another instance on a shared database, a restart):
/// its address and state.
pub async fn start(settings: Settings) -> (String, AppState) {
    let application = Application::build(settings).await.expect("the app builds");
    let address = format!("http://127.0.0.1:{}", application.port());
    let state = application.state().clone();
    tokio::spawn(application.run_until_stopped());
    (address, state)
}

/// What every test app shares: port 0, `dir/dist` (an index.html), a SQLite database and a
/// secrets key in `dir`, both upstreams at the simulators; the product's defaults otherwise.
pub fn base_settings(chaster: &ChasterSim, sesame: &SesameSim, dir: &TempDir) -> Settings {
    std::fs::create_dir_all(dir.path().join("dist")).expect("dist/ is created");
    std::fs::write(dir.path().join("dist/index.html"), INDEX_HTML).expect("index.html is written");
    let mut settings = Settings::new(server::configuration::ChasterSettings::new(
        chaster.base_url(),
        DEV_TOKEN,
        CLIENT_ID,
    ));
    settings.bind_addr = "127.0.0.1:0".parse().expect("a socket address");
    settings.dist_dir = dir.path().join("dist");
    settings.database_url = sqlite_url(dir.path()).into();
    settings.secrets_key_file = dir.path().join("secrets.key");
    settings.sesame = SesameSettings::for_tests(sesame.v3_base_url(), sesame.base_url());
    settings
}

/// The HTTP tests' settings: no request budgets, every page view may read the box.
pub fn api_settings(settings: &mut Settings) {
    // The monthly request budget is made so large that every page view may read the box (these
    // tests change the simulated box and look at it at once); `opener/quota.rs` tests the budget.
    settings.sesame.quota.monthly_quota = 1_000_000_000_000;
    // Tests fire bursts of requests with one token; `limits.rs` tests the budgets themselves.
    settings.rate_limits = RateLimitSettings::off();
    settings.session_cache.misses_per_ip = server::configuration::Rate::OFF;
}

/// The HTTP tests' app ([`api_settings`]).
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Like [`spawn_app`], letting the test change the settings before the app is built.
pub async fn spawn_app_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
    TestApp::spawn(|s| {
        api_settings(s);
        configure(s);
    })
    .await
}

/// The opener's app ([`opener_settings`]): webhooks with Basic auth, fast jobs.
pub async fn spawn() -> TestApp {
    spawn_with(|_| {}).await
}

/// Like [`spawn`], letting the test change the settings first.
pub async fn spawn_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
    TestApp::spawn(|s| {
        opener_settings(s);
        configure(s);
    })
    .await
}
