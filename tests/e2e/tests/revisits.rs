//! Every visit works, not only the first: in one browser profile the page is opened in the host
//! page, reloaded, left and come back to, opened again when the cached copy must be revalidated
//! (the document is `no-cache`, so Chromium sends a conditional request and gets a 304), and
//! opened alone and reloaded. Each time the view appears and the console shows no CSP
//! violation: a 304 carrying the wrong policy is merged into the cached page and breaks it.
//! The main page also reports the bytes a first and a repeat visit cost.

use anyhow::{bail, ensure, Context};
use e2e::{run_with_chromium_args, Page, WAIT};
use serde_json::{json, Value};
use sim::chaster::{CONFIG_EDIT_TOKEN, KEYHOLDER_TOKEN, WEARER_TOKEN};
use std::time::{Duration, Instant};

/// One renderer process for every site, so the cross-origin iframe's console (its CSP
/// violations) is in ChromeDriver's log too.
const ONE_PROCESS: &[&str] = &[
    "--disable-site-isolation-trials",
    "--disable-features=IsolateOrigins,site-per-process",
];

/// Resource Timing's `transferSize` of a response revalidated with a 304: the fixed header
/// estimate, no body.
const REVALIDATED: u64 = 300;

/// How the document of the current frame arrived, and what its visit cost so far.
async fn document_load(page: &Page) -> anyhow::Result<Value> {
    page.eval(
        "const n = performance.getEntriesByType('navigation')[0] || {}; \
         const all = [n, ...performance.getEntriesByType('resource')]; \
         return { type: n.type, document: n.transferSize, body: n.encodedBodySize, \
                  total: all.reduce((s, e) => s + (e.transferSize || 0), 0), \
                  decoded: all.reduce((s, e) => s + (e.decodedBodySize || 0), 0), \
                  files: all.length }",
    )
    .await
}

async fn csp_violations(page: &Page) -> anyhow::Result<Vec<String>> {
    Ok(page
        .browser_log()
        .await?
        .iter()
        .filter_map(|entry| entry["message"].as_str())
        .filter(|m| m.contains("Content Security Policy") || m.contains("frame-ancestors"))
        .map(str::to_owned)
        .collect())
}

/// Waits until the current frame is a new document (the marker set on the old one is gone)
/// showing `view`, with everything it loads loaded. Navigations in flight make scripts fail
/// for a moment; those errors are waited out too.
async fn wait_for_new_document(page: &Page, view: &str) -> anyhow::Result<()> {
    let script = format!(
        "return window.__oldDocument === undefined && document.readyState === 'complete' \
           && !!document.querySelector(\"{view}\")"
    );
    let deadline = Instant::now() + WAIT;
    loop {
        let last = match page.eval(&script).await {
            Ok(Value::Bool(true)) => break,
            Ok(v) => v.to_string(),
            Err(e) => e.to_string(),
        };
        if Instant::now() > deadline {
            bail!("no new document showing {view} within {WAIT:?}: {last}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    page.wait_for_css(view, WAIT).await?;
    Ok(())
}

/// Marks the current document, so `wait_for_new_document` can tell its successor.
async fn mark_document(page: &Page) -> anyhow::Result<()> {
    page.eval("window.__oldDocument = true; return null")
        .await?;
    Ok(())
}

/// The view is there and nothing was refused since the last check.
async fn shown_without_violation(page: &Page, view: &str, step: &str) -> anyhow::Result<Value> {
    page.wait_for_css(view, WAIT)
        .await
        .with_context(|| format!("{step}: the view did not appear"))?;
    let violations = csp_violations(page).await?;
    ensure!(
        violations.is_empty(),
        "{step}: CSP violations {violations:#?}"
    );
    let load = document_load(page).await?;
    eprintln!("{step}: {load}");
    Ok(load)
}

fn ensure_revalidated(load: &Value, step: &str) -> anyhow::Result<()> {
    ensure!(
        load["document"] == json!(REVALIDATED),
        "{step}: the document was not revalidated with a 304 (transferSize {}, body {})",
        load["document"],
        load["body"]
    );
    Ok(())
}

/// Open in the host page, reload the frame, leave and come back, open again (revalidated).
/// Returns the loads of the first and of the revalidated visit.
async fn revisit_in_host(page: &Page, hash: Value, view: &str) -> anyhow::Result<(Value, Value)> {
    page.open_in_host(Some(&hash)).await?;
    let first = shown_without_violation(page, view, "opened in the host page").await?;

    mark_document(page).await?;
    page.eval("setTimeout(() => location.reload(), 0); return null")
        .await?;
    wait_for_new_document(page, view).await?;
    let reloaded = shown_without_violation(page, view, "the frame reloaded").await?;
    ensure_revalidated(&reloaded, "the frame reloaded")?;

    page.enter_host_page().await?;
    page.client.goto("about:blank").await?;
    page.client.back().await?;
    page.enter_app_frame().await?;
    page.wait_for_css(view, WAIT).await?;
    shown_without_violation(page, view, "left and came back").await?;

    // A new visit: the host page again, whose frame finds the page in the cache and must
    // revalidate it first.
    page.enter_host_page().await?;
    page.client.goto("about:blank").await?;
    page.open_in_host(Some(&hash)).await?;
    let again = shown_without_violation(page, view, "opened again in the host page").await?;
    ensure_revalidated(&again, "opened again in the host page")?;
    Ok((first, again))
}

/// Open the page alone (top level), reload it, leave and come back, open it again.
async fn revisit_alone(page: &Page, url: &str, view: &str) -> anyhow::Result<()> {
    page.client.goto(url).await?;
    shown_without_violation(page, view, "opened alone").await?;

    mark_document(page).await?;
    page.client.refresh().await?;
    wait_for_new_document(page, view).await?;
    let reloaded = shown_without_violation(page, view, "reloaded alone").await?;
    ensure_revalidated(&reloaded, "reloaded alone")?;

    page.client.goto("about:blank").await?;
    page.client.back().await?;
    shown_without_violation(page, view, "left and came back alone").await?;

    page.client.goto("about:blank").await?;
    page.client.goto(url).await?;
    let again = shown_without_violation(page, view, "opened alone again").await?;
    ensure_revalidated(&again, "opened alone again")
}

/// The app's URL with Chaster's hash, as the iframe loads it.
fn alone(page: &Page, hash: &Value) -> String {
    let mut url = url::Url::parse(&page.app_url).unwrap();
    url.set_fragment(Some(&hash.to_string()));
    url.to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_the_host_page_the_role_view_appears_when_opened_left_and_opened_again_after_revalidation(
) {
    run_with_chromium_args(ONE_PROCESS, |t| async move {
        let wearer = json!({ "mainToken": WEARER_TOKEN });
        let (first, again) =
            revisit_in_host(&t.page, wearer.clone(), "[data-testid='view-wearer']").await?;
        println!(
            "transfer size (Resource Timing transferSize, every response of the frame): \
             first visit {} bytes ({} files, {} bytes decoded), repeat visit {} bytes ({} files)",
            first["total"], first["files"], first["decoded"], again["total"], again["files"]
        );
        ensure!(
            again["total"].as_u64() < first["total"].as_u64(),
            "the repeat visit cost as much as the first: {first} {again}"
        );
        t.page.enter_host_page().await?;
        revisit_alone(
            &t.page,
            &alone(&t.page, &wearer),
            "[data-testid='view-wearer']",
        )
        .await?;
        // Another role in the same profile, from the cache.
        let keyholder = json!({ "mainToken": KEYHOLDER_TOKEN });
        t.page.open_in_host(Some(&keyholder)).await?;
        shown_without_violation(&t.page, "[data-testid='view-keyholder']", "the keyholder").await?;
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_configuration_page_survives_reloads_and_coming_back() {
    run_with_chromium_args(ONE_PROCESS, |t| async move {
        let config = json!({ "partnerConfigurationToken": CONFIG_EDIT_TOKEN });
        revisit_in_host(&t.page, config.clone(), "[data-testid='config-form']").await?;
        t.page.enter_host_page().await?;
        revisit_alone(
            &t.page,
            &alone(&t.page, &config),
            "[data-testid='config-form']",
        )
        .await
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_survives_reloads_and_coming_back() {
    run_with_chromium_args(ONE_PROCESS, |t| async move {
        let url = format!("{}/dashboard", t.page.app_url);
        revisit_alone(&t.page, &url, "[data-testid='dashboard-signin']").await
    })
    .await;
}
