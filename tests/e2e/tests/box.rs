//! The Sesame box panel (issue 4), in the iframe as Chaster shows it: the wearer connects their
//! box, the keyholder opens and locks it, a low battery is flagged, and the wearer can open it
//! neither from the page nor by calling our API directly.

use anyhow::ensure;
use e2e::{run, WAIT};
use serde_json::json;
use sim::chaster::{KEYHOLDER_TOKEN, WEARER_TOKEN};
use sim::sesame::{
    CommandKind, DEMO_API_KEY, DEMO_LOW_BATTERY_UUID, DEMO_SECRET_HEX, DEMO_WEBAPI_UUID,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wearer_connects_their_sesame_and_sees_it_locked() {
    run(|t| async move {
        t.page.open_as(WEARER_TOKEN).await?;
        t.page.wait_for_testid("view-wearer", WAIT).await?;
        t.page.go_to_connect_form().await?;

        // The Sesame is named in plain words; the UUID and secret are typed this time.
        t.page.select_option("device-model", "0").await?;
        t.page.type_into_testid("api-key", DEMO_API_KEY).await?;
        t.page
            .type_into_testid("device-id", DEMO_WEBAPI_UUID)
            .await?;
        t.page
            .type_into_testid("device-secret", DEMO_SECRET_HEX)
            .await?;

        let battery = format!("{} %", t.stack.sesame.battery(DEMO_WEBAPI_UUID));
        t.page.click_testid("test-connection").await?;
        let tested = t.page.text_of("test-result").await?;
        ensure!(
            tested.contains("locked") && tested.contains(&battery),
            "the connection test {tested:?} should report the box locked with battery {battery}"
        );

        t.page.click_testid("save-device").await?;
        let latch = t
            .page
            .wait_for_text("box-latch", "the latch reading Locked", |s| s == "Locked")
            .await?;
        ensure!(latch == "Locked");
        let shown_battery = t.page.text_of("box-battery").await?;
        ensure!(
            shown_battery == battery,
            "the panel shows battery {shown_battery:?}, the box reports {battery}"
        );
        ensure!(
            !t.page.has_testid("connect-form").await?,
            "the connect form is still shown after saving"
        );
        ensure!(
            !t.page.has_testid("battery-warning").await?,
            "a full battery ({battery}) is flagged as low"
        );
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_keyholder_opens_and_locks_the_box() {
    run(|t| async move {
        t.stack.connect_box(WEARER_TOKEN, DEMO_WEBAPI_UUID).await?;
        let sesame = &t.stack.sesame;
        ensure!(
            sesame.latch_locked(DEMO_WEBAPI_UUID),
            "the demo box should start locked"
        );

        t.page.open_as(KEYHOLDER_TOKEN).await?;
        t.page.wait_for_testid("view-keyholder", WAIT).await?;
        t.page
            .wait_for_text("box-latch", "the latch reading Locked", |s| s == "Locked")
            .await?;

        t.page.click_testid("open-box").await?;
        t.page.wait_for_testid("confirm", WAIT).await?;
        ensure!(
            sesame.commands_received(DEMO_WEBAPI_UUID, CommandKind::Unlock) == 0,
            "the box was sent an unlock before the keyholder confirmed"
        );
        t.page.click_testid("confirm-yes").await?;
        let opened = t
            .page
            .wait_for_text("command-result", "the open result", |s| {
                s.contains("unlocked")
            })
            .await?;
        ensure!(
            opened.contains("reports it is unlocked"),
            "the open result {opened:?} should say what the box reports"
        );
        let class = t.page.class_of("command-result").await?;
        ensure!(
            class.contains("notice-success"),
            "the confirmed open is shown as {class:?}"
        );
        t.page
            .wait_for_text("box-latch", "the latch reading Unlocked", |s| {
                s == "Unlocked"
            })
            .await?;
        ensure!(
            !sesame.latch_locked(DEMO_WEBAPI_UUID),
            "the simulated box is still locked"
        );
        ensure!(
            sesame.commands_received(DEMO_WEBAPI_UUID, CommandKind::Unlock) == 1,
            "the box should have received exactly one unlock"
        );

        t.page.click_testid("lock-box").await?;
        let locked = t
            .page
            .wait_for_text("command-result", "the lock result", |s| {
                s.contains("it is locked")
            })
            .await?;
        ensure!(
            locked.contains("reports it is locked"),
            "the lock result {locked:?} should say what the box reports"
        );
        t.page
            .wait_for_text("box-latch", "the latch reading Locked", |s| s == "Locked")
            .await?;
        ensure!(
            sesame.latch_locked(DEMO_WEBAPI_UUID),
            "the simulated box is still open"
        );
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_low_battery_box_shows_the_warning() {
    run(|t| async move {
        t.stack
            .connect_box(WEARER_TOKEN, DEMO_LOW_BATTERY_UUID)
            .await?;
        let battery = format!("{} %", t.stack.sesame.battery(DEMO_LOW_BATTERY_UUID));

        t.page.open_as(KEYHOLDER_TOKEN).await?;
        t.page.wait_for_testid("view-keyholder", WAIT).await?;
        let warning = t.page.text_of("battery-warning").await?;
        ensure!(
            warning.contains(&battery),
            "the warning {warning:?} should give the battery level {battery}"
        );
        let class = t.page.class_of("box-battery").await?;
        ensure!(
            class.contains("warning"),
            "the battery reading is not flagged: {class:?}"
        );
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wearer_has_no_open_button_and_the_server_refuses_the_wearers_open() {
    run(|t| async move {
        t.stack.connect_box(WEARER_TOKEN, DEMO_WEBAPI_UUID).await?;

        t.page.open_as(WEARER_TOKEN).await?;
        t.page.wait_for_testid("view-wearer", WAIT).await?;
        t.page.wait_for_text("box-latch", "the latch reading Locked", |s| s == "Locked").await?;
        ensure!(
            !t.page.has_testid("open-box").await?,
            "the wearer's view has an open button"
        );

        // What a wearer could try from the console of the frame.
        let answer = t
            .page
            .eval_async(&format!(
                "fetch('/api/device/open', {{ method: 'POST', headers: {{ Authorization: 'Bearer ' + {token} }} }})
                   .then(async r => done({{ status: r.status, body: await r.json().catch(() => null) }}))
                   .catch(e => done({{ error: String(e) }}));",
                token = json!(WEARER_TOKEN)
            ))
            .await?;
        ensure!(answer["status"] == 403, "the wearer's open was answered {answer}");
        ensure!(answer["body"]["code"] == "forbidden", "the refusal's body is {answer}");

        let sesame = &t.stack.sesame;
        ensure!(
            sesame.commands_received(DEMO_WEBAPI_UUID, CommandKind::Unlock) == 0,
            "the box received an unlock command"
        );
        ensure!(sesame.latch_locked(DEMO_WEBAPI_UUID), "the box is open");
        Ok(())
    })
    .await;
}

/// The key box's entry on the wearer's Chaster lock page opens our page with its slug in the
/// hash (key name undocumented): the page then brings the wearer to the box panel.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opened_from_the_key_box_entry_of_the_lock_page_the_page_brings_the_wearer_to_the_box() {
    run(|t| async move {
        t.stack.connect_box(WEARER_TOKEN, DEMO_WEBAPI_UUID).await?;
        // The slug the wearer's lock page lists, once the server has written the entry.
        let deadline = std::time::Instant::now() + WAIT;
        let slug = loop {
            let shown = t.stack.chaster.home_actions(sim::chaster::SESSION_A_ID);
            if let Some(slug) = shown.first().and_then(|a| a["slug"].as_str()) {
                break slug.to_owned();
            }
            ensure!(
                std::time::Instant::now() < deadline,
                "the lock page never listed the key box"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        };
        t.page
            .open_in_host(Some(
                &json!({"mainToken": WEARER_TOKEN, "homeAction": slug}),
            ))
            .await?;
        t.page
            .wait_for_text("box-latch", "the latch reading Locked", |s| s == "Locked")
            .await?;
        let deadline = std::time::Instant::now() + WAIT;
        loop {
            let focused = t
                .page
                .eval("return document.activeElement && document.activeElement.id")
                .await?;
            if focused == json!("box-panel") {
                break;
            }
            ensure!(
                std::time::Instant::now() < deadline,
                "the focus is on {focused}, not on the box panel"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        Ok(())
    })
    .await;
}
