//! One ChromeDriver + headless Chromium with a fresh profile (cold HTTP and code caches), like
//! `e2e::Browser`, but with the page load strategy `none`: `goto` returns as soon as navigation
//! starts, so the bench can be inside the iframe before the app shows anything.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use tokio::process::{Child, Command};

pub struct Chrome {
    pub client: Client,
    driver: Child,
    profile: PathBuf,
}

fn tool(env_var: &str, default: &str) -> anyhow::Result<PathBuf> {
    let path = std::env::var_os(env_var).map_or_else(|| PathBuf::from(default), PathBuf::from);
    if !path.exists() {
        bail!(
            "{} not found (set {env_var}; scripts/setup.sh installs it)",
            path.display()
        );
    }
    Ok(path)
}

impl Chrome {
    pub async fn launch() -> anyhow::Result<Chrome> {
        let driver_path = tool("CHROMEDRIVER", "/usr/bin/chromedriver")?;
        let chromium = tool("CHROMIUM", "/usr/bin/chromium")?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let profile = std::env::temp_dir().join(format!(
            "sesame-bench-chromium-{}-{:x}",
            std::process::id(),
            rand::random::<u64>()
        ));
        std::fs::create_dir_all(&profile)?;
        let driver = Command::new(&driver_path)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", driver_path.display()))?;
        let url = format!("http://127.0.0.1:{port}");
        wait_until_ready(&url).await?;
        // The switches of `e2e::Browser`.
        let args = [
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
        .map(str::to_owned)
        .chain([format!("--user-data-dir={}", profile.display())])
        .collect::<Vec<_>>();
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({ "binary": chromium, "args": args }),
        );
        caps.insert("pageLoadStrategy".into(), json!("none"));
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&url)
            .await
            .context("ChromeDriver could not start Chromium")?;
        Ok(Chrome {
            client,
            driver,
            profile,
        })
    }

    pub async fn shutdown(mut self) {
        let _ = tokio::time::timeout(Duration::from_secs(10), self.client.close()).await;
        let _ = self.driver.kill().await;
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

async fn wait_until_ready(url: &str) -> anyhow::Result<()> {
    let http = reqwest::Client::builder().no_proxy().build()?;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(r) = http.get(format!("{url}/status")).send().await {
            if r.json::<serde_json::Value>()
                .await
                .is_ok_and(|s| s["value"]["ready"] == true)
            {
                return Ok(());
            }
        }
        if Instant::now() > deadline {
            bail!("ChromeDriver at {url} was not ready after 20 s");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
