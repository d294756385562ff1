//! Everything behind the browser for one test: both simulators, our server (in process, on a
//! free port, serving the trunk build) and the simulated Chaster page on a second origin.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use sim::chaster::{ChasterSim, CLIENT_ID, DEV_TOKEN};
use sim::sesame::{SesameSim, SesameSimConfig};
use tokio::{net::TcpListener, task::JoinHandle};

use crate::{host_page, scratch_dir};

/// A running stack; dropping it stops every server and removes its files.
pub struct Stack {
    pub chaster: ChasterSim,
    pub sesame: SesameSim,
    /// `http://localhost:<port>`: the app, as the iframe loads it.
    pub app_url: String,
    /// `http://127.0.0.1:<port>`: the simulated Chaster page, another origin than the app's.
    pub host_url: String,
    /// The same host page on an origin the server was not told about.
    pub foreign_host_url: String,
    tasks: Vec<JoinHandle<()>>,
    data_dir: PathBuf,
}

impl Stack {
    pub async fn start() -> anyhow::Result<Self> {
        Self::start_with(false, &[]).await
    }

    /// Like [`Stack::start`], with server settings (documented variable names) over the
    /// harness's own; with `dashboard`, the keyholder dashboard is set up too (OAuth with the
    /// simulated SSO).
    pub async fn start_with(dashboard: bool, overrides: &[(&str, &str)]) -> anyhow::Result<Self> {
        let dist = dist_dir()?;
        let chaster = ChasterSim::spawn()
            .await
            .context("starting the Chaster simulator")?;
        let sesame = SesameSim::spawn(SesameSimConfig::fast())
            .await
            .context("starting the Sesame simulator")?;

        // Bound first so the server can be told which origin may frame it.
        let host_listener = TcpListener::bind("127.0.0.1:0").await?;
        let host_url = format!("http://{}", host_listener.local_addr()?);
        let foreign_listener = TcpListener::bind("127.0.0.1:0").await?;
        let foreign_host_url = format!("http://{}", foreign_listener.local_addr()?);

        let data_dir = scratch_dir("server-data")?;
        // The dashboard must know its public origin before the server starts: take a free port
        // now (released just before the server binds it).
        let port = if dashboard {
            std::net::TcpListener::bind("127.0.0.1:0")?
                .local_addr()?
                .port()
        } else {
            0
        };
        let mut settings = settings(&chaster, &sesame, &dist, &host_url, &data_dir, overrides)?;
        if dashboard {
            settings.bind_addr = ([127, 0, 0, 1], port).into();
            settings.dashboard.sso_base_url = chaster.base_url();
            settings.dashboard.oauth_client_id = Some(sim::chaster::OAUTH_CLIENT_ID.into());
            settings.dashboard.oauth_client_secret = Some(sim::chaster::OAUTH_CLIENT_SECRET.into());
            settings.dashboard.public_base_url = Some(format!("http://localhost:{port}"));
            settings.dashboard.extension_slug = Some(sim::chaster::EXTENSION_SLUG.into());
        }
        let app = server::startup::Application::build(settings)
            .await
            .context("building the server")?;
        // `localhost`, not 127.0.0.1: a different host name makes the two origins differ in
        // more than the port, as chaster.app and our host do.
        let app_url = format!("http://localhost:{}", app.port());
        let server_task = tokio::spawn(async move {
            if let Err(e) = app.run_until_stopped().await {
                eprintln!("the server stopped: {e}");
            }
        });
        let host_task = host_page::serve(host_listener, &app_url);
        let foreign_task = host_page::serve(foreign_listener, &app_url);

        Ok(Self {
            chaster,
            sesame,
            app_url,
            host_url,
            foreign_host_url,
            tasks: vec![server_task, host_task, foreign_task],
            data_dir,
        })
    }

    /// The title of the lock that `token` opens, as the Chaster simulator holds it.
    pub fn lock_title_of(&self, token: &str) -> String {
        self.chaster.with_state(|s| {
            let grant = s.grant(token).expect("the simulator knows this token");
            let (_, lock) = s
                .session_and_lock(&grant.session_id)
                .expect("seeded session");
            lock.title.clone()
        })
    }

    /// The username of the wearer of the lock that `token` opens.
    pub fn wearer_username_of(&self, token: &str) -> String {
        self.chaster.with_state(|s| {
            let grant = s.grant(token).expect("the simulator knows this token");
            let (_, lock) = s
                .session_and_lock(&grant.session_id)
                .expect("seeded session");
            s.users[&lock.wearer_id].username.clone()
        })
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

/// The trunk build to serve: `DIST_DIR`, or `dist/` at the workspace root.
pub fn dist_dir() -> anyhow::Result<PathBuf> {
    let dir = match std::env::var_os("DIST_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../dist"),
    };
    let dir = dir.canonicalize().unwrap_or(dir);
    if !dir.join("index.html").is_file() {
        bail!(
            "no trunk build at {}: run `trunk build --release` first (scripts/test.sh does)",
            dir.display()
        );
    }
    Ok(dir)
}

/// Server settings that point at the simulators, the build and a private data directory. Built
/// through the documented variable names (ARCHITECTURE.md), as an operator would set them.
fn settings(
    chaster: &ChasterSim,
    sesame: &SesameSim,
    dist: &Path,
    host_origin: &str,
    data_dir: &Path,
    overrides: &[(&str, &str)],
) -> anyhow::Result<server::configuration::Settings> {
    let mut vars: HashMap<&str, String> = HashMap::from([
        ("BIND_ADDR", "127.0.0.1:0".to_owned()),
        ("DIST_DIR", dist.display().to_string()),
        ("CHASTER_BASE_URL", chaster.base_url()),
        ("CHASTER_DEVELOPER_TOKEN", DEV_TOKEN.to_owned()),
        ("CHASTER_CLIENT_ID", CLIENT_ID.to_owned()),
        ("CHASTER_ORIGINS", host_origin.to_owned()),
        ("SESAME_V3_BASE_URL", sesame.v3_base_url()),
        ("SESAME_WEBAPI_BASE_URL", sesame.base_url()),
        // Pages read the box at every refresh (the tests change the simulated box and look at
        // once); the monthly budget itself is tested in `server/tests/opener/quota.rs`.
        ("SESAME_MONTHLY_QUOTA", "1000000000000".to_owned()),
        (
            "DATABASE_URL",
            format!("sqlite://{}?mode=rwc", data_dir.join("e2e.db").display()),
        ),
        (
            "SECRETS_KEY_FILE",
            data_dir.join("secrets.key").display().to_string(),
        ),
    ]);
    vars.extend(overrides.iter().map(|(k, v)| (*k, (*v).to_owned())));
    server::configuration::Settings::from_lookup(|name| vars.get(name).cloned())
        .context("the e2e server settings are invalid")
}
