//! The wearer's form to connect (or replace) their Sesame. It holds only what is being typed;
//! testing and saving go through the callbacks of the entry component.

use super::{
    form::{problem_of, problems, to_registration, ConnectDraft, ConnectField, DEFAULT_NICKNAME},
    mapper::{api_label, Feedback},
};
use crate::ui::{focus_id, ErrorPanel, FieldError};
use api_types::{ApiError, DeviceApi, DeviceRegistration};
use leptos::prelude::*;

/// The connect form: API, name, API key, device id, secret; "Test connection" and "Save".
#[component]
pub fn ConnectForm(
    /// Called with checked details when "Test connection" is pressed.
    on_test: Callback<DeviceRegistration>,
    /// Called with checked details when "Save" is pressed.
    on_save: Callback<DeviceRegistration>,
    /// True while a test is on its way.
    testing: Signal<bool>,
    /// True while the details are being saved.
    saving: Signal<bool>,
    /// What the last test found.
    test_feedback: Signal<Option<Feedback>>,
    /// Why the last save failed, if it did.
    save_error: Signal<Option<ApiError>>,
    /// Shown as a "Cancel" button when replacing a box that is already connected.
    on_cancel: Option<Callback<()>>,
) -> impl IntoView {
    let draft = RwSignal::new(ConnectDraft::default());
    // A field shows its error once it was left (or the form was sent), then follows every key.
    let touched = RwSignal::new(Vec::<ConnectField>::new());
    let submitted = RwSignal::new(false);
    let found = Memo::new(move |_| draft.with(problems));
    let is_web = move || draft.with(|d| d.api == DeviceApi::WebApi);
    let busy = move || testing.get() || saving.get();
    let error_of = move |field: ConnectField| {
        Signal::derive(move || {
            let shown = submitted.get() || touched.with(|t| t.contains(&field));
            shown
                .then(|| found.with(|f| problem_of(f, field)))
                .flatten()
                .map(|p| p.message().to_owned())
        })
    };
    let touch = move |field: ConnectField| {
        move |_: leptos::ev::FocusEvent| {
            touched.update(|t| {
                if !t.contains(&field) {
                    t.push(field);
                }
            })
        }
    };
    let invalid = move |field: ConnectField| {
        let error = error_of(field);
        move || error.with(Option::is_some).then_some("true")
    };
    let described = move |field: ConnectField, hint: Option<&'static str>| {
        let error = error_of(field);
        move || {
            let ids: Vec<&str> = hint
                .into_iter()
                .chain(error.with(Option::is_some).then_some(field.error_id()))
                .collect();
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };

    // Checks the draft first, so typos are explained without a round trip: every wrong field at
    // once, and the focus on the first of them.
    let submit = move |callback: Callback<DeviceRegistration>| {
        submitted.set(true);
        match draft.with(to_registration) {
            Ok(registration) => callback.run(registration),
            Err(wrong) => {
                if let Some(first) = wrong.first() {
                    focus_id(first.field().input_id());
                }
            }
        }
    };
    let summary = move || {
        let count = found.with(Vec::len);
        (submitted.get() && count > 0).then(|| match count {
            1 => "Please correct the marked field.".to_owned(),
            n => format!("Please correct the {n} marked fields."),
        })
    };
    let text_field = move |set: fn(&mut ConnectDraft, String)| {
        move |ev: leptos::ev::Event| {
            let value = event_target_value(&ev);
            draft.update(|d| set(d, value));
        }
    };
    let api_choice = move |api: DeviceApi| {
        view! {
            <label class="choice">
                <input type="radio" name="device-api"
                    prop:checked=move || draft.with(|d| d.api == api)
                    on:change=move |_| draft.update(|d| d.api = api) />
                <span>{api_label(api)}</span>
            </label>
        }
    };

    view! {
        // `novalidate`: the page explains every field itself, next to it, instead of the
        // browser's bubble that names one field at a time.
        <form class="connect-form" data-testid="connect-form" novalidate=true
            on:submit=move |ev| { ev.prevent_default(); submit(on_save); }>
            <h2>"Connect your Sesame"</h2>
            <p class="muted">
                "The box opens by itself when your lock ends. Your keys are stored encrypted on \
                 our server and are never shown again, not even to your keyholder."
            </p>
            <fieldset>
                <legend>"Which Sesame?"</legend>
                {api_choice(DeviceApi::WebApi)}
                {api_choice(DeviceApi::LegacyV3)}
            </fieldset>
            <div class="field">
                <label for=ConnectField::Nickname.input_id()>"Name (optional)"</label>
                <input type="text" maxlength="40" placeholder=DEFAULT_NICKNAME autocomplete="off"
                    id=ConnectField::Nickname.input_id() data-testid="device-nickname"
                    aria-invalid=invalid(ConnectField::Nickname)
                    aria-describedby=described(ConnectField::Nickname, None)
                    prop:value=move || draft.with(|d| d.nickname.clone())
                    on:blur=touch(ConnectField::Nickname)
                    on:input=text_field(|d, v| d.nickname = v) />
                <FieldError id=ConnectField::Nickname.error_id() testid="error-nickname"
                    message=error_of(ConnectField::Nickname) />
            </div>
            <div class="field">
                <label for=ConnectField::ApiKey.input_id()>"API key"</label>
                <input type="password" autocomplete="off" spellcheck="false" data-testid="api-key"
                    id=ConnectField::ApiKey.input_id() required=true
                    aria-invalid=invalid(ConnectField::ApiKey)
                    aria-describedby=described(ConnectField::ApiKey, None)
                    prop:value=move || draft.with(|d| d.api_key.clone())
                    on:blur=touch(ConnectField::ApiKey)
                    on:input=text_field(|d, v| d.api_key = v) />
                <FieldError id=ConnectField::ApiKey.error_id() testid="error-api-key"
                    message=error_of(ConnectField::ApiKey) />
            </div>
            <div class="field">
                <label for=ConnectField::DeviceId.input_id()>
                    {move || if is_web() { "Device UUID" } else { "Device id" }}
                </label>
                <input type="text" autocomplete="off" spellcheck="false" data-testid="device-id"
                    id=ConnectField::DeviceId.input_id() required=true
                    aria-invalid=invalid(ConnectField::DeviceId)
                    aria-describedby=described(ConnectField::DeviceId, None)
                    placeholder=move || is_web().then_some("12345678-1234-5678-1234-567812345678")
                    prop:value=move || draft.with(|d| d.device_id.clone())
                    on:blur=touch(ConnectField::DeviceId)
                    on:input=text_field(|d, v| d.device_id = v) />
                <FieldError id=ConnectField::DeviceId.error_id() testid="error-device-id"
                    message=error_of(ConnectField::DeviceId) />
            </div>
            <Show when=is_web>
                <div class="field">
                    <label for=ConnectField::Secret.input_id()>"Secret key or QR text"</label>
                    <input type="password" autocomplete="off" spellcheck="false" data-testid="device-secret"
                        id=ConnectField::Secret.input_id() required=true
                        aria-invalid=invalid(ConnectField::Secret)
                        aria-describedby=described(ConnectField::Secret, Some("connect-secret-hint"))
                        prop:value=move || draft.with(|d| d.secret.clone())
                        on:blur=touch(ConnectField::Secret)
                        on:input=text_field(|d, v| d.secret = v) />
                    <FieldError id=ConnectField::Secret.error_id() testid="error-secret"
                        message=error_of(ConnectField::Secret) />
                    <p class="muted hint" id="connect-secret-hint">
                        "32 characters 0–9 and a–f, or the text of the owner's key-share QR code \
                         (it starts with ssm://). A guest key cannot open the box."
                    </p>
                </div>
                <label class="field">
                    <span>"Model (for a 32-character secret; a QR code names its own)"</span>
                    <select data-testid="device-model"
                        on:change=text_field(|d, v| d.model = v)>
                        <option value="" selected=true>"A SESAME lock (3, 4, 5, 6, MIWA)"</option>
                        {api_types::SESAME_MODELS.iter().map(|m| view! {
                            <option value=*m>{*m}</option>
                        }).collect_view()}
                    </select>
                </label>
            </Show>
            <p class="notice notice-error" data-testid="form-problem" role="alert"
                hidden=move || summary().is_none()>
                {summary}
            </p>
            // One live region that stays, so every new test result is read out.
            <div role="status" aria-live="polite">
                {move || test_feedback.get().map(|feedback| view! {
                    <p class=format!("notice {}", feedback.class) data-testid="test-result">
                        {feedback.text}
                    </p>
                })}
            </div>
            {move || save_error.get().map(|error| view! { <ErrorPanel error testid="save-error" /> })}
            <div class="actions">
                <button class="button" type="button" data-testid="test-connection"
                    disabled=busy on:click=move |_| submit(on_test)>
                    {move || if testing.get() { "Testing…" } else { "Test connection" }}
                </button>
                <button class="button button-primary" type="submit" data-testid="save-device"
                    disabled=busy>
                    {move || if saving.get() { "Saving…" } else { "Save" }}
                </button>
                {on_cancel.map(|cancel| view! {
                    <button class="button button-quiet" type="button"
                        on:click=move |_| cancel.run(())>"Cancel"</button>
                })}
            </div>
        </form>
    }
}
