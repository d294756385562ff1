//! The Content-Security-Policy in a real browser: the app runs inside the Chaster host page
//! without a single violation, the policy does block what the app does not need (and the browser
//! log shows it, so "no violation" means something), and an origin Chaster does not use cannot
//! frame the page.

use std::time::{Duration, Instant};

use anyhow::{bail, ensure};
use e2e::{run, run_with_chromium_args, Page, WAIT};
use serde_json::{json, Value};
use sim::chaster::{KEYHOLDER_TOKEN, WEARER_TOKEN};

/// ChromeDriver logs the console of the top frame's process only; with one process for every
/// site, the cross-origin iframe's messages are in the log too. The policy is the same.
const ONE_PROCESS: &[&str] = &[
    "--disable-site-isolation-trials",
    "--disable-features=IsolateOrigins,site-per-process",
];

/// Messages of the browser log that report a CSP violation, from any frame.
async fn csp_violations(page: &Page) -> anyhow::Result<Vec<String>> {
    Ok(page
        .browser_log()
        .await?
        .iter()
        .filter_map(|entry| entry["message"].as_str())
        .filter(|m| m.contains("Content Security Policy"))
        .map(str::to_owned)
        .collect())
}

/// Polls `script` (run in the current frame) until it returns `true`.
async fn wait_until(page: &Page, script: &str, what: &str) -> anyhow::Result<()> {
    let deadline = Instant::now() + WAIT;
    loop {
        if page.eval(script).await? == json!(true) {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("{what} did not happen within {WAIT:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Everything the page loads has loaded: its stylesheets, its images (avatars from the Chaster
/// simulator's origin), its scripts.
async fn wait_for_everything_loaded(page: &Page) -> anyhow::Result<()> {
    wait_until(
        page,
        "return document.readyState === 'complete' \
           && [...document.images].every(i => i.complete) \
           && document.styleSheets.length === document.querySelectorAll('link[rel=stylesheet]').length",
        "loading every image and stylesheet",
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_runs_inside_chaster_without_a_single_csp_violation() {
    run_with_chromium_args(ONE_PROCESS, |t| async move {
        for token in [WEARER_TOKEN, KEYHOLDER_TOKEN] {
            t.page.open_as(token).await?;
            // Rendered: trunk's inline bootstrap ran and the WASM compiled under the policy.
            if let Err(e) = t.page.wait_for_css("[data-testid^='view-']", WAIT).await {
                // Tells a browser-side failure from a server that stopped answering.
                let direct = reqwest::get(&t.page.app_url).await.map(|r| r.status());
                bail!("as {token}: {e:#}; the server answers a direct request with {direct:?}");
            }
            wait_for_everything_loaded(&t.page).await?;
            let loaded = t
                .page
                .eval(
                    "return { images: [...document.images].map(i => [i.src, i.naturalWidth]), \
                              sheets: document.styleSheets.length, \
                              scripts: performance.getEntriesByType('resource') \
                                  .filter(r => r.initiatorType === 'script').map(r => r.name) }",
                )
                .await?;
            ensure!(
                loaded["sheets"].as_u64().unwrap_or(0) >= 1,
                "no stylesheet applied: {loaded}"
            );
            // The iframe-resizer child script, a file of our own origin.
            let scripts = loaded["scripts"].as_array().cloned().unwrap_or_default();
            ensure!(
                scripts
                    .iter()
                    .any(|s| s.as_str().is_some_and(|s| s.contains("iframeResizer"))),
                "the iframe-resizer child script did not load: {loaded}"
            );
            for image in loaded["images"].as_array().cloned().unwrap_or_default() {
                ensure!(
                    image[1].as_u64().unwrap_or(0) > 0,
                    "an image did not load: {image}"
                );
            }
            let violations = csp_violations(&t.page).await?;
            ensure!(
                violations.is_empty(),
                "CSP violations as {token}: {violations:#?}"
            );
        }
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_keyholder_dashboard_page_has_no_csp_violation_either() {
    run(|t| async move {
        // A top-level page of its own, outside Chaster; signed out it offers the sign-in.
        t.page
            .client
            .goto(&format!("{}/dashboard", t.page.app_url))
            .await?;
        t.page
            .wait_for_css("[data-testid^='dashboard']", WAIT)
            .await?;
        wait_for_everything_loaded(&t.page).await?;
        let violations = csp_violations(&t.page).await?;
        ensure!(violations.is_empty(), "CSP violations: {violations:#?}");
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_policy_blocks_inline_scripts_and_foreign_images_and_the_log_shows_it() {
    run_with_chromium_args(ONE_PROCESS, |t| async move {
        t.page.open_as(WEARER_TOKEN).await?;
        t.page.wait_for_testid("view-wearer", WAIT).await?;
        wait_for_everything_loaded(&t.page).await?;
        ensure!(
            csp_violations(&t.page).await?.is_empty(),
            "violations before the probe"
        );

        // What an injected script would try: run inline code, load from another origin.
        t.page
            .eval(
                "const s = document.createElement('script'); \
                 s.textContent = 'window.inlineRan = true'; document.body.appendChild(s); \
                 const i = document.createElement('img'); \
                 i.src = 'https://blocked.invalid/probe.png'; document.body.appendChild(i);",
            )
            .await?;
        ensure!(
            t.page.eval("return window.inlineRan === true").await? == json!(false),
            "an inline script ran: the policy allows 'unsafe-inline'"
        );
        let deadline = Instant::now() + WAIT;
        let mut seen: Vec<String> = Vec::new();
        loop {
            seen.extend(csp_violations(&t.page).await?);
            let inline = seen.iter().any(|m| m.contains("inline script"));
            let image = seen.iter().any(|m| m.contains("blocked.invalid"));
            if inline && image {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("the browser log did not report both violations: {seen:#?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_on_an_origin_chaster_does_not_use_cannot_frame_the_page() {
    run(|t| async move {
        t.page
            .open_in_host_at(
                &t.stack.foreign_host_url,
                Some(&json!({ "mainToken": WEARER_TOKEN })),
            )
            .await?;
        // Chromium shows its own error document instead of the app, and says why.
        let deadline = Instant::now() + WAIT;
        let mut log: Vec<String> = Vec::new();
        loop {
            let frame: Value = t
                .page
                .eval("return { url: location.href, ids: document.querySelectorAll('[data-testid]').length }")
                .await?;
            ensure!(frame["ids"] == json!(0), "the app rendered in a foreign frame: {frame}");
            log.extend(csp_violations(&t.page).await?);
            let refused = log.iter().any(|m| m.contains("frame-ancestors"));
            let error_page = frame["url"].as_str().unwrap_or_default().starts_with("chrome-error:");
            if refused && error_page {
                break;
            }
            if Instant::now() > deadline {
                bail!("the frame was not refused by frame-ancestors: {frame} {log:#?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // And the foreign host cannot reach into the frame either.
        t.page.enter_host_page().await?;
        let access = t
            .page
            .eval(
                "try { return document.getElementById('extension').contentWindow.document.body.innerHTML; } \
                 catch (e) { return e.name; }",
            )
            .await?;
        ensure!(access == json!("SecurityError"), "the host read the frame: {access}");
        Ok(())
    })
    .await;
}
