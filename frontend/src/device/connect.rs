//! The wearer's form to connect (or replace) their Sesame. It holds only what is being typed;
//! testing and saving go through the callbacks of the entry component.

use super::{
    form::{to_registration, ConnectDraft, DraftProblem, DEFAULT_NICKNAME},
    mapper::{api_label, Feedback},
};
use crate::ui::ErrorPanel;
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
    let problem = RwSignal::new(None::<DraftProblem>);
    let is_web = move || draft.with(|d| d.api == DeviceApi::WebApi);
    let busy = move || testing.get() || saving.get();

    // Checks the draft first, so a typo is explained without a round trip.
    let submit = move |callback: Callback<DeviceRegistration>| match draft.with(to_registration) {
        Ok(registration) => {
            problem.set(None);
            callback.run(registration);
        }
        Err(found) => problem.set(Some(found)),
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
        <form class="connect-form" data-testid="connect-form"
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
            <label class="field">
                <span>"Name"</span>
                <input type="text" maxlength="40" placeholder=DEFAULT_NICKNAME autocomplete="off"
                    prop:value=move || draft.with(|d| d.nickname.clone())
                    on:input=text_field(|d, v| d.nickname = v) />
            </label>
            <label class="field">
                <span>"API key"</span>
                <input type="password" autocomplete="off" spellcheck="false" data-testid="api-key"
                    prop:value=move || draft.with(|d| d.api_key.clone())
                    on:input=text_field(|d, v| d.api_key = v) />
            </label>
            <label class="field">
                <span>{move || if is_web() { "Device UUID" } else { "Device id" }}</span>
                <input type="text" autocomplete="off" spellcheck="false" data-testid="device-id"
                    placeholder=move || is_web().then_some("12345678-1234-5678-1234-567812345678")
                    prop:value=move || draft.with(|d| d.device_id.clone())
                    on:input=text_field(|d, v| d.device_id = v) />
            </label>
            <Show when=is_web>
                <label class="field">
                    <span>"Secret key or QR text"</span>
                    <input type="password" autocomplete="off" spellcheck="false" data-testid="device-secret"
                        prop:value=move || draft.with(|d| d.secret.clone())
                        on:input=text_field(|d, v| d.secret = v) />
                    <small class="muted">
                        "32 characters 0–9 and a–f, or the text of the owner's key-share QR code \
                         (it starts with ssm://). A guest key cannot open the box."
                    </small>
                </label>
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
            {move || problem.get().map(|p| view! {
                <p class="notice notice-error" data-testid="form-problem" role="alert">{p.message()}</p>
            })}
            {move || test_feedback.get().map(|feedback| view! {
                <p class=format!("notice {}", feedback.class) data-testid="test-result" role="status">
                    {feedback.text}
                </p>
            })}
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
