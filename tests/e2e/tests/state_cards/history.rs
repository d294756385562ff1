//! The history people can scan: five highlights, only what matters, who acted.

use std::time::Duration;

use anyhow::ensure;
use e2e::webhooks::WEBHOOK_SETTINGS;
use e2e::{eventually, run_with_settings};
use sim::chaster::{KEYHOLDER_TOKEN, SESSION_A_ID, WEARER_TOKEN};
use sim::sesame::DEMO_WEBAPI_UUID;

use super::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_history_shows_five_highlights_only_what_matters_and_names_who_acted() {
    run_with_settings(WEBHOOK_SETTINGS, |t| async move {
        t.stack.connect_box(WEARER_TOKEN, DEMO_WEBAPI_UUID).await?;
        t.page.open_as(KEYHOLDER_TOKEN).await?;
        t.page.click_testid("open-box").await?;
        t.page.click_testid("confirm-yes").await?;
        let opened = t
            .page
            .wait_for_text("command-result", "the open result", |s| !s.is_empty())
            .await?;
        ensure!(opened.contains("unlocked"), "the open did not succeed: {opened:?}");
        for _ in 0..5 {
            // More lines than the first five (time changes are not highlighted).
            let response = reqwest::Client::new()
                .post(format!("{}/api/controls/time", t.stack.app_url))
                .bearer_auth(KEYHOLDER_TOKEN)
                .json(&serde_json::json!({"seconds": 900}))
                .send()
                .await?;
            ensure!(response.status().is_success(), "{}", response.status());
        }
        let opened = "[data-testid='history-entry'][data-meaning='opened']";
        eventually("the opening in the history", SLOW, || {
            let t = t.clone();
            async move {
                t.page.open_as(KEYHOLDER_TOKEN).await?;
                t.page.wait_for_testid("history-show-all", e2e::WAIT).await?;
                t.page.click_testid("history-show-all").await?;
                if t.page.wait_for_css(opened, Duration::from_secs(3)).await.is_ok() {
                    return Ok(Ok(()));
                }
                let entries = t.page.eval("return [...document.querySelectorAll(\"[data-testid='history-entry']\")].map(e => e.dataset.meaning + ': ' + e.innerText.replace(/\\n/g, ' | '))").await?;
                let logs: Vec<_> = t.stack.chaster.custom_logs(SESSION_A_ID).into_iter().map(|l| l["title"].clone()).collect();
                Ok(Err(format!("{entries}; custom logs: {logs:?}")))
            }
        })
        .await?;
        let entry = t.page.wait_for_css(opened, e2e::WAIT).await?;
        ensure!(entry.attr("data-highlight").await?.as_deref() == Some("true"));
        let text = entry.text().await?;
        ensure!(text.contains("Box opened by the keyholder"), "{text:?}");
        ensure!(text.contains("by demo-keyholder"), "who acted is not named: {text:?}");
        let icon = t
            .page
            .eval(&format!("return document.querySelector(\"{opened} svg.history-icon\").getAttribute('class')"))
            .await?;
        ensure!(icon.as_str().is_some_and(|c| c.contains("icon-opened")), "{icon}");

        // Time changes are listed, not highlighted; no entry carries an emoji.
        let summary = t
            .page
            .eval(
                "const all = [...document.querySelectorAll(\"[data-testid='history-entry']\")];
                 return {
                   time: all.filter(e => e.dataset.meaning === 'time').length,
                   timeHighlighted: all.filter(e => e.dataset.meaning === 'time' && e.dataset.highlight).length,
                   icons: all.filter(e => e.querySelector('svg.history-icon')).length,
                   all: all.length,
                   emoji: /[\\u{1F300}-\\u{1FAFF}\\u{2600}-\\u{27BF}]/u.test(document.querySelector(\"[data-testid='history']\").textContent),
                 };",
            )
            .await?;
        ensure!(summary["time"].as_u64() >= Some(5), "{summary}");
        ensure!(summary["timeHighlighted"] == 0, "{summary}");
        ensure!(summary["icons"] == summary["all"], "{summary}");
        ensure!(summary["emoji"] == false, "{summary}");

        // The first look shows the newest five only.
        t.page.open_as(KEYHOLDER_TOKEN).await?;
        t.page.wait_for_testid("history-show-all", e2e::WAIT).await?;
        let shown = t
            .page
            .eval("return document.querySelectorAll(\"[data-testid='history-entry']\").length")
            .await?;
        ensure!(shown == 5, "{shown} entries before Show all");
        Ok(())
    })
    .await;
}
