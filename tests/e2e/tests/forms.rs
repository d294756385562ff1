//! Forms that help (issue 15): every wrong field is marked at once with its error next to it
//! (`aria-invalid`, `aria-describedby`), the focus goes to the first wrong field, the result is
//! announced; confirmations take the focus, give it back, and Esc cancels.

use anyhow::ensure;
use e2e::{eventually, run, Page, WAIT};
use serde_json::{json, Value};
use sim::chaster::{CONFIG_EDIT_TOKEN, KEYHOLDER_TOKEN, WEARER_TOKEN};

/// `attr` of the element with this `data-testid`, or `None`.
async fn attr(page: &Page, testid: &str, attr: &str) -> anyhow::Result<Option<String>> {
    Ok(page.wait_for_testid(testid, WAIT).await?.attr(attr).await?)
}

/// The `id` of the focused element.
async fn focused_id(page: &Page) -> anyhow::Result<Value> {
    page.eval("return document.activeElement && document.activeElement.id")
        .await
}

/// The `data-testid` of the focused element.
async fn focused_testid(page: &Page) -> anyhow::Result<Value> {
    page.eval("return document.activeElement && document.activeElement.dataset.testid || null")
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saving_an_empty_connect_form_marks_every_wrong_field_at_once_and_focuses_the_first() {
    run(|t| async move {
        t.page.open_as(WEARER_TOKEN).await?;
        t.page.go_to_connect_form().await?;
        ensure!(
            attr(&t.page, "api-key", "aria-invalid").await?.is_none(),
            "a field nobody touched is already marked wrong"
        );

        t.page.click_testid("save-device").await?;

        let summary = t.page.wait_for_testid("form-problem", WAIT).await?;
        ensure!(summary.attr("role").await?.as_deref() == Some("alert"));
        let text = summary.text().await?;
        ensure!(
            text == "Please correct the 3 marked fields.",
            "the summary reads {text:?}"
        );
        for (input, error_testid, error_id, words) in [
            (
                "api-key",
                "error-api-key",
                "connect-api-key-error",
                "API key",
            ),
            (
                "device-id",
                "error-device-id",
                "connect-device-id-error",
                "UUID",
            ),
            (
                "device-secret",
                "error-secret",
                "connect-secret-error",
                "secret key",
            ),
        ] {
            ensure!(
                attr(&t.page, input, "aria-invalid").await?.as_deref() == Some("true"),
                "{input} is not marked invalid"
            );
            let described = attr(&t.page, input, "aria-describedby")
                .await?
                .unwrap_or_default();
            ensure!(
                described.split(' ').any(|id| id == error_id),
                "{input} is described by {described:?}, not by its error"
            );
            let error = t.page.text_of(error_testid).await?;
            ensure!(error.contains(words), "{error_testid} reads {error:?}");
            ensure!(
                attr(&t.page, error_testid, "id").await?.as_deref() == Some(error_id),
                "{error_testid} does not carry the id its field names"
            );
        }
        let focus = focused_id(&t.page).await?;
        ensure!(
            focus == "connect-api-key",
            "the focus is on {focus}, not the first wrong field"
        );

        // Fixing a field clears its mark while typing; the others stay marked.
        t.page.type_into_testid("api-key", "my-key").await?;
        eventually("the API key's error to go", WAIT, || async {
            let invalid = attr(&t.page, "api-key", "aria-invalid").await?;
            let shown = t
                .page
                .wait_for_testid("error-device-id", WAIT)
                .await
                .is_ok();
            Ok(if invalid.is_none() && shown {
                Ok(())
            } else {
                Err(format!("{invalid:?}"))
            })
        })
        .await?;
        let hidden = t
            .page
            .eval("return document.querySelector('[data-testid=error-api-key]').hidden")
            .await?;
        ensure!(hidden == true, "the API key's error is still shown");
        let text = t.page.text_of("form-problem").await?;
        ensure!(
            text == "Please correct the 2 marked fields.",
            "the summary reads {text:?}"
        );
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_field_left_wrong_shows_its_error_before_anything_is_sent() {
    run(|t| async move {
        t.page.open_as(WEARER_TOKEN).await?;
        t.page.go_to_connect_form().await?;
        t.page.type_into_testid("device-id", "1234").await?;
        // Leaving the field (to the next one) checks it.
        t.page
            .wait_for_testid("device-secret", WAIT)
            .await?
            .click()
            .await?;
        let error = t.page.text_of("error-device-id").await?;
        ensure!(
            error.contains("12345678-1234-5678-1234-567812345678"),
            "{error:?}"
        );
        ensure!(attr(&t.page, "device-id", "aria-invalid").await?.as_deref() == Some("true"));
        // Fields not left yet stay quiet.
        ensure!(attr(&t.page, "device-secret", "aria-invalid")
            .await?
            .is_none());
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_configuration_offers_sixty_minutes_and_marks_a_zero_duration_next_to_it() {
    run(|t| async move {
        t.page
            .open_in_host(Some(
                &json!({ "partnerConfigurationToken": CONFIG_EDIT_TOKEN }),
            ))
            .await?;
        t.page.wait_for_testid("config-form", WAIT).await?;
        t.page.select_option("cfg-penalty-kind", "add_time").await?;
        let help = t.page.text_of("cfg-penalty-help").await?;
        ensure!(
            help.contains("added to the lock"),
            "the penalty's line reads {help:?}"
        );

        for (testid, part) in [
            ("cfg-penalty-days", "days"),
            ("cfg-penalty-hours", "hours"),
            ("cfg-penalty-minutes", "minutes"),
        ] {
            let value = t
                .page
                .wait_for_testid(testid, WAIT)
                .await?
                .prop("value")
                .await?;
            let expected = if part == "hours" { "1" } else { "0" };
            ensure!(value.as_deref() == Some(expected), "{part} shows {value:?}");
        }

        t.page.type_into_testid("cfg-penalty-hours", "0").await?;
        t.page.type_into_testid("cfg-low-battery", "99").await?;
        t.page
            .wait_for_testid("cfg-penalty-kind", WAIT)
            .await?
            .click()
            .await?;
        let error = t.page.text_of("cfg-penalty-error").await?;
        ensure!(error.contains("between 1 minute and 7 days"), "{error:?}");
        let battery = t.page.text_of("cfg-battery-error").await?;
        ensure!(battery.contains("battery"), "{battery:?}");
        for (input, error_id) in [
            ("cfg-penalty-days", "cfg-penalty-error"),
            ("cfg-low-battery", "cfg-battery-error"),
        ] {
            ensure!(
                attr(&t.page, input, "aria-invalid").await?.as_deref() == Some("true"),
                "{input}"
            );
            let described = attr(&t.page, input, "aria-describedby")
                .await?
                .unwrap_or_default();
            ensure!(
                described.split(' ').any(|id| id == error_id),
                "{input}: {described:?}"
            );
        }

        // Chaster's Save: refused, announced, the focus on the first wrong field.
        t.page.enter_host_page().await?;
        t.page
            .wait_for_css("#chaster-save", WAIT)
            .await?
            .click()
            .await?;
        t.page.enter_app_frame().await?;
        let reason = t.page.wait_for_testid("config-error", WAIT).await?;
        ensure!(reason.attr("role").await?.as_deref() == Some("alert"));
        let reason = reason.text().await?;
        ensure!(reason.starts_with("2 fields need a change"), "{reason:?}");
        let focus = focused_id(&t.page).await?;
        ensure!(focus == "cfg-penalty-days", "the focus is on {focus}");
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_confirmation_takes_the_focus_esc_cancels_it_and_the_focus_goes_back() {
    run(|t| async move {
        t.page.open_as(KEYHOLDER_TOKEN).await?;
        t.page.click_testid("freeze").await?;
        let confirm = t.page.wait_for_testid("confirm", WAIT).await?;
        ensure!(confirm.attr("role").await?.as_deref() == Some("alertdialog"));
        let focus = eventually("the focus to move into the question", WAIT, || async {
            let focus = focused_testid(&t.page).await?;
            Ok(if focus == "confirm-no" { Ok(focus) } else { Err(focus.to_string()) })
        })
        .await?;
        ensure!(focus == "confirm-no");

        t.page
            .eval("document.activeElement.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }))")
            .await?;
        eventually("Esc to close the question and give the focus back", WAIT, || async {
            let open = t.page.has_testid("confirm").await?;
            let focus = focused_testid(&t.page).await?;
            Ok(if !open && focus == "freeze" { Ok(()) } else { Err(format!("open {open}, focus {focus}")) })
        })
        .await?;
        ensure!(
            !t.page.has_testid("control-result").await?,
            "Esc froze the lock anyway"
        );
        Ok(())
    })
    .await;
}
