//! The page lives in a cross-origin iframe, as on chaster.app, and only the origins we configure
//! may frame it.

use std::time::{Duration, Instant};

use anyhow::{bail, ensure};
use e2e::{run, WAIT};
use serde_json::json;
use sim::chaster::WEARER_TOKEN;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_runs_in_a_cross_origin_iframe_like_on_chaster() {
    run(|t| async move {
        t.page.open_as(WEARER_TOKEN).await?;
        t.page.wait_for_testid("view-wearer", WAIT).await?;
        let frame_origin = t.page.eval("return location.origin").await?;
        let framed = t.page.eval("return window.top !== window.self").await?;
        ensure!(framed == json!(true), "the app is not inside a frame");

        t.page.enter_host_page().await?;
        let host_origin = t.page.eval("return location.origin").await?;
        ensure!(frame_origin == json!(t.page.app_url), "frame origin {frame_origin}");
        ensure!(host_origin == json!(t.page.host_url), "host origin {host_origin}");
        ensure!(frame_origin != host_origin, "host and frame share the origin {host_origin}");

        // The browser must keep the host out of the frame's document, as it keeps chaster.app out.
        let access = t
            .page
            .eval(
                "try { document.getElementById('extension').contentWindow.document.body; return 'readable'; } \
                 catch (e) { return e.name; }",
            )
            .await?;
        ensure!(access == json!("SecurityError"), "the host could read the frame: {access}");
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_origin_that_is_not_configured_cannot_frame_the_page() {
    run(|t| async move {
        t.page
            .open_in_host_at(&t.stack.foreign_host_url, Some(&json!({ "mainToken": WEARER_TOKEN })))
            .await?;
        // Chromium replaces a frame refused by `frame-ancestors` with its own error document.
        let deadline = Instant::now() + WAIT;
        loop {
            let state = t
                .page
                .eval("return { url: location.href, ids: document.querySelectorAll('[data-testid]').length }")
                .await?;
            ensure!(state["ids"] == json!(0), "the app rendered inside a foreign origin's frame: {state}");
            let url = state["url"].as_str().unwrap_or_default();
            if url.starts_with("chrome-error:") {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("the frame was neither blocked nor rendered: {state}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
}
