//! The wearer's guided flow to connect (or replace) their Sesame: which Sesame, the API key,
//! the Sesame's key (a screenshot of the owner QR code, read in the page, or typed), then the
//! test and "Connect". It holds only what is being entered; testing and saving go through the
//! callbacks of the entry component.

use super::{
    form::{
        problem_of, problems, to_registration, ConnectDraft, ConnectField, DEFAULT_NICKNAME,
        MODEL_CHOICES,
    },
    guide::{qr_message, TestReport},
    qr::{read_qr, QrProblem},
};
use crate::i18n::{t, tf, Msg, PageMsg};
use crate::ui::{focus_id, ErrorPanel, FieldError};
use api_types::{ApiError, DeviceApi, DeviceRegistration};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

/// Where CANDY HOUSE shows the API key, and each Sesame's UUID and secret key.
const BIZ_URL: &str = "https://biz.candyhouse.co/";
/// The original Sesame's dashboard (its API keys and device ids).
const MY_URL: &str = "https://my.candyhouse.co/";

/// The connect flow, in numbered steps on one form.
#[component]
pub fn ConnectForm(
    /// Called with checked details when "Test connection" is pressed.
    on_test: Callback<DeviceRegistration>,
    /// Called with checked details when "Connect this box" is pressed.
    on_save: Callback<DeviceRegistration>,
    /// True while a test is on its way.
    testing: Signal<bool>,
    /// True while the details are being saved.
    saving: Signal<bool>,
    /// What the last test checked and found.
    test_report: Signal<Option<TestReport>>,
    /// Why the last save failed, if it did.
    save_error: Signal<Option<ApiError>>,
    /// "Cancel": back to the main page, nothing saved.
    on_cancel: Callback<()>,
) -> impl IntoView {
    let draft = RwSignal::new(ConnectDraft::default());
    // A field shows its error once it was left (or the form was sent), then follows every key.
    let touched = RwSignal::new(Vec::<ConnectField>::new());
    let submitted = RwSignal::new(false);
    let found = Memo::new(move |_| draft.with(problems));
    let is_web = move || draft.with(|d| d.api() == DeviceApi::WebApi);
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
    let on_leave = Callback::new(move |field: ConnectField| {
        touched.update(|t| {
            if !t.contains(&field) {
                t.push(field);
            }
        })
    });

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
            1 => t(PageMsg::ConnectProblemOne).to_owned(),
            n => tf(PageMsg::ConnectProblemMany, &[("count", &n.to_string())]),
        })
    };
    // The screenshot is read here, in the page; only its text is sent, as typed QR text would be.
    let reading = RwSignal::new(false);
    let qr_result = RwSignal::new(None::<Result<String, QrProblem>>);
    let on_upload = move |ev: leptos::ev::Event| {
        let file = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|input| input.files())
            .and_then(|files| files.get(0));
        let Some(file) = file else { return };
        reading.set(true);
        qr_result.set(None);
        spawn_local(async move {
            let result = read_qr(file).await;
            if let Ok(text) = &result {
                if super::form::is_qr_text(text) {
                    // The code names its Sesame: a UUID typed earlier would only contradict it.
                    let text = text.clone();
                    draft.try_update(|d| {
                        d.secret = text;
                        d.device_id.clear();
                    });
                }
            }
            reading.try_set(false);
            qr_result.try_set(Some(result));
        });
    };
    let qr_status = move || {
        if reading.get() {
            return Some((t(PageMsg::ConnectQrReading), "notice progress"));
        }
        qr_result
            .with(|r| r.as_ref().map(qr_message))
            .map(|(text, class)| {
                (
                    text,
                    if class == "notice-success" {
                        "notice notice-success"
                    } else {
                        "notice notice-error"
                    },
                )
            })
    };

    let model_options = MODEL_CHOICES
        .iter()
        .enumerate()
        .map(|(i, choice)| view! { <option value=i.to_string()>{choice.label.text()}</option> })
        .collect_view();

    view! {
        // `novalidate`: the page explains every field itself, next to it, instead of the
        // browser's bubble that names one field at a time.
        <form class="connect-form" data-testid="connect-form" novalidate=true
            on:submit=move |ev| { ev.prevent_default(); submit(on_save); }>
            <h2>{t(Msg::ConnectTitle)}</h2>
            <p class="muted">{t(Msg::ConnectIntro)}</p>
            <ol class="steps">
                <li class="step" data-testid="step-model">
                    <h3>{t(PageMsg::ConnectStepModel)}</h3>
                    <div class="field">
                        <label for="connect-model">{t(PageMsg::ConnectModelLabel)}</label>
                        <select id="connect-model" data-testid="device-model"
                            aria-describedby="connect-model-hint"
                            on:change=move |ev| {
                                let choice = event_target_value(&ev).parse::<usize>().ok();
                                draft.update(|d| d.choice = choice);
                            }>
                            <option value="" selected=true>{t(PageMsg::ConnectModelChoose)}</option>
                            {model_options}
                        </select>
                        <p class="muted hint" id="connect-model-hint">{t(PageMsg::ConnectModelHint)}</p>
                    </div>
                    <DraftField field=ConnectField::Nickname label=t(PageMsg::ConnectNicknameLabel)
                        draft read=|d| d.nickname.clone() write=|d, v| d.nickname = v
                        error=error_of(ConnectField::Nickname) on_leave
                        maxlength="40" placeholder=Some(DEFAULT_NICKNAME) />
                </li>
                <li class="step" data-testid="step-api-key">
                    <h3>{t(PageMsg::ConnectStepApiKey)}</h3>
                    <p class="muted hint" id="connect-api-key-hint">
                        {move || if is_web() {
                            view! {
                                {t(PageMsg::ConnectApiKeyHintBefore)} " "
                                <a href=BIZ_URL target="_blank" rel="noopener noreferrer">"biz.candyhouse.co"</a>
                                " " {t(PageMsg::ConnectApiKeyHintAfter)}
                            }.into_any()
                        } else {
                            view! {
                                {t(PageMsg::ConnectApiKeyOriginalBefore)} " "
                                <a href=MY_URL target="_blank" rel="noopener noreferrer">"my.candyhouse.co"</a>
                                " " {t(PageMsg::ConnectApiKeyOriginalAfter)}
                            }.into_any()
                        }}
                    </p>
                    <DraftField field=ConnectField::ApiKey label=t(PageMsg::ConnectApiKeyLabel)
                        draft read=|d| d.api_key.clone() write=|d, v| d.api_key = v
                        error=error_of(ConnectField::ApiKey) on_leave
                        password=true required=true hint="connect-api-key-hint" />
                </li>
                <li class="step" data-testid="step-key">
                    <Show when=is_web fallback=move || view! {
                        <h3>{t(PageMsg::ConnectStepDeviceId)}</h3>
                        <p class="muted hint" id="connect-device-id-hint">
                            {t(PageMsg::ConnectDeviceIdHintBefore)} " " <a href=MY_URL target="_blank" rel="noopener noreferrer">"my.candyhouse.co"</a> " " {t(PageMsg::ConnectDeviceIdHintAfter)}
                        </p>
                    }>
                        <h3>{t(PageMsg::ConnectStepKey)}</h3>
                        <p class="muted hint" id="connect-qr-hint">{t(PageMsg::ConnectQrHint)}</p>
                        <div class="field">
                            <label for="connect-qr">{t(PageMsg::ConnectQrLabel)}</label>
                            <input type="file" accept="image/*" id="connect-qr" data-testid="qr-upload"
                                aria-describedby="connect-qr-hint" disabled=reading
                                on:change=on_upload />
                        </div>
                        <div role="status" aria-live="polite">
                            {move || qr_status().map(|(text, class)| view! {
                                <p class=class data-testid="qr-result">{text}</p>
                            })}
                        </div>
                        <p class="muted hint" id="connect-secret-hint">
                            {t(PageMsg::ConnectTypeHintBefore)} " " <a href=BIZ_URL target="_blank" rel="noopener noreferrer">"biz.candyhouse.co"</a> " " {t(PageMsg::ConnectTypeHintAfter)}
                        </p>
                    </Show>
                    <DraftField field=ConnectField::DeviceId
                        label=Signal::derive(move || t(if is_web() { PageMsg::ConnectUuidLabel } else { PageMsg::ConnectDeviceIdLabel }))
                        draft read=|d| d.device_id.clone() write=|d, v| d.device_id = v
                        error=error_of(ConnectField::DeviceId) on_leave
                        placeholder=Signal::derive(move || is_web().then_some("12345678-1234-5678-1234-567812345678")) />
                    <Show when=is_web>
                        <DraftField field=ConnectField::Secret label=t(PageMsg::ConnectSecretLabel)
                            draft read=|d| d.secret.clone() write=|d, v| d.secret = v
                            error=error_of(ConnectField::Secret) on_leave
                            password=true required=true hint="connect-secret-hint" />
                    </Show>
                </li>
                <li class="step" data-testid="step-test">
                    <h3>{t(PageMsg::ConnectStepTest)}</h3>
                    <p class="muted hint">
                        {move || t(if is_web() { PageMsg::ConnectTestHintWeb } else { PageMsg::ConnectTestHintOriginal })}
                    </p>
                    <p class="notice notice-error" data-testid="form-problem" role="alert"
                        hidden=move || summary().is_none()>
                        {summary}
                    </p>
                    // One live region that stays, so every new test result is read out.
                    <div role="status" aria-live="polite">
                        {move || test_report.get().map(|report| view! {
                            <div class=format!("notice {}", report.class) data-testid="test-result">
                                <p>{report.headline}</p>
                                {(!report.checks.is_empty()).then(|| view! {
                                    <ul class="checks">
                                        {report.checks.into_iter().map(|check| view! { <li>{check}</li> }).collect_view()}
                                    </ul>
                                })}
                            </div>
                        })}
                    </div>
                    {move || save_error.get().map(|error| view! { <ErrorPanel error testid="save-error" /> })}
                    <div class="actions">
                        <button class="button" type="button" data-testid="test-connection"
                            disabled=busy on:click=move |_| submit(on_test)>
                            {move || t(if testing.get() { PageMsg::ConnectTesting } else { PageMsg::ConnectTest })}
                        </button>
                        <button class="button button-primary" type="submit" data-testid="save-device"
                            disabled=busy>
                            {move || t(if saving.get() { PageMsg::ConnectSaving } else { PageMsg::ConnectSave })}
                        </button>
                        <button class="button button-quiet" type="button" data-testid="cancel-connect"
                            on:click=move |_| on_cancel.run(())>{t(PageMsg::ConnectCancel)}</button>
                    </div>
                </li>
            </ol>
        </form>
    }
}

/// One typed field of the draft: its label, the input, the error under it, and the ARIA links
/// between them (`aria-invalid`, `aria-describedby` naming the hint and the error).
#[component]
fn DraftField(
    field: ConnectField,
    #[prop(into)] label: Signal<&'static str>,
    draft: RwSignal<ConnectDraft>,
    /// The draft's value of this field.
    read: fn(&ConnectDraft) -> String,
    /// Stores what was typed.
    write: fn(&mut ConnectDraft, String),
    /// What is wrong with the field, once it is shown.
    error: Signal<Option<String>>,
    /// Called when the field is left: its error shows from then on.
    on_leave: Callback<ConnectField>,
    /// A secret: typed unseen.
    #[prop(optional)]
    password: bool,
    #[prop(optional)] required: bool,
    /// The id of the hint above the field, which the field names too.
    #[prop(optional)]
    hint: Option<&'static str>,
    #[prop(optional, into)] placeholder: Signal<Option<&'static str>>,
    #[prop(optional)] maxlength: Option<&'static str>,
) -> impl IntoView {
    let (testid, error_testid) = testids(field);
    let described = move || {
        let ids: Vec<&str> = hint
            .into_iter()
            .chain(error.with(Option::is_some).then_some(field.error_id()))
            .collect();
        (!ids.is_empty()).then(|| ids.join(" "))
    };
    view! {
        <div class="field">
            <label for=field.input_id()>{label}</label>
            <input type=if password { "password" } else { "text" } autocomplete="off"
                spellcheck="false" id=field.input_id() data-testid=testid required=required
                maxlength=maxlength placeholder=placeholder
                aria-invalid=move || error.with(Option::is_some).then_some("true")
                aria-describedby=described
                prop:value=move || draft.with(read)
                on:blur=move |_| on_leave.run(field)
                on:input=move |ev| {
                    let value = event_target_value(&ev);
                    draft.update(|d| write(d, value));
                } />
            <FieldError id=field.error_id() testid=error_testid message=error />
        </div>
    }
}

/// The `data-testid`s of a field's input and of its error.
fn testids(field: ConnectField) -> (&'static str, &'static str) {
    match field {
        ConnectField::Nickname => ("device-nickname", "error-nickname"),
        ConnectField::ApiKey => ("api-key", "error-api-key"),
        ConnectField::DeviceId => ("device-id", "error-device-id"),
        ConnectField::Secret => ("device-secret", "error-secret"),
    }
}
