//! The README's dev loop: `trunk serve --proxy-backend <server>/api/` serves a debug build of
//! a page and forwards `/api` to our server, here running against the simulators. A role view
//! (the main page), the connect form (`trunk serve connect.html`) and the configuration form
//! (`trunk serve configure.html`) must load through
//! it, so the documented loop cannot break silently. The first run compiles
//! the debug WASM (a few minutes, in its own target directory: `cargo test` holds the lock of
//! the workspace's). Fails, never skips, when trunk is missing: `scripts/setup.sh` installs it.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use e2e::{Browser, Page, Stack};
use serde_json::json;
use sim::chaster::{CONFIG_EDIT_TOKEN, WEARER_TOKEN};
use tokio::process::{Child, Command};

/// The first debug build on two busy cores.
const BUILD_TIMEOUT: Duration = Duration::from_secs(25 * 60);

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the workspace root")
}

/// `TRUNK`, else trunk on `PATH`, else where `scripts/setup.sh` installs it.
fn trunk() -> anyhow::Result<PathBuf> {
    if let Some(path) = std::env::var_os("TRUNK") {
        return Ok(PathBuf::from(path));
    }
    let home_bin = std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo/bin"));
    let search = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default();
    search
        .into_iter()
        .chain(home_bin)
        .map(|dir| dir.join("trunk"))
        .find(|path| path.is_file())
        .context("trunk not found on PATH nor in ~/.cargo/bin: run scripts/setup.sh")
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().unwrap().port()
}

/// Starts `trunk serve` of `page` (an HTML file of the workspace root) on a free port with its
/// own dist and target directories.
fn start_trunk(server_port: u16, port: u16, dist: &Path, page: &str) -> anyhow::Result<Child> {
    let root = workspace();
    let path = std::env::join_paths(
        [root.join(".tools/node_modules/.bin")]
            .into_iter()
            .chain(std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo/bin")))
            .chain(std::env::split_paths(
                &std::env::var_os("PATH").unwrap_or_default(),
            )),
    )?;
    Command::new(trunk()?)
        .args(["serve", page, "--port", &port.to_string(), "--dist"])
        .arg(dist)
        .args([
            "--proxy-backend",
            &format!("http://127.0.0.1:{server_port}/api/"),
        ])
        .current_dir(&root)
        .env("PATH", path)
        .env("CARGO_TARGET_DIR", root.join("target/trunk-serve"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .context("starting trunk serve")
}

/// Waits until trunk serves the built page (it answers only after the first build).
async fn wait_for_build(trunk: &mut Child, url: &str) -> anyhow::Result<()> {
    let http = reqwest::Client::new();
    let deadline = Instant::now() + BUILD_TIMEOUT;
    loop {
        if let Some(status) = trunk.try_wait()? {
            bail!("trunk serve exited with {status} before serving the page (its log is above)");
        }
        if let Ok(response) = http.get(url).send().await {
            let text = response.text().await.unwrap_or_default();
            if text.contains("_bg.wasm") {
                return Ok(());
            }
        }
        if Instant::now() > deadline {
            bail!("trunk serve did not serve a build within {BUILD_TIMEOUT:?}");
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Serves `page` with trunk against a fresh stack, opens it with `hash` and returns the text of
/// the element `testid` once it shows, with the stack for the test's own checks.
async fn served_through_trunk(
    page_file: &str,
    hash: serde_json::Value,
    testid: &str,
) -> (Stack, String) {
    let stack = Stack::start().await.expect("the stack starts");
    let server_port = url::Url::parse(&stack.app_url).unwrap().port().unwrap();
    let port = free_port();
    let dist =
        std::env::temp_dir().join(format!("sesame-trunk-serve-{}-{port}", std::process::id()));
    let mut trunk =
        start_trunk(server_port, port, &dist, page_file).unwrap_or_else(|e| panic!("{e:#}"));
    let trunk_url = format!("http://127.0.0.1:{port}");
    wait_for_build(&mut trunk, &format!("{trunk_url}/"))
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));

    let browser = Browser::launch().await.expect("the browser starts");
    let page = Page {
        client: browser.client.clone(),
        app_url: trunk_url.clone(),
        host_url: stack.host_url.clone(),
    };
    let mut url = url::Url::parse(&trunk_url).unwrap();
    url.set_fragment(Some(&hash.to_string()));
    let shown = async {
        page.client.goto(url.as_str()).await?;
        // The answer came through trunk's proxy from our server and the simulated Chaster.
        page.text_of(testid).await
    };
    let result = tokio::time::timeout(Duration::from_secs(120), shown).await;
    let described = page.describe().await;
    browser.shutdown().await;
    let _ = trunk.kill().await;
    let _ = std::fs::remove_dir_all(&dist);
    let text = match result {
        Ok(Ok(text)) => text,
        Ok(Err(e)) => panic!("{e:#}\n  the page showed: {described}"),
        Err(_) => panic!("no {testid} within 120 s\n  the page showed: {described}"),
    };
    (stack, text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trunk_serve_with_the_api_proxied_to_the_server_loads_a_role_view() {
    let hash = json!({ "mainToken": WEARER_TOKEN });
    let (stack, title) = served_through_trunk("index.html", hash, "lock-title").await;
    assert_eq!(title, stack.lock_title_of(WEARER_TOKEN));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trunk_serve_of_the_configuration_page_loads_the_saved_configuration() {
    let hash = json!({ "partnerConfigurationToken": CONFIG_EDIT_TOKEN });
    let (_stack, form) = served_through_trunk("configure.html", hash, "config-form").await;
    assert!(!form.trim().is_empty(), "the configuration form is empty");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trunk_serve_of_the_connect_page_shows_the_connect_form() {
    let hash = json!({ "mainToken": WEARER_TOKEN });
    let (_stack, form) = served_through_trunk("connect.html", hash, "connect-form").await;
    assert!(!form.trim().is_empty(), "the connect form is empty");
}
