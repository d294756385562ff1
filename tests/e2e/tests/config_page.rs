//! The configuration page (issue 6) in Chaster's modal: the host page plays Chaster, posting the
//! modal's Save and recording what the page tells it. Only Chaster's own window, from its own
//! origin, may make the page save.

use anyhow::ensure;
use e2e::{eventually, run, Page, WAIT};
use serde_json::{json, Value};
use sim::chaster::CONFIG_EDIT_TOKEN;

/// Opens the configuration page as Chaster does and waits until the form shows the saved
/// settings and Chaster has heard that the page saves by itself.
async fn open_configuration(page: &Page) -> anyhow::Result<()> {
    page.open_configuration_in_host(&json!({ "partnerConfigurationToken": CONFIG_EDIT_TOKEN }))
        .await?;
    page.wait_for_testid("config-form", WAIT).await?;
    eventually(
        "the capabilities message to reach Chaster",
        WAIT,
        move || async move {
            let events = page.partner_events().await?;
            Ok(
                if events.first().map(String::as_str) == Some("capabilities") {
                    Ok(())
                } else {
                    Err(format!("{events:?}"))
                },
            )
        },
    )
    .await?;
    let capabilities = page
        .host_received()
        .await?
        .iter()
        .filter_map(|m| m["data"].as_str())
        .filter_map(|data| serde_json::from_str::<Value>(data).ok())
        .find(|m| m["event"] == "capabilities")
        .unwrap_or_default();
    ensure!(
        capabilities["payload"]["features"]["save"] == true,
        "the capabilities do not offer saving: {capabilities}"
    );
    Ok(())
}

/// Presses Chaster's Save button on the host page; back in the frame afterwards.
async fn press_chasters_save(page: &Page) -> anyhow::Result<()> {
    page.enter_host_page().await?;
    page.wait_for_css("#chaster-save", WAIT)
        .await?
        .click()
        .await?;
    page.enter_app_frame().await
}

/// Waits until the page answered a save with `save_success` or `save_failed`, and returns every
/// event Chaster received.
async fn events_after_save(page: &Page) -> anyhow::Result<Vec<String>> {
    eventually("the page to answer the save", WAIT, move || async move {
        let events = page.partner_events().await?;
        let answered = events
            .iter()
            .any(|e| e == "save_success" || e == "save_failed");
        Ok(if answered {
            Ok(events)
        } else {
            Err(format!("{events:?}"))
        })
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saving_the_configuration_reports_loading_then_success_to_chaster() {
    run(|t| async move {
        let before = t
            .stack
            .chaster
            .config_of(CONFIG_EDIT_TOKEN)
            .expect("seeded token");
        ensure!(
            before["penalty"] != json!({ "kind": "add_time", "minutes": 30 }),
            "the seeded configuration already has the penalty this test sets: {before}"
        );
        open_configuration(&t.page).await?;

        t.page.select_option("cfg-penalty-kind", "add_time").await?;
        // The duration starts at the 60-minute default (0 d 1 h 0 min): 30 minutes is 0 h 30 min.
        t.page.type_into_testid("cfg-penalty-hours", "0").await?;
        t.page.type_into_testid("cfg-penalty-minutes", "30").await?;
        press_chasters_save(&t.page).await?;

        let events = events_after_save(&t.page).await?;
        ensure!(
            events == ["capabilities", "save_loading", "save_success"],
            "Chaster received {events:?}"
        );
        let state = t.page.wait_for_testid("config-save-status", WAIT).await?;
        let state = state.attr("data-state").await?;
        ensure!(
            state.as_deref() == Some("saved"),
            "the form's save state is {state:?}"
        );
        let after = t
            .stack
            .chaster
            .config_of(CONFIG_EDIT_TOKEN)
            .expect("seeded token");
        ensure!(
            after["penalty"] == json!({ "kind": "add_time", "minutes": 30, "boundHours": 24 }),
            "Chaster stored {after}"
        );
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_configuration_gives_save_failed_with_the_reason_in_the_form() {
    run(|t| async move {
        let before = t
            .stack
            .chaster
            .config_of(CONFIG_EDIT_TOKEN)
            .expect("seeded token");
        open_configuration(&t.page).await?;

        t.page.type_into_testid("cfg-low-battery", "99").await?;
        press_chasters_save(&t.page).await?;

        let events = events_after_save(&t.page).await?;
        ensure!(
            events.last().map(String::as_str) == Some("save_failed")
                && !events.iter().any(|e| e == "save_success"),
            "Chaster received {events:?}"
        );
        let reason = t.page.text_of("config-error").await?;
        ensure!(
            reason.to_lowercase().contains("battery"),
            "the form's error {reason:?} should say what is wrong"
        );
        let after = t
            .stack
            .chaster
            .config_of(CONFIG_EDIT_TOKEN)
            .expect("seeded token");
        ensure!(
            after == before,
            "Chaster's config changed from {before} to {after}"
        );
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_save_message_from_a_foreign_origin_is_ignored() {
    run(|t| async move {
        let before = t.stack.chaster.config_of(CONFIG_EDIT_TOKEN).expect("seeded token");
        open_configuration(&t.page).await?;
        // A change, so that a save that should not happen would show in Chaster.
        t.page.select_option("cfg-penalty-kind", "freeze").await?;

        // Each fake is handled before the script ends: `dispatchEvent` runs the page's listener
        // at once, and the self-posted message is awaited with a listener added after the page's.
        let fakes = t
            .page
            .eval_async(&format!(
                r#"
                const save = JSON.stringify({{ type: 'chaster', event: 'partner_configuration_save' }});
                const chaster = {host};
                // The right window, a foreign origin.
                dispatchEvent(new MessageEvent('message', {{ data: save, origin: 'http://evil.example', source: window.parent }}));
                // Chaster's origin, but not Chaster's window.
                dispatchEvent(new MessageEvent('message', {{ data: save, origin: chaster, source: window }}));
                dispatchEvent(new MessageEvent('message', {{ data: save, origin: chaster }}));
                // The frame posting to itself.
                addEventListener('message', function seen(e) {{
                    if (e.source === window && e.data === save) {{
                        removeEventListener('message', seen);
                        done(document.querySelector('[data-testid="config-save-status"]').dataset.state);
                    }}
                }});
                postMessage(save, '*');
                "#,
                host = json!(t.page.host_url)
            ))
            .await?;
        ensure!(fakes == "idle", "a fake save message started a save: the form is {fakes}");
        let after_fakes = t.stack.chaster.config_of(CONFIG_EDIT_TOKEN).expect("seeded token");
        ensure!(after_fakes == before, "Chaster's config changed to {after_fakes}");

        // Chaster's real Save still works, and is the only save Chaster hears about: messages
        // from one window arrive in order, so an earlier save_loading would be listed first.
        press_chasters_save(&t.page).await?;
        let events = events_after_save(&t.page).await?;
        ensure!(
            events == ["capabilities", "save_loading", "save_success"],
            "Chaster received {events:?}"
        );
        let saved = t.stack.chaster.config_of(CONFIG_EDIT_TOKEN).expect("seeded token");
        ensure!(saved["penalty"]["kind"] == "freeze", "Chaster stored {saved}");
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configuration_token_opened_at_the_old_address_goes_on_to_the_configuration_page() {
    run(|t| async move {
        // The portal still names `/` as the configuration URL: the main page sends it on.
        t.page
            .open_in_host(Some(
                &json!({ "partnerConfigurationToken": CONFIG_EDIT_TOKEN }),
            ))
            .await?;
        t.page.wait_for_testid("config-form", WAIT).await?;
        let path = t.page.eval("return location.pathname").await?;
        ensure!(path == "/configure", "the form was shown at {path}");
        // And Chaster still hears from it: the capabilities come from the page it went on to.
        eventually(
            "the capabilities message to reach Chaster",
            WAIT,
            || async {
                let events = t.page.partner_events().await?;
                Ok(if events.contains(&"capabilities".to_owned()) {
                    Ok(())
                } else {
                    Err(format!("{events:?}"))
                })
            },
        )
        .await
    })
    .await;
}
