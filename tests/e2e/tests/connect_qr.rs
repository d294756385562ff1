//! The guided connect flow (issue 16): from the main page the wearer opens the connect page
//! (its own bundle, which the main page never downloads), uploads a screenshot of the owner QR
//! code, the page reads it (the QR worker, fetched only at that moment, where the browser has no
//! `BarcodeDetector`), the test says what it checked, the demo box is connected and the wearer
//! is back on the main page.

use anyhow::ensure;
use e2e::connect_flow::CONNECT_BUNDLE_FETCHED;
use e2e::qr_png::{owner_qr_text, qr_screenshot_png};
use e2e::{run, WAIT};
use sim::chaster::WEARER_TOKEN;
use sim::sesame::{DEMO_API_KEY, DEMO_SECRET_HEX, DEMO_WEBAPI_UUID};

/// Whether the page has fetched the QR worker's WASM so far.
const WORKER_FETCHED: &str = "return performance.getEntriesByType('resource')\
     .some(e => e.name.includes('qr_worker'))";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_screenshot_of_the_owner_qr_code_connects_the_demo_box() {
    run(|t| async move {
        let png = qr_screenshot_png(&owner_qr_text(DEMO_SECRET_HEX, DEMO_WEBAPI_UUID));
        let file = std::env::temp_dir().join(format!("owner-qr-{}.png", std::process::id()));
        std::fs::write(&file, png)?;

        t.page.open_as(WEARER_TOKEN).await?;
        t.page.wait_for_testid("connect-start", WAIT).await?;
        ensure!(
            t.page.eval(CONNECT_BUNDLE_FETCHED).await? == false
                && t.page.eval(WORKER_FETCHED).await? == false,
            "the main page downloaded the connect page's bundle or the QR reader"
        );
        t.page.go_to_connect_form().await?;
        ensure!(
            t.page.eval(WORKER_FETCHED).await? == false,
            "the QR reader was downloaded before any screenshot was uploaded"
        );
        let detector = t.page.eval("return typeof BarcodeDetector").await?;

        t.page
            .wait_for_testid("qr-upload", WAIT)
            .await?
            .send_keys(&file.display().to_string())
            .await?;
        let read = t
            .page
            .wait_for_text("qr-result", "the QR code read", |s| {
                s.contains("QR code read")
            })
            .await?;
        ensure!(read.contains("UUID"), "the page says {read:?}");
        if detector == "undefined" {
            ensure!(
                t.page.eval(WORKER_FETCHED).await? == true,
                "without BarcodeDetector the QR worker should have read the code"
            );
        }
        let typed_uuid = t
            .page
            .wait_for_testid("device-id", WAIT)
            .await?
            .prop("value")
            .await?;
        ensure!(
            typed_uuid.unwrap_or_default().is_empty(),
            "the UUID comes from the QR code; nothing needs typing"
        );

        t.page.type_into_testid("api-key", DEMO_API_KEY).await?;
        t.page.click_testid("test-connection").await?;
        let tested = t
            .page
            .wait_for_text("test-result", "the test's checks", |s| {
                s.contains("checked")
            })
            .await?;
        ensure!(
            tested.contains("API key")
                && tested.contains("own history")
                && tested.contains("SESAME 5"),
            "the test should say what it checked: {tested:?}"
        );

        // Connected: back on the main page, which shows the box.
        t.page.click_testid("save-device").await?;
        t.page
            .wait_for_text("box-latch", "the latch reading Locked", |s| s == "Locked")
            .await?;
        let address = t
            .page
            .eval("return location.pathname + location.search")
            .await?;
        ensure!(
            address == "/",
            "the wearer should be back on the main page, at {address}"
        );
        let connected = t.page.text_of("box-connected").await?;
        ensure!(
            connected == "Connected. This box will open by itself when your lock ends.",
            "after connecting the page says {connected:?}"
        );
        // The running lock holds the box now: Replace and Remove are not offered at all.
        ensure!(
            !t.page.has_testid("connect-form").await? && !t.page.has_testid("box-menu").await?,
            "the connect form or the box menu is still shown while the lock holds the box"
        );
        std::fs::remove_file(&file).ok();
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_the_connect_page_goes_back_to_the_main_page_with_nothing_saved() {
    run(|t| async move {
        t.page.open_as(WEARER_TOKEN).await?;
        t.page.go_to_connect_form().await?;
        t.page.type_into_testid("api-key", DEMO_API_KEY).await?;
        t.page.click_testid("cancel-connect").await?;
        t.page.wait_for_testid("connect-start", WAIT).await?;
        let hash = t
            .page
            .eval("return decodeURIComponent(location.hash)")
            .await?;
        ensure!(
            hash.as_str().is_some_and(|h| h.contains(WEARER_TOKEN)),
            "the main page lost its hash: {hash}"
        );
        Ok(())
    })
    .await;
}
