//! The page in the reader's language (issue 16): a French browser gets French words, dates and
//! `lang="fr"`; the language switcher changes the page and is remembered over a reload; a German
//! browser sees the main states in German; a server sentence with a time (an offline box's last
//! report) is worded in French with the time in French. Other languages than English are fetched as
//! `/i18n/<code>.ftl`, so these also prove the files are served.

use anyhow::ensure;
use e2e::{run, run_dashboard_with_chromium_args, run_with_chromium_args, TestContext};
use serde_json::json;
use sim::chaster::CONFIG_EDIT_TOKEN;
use sim::chaster::{KEYHOLDER_TOKEN, WEARER_TOKEN};
use sim::sesame::{Fault, DEMO_WEBAPI_UUID};

const FRENCH: &[&str] = &["--lang=fr-FR", "--accept-lang=fr-FR,fr"];
const GERMAN: &[&str] = &["--lang=de-DE", "--accept-lang=de-DE,de"];

/// Opens the page as `token`, waits for the state card in `state` and returns its title.
async fn card(t: &TestContext, token: &str, state: &str) -> anyhow::Result<String> {
    t.page.open_as(token).await?;
    let css = format!("[data-testid='state-card'][data-state='{state}']");
    t.page.wait_for_css(&css, e2e::WAIT).await?;
    t.page.text_of("state-title").await
}

/// The `lang` of the page's `<html>` element.
async fn html_lang(t: &TestContext) -> anyhow::Result<String> {
    let lang = t.page.eval("return document.documentElement.lang").await?;
    Ok(lang.as_str().unwrap_or_default().to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_french_browser_gets_the_page_in_french_with_lang_fr_and_french_dates() {
    run_with_chromium_args(FRENCH, |t| async move {
        t.stack.connect_box(WEARER_TOKEN, DEMO_WEBAPI_UUID).await?;
        let title = card(&t, WEARER_TOKEN, "locked").await?;
        ensure!(title == "Votre boîte est verrouillée", "{title:?}");
        ensure!(html_lang(&t).await? == "fr", "lang is not fr");
        let heading = t.page.text_of("view-wearer").await?;
        ensure!(heading.contains("Votre verrou"), "{heading:?}");
        ensure!(heading.contains("Batterie"), "{heading:?}");
        // The box's last report, worded by the browser's Intl in French ("il y a 3 secondes").
        let updated = t
            .page
            .wait_for_text("box-updated", "a French time", |text| {
                text.starts_with("mis à jour ")
                    && (text.contains("il y a") || text.contains("maintenant"))
            })
            .await?;
        ensure!(!updated.contains("ago"), "{updated:?}");
        ensure!(
            !heading.contains("T0") && !heading.contains(":00Z"),
            "an ISO time in {heading:?}"
        );
        Ok(())
    })
    .await;
}

/// True when `text` holds an ISO date such as `2026-12-01T06:37` (what the server sends).
fn has_iso_time(text: &str) -> bool {
    let bytes = text.as_bytes();
    let shape = b"dddd-dd-ddT";
    bytes.windows(shape.len()).any(|w| {
        w.iter().zip(shape).all(|(c, s)| match s {
            b'd' => c.is_ascii_digit(),
            _ => c == s,
        })
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_french_browser_reads_why_an_offline_boxs_status_is_old_in_french_with_its_time_worded() {
    run_with_chromium_args(FRENCH, |t| async move {
        t.stack.connect_box(WEARER_TOKEN, DEMO_WEBAPI_UUID).await?;
        t.stack
            .sesame
            .set_fault(DEMO_WEBAPI_UUID, Some(Fault::Offline));
        // Page views share the box's last reading: the offline one comes with a later refresh.
        t.page.open_as(WEARER_TOKEN).await?;
        t.page
            .wait_for_css(
                "[data-testid='state-card'][data-state='unreachable']",
                std::time::Duration::from_secs(45),
            )
            .await?;
        let said = t.page.text_of("box-offline").await?;
        ensure!(
            said.starts_with(
                "Le Sesame ou son hub est hors ligne : ceci est son dernier état connu."
            ) && said.contains("Dernier signe de vie le "),
            "{said:?}"
        );
        ensure!(
            !said.contains("offline") && !said.contains("last"),
            "English in {said:?}"
        );
        // The server sends the box's own RFC 3339 time; the page shows it through Intl, in French.
        ensure!(!has_iso_time(&said) && !said.contains("UTC"), "{said:?}");
        let slot: serde_json::Value = reqwest::Client::new()
            .get(format!("{}/api/device", t.stack.app_url))
            .bearer_auth(WEARER_TOKEN)
            .send()
            .await?
            .json()
            .await?;
        let sent = slot["device"]["status_error"]["params"]["last_update_at"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let at = chrono::DateTime::parse_from_rfc3339(&sent)
            .map_err(|e| anyhow::anyhow!("{sent:?}: {e}"))?
            .with_timezone(&chrono::Local);
        const MONTHS: [&str; 12] = [
            "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
            "nov.", "déc.",
        ];
        use chrono::Datelike;
        let day_month_year = format!(
            "{} {} {}",
            at.day(),
            MONTHS[at.month0() as usize],
            at.year()
        );
        ensure!(
            said.contains(&day_month_year),
            "{said:?} does not give the date {day_month_year:?}"
        );
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_language_switcher_changes_the_page_and_the_choice_is_remembered_over_a_reload() {
    run(|t| async move {
        t.stack.connect_box(WEARER_TOKEN, DEMO_WEBAPI_UUID).await?;
        let title = card(&t, WEARER_TOKEN, "locked").await?;
        ensure!(title == "Your box is locked", "{title:?}");
        ensure!(html_lang(&t).await? == "en", "lang is not en");

        t.page.select_option("language-switcher", "de").await?;
        t.page
            .wait_for_text("state-title", "the German title", |text| {
                text == "Deine Box ist verriegelt"
            })
            .await?;
        ensure!(
            html_lang(&t).await? == "de",
            "lang is not de after switching"
        );

        // A new visit in the same browser keeps the choice.
        let title = card(&t, WEARER_TOKEN, "locked").await?;
        ensure!(
            title == "Deine Box ist verriegelt",
            "after reload: {title:?}"
        );
        ensure!(html_lang(&t).await? == "de", "lang is not de after reload");
        let chosen = t
            .page
            .eval("return document.querySelector(\"[data-testid='language-switcher']\").value")
            .await?;
        ensure!(chosen == "de", "the switcher shows {chosen}");
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_german_browser_sees_the_main_states_in_german() {
    run_with_chromium_args(GERMAN, |t| async move {
        let title = card(&t, WEARER_TOKEN, "no-box").await?;
        ensure!(title == "Keine Box verbunden", "{title:?}");
        ensure!(html_lang(&t).await? == "de", "lang is not de");
        let title = card(&t, KEYHOLDER_TOKEN, "no-box").await?;
        ensure!(title == "Noch keine Box verbunden", "{title:?}");

        t.stack.connect_box(WEARER_TOKEN, DEMO_WEBAPI_UUID).await?;
        let title = card(&t, WEARER_TOKEN, "locked").await?;
        ensure!(title == "Deine Box ist verriegelt", "{title:?}");
        let text = t.page.text_of("state-card").await?;
        ensure!(
            text.contains("Sie öffnet sich von selbst, wenn dein Lock endet."),
            "{text:?}"
        );
        let latch = t.page.text_of("box-latch").await?;
        ensure!(latch == "Verriegelt", "{latch:?}");
        let open = t.page.text_of("open-box").await;
        ensure!(
            open.map_or(true, |label| label == "Box öffnen"),
            "open button"
        );

        let title = card(&t, KEYHOLDER_TOKEN, "locked").await?;
        ensure!(title == "Die Box ist verriegelt", "{title:?}");
        let view = t.page.text_of("view-keyholder").await?;
        ensure!(
            view.contains("Keyholder") && view.contains("Träger"),
            "{view:?}"
        );
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_french_browser_gets_the_configuration_page_in_french() {
    run_with_chromium_args(FRENCH, |t| async move {
        t.page
            .open_configuration_in_host(&json!({ "partnerConfigurationToken": CONFIG_EDIT_TOKEN }))
            .await?;
        let form = t
            .page
            .wait_for_text("config-form", "the French settings", |text| {
                text.contains("Réglages de l'ouvreur Sesame") && text.contains("Pénalité")
            })
            .await?;
        ensure!(!form.contains("Penalty"), "English left in {form:?}");
        let status = t.page.text_of("config-save-status").await?;
        ensure!(
            status == "Enregistrez avec le bouton Enregistrer de cette fenêtre.",
            "{status:?}"
        );
        Ok(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_german_browser_gets_the_dashboard_in_german() {
    run_dashboard_with_chromium_args(GERMAN, |t| async move {
        t.page.sign_in_to_dashboard().await?;
        let dashboard = t
            .page
            .wait_for_text("dashboard", "the German dashboard", |text| {
                text.contains("Laufende Locks") && text.contains("Abmelden")
            })
            .await?;
        ensure!(!dashboard.contains("Running locks"), "{dashboard:?}");
        ensure!(html_lang(&t).await? == "de", "lang is not de");
        let times = t.page.texts_in("[data-testid='row-time']").await?;
        ensure!(
            !times.is_empty()
                && times
                    .iter()
                    .all(|time| time.contains("noch ") || time == "Timer verborgen"),
            "the rows' times read {times:?}"
        );
        Ok(())
    })
    .await;
}
