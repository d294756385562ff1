//! Debian's Chromium driven through ChromeDriver: one driver process, one browser and one fresh
//! profile per test, so no test sees another's state.

use std::{
    path::{Path, PathBuf},
    process::Stdio,
    time::{Duration, Instant},
};

use anyhow::{bail, Context};
use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use tokio::process::{Child, Command};

use crate::scratch_dir;

const DEFAULT_CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const DEFAULT_CHROMIUM: &str = "/usr/bin/chromium";
const DRIVER_START_TIMEOUT: Duration = Duration::from_secs(20);

/// A running ChromeDriver with one browser session.
pub struct Browser {
    pub client: Client,
    driver: Child,
    profile: PathBuf,
}

impl Browser {
    /// Starts ChromeDriver on a free port and opens a headless Chromium session with a fresh
    /// profile. Paths can be overridden with `CHROMEDRIVER` and `CHROMIUM`.
    pub async fn launch() -> anyhow::Result<Self> {
        Self::launch_with(&[]).await
    }

    /// Like [`Browser::launch`], with extra Chromium switches.
    pub async fn launch_with(extra_args: &[&str]) -> anyhow::Result<Self> {
        Self::launch_configured(extra_args, serde_json::Map::new()).await
    }

    /// Like [`Browser::launch_with`], with extra WebDriver capabilities (the bench asks for the
    /// page load strategy `none`, so `goto` returns as soon as navigation starts).
    pub async fn launch_configured(
        extra_args: &[&str],
        extra_capabilities: serde_json::Map<String, serde_json::Value>,
    ) -> anyhow::Result<Self> {
        let driver_path = tool_path("CHROMEDRIVER", DEFAULT_CHROMEDRIVER, "chromium-driver")?;
        let chromium_path = tool_path("CHROMIUM", DEFAULT_CHROMIUM, "chromium")?;
        let port = free_port()?;
        let profile = scratch_dir("chromium-profile")?;

        let driver = Command::new(&driver_path)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("could not start {}", driver_path.display()))?;
        let driver_url = format!("http://127.0.0.1:{port}");
        wait_until_ready(&driver_url).await?;

        let mut args: Vec<String> = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--window-size=400,900",
        ]
        .into_iter()
        .chain(extra_args.iter().copied())
        .map(str::to_owned)
        .collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({ "binary": chromium_path, "args": args }),
        );
        // Console messages (CSP violations among them) for `Page::browser_log`.
        caps.insert("goog:loggingPrefs".into(), json!({ "browser": "ALL" }));
        caps.extend(extra_capabilities);
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&driver_url)
            .await
            .context("ChromeDriver could not start Chromium")?;
        Ok(Self {
            client,
            driver,
            profile,
        })
    }

    /// Closes the browser, stops the driver and removes the profile.
    pub async fn shutdown(mut self) {
        // Closing the session is what makes ChromeDriver quit Chromium; killing it only stops the driver.
        let _ = tokio::time::timeout(Duration::from_secs(10), self.client.close()).await;
        let _ = self.driver.kill().await;
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// The tool's path from `env_var`, or the Debian default; an error that says how to install it.
fn tool_path(env_var: &str, default: &str, debian_package: &str) -> anyhow::Result<PathBuf> {
    let path = std::env::var_os(env_var)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(default));
    if !Path::new(&path).exists() {
        bail!(
            "{} not found (set {env_var} or install Debian's {debian_package}; scripts/setup.sh does)",
            path.display()
        );
    }
    Ok(path)
}

fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// Polls ChromeDriver's `/status` until it says it is ready.
async fn wait_until_ready(driver_url: &str) -> anyhow::Result<()> {
    let http = reqwest::Client::new();
    let deadline = Instant::now() + DRIVER_START_TIMEOUT;
    loop {
        let ready = match http.get(format!("{driver_url}/status")).send().await {
            Ok(response) => response
                .json::<serde_json::Value>()
                .await
                .map(|status| status["value"]["ready"] == true)
                .unwrap_or(false),
            Err(_) => false,
        };
        if ready {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("ChromeDriver at {driver_url} was not ready after {DRIVER_START_TIMEOUT:?}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
