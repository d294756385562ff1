//! The "Manage this box" menu (Replace / Remove), used as a person would: it is not offered while
//! the lock holds the box; once Chaster has ended the lock and the box is open, the wearer opens
//! the menu, removes the box, and the page says the box is gone.

use std::time::Duration;

use anyhow::{ensure, Context};
use e2e::webhooks::{deliver_webhooks, WEBHOOK_SETTINGS};
use e2e::{eventually, run_with_settings, TestContext, WAIT};
use serde_json::Value;
use sim::chaster::{Release, SESSION_A_ID, WEARER_TOKEN};
use sim::sesame::{CommandKind, DEMO_WEBAPI_UUID};

/// The opening after the release may take a few job rounds.
const SLOW: Duration = Duration::from_secs(30);

/// `GET /api/device` as the wearer, straight from the server.
async fn slot(t: &TestContext) -> anyhow::Result<Value> {
    Ok(reqwest::Client::new()
        .get(format!("{}/api/device", t.stack.app_url))
        .bearer_auth(WEARER_TOKEN)
        .send()
        .await?
        .json()
        .await?)
}

/// Whether the element with this `data-testid` can be seen (not inside a closed
/// `<details>`).
async fn shown(t: &TestContext, id: &str) -> anyhow::Result<bool> {
    let script = format!(
        "const e = document.querySelector(\"[data-testid='{id}']\"); return !!e && e.checkVisibility()"
    );
    Ok(t.page.eval(&script).await? == Value::Bool(true))
}

/// Opens the wearer's page and waits for the state card in `state`.
async fn wearer_page_in(t: &TestContext, state: &str) -> anyhow::Result<()> {
    t.page.open_as(WEARER_TOKEN).await?;
    let css = format!("[data-testid='state-card'][data-state='{state}']");
    t.page
        .wait_for_css(&css, SLOW)
        .await
        .with_context(|| format!("the state card in state {state:?}"))?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn once_the_lock_has_ended_the_wearer_removes_the_box_from_the_manage_menu_and_the_page_says_it_is_gone(
) {
    run_with_settings(WEBHOOK_SETTINGS, |t| async move {
        deliver_webhooks(&t);
        t.stack.connect_box(WEARER_TOKEN, DEMO_WEBAPI_UUID).await?;

        // While the lock runs, the lock holds the box: no menu to replace or remove it.
        wearer_page_in(&t, "locked").await?;
        t.page.wait_for_testid("box-latch", WAIT).await?;
        ensure!(
            !t.page.has_testid("box-menu").await?,
            "the manage menu is offered while the lock holds the box"
        );

        // Chaster ends the lock; the opener opens the box.
        let sesame = &t.stack.sesame;
        t.stack
            .chaster
            .release_lock(SESSION_A_ID, Release::KeyholderUnlock)
            .await;
        t.stack.chaster.wait_deliveries_idle().await;
        eventually("the box to open", SLOW, || async move {
            Ok(if sesame.latch_locked(DEMO_WEBAPI_UUID) {
                Err("locked".to_owned())
            } else {
                Ok(())
            })
        })
        .await?;
        wearer_page_in(&t, "ended-open").await?;

        // The menu is closed at first: its actions are out of the way.
        let menu = t.page.wait_for_testid("box-menu", WAIT).await?;
        ensure!(
            t.page.has_testid("remove-device").await? && !shown(&t, "remove-device").await?,
            "Remove is shown before the menu is opened"
        );
        menu.find(fantoccini::Locator::Css("summary"))
            .await
            .context("the menu's summary")?
            .click()
            .await?;
        ensure!(
            t.page
                .wait_for_testid("replace-device", WAIT)
                .await?
                .is_displayed()
                .await?,
            "Replace is not shown in the opened menu"
        );
        t.page.click_testid("remove-device").await?;
        let question = t.page.wait_for_testid("confirm-remove", WAIT).await?;
        ensure!(
            slot(&t).await?["device"].is_object(),
            "the box was removed before the wearer confirmed"
        );
        let commands = |kind| sesame.commands_received(DEMO_WEBAPI_UUID, kind);
        let before = (commands(CommandKind::Lock), commands(CommandKind::Unlock));
        question.click().await?;

        let said = t
            .page
            .wait_for_text("box-removed", "the removal said", |text| !text.is_empty())
            .await?;
        ensure!(
            said.starts_with("Box removed") && said.contains("until you connect it again"),
            "{said:?}"
        );
        let status = t.page.class_of("box-removed").await?;
        ensure!(status.contains("notice-success"), "{status}");
        t.page
            .wait_for_css("[data-testid='state-card'][data-state='no-box']", WAIT)
            .await
            .context("the state card saying no box is connected")?;
        ensure!(
            !t.page.has_testid("box-latch").await?,
            "the removed box's status is still shown"
        );
        let slot = slot(&t).await?;
        ensure!(slot["device"].is_null(), "the server still has {slot}");
        ensure!(slot["can_manage"] == true, "{slot}");
        // Removing forgets the box; it sends it nothing.
        let after = (commands(CommandKind::Lock), commands(CommandKind::Unlock));
        ensure!(
            after == before,
            "the box received a command when it was removed: {before:?} -> {after:?}"
        );
        Ok(())
    })
    .await;
}
