//! Small layout pieces shared by every feature: the loading state, the error panel, a field's
//! inline error, and moving the keyboard focus.

use crate::i18n::{fill, t, text_of, tf, Msg};
use crate::time::{format_amount, format_date, format_in, parse_rfc3339_ms};
use api_types::{ApiError, ErrorCode, Sentence};
use leptos::prelude::*;
use std::collections::BTreeMap;

/// How the page reacts to an error code: a heading, an optional hint, and whether trying again
/// could help.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorAdvice {
    pub title: &'static str,
    pub hint: Option<String>,
    pub can_retry: bool,
}

/// Maps an [`ApiError`] to what the person in front of the page should read and may do.
pub fn error_advice(error: &ApiError) -> ErrorAdvice {
    let wait = retry_after_text(error.retry_after_secs);
    let (title, hint, can_retry) = match error.code {
        // Says once what happened and that nothing else did: "session ended" read as "lock ended".
        ErrorCode::SessionExpired | ErrorCode::MissingToken => (
            t(Msg::ErrorTimedOutTitle),
            Some(t(Msg::ErrorTimedOutHint).to_owned()),
            false,
        ),
        ErrorCode::Forbidden => (t(Msg::ErrorForbiddenTitle), None, false),
        ErrorCode::NotFound => (t(Msg::ErrorNotFoundTitle), None, false),
        ErrorCode::Conflict => (t(Msg::ErrorConflictTitle), None, false),
        ErrorCode::Invalid => (t(Msg::ErrorInvalidTitle), None, false),
        ErrorCode::UpstreamUnavailable => (t(Msg::ErrorUnavailableTitle), wait, true),
        ErrorCode::RateLimited => (t(Msg::ErrorRateLimitedTitle), wait, true),
        ErrorCode::DeviceError => (t(Msg::ErrorDeviceTitle), wait, true),
        ErrorCode::Internal => (t(Msg::ErrorInternalTitle), wait, true),
    };
    ErrorAdvice {
        title,
        hint,
        can_retry,
    }
}

/// "You can try again in 30 seconds." when the server said how long to wait.
pub fn retry_after_text(retry_after_secs: Option<u64>) -> Option<String> {
    let seconds = retry_after_secs?;
    Some(match seconds {
        0 => t(Msg::RetryNow).to_owned(),
        _ => tf(Msg::RetryIn, &[("when", &format_in(seconds))]),
    })
}

/// What the server said, in the reader's language: the wording of its `reason` with its values
/// (times in the reader's zone), else the server's English `message`.
pub fn error_text(error: &ApiError) -> String {
    worded(
        "error",
        error.reason.as_deref(),
        &error.params,
        &error.message,
    )
}

/// A sentence a server view carries (`DeviceView.status_error`, `notice`, …), worded like
/// [`worded`] with the prefix its field names.
pub fn said(prefix: &str, sentence: &Sentence) -> String {
    worded(
        prefix,
        sentence.reason.as_deref(),
        &sentence.params,
        &sentence.message,
    )
}

/// A server sentence in the reader's language: message `<prefix>-<reason>` with its values, else
/// the server's English `fallback`. Values named `…_at` are RFC 3339 times (shown in the reader's
/// zone), `…_secs` durations, and `latch` a latch position (`latch-…`).
pub fn worded(
    prefix: &str,
    reason: Option<&str>,
    params: &BTreeMap<String, String>,
    fallback: &str,
) -> String {
    let wording =
        reason.and_then(|reason| text_of(&format!("{prefix}-{}", reason.replace('_', "-"))));
    let Some(text) = wording else {
        return fallback.to_owned();
    };
    let values: Vec<(&str, String)> = params
        .iter()
        .map(|(name, value)| {
            let shown = if name.ends_with("_at") {
                parse_rfc3339_ms(value).map(format_date)
            } else if name.ends_with("_secs") {
                value.parse().ok().map(format_amount)
            } else if name == "latch" {
                text_of(&format!("latch-{value}")).map(str::to_owned)
            } else {
                None
            };
            (name.as_str(), shown.unwrap_or_else(|| value.clone()))
        })
        .collect();
    let values: Vec<(&str, &str)> = values.iter().map(|(n, v)| (*n, v.as_str())).collect();
    fill(text, &values)
}

/// Moves the keyboard focus to the element with this `id` once the view has been drawn.
pub fn focus_id(id: impl Into<String>) {
    let id = id.into();
    focus_later(move || document().get_element_by_id(&id));
}

/// Moves the keyboard focus to what `find` returns, once the view has been drawn.
pub fn focus_later(find: impl FnOnce() -> Option<web_sys::Element> + 'static) {
    use wasm_bindgen::JsCast;
    request_animation_frame(move || {
        if let Some(element) = find().and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = element.focus();
        }
    });
}

/// The error shown right under a field; the field names it with `aria-describedby`.
/// The element is always there (empty when the field is fine), so the reference never dangles.
#[component]
pub fn FieldError(
    /// The element's id, named by the field's `aria-describedby`.
    id: &'static str,
    /// The `data-testid` of the error.
    testid: &'static str,
    /// What is wrong with the field, when something is.
    #[prop(into)]
    message: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        <p class="field-error" id=id data-testid=testid
            hidden=move || message.with(Option::is_none)>
            {move || message.get()}
        </p>
    }
}

/// A spinner with a sentence, so the page is never blank while it waits.
#[component]
pub fn Loading(
    /// What the page is waiting for, e.g. "Loading your lock…".
    text: &'static str,
) -> impl IntoView {
    view! {
        <div class="loading" data-testid="loading" role="status" aria-live="polite">
            <span class="spinner" aria-hidden="true"></span>
            <span>{text}</span>
        </div>
    }
}

/// An error, explained for the person in front of the page, with "Try again" when it may help.
#[component]
pub fn ErrorPanel(
    /// The error to explain; its `message` is shown as written by the server.
    error: ApiError,
    /// Called by the "Try again" button; without it no button is shown.
    #[prop(optional, into)]
    on_retry: Option<Callback<()>>,
    /// The `data-testid` of the panel, so tests can tell the page error from a box error.
    #[prop(default = "error-screen")]
    testid: &'static str,
) -> impl IntoView {
    let advice = error_advice(&error);
    // The server's sentence for a timed-out page says what the advice says: shown once.
    let message = (!matches!(
        error.code,
        ErrorCode::SessionExpired | ErrorCode::MissingToken
    ))
    .then(|| error_text(&error));
    let retry = on_retry.filter(|_| advice.can_retry).map(|on_retry| {
        view! {
            <button class="button" type="button" on:click=move |_| on_retry.run(())>
                {t(Msg::TryAgain)}
            </button>
        }
    });
    view! {
        <div class="card error-panel" data-testid=testid role="alert">
            <h2>{advice.title}</h2>
            {message.map(|message| view! { <p class="error-message">{message}</p> })}
            {advice.hint.map(|hint| view! { <p class="muted">{hint}</p> })}
            {retry}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(code: ErrorCode, retry_after_secs: Option<u64>) -> ApiError {
        ApiError {
            code,
            message: "m".into(),
            retry_after_secs,
            reason: None,
            params: Default::default(),
        }
    }

    #[test]
    fn an_expired_page_says_it_timed_out_that_lock_and_box_are_fine_and_offers_no_retry() {
        let advice = error_advice(&error(ErrorCode::SessionExpired, None));
        assert!(!advice.can_retry);
        assert_eq!(advice.title, "This page timed out");
        let hint = advice.hint.unwrap();
        assert!(hint.contains("Your lock and your box are not affected."));
        assert!(hint.contains("open the extension again from your lock in Chaster"));
        assert_eq!(hint.matches("Chaster").count(), 1, "said once: {hint}");
        assert!(!advice.title.contains("ended") && !hint.contains("ended"));
    }

    #[test]
    fn upstream_failures_offer_a_retry_and_say_how_long_to_wait() {
        let advice = error_advice(&error(ErrorCode::UpstreamUnavailable, Some(30)));
        assert!(advice.can_retry);
        assert_eq!(
            advice.hint.as_deref(),
            Some("You can try again in 30 seconds.")
        );
        assert!(error_advice(&error(ErrorCode::RateLimited, None)).can_retry);
    }

    #[test]
    fn refusals_offer_no_retry() {
        for code in [
            ErrorCode::Forbidden,
            ErrorCode::NotFound,
            ErrorCode::Invalid,
        ] {
            assert!(!error_advice(&error(code, None)).can_retry, "{code:?}");
        }
    }

    #[test]
    fn long_waits_are_said_in_minutes() {
        assert_eq!(
            retry_after_text(Some(300)).as_deref(),
            Some("You can try again in 5 minutes.")
        );
        assert_eq!(retry_after_text(None), None);
    }

    #[test]
    fn a_deserted_lock_refusal_words_its_date_from_the_param_not_the_servers_english() {
        let mut refusal = error(ErrorCode::Conflict, None);
        refusal.message = "The lock was deserted: the box stays shut until 15 January 2027 at 08:00 UTC, when Chaster gives the combination back.".into();
        refusal.reason = Some("deserted_box_shut_until".into());
        refusal
            .params
            .insert("opens_at".into(), "2027-01-15T08:00:00Z".into());
        assert_eq!(
            error_text(&refusal),
            "The lock was deserted: the box stays shut until 15 Jan 2027, 08:00 UTC, when Chaster gives the combination back."
        );
    }

    #[test]
    fn every_refusal_reason_the_server_sends_has_a_wording() {
        // Kept in step with the server's `Refused` reasons (custody rules, proof, routes).
        for reason in [
            "lock_ended",
            "lock_not_holding_box",
            "box_change_after_end",
            "wearer_cannot_open",
            "wearer_may_not_lock",
            "only_wearer_changes_box",
            "other_lock_holds_box",
            "deserted_box_shut_until",
            "box_command_in_progress",
            "only_wearer",
            "only_keyholder",
            "dashboard_lock_not_yours",
            "not_from_dashboard_page",
            "no_box",
            "proof_hub_offline",
            "proof_hub_offline_since",
            "proof_tag_not_recorded",
            "proof_task_not_completed",
            "box_setup_problem",
            "penalty_minutes_out_of_range",
            "penalty_bound_out_of_range",
            "battery_warning_out_of_range",
            "time_change_zero",
            "time_change_too_large",
            "session_unknown_to_chaster",
            "hygiene_not_enabled",
            "hygiene_in_progress",
            "lock_not_locked",
            "lock_without_keyholder",
            "chaster_refused",
            "chaster_refused_saying",
            "secret_key_needed",
            "v3_needs_no_secret",
            "v3_device_id_needed",
            "v3_device_id_malformed",
            "box_name_too_long",
            "device_uuid_needed",
            "device_uuid_malformed",
            "qr_code_of_other_box",
            "box_offline_last_status",
            "box_offline_last_status_since",
            "api_key_malformed",
            "api_key_length",
            "secret_key_malformed",
            "qr_code_guest_key",
            "qr_code_secret_unreadable",
            "qr_code_unknown_layout",
            "qr_code_of_hub",
            "qr_code_of_bot",
            "qr_code_of_non_lock",
            "model_is_hub",
            "model_is_bot",
            "model_is_non_lock",
            "qr_code_of_unknown_device",
            "model_unknown",
        ] {
            let mut e = error(ErrorCode::Conflict, None);
            e.reason = Some(reason.into());
            // English may show the server's own words ("m"); every other language words it.
            crate::i18n::speak("de");
            assert_ne!(error_text(&e), "m", "{reason} has no wording");
            crate::i18n::speak("en");
        }
    }

    #[test]
    fn a_box_views_sentences_are_worded_from_their_reason_with_the_time_in_the_readers_zone() {
        let offline = Sentence::new(
            "box_offline_last_status_since",
            "The Sesame or its hub is offline, so this is its last known status. It last reported at 2025-06-01T10:00:00Z. Check the hub's power and Wi-Fi.",
            &[("last_update_at", "2025-06-01T10:00:00Z".into())],
        );
        let shown = said("error", &offline);
        assert_eq!(
            shown,
            "The Sesame or its hub is offline, so this is its last known status. It last reported on 1 Jun 2025, 10:00 UTC. Check the hub's power and Wi-Fi."
        );
        // A sentence without a time: in English, the server's words as they came.
        let bike = Sentence::new("unlock_only_box", "The server's English", &[]);
        assert_eq!(said("notice", &bike), "The server's English");
        let refused = Sentence::new(
            "qr_code_of_bot",
            "English",
            &[("name", "SESAME Bot 2".into())],
        );
        crate::i18n::speak("fr");
        assert!(said("notice", &bike).starts_with("Ce SESAME Bike"));
        assert!(
            said("error", &refused)
                .starts_with("Ce QR code appartient à un SESAME Bot 2, pas à une serrure"),
            "{}",
            said("error", &refused)
        );
        let unknown = Sentence::new("not_a_reason", "English", &[]);
        assert_eq!(said("notice", &unknown), "English");
    }

    #[test]
    fn a_result_is_worded_from_its_reason_with_the_latch_and_the_amount_in_the_readers_words() {
        let params = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect()
        };
        let mismatch = || {
            worded(
                "result",
                Some("box_mismatch"),
                &params(&[("latch", "jammed")]),
                "The server's English",
            )
        };
        assert_eq!(mismatch(), "The server's English");
        crate::i18n::speak("fr");
        assert_eq!(
            mismatch(),
            "Le Sesame indique qu'il est entre verrouillé et déverrouillé (coincé ou à moitié tourné) après la commande. Il a peut-être été tourné à la main ou il est coincé ; vérifiez la boîte."
        );
        crate::i18n::speak("en");
        assert_eq!(
            worded(
                "result",
                Some("time_added"),
                &params(&[("amount_secs", "93900")]),
                "English"
            ),
            "Added 1 d 2 h 5 min to the lock."
        );
        assert_eq!(
            worded("result", Some("not_a_reason"), &params(&[]), "English"),
            "English"
        );
        assert_eq!(worded("result", None, &params(&[]), "English"), "English");
    }
}
