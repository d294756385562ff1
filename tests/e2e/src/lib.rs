//! Browser end-to-end harness.
//!
//! Each test gets its own stack (Chaster and Sesame simulators, our server with the trunk build
//! from `dist/`, and a host page on another origin that frames the app like chaster.app) and its
//! own ChromeDriver + headless Chromium with a fresh profile. Tests run one at a time: two cores
//! do not run several Chromiums well, and failures stay easy to read.
//!
//! ```no_run
//! # async fn example() {
//! e2e::run(|t| async move {
//!     t.page.open_as(sim::chaster::WEARER_TOKEN).await?;
//!     t.page.wait_for_testid("view-wearer", e2e::WAIT).await?;
//!     Ok(())
//! })
//! .await;
//! # }
//! ```

mod audit;
mod browser;
pub mod connect_flow;
pub mod host_page;
mod interact;
mod page;
pub mod qr_png;
mod stack;
pub mod webhooks;
mod world;

use std::{
    future::Future,
    path::PathBuf,
    sync::atomic::{AtomicUsize, Ordering},
    time::Duration,
};

pub use browser::Browser;
pub use interact::eventually;
pub use page::{Page, WAIT};
pub use stack::{dist_dir, Stack};

/// A test's handles: the browser page and the simulated world behind the server.
#[derive(Clone)]
pub struct TestContext {
    pub page: Page,
    pub stack: std::sync::Arc<Stack>,
}

/// No test may take longer than this; a hung browser fails the test instead of the CI run.
const TEST_TIMEOUT: Duration = Duration::from_secs(120);

/// Serialises the browser tests of one test binary (see the module docs).
static ONE_BROWSER_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Runs `test` against a fresh stack and browser, then tears both down, pass or fail. A failure
/// panics with the error and what the current frame showed.
pub async fn run<F, Fut>(test: F)
where
    F: FnOnce(TestContext) -> Fut + Send + 'static,
    Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
{
    run_with_chromium_args(&[], test).await
}

/// Like [`run`], with the keyholder dashboard set up (sign in with the simulated SSO).
pub async fn run_with_dashboard<F, Fut>(test: F)
where
    F: FnOnce(TestContext) -> Fut + Send + 'static,
    Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
{
    run_inner(true, &[], &[], test).await
}

/// Like [`run_with_dashboard`], with extra Chromium switches (a browser language) for its browser.
pub async fn run_dashboard_with_chromium_args<F, Fut>(args: &[&str], test: F)
where
    F: FnOnce(TestContext) -> Fut + Send + 'static,
    Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
{
    run_inner(true, args, &[], test).await
}

/// Like [`run`], with extra Chromium switches for this test's browser.
pub async fn run_with_chromium_args<F, Fut>(args: &[&str], test: F)
where
    F: FnOnce(TestContext) -> Fut + Send + 'static,
    Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
{
    run_inner(false, args, &[], test).await
}

/// Like [`run`], with server settings (documented variable names) over the harness's own.
pub async fn run_with_settings<F, Fut>(settings: &[(&str, &str)], test: F)
where
    F: FnOnce(TestContext) -> Fut + Send + 'static,
    Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
{
    run_inner(false, &[], settings, test).await
}

async fn run_inner<F, Fut>(dashboard: bool, args: &[&str], settings: &[(&str, &str)], test: F)
where
    F: FnOnce(TestContext) -> Fut + Send + 'static,
    Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
{
    let _turn = ONE_BROWSER_AT_A_TIME.lock().await;
    let stack = Stack::start_with(dashboard, settings)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    let stack = std::sync::Arc::new(stack);
    let browser = Browser::launch_with(args)
        .await
        .unwrap_or_else(|e| panic!("could not start the browser: {e:#}"));
    let page = Page {
        client: browser.client.clone(),
        app_url: stack.app_url.clone(),
        host_url: stack.host_url.clone(),
    };
    let context = TestContext {
        page: page.clone(),
        stack: stack.clone(),
    };

    // Spawned so that a panicking assertion still lets us close the browser below.
    let mut task = tokio::spawn(test(context));
    let failure = match tokio::time::timeout(TEST_TIMEOUT, &mut task).await {
        Ok(Ok(Ok(()))) => None,
        Ok(Ok(Err(error))) => Some(format!("{error:#}")),
        Ok(Err(join_error)) => Some(panic_message(join_error)),
        Err(_) => {
            task.abort();
            Some(format!("the test did not finish within {TEST_TIMEOUT:?}"))
        }
    };
    let shown = match failure {
        Some(_) => tokio::time::timeout(Duration::from_secs(10), page.describe())
            .await
            .unwrap_or_else(|_| "(the browser did not answer)".into()),
        None => String::new(),
    };
    browser.shutdown().await;
    drop(stack);
    if let Some(failure) = failure {
        panic!("{failure}\n  the current frame showed: {shown}");
    }
}

fn panic_message(error: tokio::task::JoinError) -> String {
    match error.try_into_panic() {
        Ok(payload) => payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "the test panicked".into()),
        Err(error) => format!("the test task failed: {error}"),
    }
}

/// A new, empty directory under the system temp dir, unique to this process and call.
pub(crate) fn scratch_dir(purpose: &str) -> anyhow::Result<PathBuf> {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("sesame-e2e-{}-{purpose}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
