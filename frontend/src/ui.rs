//! Small layout pieces shared by every feature: the loading state, the error panel, a field's
//! inline error, and moving the keyboard focus.

use api_types::{ApiError, ErrorCode};
use leptos::prelude::*;

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
            "This page timed out",
            Some(
                "Your lock and your box are not affected. To go on, close this page and open \
                 the extension again from your lock in Chaster."
                    .into(),
            ),
            false,
        ),
        ErrorCode::Forbidden => ("Not allowed", None, false),
        ErrorCode::NotFound => ("Not found", None, false),
        ErrorCode::Conflict => ("Not possible now", None, false),
        ErrorCode::Invalid => ("Please check what you entered", None, false),
        ErrorCode::UpstreamUnavailable => ("No answer right now", wait, true),
        ErrorCode::RateLimited => ("Too many requests", wait, true),
        ErrorCode::DeviceError => ("The box did not do it", wait, true),
        ErrorCode::Internal => ("Something went wrong", wait, true),
    };
    ErrorAdvice {
        title,
        hint,
        can_retry,
    }
}

/// "You can try again in about 30 seconds." when the server said how long to wait.
pub fn retry_after_text(retry_after_secs: Option<u64>) -> Option<String> {
    let seconds = retry_after_secs?;
    Some(match seconds {
        0 => "You can try again now.".to_owned(),
        1 => "You can try again in about a second.".to_owned(),
        2..=89 => format!("You can try again in about {seconds} seconds."),
        _ => format!(
            "You can try again in about {} minutes.",
            seconds.div_ceil(60)
        ),
    })
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
    .then_some(error.message);
    let retry = on_retry.filter(|_| advice.can_retry).map(|on_retry| {
        view! {
            <button class="button" type="button" on:click=move |_| on_retry.run(())>
                "Try again"
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
            Some("You can try again in about 30 seconds.")
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
            Some("You can try again in about 5 minutes.")
        );
        assert_eq!(retry_after_text(None), None);
    }
}
