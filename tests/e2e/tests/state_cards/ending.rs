//! How a lock's end and the box's openings show: release (also with the hub offline),
//! desertion, a hygiene opening on time and late, a frozen or hidden timer.

use anyhow::ensure;
use e2e::webhooks::{deliver_webhooks, WEBHOOK_SETTINGS};
use e2e::{eventually, run_with_settings};
use sim::chaster::{
    Release, FROZEN_TOKEN, HIDDEN_TIMER_TOKEN, KEYHOLDER_TOKEN, SESSION_A_ID, WEARER_TOKEN,
};
use sim::sesame::{Fault, DEMO_WEBAPI_UUID};

use super::support::*;

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
