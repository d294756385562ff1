//! The accessibility audit (issue 15): axe-core, injected through WebDriver, finds no serious or
//! critical violation in the main page (several states, in Chaster's iframe), the configuration
//! page and the keyholder dashboard.

use e2e::{run, run_with_dashboard, Page, WAIT};
use serde_json::json;
use sim::chaster::{CONFIG_EDIT_TOKEN, EXPIRED_TOKEN, KEYHOLDER_TOKEN, WEARER_TOKEN};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wearers_page_passes_the_audit_with_its_connect_form_its_errors_and_when_expired() {
    run(|t| async move {
        t.page.open_as(WEARER_TOKEN).await?;
        t.page.wait_for_testid("connect-start", WAIT).await?;
        t.page
            .assert_accessible("the wearer's page without a box")
            .await?;
        t.page.go_to_connect_form().await?;
        t.page
            .assert_accessible("the connect page with its form")
            .await?;

        t.page.click_testid("save-device").await?;
        t.page.wait_for_testid("form-problem", WAIT).await?;
        t.page
            .assert_accessible("the connect form showing its errors")
            .await?;

        t.page.open_as(EXPIRED_TOKEN).await?;
        let screen = t.page.wait_for_testid("error-screen", WAIT).await?;
        let text = screen.text().await?;
        anyhow::ensure!(
            text.contains("This page timed out")
                && text.contains("Your lock and your box are not affected")
                && text.matches("open the extension again").count() == 1,
            "the expired screen reads {text:?}"
        );
        t.page.assert_accessible("the timed-out page").await
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_keyholders_page_passes_the_audit_with_a_confirmation_open() {
    run(|t| async move {
        t.page.open_as(KEYHOLDER_TOKEN).await?;
        t.page.wait_for_testid("controls", WAIT).await?;
        t.page.assert_accessible("the keyholder's page").await?;

        // No text smaller than 14 px.
        let small = t
            .page
            .eval(
                "return [...document.querySelectorAll('body *')]                   .filter(e => [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))                   .filter(e => e.getClientRects().length && parseFloat(getComputedStyle(e).fontSize) < 14)                   .map(e => e.tagName + '.' + e.className + ': ' + getComputedStyle(e).fontSize);",
            )
            .await?;
        anyhow::ensure!(small == serde_json::json!([]), "text under 14 px: {small}");
        // The keyboard focus shows a 2 px solid ring.
        let ring = t
            .page
            .eval(
                "const b = document.querySelector('[data-testid=freeze]'); b.focus();                 const s = getComputedStyle(b); return [s.outlineStyle, s.outlineWidth];",
            )
            .await?;
        anyhow::ensure!(ring == serde_json::json!(["solid", "2px"]), "the focus ring is {ring}");
        t.page.click_testid("freeze").await?;
        t.page.wait_for_testid("confirm", WAIT).await?;
        t.page
            .assert_accessible("the keyholder's page asking to confirm")
            .await
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_configuration_page_passes_the_audit() {
    run(|t| async move {
        open_configuration(&t.page).await?;
        t.page.assert_accessible("the configuration page").await?;
        t.page.select_option("cfg-penalty-kind", "add_time").await?;
        t.page.type_into_testid("cfg-penalty-hours", "0").await?;
        t.page
            .wait_for_testid("cfg-penalty-kind", WAIT)
            .await?
            .click()
            .await?;
        t.page.wait_for_testid("cfg-penalty-error", WAIT).await?;
        t.page
            .assert_accessible("the configuration page with an error")
            .await
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_passes_the_audit_with_a_lock_expanded() {
    run_with_dashboard(|t| async move {
        t.page.sign_in_to_dashboard().await?;
        t.page.wait_for_testid("dashboard-row", WAIT).await?;
        t.page.assert_accessible("the dashboard").await?;
        t.page.click_testid("dashboard-row-toggle").await?;
        t.page.wait_for_testid("controls", WAIT).await?;
        t.page
            .assert_accessible("the dashboard with a lock expanded")
            .await
    })
    .await;
}

async fn open_configuration(page: &Page) -> anyhow::Result<()> {
    page.open_configuration_in_host(&json!({ "partnerConfigurationToken": CONFIG_EDIT_TOKEN }))
        .await?;
    page.wait_for_testid("config-form", WAIT).await?;
    Ok(())
}
