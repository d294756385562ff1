//! The world the bench measures in: the Chaster and Sesame simulators in this process, the real
//! `sesame-opener` release binary as a child process pointed at them by environment (names from
//! ARCHITECTURE.md and `server::configuration`), and the simulated Chaster host page.

use std::path::{Path, PathBuf};

use anyhow::{ensure, Context};
use api_types::{DeviceApi, DeviceRegistration};
use sim::chaster::state::TokenGrant;
use sim::chaster::{ChasterSim, NewSessionSpec, CLIENT_ID, DEV_TOKEN};
use sim::sesame::{SesameSim, SesameSimConfig, DEMO_SECRET_HEX};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::child::ChildServer;

pub const HOOK_USER: &str = "bench-hooks";
pub const HOOK_PASSWORD: &str = "bench hook password";

/// What the bench changes from the product defaults, and why; printed under the table.
pub const OVERRIDES: &[(&str, &str, &str)] = &[
    (
        "RATE_LIMIT_PER_TOKEN_PER_MIN",
        "0",
        "the load test sends thousands of requests a second with one token (default 30/min)",
    ),
    (
        "RATE_LIMIT_PER_IP_PER_MIN",
        "0",
        "every client is 127.0.0.1 (default 300/min)",
    ),
    (
        "SESSION_MISSES_PER_IP_PER_MIN",
        "0",
        "100 viewers with their own tokens, all from 127.0.0.1 (default 20/min)",
    ),
    (
        "CHASTER_MAX_REQUESTS_PER_MINUTE",
        "10000",
        "the setup and 100 viewers with their own tokens need more than Chaster's 90/min budget",
    ),
    (
        "TAMPER_SCAN_SECS",
        "3600",
        "no background box reads while upstream calls are counted (default 60)",
    ),
];

/// A session whose wearer connected a SESAME 5 through our API, with its own API key.
#[derive(Clone, Debug)]
pub struct Wearer {
    pub session_id: String,
    pub wearer_token: String,
    pub keyholder_token: String,
    pub uuid: String,
    pub api_key: String,
}

/// A page as the bench loads it: the simulated Chaster page framing it, and what shows it is up.
#[derive(Clone, Debug)]
pub struct Framed {
    /// The simulated Chaster page (`http://127.0.0.1:<port>`), framing `app_url`.
    pub host_url: String,
    /// The page as the iframe loads it, `http://localhost:<port>` (another origin than the host).
    pub app_url: String,
    /// The element whose first paint ends the load.
    pub selector: &'static str,
}

pub struct World {
    pub chaster: ChasterSim,
    pub sesame: SesameSim,
    pub server: ChildServer,
    /// A second server of the same binary serving Leptos's counter (`COUNTER_DIST`).
    pub counter: ChildServer,
    /// The simulated Chaster page (`http://127.0.0.1:<port>`), framing `app_url`.
    pub host_url: String,
    /// The app as the iframe loads it, `http://localhost:<port>` (another origin than the host).
    pub app_url: String,
    counter_host_url: String,
    pub http: reqwest::Client,
    pub jobs_workers: usize,
    /// How the server was started, so it can be started again (`restart_server`).
    server_bin: PathBuf,
    pub dist: PathBuf,
    pub counter_dist: PathBuf,
    env: Vec<(String, String)>,
    host_tasks: [JoinHandle<()>; 2],
    dir: PathBuf,
    next_box: std::sync::atomic::AtomicUsize,
}

impl World {
    pub async fn start(
        server_bin: &Path,
        dist: &Path,
        counter_dist: &Path,
        jobs_workers: usize,
    ) -> anyhow::Result<World> {
        let chaster = ChasterSim::spawn().await?;
        // Boxes answer in ~50 ms, as in the tests and the e2e stack.
        let sesame = SesameSim::spawn(SesameSimConfig::fast()).await?;
        let dir = std::env::temp_dir().join(format!("sesame-bench-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("counter"))?;
        // Bound first so each server can be told which origin may frame it.
        let host_listener = TcpListener::bind("127.0.0.1:0").await?;
        let host_url = format!("http://{}", host_listener.local_addr()?);
        let counter_host_listener = TcpListener::bind("127.0.0.1:0").await?;
        let counter_host_url = format!("http://{}", counter_host_listener.local_addr()?);

        let env = |dist: &Path, dir: &Path, host_url: &str| -> Vec<(String, String)> {
            let mut env: Vec<(String, String)> = [
                ("DIST_DIR", dist.display().to_string()),
                ("CHASTER_BASE_URL", chaster.base_url()),
                ("CHASTER_DEVELOPER_TOKEN", DEV_TOKEN.to_owned()),
                ("CHASTER_CLIENT_ID", CLIENT_ID.to_owned()),
                ("CHASTER_ORIGINS", host_url.to_owned()),
                ("CHASTER_WEBHOOK_USERNAME", HOOK_USER.to_owned()),
                ("CHASTER_WEBHOOK_PASSWORD", HOOK_PASSWORD.to_owned()),
                ("SESAME_V3_BASE_URL", sesame.v3_base_url()),
                ("SESAME_WEBAPI_BASE_URL", sesame.base_url()),
                (
                    "DATABASE_URL",
                    format!("sqlite://{}?mode=rwc", dir.join("opener.db").display()),
                ),
                (
                    "SECRETS_KEY_FILE",
                    dir.join("secrets.key").display().to_string(),
                ),
                ("JOBS_WORKERS", jobs_workers.to_string()),
                // The product's own default filter, stated so the environment cannot change it.
                ("RUST_LOG", "info".to_owned()),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
            env.extend(
                OVERRIDES
                    .iter()
                    .map(|(k, v, _)| (k.to_string(), v.to_string())),
            );
            env
        };

        let server_env = env(dist, &dir, &host_url);
        let server = ChildServer::start(
            server_bin,
            &[],
            &server_env,
            "/health",
            dir.join("server.log"),
        )
        .await?;
        let counter_dir = dir.join("counter");
        let counter = ChildServer::start(
            server_bin,
            &[],
            &env(counter_dist, &counter_dir, &counter_host_url),
            "/health",
            counter_dir.join("server.log"),
        )
        .await
        .context("starting the server of the counter")?;
        let app_url = localhost(&server);
        let host_tasks = [
            e2e::host_page::serve(host_listener, &app_url),
            e2e::host_page::serve(counter_host_listener, &localhost(&counter)),
        ];
        let http = reqwest::Client::builder()
            .no_proxy()
            .pool_max_idle_per_host(256)
            .build()?;
        Ok(World {
            chaster,
            sesame,
            server,
            counter,
            host_url,
            app_url,
            counter_host_url,
            http,
            jobs_workers,
            server_bin: server_bin.to_owned(),
            dist: dist.to_owned(),
            counter_dist: counter_dist.to_owned(),
            env: server_env,
            host_tasks,
            dir,
            next_box: 0.into(),
        })
    }

    /// Our main page, framed as Chaster does; the wearer's view ends the load.
    pub fn ours_framed(&self) -> Framed {
        Framed {
            host_url: self.host_url.clone(),
            app_url: self.app_url.clone(),
            selector: "[data-testid=\"view-wearer\"]",
        }
    }

    /// Leptos's counter, framed the same way; its `Value: 0!` line ends the load.
    pub fn counter_framed(&self) -> Framed {
        Framed {
            host_url: self.counter_host_url.clone(),
            app_url: localhost(&self.counter),
            selector: "body span",
        }
    }

    /// A new locked session whose wearer connected a fresh SESAME 5 with `PUT /api/device`, as
    /// the page does. Each box has its own API key: CANDY HOUSE paces requests per key, and
    /// each wearer brings their own.
    pub async fn wearer_with_box(&self) -> anyhow::Result<Wearer> {
        let n = self
            .next_box
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (session_id, wearer_token, keyholder_token) =
            self.chaster.create_session(NewSessionSpec::default()).await;
        let uuid = format!("5E5A3E05-0000-4000-8000-{:012X}", 0x1000 + n);
        let api_key = format!("bench-sesame-api-key-{n:019}");
        self.sesame
            .add_webapi_device(&uuid, DEMO_SECRET_HEX, &api_key);
        let registration = DeviceRegistration {
            api: DeviceApi::WebApi,
            nickname: "Key box".into(),
            api_key: api_key.clone(),
            device_id: uuid.clone(),
            secret: Some(DEMO_SECRET_HEX.into()),
            model: None,
        };
        let response = self
            .http
            .put(format!("{}/api/device", self.server.url))
            .bearer_auth(&wearer_token)
            .json(&registration)
            .send()
            .await
            .context("PUT /api/device")?;
        let status = response.status();
        ensure!(
            status.is_success(),
            "PUT /api/device answered {status}: {}",
            response.text().await.unwrap_or_default()
        );
        Ok(Wearer {
            session_id,
            wearer_token,
            keyholder_token,
            uuid,
            api_key,
        })
    }

    pub fn server_bin(&self) -> &Path {
        &self.server_bin
    }

    /// Stops the server and starts it again on the same database with `changes` to its
    /// environment (`None` removes a variable: the product default applies). The burst uses it
    /// to measure with the default workers and Chaster budget after a setup that needed more.
    pub async fn restart_server(&mut self, changes: &[(&str, Option<&str>)]) -> anyhow::Result<()> {
        for (key, value) in changes {
            self.env.retain(|(k, _)| k != key);
            if let Some(v) = value {
                self.env.push(((*key).to_owned(), (*v).to_owned()));
            }
        }
        // Started before the old one stops: both claim jobs atomically from one database, and
        // nothing is due at this point of the bench.
        let log = self.dir.join("server-restarted.log");
        let server = ChildServer::start(&self.server_bin, &[], &self.env, "/health", log).await?;
        std::mem::replace(&mut self.server, server).stop().await;
        Ok(())
    }

    /// A mainToken Chaster has not issued before, opening the same session in the same role as
    /// `like` (every iframe Chaster opens gets its own token).
    pub fn fresh_token(&self, like: &str) -> String {
        let token = format!("bench-{:016x}", rand::random::<u64>());
        self.chaster.with_state(|s| {
            let grant: TokenGrant = s
                .grant(like)
                .cloned()
                .expect("the simulator knows the token to copy");
            s.tokens.insert(token.clone(), grant);
        });
        token
    }
}

/// The server as the iframe loads it: `localhost`, another origin than the host's `127.0.0.1`.
fn localhost(server: &ChildServer) -> String {
    let port = server.url.rsplit(':').next().unwrap_or_default();
    format!("http://localhost:{port}")
}

impl Drop for World {
    fn drop(&mut self) {
        for task in &self.host_tasks {
            task.abort();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
