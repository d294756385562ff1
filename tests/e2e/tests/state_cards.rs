//! The state card on top of the main page (issue 15), for every state the simulators produce:
//! release, release with the hub offline, desertion, hygiene opening running and late, a box
//! opened by hand, offline, jammed, quota used up, no box; and the history people can scan.
//! Each asserts text, roles and attributes. Webhooks reach the server as Chaster sends them;
//! time is never waited for: a late hygiene opening is one Chaster started 16 minutes ago.

use std::time::Duration;

use anyhow::{ensure, Context};
use e2e::webhooks::{deliver_webhooks, WEBHOOK_SETTINGS};
use e2e::{eventually, run_with_settings, TestContext};
use serde_json::Value;
use sim::chaster::{
    Release, FROZEN_TOKEN, HIDDEN_TIMER_TOKEN, KEYHOLDER_TOKEN, SESSION_A_ID, WEARER_TOKEN,
};
use sim::sesame::{Fault, DEMO_WEBAPI_UUID};

/// Server jobs (openings after a webhook) may take a few rounds.
const SLOW: Duration = Duration::from_secs(30);

const KEY_ANYWAY: [&str; 2] = ["Sesame app over Bluetooth", "backup key"];

/// Opens the page as `token` and waits for the state card in `state`; returns its title.
async fn card(t: &TestContext, token: &str, state: &str) -> anyhow::Result<String> {
    t.page.open_as(token).await?;
    let css = format!("[data-testid='state-card'][data-state='{state}']");
    t.page
        .wait_for_css(&css, SLOW)
        .await
        .with_context(|| format!("the state card in state {state:?}"))?;
    t.page.text_of("state-title").await
}

/// Like [`card`], reloading as a person would until the card says `title`: what the server knows
/// of the box changes once its opening job has tried it.
async fn card_saying(t: &TestContext, token: &str, state: &str, title: &str) -> anyhow::Result<()> {
    eventually(&format!("the card to say {title:?}"), SLOW, || async move {
        let seen = card(t, token, state).await?;
        Ok(if seen == title { Ok(()) } else { Err(seen) })
    })
    .await
}

async fn card_text(t: &TestContext) -> anyhow::Result<String> {
    t.page.text_of("state-card").await
}

/// The `role` of the card's title: `alert` only where the card must be heard at once.
async fn title_role(t: &TestContext) -> anyhow::Result<Option<String>> {
    let title = t.page.wait_for_testid("state-title", e2e::WAIT).await?;
    Ok(title.attr("role").await?)
}

async fn says_how_to_get_the_key(t: &TestContext) -> anyhow::Result<()> {
    let text = t.page.text_of("state-key-anyway").await?;
    for words in KEY_ANYWAY {
        ensure!(
            text.contains(words),
            "the way to the key {text:?} lacks {words:?}"
        );
    }
    Ok(())
}

async fn wait_box(t: &TestContext, uuid: &str, locked: bool) -> anyhow::Result<()> {
    let sesame = &t.stack.sesame;
    eventually("the box to move", SLOW, || async move {
        Ok(if sesame.latch_locked(uuid) == locked {
            Ok(())
        } else {
            Err(format!("locked: {}", !locked))
        })
    })
    .await
}

/// `GET /api/device` as `token`, straight from the server.
async fn device(t: &TestContext, token: &str) -> anyhow::Result<Value> {
    let slot: Value = reqwest::Client::new()
        .get(format!("{}/api/device", t.stack.app_url))
        .bearer_auth(token)
        .send()
        .await?
        .json()
        .await?;
    Ok(slot["device"].clone())
}

/// Session A once the demo wearer connected their box: the running lock holds it.
/// Returns `(sessionId, wearer token)`.
async fn lock_holding_the_box(t: &TestContext) -> anyhow::Result<(String, String)> {
    deliver_webhooks(t);
    t.stack.connect_box(WEARER_TOKEN, DEMO_WEBAPI_UUID).await?;
    eventually("the running lock to hold the box", SLOW, || async move {
        let device = device(t, WEARER_TOKEN).await?;
        Ok(if device["holds_box"] == true {
            Ok(())
        } else {
            Err(format!("{device}"))
        })
    })
    .await?;
    Ok((SESSION_A_ID.to_owned(), WEARER_TOKEN.to_owned()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_released_lock_with_its_box_open_tells_the_wearer_to_take_the_key_and_drops_time_controls(
) {
    run_with_settings(WEBHOOK_SETTINGS, |t| async move {
        deliver_webhooks(&t);
        t.stack.connect_box(WEARER_TOKEN, DEMO_WEBAPI_UUID).await?;
        t.stack
            .chaster
            .release_lock(SESSION_A_ID, Release::KeyholderUnlock)
            .await;
        t.stack.chaster.wait_deliveries_idle().await;
        wait_box(&t, DEMO_WEBAPI_UUID, false).await?;

        let title = card(&t, WEARER_TOKEN, "ended-open").await?;
        ensure!(
            title == "Your lock has ended. Your box is open: take your key",
            "{title:?}"
        );
        let text = card_text(&t).await?;
        ensure!(
            text.contains("Ended ") && text.contains(&chrono::Utc::now().format("%Y").to_string()),
            "no end date in {text:?}"
        );
        ensure!(
            title_role(&t).await?.is_none(),
            "a good end is not an alert"
        );
        ensure!(
            !t.page.has_testid("time-left").await?,
            "a countdown after the end"
        );
        let class = t.page.class_of("state-card").await?;
        ensure!(class.contains("state-success"), "{class}");

        let title = card(&t, KEYHOLDER_TOKEN, "ended-open").await?;
        ensure!(
            title == "The lock has ended. The box is open: the wearer can take their key",
            "{title:?}"
        );
        t.page.wait_for_testid("box-panel", e2e::WAIT).await?;
        for control in ["controls", "add-time-1h", "freeze", "hygiene-opening"] {
            ensure!(
                !t.page.has_testid(control).await?,
                "the keyholder still gets {control} after the end"
            );
        }
        ensure!(
            !t.page.has_testid("time-left").await?,
            "a countdown after the end"
        );
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_release_while_the_hub_is_offline_says_the_box_opens_when_the_hub_is_back() {
    run_with_settings(WEBHOOK_SETTINGS, |t| async move {
        deliver_webhooks(&t);
        t.stack.connect_box(WEARER_TOKEN, DEMO_WEBAPI_UUID).await?;
        let sesame = &t.stack.sesame;
        sesame.set_fault(DEMO_WEBAPI_UUID, Some(Fault::Offline));
        t.stack
            .chaster
            .release_lock(SESSION_A_ID, Release::TimerEnded)
            .await;
        t.stack.chaster.wait_deliveries_idle().await;

        let back = "The box will open as soon as the hub is back";
        card_saying(&t, WEARER_TOKEN, "ended-shut", back).await?;
        says_how_to_get_the_key(&t).await?;
        let seen = t.page.text_of("state-clock").await?;
        ensure!(seen.starts_with("Last seen"), "{seen:?}");
        ensure!(
            !t.page.has_testid("state-open").await?,
            "an open button that cannot work"
        );
        ensure!(
            sesame.latch_locked(DEMO_WEBAPI_UUID),
            "the offline box moved"
        );

        card_saying(&t, KEYHOLDER_TOKEN, "ended-shut", back).await?;
        says_how_to_get_the_key(&t).await?;

        // The opening kept trying: once the hub is back, the box opens and the card says so.
        sesame.set_fault(DEMO_WEBAPI_UUID, None);
        wait_box(&t, DEMO_WEBAPI_UUID, false).await?;
        card(&t, WEARER_TOKEN, "ended-open").await?;
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deserted_lock_shows_the_date_its_box_opens() {
    run_with_settings(WEBHOOK_SETTINGS, |t| async move {
        let (session_id, wearer) = lock_holding_the_box(&t).await?;
        t.stack.chaster.desert(&session_id).await;
        t.stack.chaster.wait_deliveries_idle().await;
        let token = wearer.clone();
        let t2 = t.clone();
        eventually("the server to know when the box opens", SLOW, || {
            let (token, t2) = (token.clone(), t2.clone());
            async move {
                let device = device(&t2, &token).await?;
                Ok(if device["opens_at"].is_string() {
                    Ok(())
                } else {
                    Err(format!("{device}"))
                })
            }
        })
        .await?;
        let expected = (chrono::Utc::now() + chrono::Duration::days(7))
            // The browser's Intl wording of the date in English: "Dec 8, 2026, 10:00 AM".
            .format("%b %-d, %Y")
            .to_string();

        let title = card(&t, &wearer, "deserted").await?;
        ensure!(
            title.starts_with("The box opens on ") && title.contains(&expected),
            "{title:?} should name {expected}"
        );
        let text = card_text(&t).await?;
        ensure!(text.contains("opens by itself"), "{text:?}");
        says_how_to_get_the_key(&t).await?;
        ensure!(
            t.stack.sesame.latch_locked(DEMO_WEBAPI_UUID),
            "opened before 7 days"
        );
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hygiene_opening_counts_down_to_relock_and_warns_when_late() {
    run_with_settings(WEBHOOK_SETTINGS, |t| async move {
        let (session_id, wearer) = lock_holding_the_box(&t).await?;
        t.stack.chaster.start_hygiene_opening(&session_id).await;
        t.stack.chaster.wait_deliveries_idle().await;
        wait_box(&t, DEMO_WEBAPI_UUID, false).await?;

        let title = card(&t, &wearer, "hygiene").await?;
        ensure!(title == "Hygiene opening running", "{title:?}");
        let clock = t.page.text_of("state-clock").await?;
        // The simulated opening lasts 15 minutes.
        ensure!(clock.starts_with("Time left to relock: 00:1"), "{clock:?}");
        ensure!(t.page.text_of("state-lock").await? == "Lock box now");
        ensure!(
            title_role(&t).await?.is_none(),
            "a running opening is no alert"
        );

        // Chaster started this opening 16 minutes ago: the wearer is late.
        let started = chrono::Utc::now() - chrono::Duration::minutes(16);
        t.stack.chaster.with_state(|s| {
            let lock = s.lock_of_session_mut(&session_id).expect("the lock");
            lock.hygiene_opened_at = Some(started);
        });
        let title = card(&t, &wearer, "hygiene-late").await?;
        ensure!(
            title == "The hygiene opening is over: lock the box now",
            "{title:?}"
        );
        ensure!(title_role(&t).await?.as_deref() == Some("alert"));
        let class = t.page.class_of("state-card").await?;
        ensure!(class.contains("state-alert"), "{class}");

        t.page.click_testid("state-lock").await?;
        wait_box(&t, DEMO_WEBAPI_UUID, true).await?;
        Ok(())
    })
    .await;
}

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frozen_timer_says_it_is_paused_and_a_hidden_one_that_the_box_still_opens() {
    run_with_settings(WEBHOOK_SETTINGS, |t| async move {
        t.stack.chaster.with_state(|s| {
            let lock = s.lock_of_session_mut(SESSION_A_ID).expect("lock A");
            lock.is_frozen = true;
            lock.frozen_at = Some(chrono::Utc::now());
        });
        t.page.open_as(WEARER_TOKEN).await?;
        let paused = t.page.text_of("timer-paused").await?;
        ensure!(paused == "Paused by your keyholder", "{paused:?}");
        let attr = t
            .page
            .wait_for_testid("time-left", e2e::WAIT)
            .await?
            .attr("data-paused")
            .await?;
        ensure!(attr.as_deref() == Some("true"));

        t.page.open_as(FROZEN_TOKEN).await?;
        let paused = t.page.text_of("timer-paused").await?;
        ensure!(
            paused == "Paused: the timer stands still",
            "a self-lock: {paused:?}"
        );

        t.page.open_as(HIDDEN_TIMER_TOKEN).await?;
        let note = t.page.text_of("timer-hidden-note").await?;
        ensure!(
            note == "Your box still opens when the lock ends.",
            "{note:?}"
        );
        Ok(())
    })
    .await;
}

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
