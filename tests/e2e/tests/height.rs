//! Chaster sizes the extension's iframe with iframe-resizer v4: the page's child script must
//! report its content height so the iframe grows and shrinks with it, without a scrollbar of its
//! own (issue 6 §5). The host page runs the real v4 parent script when opened with `resize=1`.

use anyhow::ensure;
use e2e::{eventually, run, Page, WAIT};
use serde_json::{json, Value};
use sim::chaster::KEYHOLDER_TOKEN;

/// How far the iframe may be from its content: iframe-resizer rounds to whole pixels.
const TOLERANCE_PX: i64 = 2;

/// The heights that matter, measured on both sides of the frame boundary.
#[derive(Debug, Clone, Copy)]
struct Heights {
    /// The iframe element's height in the host page.
    iframe: i64,
    /// The frame document's full height and its visible height.
    scroll: i64,
    client: i64,
    /// Where the content ends: the bottom of the body, with its margin.
    content: i64,
}

impl Heights {
    fn fits(&self) -> bool {
        (self.iframe - self.scroll).abs() <= TOLERANCE_PX
            && (self.iframe - self.content).abs() <= TOLERANCE_PX
            && self.scroll <= self.client
    }
}

fn int(v: &Value) -> i64 {
    v.as_f64().map_or(-1, |f| f.round() as i64)
}

/// Reads the heights; the session is back in the frame afterwards.
async fn measure(page: &Page) -> anyhow::Result<Heights> {
    let inside = page
        .eval(
            "const root = document.documentElement, body = document.body;
             const margin = parseFloat(getComputedStyle(body).marginBottom) || 0;
             return { scroll: root.scrollHeight, client: root.clientHeight,
                      content: body.getBoundingClientRect().bottom + window.scrollY + margin };",
        )
        .await?;
    page.enter_host_page().await?;
    let iframe = page
        .eval("return document.getElementById('extension').getBoundingClientRect().height")
        .await;
    page.enter_app_frame().await?;
    Ok(Heights {
        iframe: int(&iframe?),
        scroll: int(&inside["scroll"]),
        client: int(&inside["client"]),
        content: int(&inside["content"]),
    })
}

/// Waits until the iframe fits its content and `also` holds.
async fn wait_until_fitting(
    page: &Page,
    what: &str,
    also: impl Fn(&Heights) -> bool,
) -> anyhow::Result<Heights> {
    let also = &also;
    eventually(what, WAIT, move || async move {
        let heights = measure(page).await?;
        Ok(if heights.fits() && also(&heights) {
            Ok(heights)
        } else {
            Err(format!("{heights:?}"))
        })
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_iframe_takes_the_height_of_its_content_without_an_inner_scrollbar() {
    run(|t| async move {
        let page = &t.page;
        page.open_in_host_with(Some(&json!({ "mainToken": KEYHOLDER_TOKEN })), &[("resize", "1")])
            .await?;
        page.wait_for_testid("view-keyholder", WAIT).await?;
        page.wait_for_css("[data-testid='history-entry'], [data-testid='history-empty']", WAIT)
            .await?;
        page.wait_for_css("[data-testid='no-box'], [data-testid='connect-start']", WAIT)
            .await?;

        page.enter_host_page().await?;
        let resizer = page.eval("return typeof iFrameResize").await?;
        page.enter_app_frame().await?;
        ensure!(
            resizer == "function",
            "the host page did not load iframe-resizer's parent script ({resizer}); run scripts/setup.sh"
        );

        let first = wait_until_fitting(page, "the iframe to fit the keyholder view", |_| true).await?;

        // Adding time shows the result and a new history entry: the view grows.
        page.click_testid("add-time-1h").await?;
        page.wait_for_testid("control-result", WAIT).await?;
        let grown = wait_until_fitting(page, "the iframe to follow the grown view", |h| {
            h.content > first.content
        })
        .await?;
        ensure!(
            grown.iframe > first.iframe,
            "the iframe stayed {} px high while the view grew from {} to {} px",
            first.iframe,
            first.content,
            grown.content
        );
        Ok(())
    })
    .await;
}
