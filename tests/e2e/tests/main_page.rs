//! The main page as Chaster shows it: inside an iframe of a page on another origin, opened with
//! `#{"mainToken":…}`, for each kind of seeded session.

use std::time::Duration;

use anyhow::ensure;
use e2e::{run, WAIT};
use serde_json::json;
use sim::chaster::{
    EXPIRED_TOKEN, FROZEN_TOKEN, HIDDEN_TIMER_TOKEN, KEYHOLDER_TOKEN, WEARER_TOKEN,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wearer_sees_their_lock_inside_the_chaster_iframe() {
    run(|t| async move {
        t.page.open_as(WEARER_TOKEN).await?;
        t.page.wait_for_testid("view-wearer", WAIT).await?;

        let title = t.page.text_of("lock-title").await?;
        let expected = t.stack.lock_title_of(WEARER_TOKEN);
        ensure!(
            title.contains(&expected),
            "lock title {title:?} should show {expected:?}"
        );

        let first = t.page.text_of("time-left").await?;
        ensure!(!first.trim().is_empty(), "time-left is empty");
        // A running countdown changes at least every second.
        let later = t
            .page
            .wait_for_text_change("time-left", &first, Duration::from_secs(5))
            .await?;
        ensure!(later != first, "the countdown stood still at {first:?}");
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyholder_sees_the_wearers_lock() {
    run(|t| async move {
        t.page.open_as(KEYHOLDER_TOKEN).await?;
        let view = t.page.wait_for_testid("view-keyholder", WAIT).await?;
        let wearer = t.stack.wearer_username_of(KEYHOLDER_TOKEN);
        let heading = view.text().await?;
        ensure!(
            heading.contains(&wearer),
            "keyholder view {heading:?} should name the wearer {wearer:?}"
        );

        let title = t.page.text_of("lock-title").await?;
        let expected = t.stack.lock_title_of(KEYHOLDER_TOKEN);
        ensure!(
            title.contains(&expected),
            "lock title {title:?} should show {expected:?}"
        );
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hidden_timer_shows_timer_hidden_instead_of_a_countdown() {
    run(|t| async move {
        t.page.open_as(HIDDEN_TIMER_TOKEN).await?;
        t.page.wait_for_testid("view-wearer", WAIT).await?;
        t.page.wait_for_testid("timer-hidden", WAIT).await?;
        let countdowns = t
            .page
            .eval("return document.querySelectorAll('[data-testid=\"time-left\"]').length")
            .await?;
        ensure!(
            countdowns == json!(0),
            "a countdown is shown although Chaster hides the timer"
        );
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn frozen_lock_shows_the_frozen_badge() {
    run(|t| async move {
        t.page.open_as(FROZEN_TOKEN).await?;
        t.page.wait_for_testid("view-wearer", WAIT).await?;
        let badge = t.page.text_of("frozen-badge").await?;
        ensure!(
            badge.to_lowercase().contains("frozen"),
            "frozen badge reads {badge:?}"
        );
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_token_says_the_page_timed_out_the_lock_and_box_are_fine_and_how_to_reopen() {
    run(|t| async move {
        t.page.open_as(EXPIRED_TOKEN).await?;
        let message = t.page.text_of("error-screen").await?;
        ensure!(
            message.contains("This page timed out")
                && message.contains("Your lock and your box are not affected")
                && message.contains("open the extension again from your lock in Chaster"),
            "the error screen {message:?} should say the page timed out, that nothing else \
             happened, and how to reopen the extension"
        );
        // "ended" read as "your lock ended"; and the advice is given once.
        ensure!(!message.contains("ended"), "{message:?}");
        ensure!(
            message.matches("Chaster").count() == 1,
            "said twice: {message:?}"
        );
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn page_without_a_hash_says_it_must_be_opened_from_chaster() {
    run(|t| async move {
        t.page.open_in_host(None).await?;
        let message = t.page.text_of("no-token-screen").await?;
        ensure!(
            message.contains("Chaster"),
            "the no-token screen {message:?} should mention Chaster"
        );
        Ok(())
    })
    .await;
}

/// When each request of the first view started, and the page's performance marks, from the
/// browser's Resource Timing and User Timing (ms since the iframe's navigation).
const TIMINGS: &str = r#"
    const entries = performance.getEntriesByType('resource');
    const started = path => entries
        .filter(e => new URL(e.name).pathname === path)
        .map(e => e.startTime);
    const mark = name => {
        const m = performance.getEntriesByName(name, 'mark')[0];
        return m === undefined ? null : m.startTime;
    };
    return {
        session: started('/api/session'),
        device: started('/api/device'),
        history: started('/api/history'),
        wasm_start: mark('sesame:wasm-start'),
        view: mark('sesame:view'),
    };
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_is_asked_for_once_before_the_wasm_starts_and_the_box_after_the_first_paint() {
    run(|t| async move {
        t.page.open_as(WEARER_TOKEN).await?;
        t.page.wait_for_testid("view-wearer", WAIT).await?;
        let timings = e2e::eventually("the box and the history to be asked for", WAIT, || async {
            let timings = t.page.eval(TIMINGS).await?;
            let asked = |key: &str| timings[key].as_array().is_some_and(|a| !a.is_empty());
            Ok(if asked("device") && asked("history") {
                Ok(timings)
            } else {
                Err(timings.to_string())
            })
        })
        .await?;
        let first = |key: &str| timings[key][0].as_f64().unwrap_or(f64::NAN);
        let (wasm_start, view) = (timings["wasm_start"].as_f64(), timings["view"].as_f64());
        let (Some(wasm_start), Some(view)) = (wasm_start, view) else {
            anyhow::bail!("a performance mark is missing: {timings}");
        };
        ensure!(
            timings["session"].as_array().map(Vec::len) == Some(1),
            "the session was asked for more than once (or never): {timings}"
        );
        ensure!(
            first("session") < wasm_start,
            "the session was asked for only once the WASM ran: {timings}"
        );
        ensure!(
            first("device") >= view && first("history") >= view,
            "the box or the history was asked for before the lock was painted: {timings}"
        );
        Ok(())
    })
    .await;
}
