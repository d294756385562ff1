//! What the card says of the box itself: opened by hand, offline, jammed, out of quota, none.

use anyhow::ensure;
use e2e::run_with_settings;
use e2e::webhooks::WEBHOOK_SETTINGS;
use serde_json::Value;
use sim::chaster::{KEYHOLDER_TOKEN, WEARER_TOKEN};
use sim::sesame::{Fault, DEMO_WEBAPI_UUID};

use super::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_box_opened_by_hand_is_an_alert_with_lock_box_first_and_the_keyholders_opening_is_not() {
    run_with_settings(WEBHOOK_SETTINGS, |t| async move {
        t.stack.connect_box(WEARER_TOKEN, DEMO_WEBAPI_UUID).await?;
        let title = card(&t, WEARER_TOKEN, "locked").await?;
        ensure!(title == "Your box is locked", "{title:?}");
        let text = card_text(&t).await?;
        ensure!(
            text.contains("It opens by itself when your lock ends."),
            "{text:?}"
        );

        // The wearer opens it with the Sesame app.
        t.stack
            .sesame
            .app_command(DEMO_WEBAPI_UUID, false, "wearer");
        let title = card(&t, WEARER_TOKEN, "open-unexpected").await?;
        ensure!(title == "The box is open during the lock", "{title:?}");
        ensure!(title_role(&t).await?.as_deref() == Some("alert"));
        let lock = t.page.wait_for_testid("state-lock", e2e::WAIT).await?;
        ensure!(lock.text().await? == "Lock box");
        ensure!(lock
            .attr("class")
            .await?
            .unwrap_or_default()
            .contains("button-primary"));
        lock.click().await?;
        wait_box(&t, DEMO_WEBAPI_UUID, true).await?;
        t.page
            .wait_for_css("[data-testid='state-card'][data-state='locked']", SLOW)
            .await?;

        // The keyholder's own opening is no alarm: it says who and since when.
        t.page.open_as(KEYHOLDER_TOKEN).await?;
        t.page.click_testid("open-box").await?;
        t.page.click_testid("confirm-yes").await?;
        wait_box(&t, DEMO_WEBAPI_UUID, false).await?;
        let title = card(&t, KEYHOLDER_TOKEN, "open-by-keyholder").await?;
        ensure!(title == "You opened the box", "{title:?}");
        ensure!(card_text(&t).await?.contains("Open since "));
        ensure!(title_role(&t).await?.is_none());
        let title = card(&t, WEARER_TOKEN, "open-by-keyholder").await?;
        ensure!(title == "Your keyholder opened the box", "{title:?}");
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offline_box_is_amber_and_says_when_it_was_last_seen() {
    run_with_settings(WEBHOOK_SETTINGS, |t| async move {
        t.stack.connect_box(WEARER_TOKEN, DEMO_WEBAPI_UUID).await?;
        t.stack
            .sesame
            .set_fault(DEMO_WEBAPI_UUID, Some(Fault::Offline));
        let title = card(&t, WEARER_TOKEN, "unreachable").await?;
        ensure!(title == "Box unreachable", "{title:?}");
        let class = t.page.class_of("state-card").await?;
        ensure!(class.contains("state-warning"), "{class}");
        let seen = t.page.text_of("state-clock").await?;
        ensure!(seen.starts_with("Last seen "), "{seen:?}");
        says_how_to_get_the_key(&t).await?;
        card(&t, KEYHOLDER_TOKEN, "unreachable").await?;
        says_how_to_get_the_key(&t).await?;
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_jammed_box_says_so_and_how_to_get_the_key() {
    run_with_settings(WEBHOOK_SETTINGS, |t| async move {
        t.stack.connect_box(WEARER_TOKEN, DEMO_WEBAPI_UUID).await?;
        t.stack.sesame.set_jammed(DEMO_WEBAPI_UUID, true);
        let title = card(&t, KEYHOLDER_TOKEN, "jammed").await?;
        ensure!(title == "Box jammed", "{title:?}");
        ensure!(card_text(&t).await?.contains("between locked and unlocked"));
        says_how_to_get_the_key(&t).await?;
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_used_up_quota_says_so_and_offers_the_wearer_to_try_again() {
    run_with_settings(WEBHOOK_SETTINGS, |t| async move {
        t.stack.connect_box(WEARER_TOKEN, DEMO_WEBAPI_UUID).await?;
        t.stack
            .sesame
            .set_fault(DEMO_WEBAPI_UUID, Some(Fault::QuotaExceeded));
        let title = card(&t, WEARER_TOKEN, "quota").await?;
        ensure!(title == "Monthly CANDY HOUSE quota used up", "{title:?}");
        says_how_to_get_the_key(&t).await?;
        let retry = t
            .page
            .wait_for_testid("state-retry-quota", e2e::WAIT)
            .await?;
        ensure!(retry.text().await? == "Try again now");
        card(&t, KEYHOLDER_TOKEN, "quota").await?;
        ensure!(
            !t.page.has_testid("state-retry-quota").await?,
            "the keyholder cannot retry"
        );
        says_how_to_get_the_key(&t).await?;
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_box_the_wearer_is_taken_to_connect_and_the_keyholder_asks_the_wearer() {
    run_with_settings(WEBHOOK_SETTINGS, |t| async move {
        let title = card(&t, WEARER_TOKEN, "no-box").await?;
        ensure!(title == "No box connected", "{title:?}");
        t.page.wait_for_testid("connect-start", e2e::WAIT).await?;
        t.page.click_testid("state-connect").await?;
        // The connect page opens in the iframe, its first field focused.
        t.page.wait_for_testid("connect-form", e2e::WAIT).await?;
        e2e::eventually("the focus in the connect form", e2e::WAIT, || async {
            let focused = t
                .page
                .eval("return !!document.activeElement.closest(\"[data-testid='connect-form']\")")
                .await?;
            Ok(if focused == Value::Bool(true) {
                Ok(())
            } else {
                Err(format!("focus in the form: {focused}"))
            })
        })
        .await?;

        let title = card(&t, KEYHOLDER_TOKEN, "no-box").await?;
        ensure!(title == "No box connected yet", "{title:?}");
        ensure!(card_text(&t).await?.contains("Ask the wearer to connect"));
        ensure!(!t.page.has_testid("state-connect").await?);
        Ok(())
    })
    .await;
}
