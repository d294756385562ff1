//! The keyholder's controls (issue 6) in the iframe: what they change in Chaster, in the view and
//! in the history, and what the wearer then sees.

use anyhow::{bail, ensure, Context};
use chrono::DateTime;
use e2e::{eventually, run, WAIT};
use sim::chaster::{KEYHOLDER_TOKEN, WEARER_TOKEN};

/// Seconds in a countdown such as `2d 03:14:07` or `03:14:07`.
fn countdown_seconds(text: &str) -> anyhow::Result<i64> {
    let text = text.trim();
    let (days, clock) = match text.split_once("d ") {
        Some((days, clock)) => (days.parse::<i64>()?, clock),
        None => (0, text),
    };
    let parts: Vec<i64> = clock
        .split(':')
        .map(str::parse)
        .collect::<Result<_, _>>()
        .with_context(|| format!("{text:?} is not a countdown"))?;
    let [h, m, s] = parts[..] else {
        bail!("{text:?} is not a countdown");
    };
    Ok(days * 86_400 + h * 3_600 + m * 60 + s)
}

/// The texts of the history entries shown now, newest first.
async fn history_texts(page: &e2e::Page) -> anyhow::Result<Vec<String>> {
    let found = page
        .eval("return [...document.querySelectorAll('[data-testid=\"history-entry\"]')].map(e => e.innerText)")
        .await?;
    Ok(serde_json::from_value(found)?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_keyholder_adds_time_and_sees_it_in_the_view_and_in_the_history() {
    run(|t| async move {
        let session = t
            .stack
            .chaster
            .session_id_of(KEYHOLDER_TOKEN)
            .expect("seeded session");
        let end_date = |s: &str| {
            let end = t
                .stack
                .chaster
                .end_date(s)
                .expect("the session has an end date");
            DateTime::parse_from_rfc3339(&end).with_context(|| format!("endDate {end:?}"))
        };
        let end_before = end_date(&session)?;

        t.page.open_as(KEYHOLDER_TOKEN).await?;
        t.page.wait_for_testid("view-keyholder", WAIT).await?;
        t.page
            .wait_for_css(
                "[data-testid='history-entry'], [data-testid='history-empty']",
                WAIT,
            )
            .await?;
        let time_entries = |texts: &[String]| {
            texts
                .iter()
                .filter(|e| e.to_lowercase().contains("added time"))
                .count()
        };
        let entries_before = time_entries(&history_texts(&t.page).await?);
        let left_before = countdown_seconds(&t.page.text_of("time-left").await?)?;

        t.page.click_testid("add-time-1h").await?;
        let result = t.page.text_of("control-result").await?;
        ensure!(!result.trim().is_empty(), "the control result is empty");
        let class = t.page.class_of("control-result").await?;
        ensure!(
            class.contains("notice-success"),
            "adding time is shown as {class:?}: {result:?}"
        );

        let end_after = end_date(&session)?;
        let added = end_after - end_before;
        ensure!(
            added.num_seconds() == 3_600,
            "Chaster's end date moved by {added} ({end_before} → {end_after}), not one hour"
        );

        // The countdown runs meanwhile, so it shows a bit less than one hour more.
        let page = &t.page;
        let grown = eventually(
            "the countdown to grow by about one hour",
            WAIT,
            || async move {
                let text = page.text_of("time-left").await?;
                let grown = countdown_seconds(&text)? - left_before;
                Ok(if (3_600 - 60..=3_600).contains(&grown) {
                    Ok(grown)
                } else {
                    Err(format!("{text:?}, {grown} s more than before"))
                })
            },
        )
        .await?;
        ensure!(grown > 0);

        eventually(
            "a history entry about the added time",
            WAIT,
            || async move {
                let texts = history_texts(page).await?;
                Ok(if time_entries(&texts) > entries_before {
                    Ok(())
                } else {
                    Err(format!("{texts:?}"))
                })
            },
        )
        .await
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_freeze_by_the_keyholder_shows_the_frozen_badge_to_the_wearer() {
    run(|t| async move {
        let session = t
            .stack
            .chaster
            .session_id_of(KEYHOLDER_TOKEN)
            .expect("seeded session");

        // The wearer looks first, so a session cached for their token could show up stale.
        t.page.open_as(WEARER_TOKEN).await?;
        t.page.wait_for_testid("view-wearer", WAIT).await?;
        t.page.wait_for_testid("time-left", WAIT).await?;
        ensure!(
            !t.page.has_testid("frozen-badge").await?,
            "the lock starts frozen"
        );

        t.page.open_as(KEYHOLDER_TOKEN).await?;
        t.page.wait_for_testid("view-keyholder", WAIT).await?;
        t.page.click_testid("freeze").await?;
        t.page.wait_for_testid("confirm", WAIT).await?;
        ensure!(
            !t.stack.chaster.is_frozen(&session),
            "frozen before the keyholder confirmed"
        );
        t.page.click_testid("confirm-yes").await?;
        let result = t.page.text_of("control-result").await?;
        let class = t.page.class_of("control-result").await?;
        ensure!(
            class.contains("notice-success"),
            "freezing is shown as {class:?}: {result:?}"
        );
        ensure!(
            t.stack.chaster.is_frozen(&session),
            "Chaster's lock is not frozen"
        );
        t.page.wait_for_testid("unfreeze", WAIT).await?;

        t.page.open_as(WEARER_TOKEN).await?;
        t.page.wait_for_testid("view-wearer", WAIT).await?;
        let badge = t.page.text_of("frozen-badge").await?;
        ensure!(
            badge.to_lowercase().contains("frozen"),
            "the badge reads {badge:?}"
        );
        Ok(())
    })
    .await;
}
