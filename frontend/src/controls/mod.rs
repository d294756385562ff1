//! The keyholder's controls: add or remove time, freeze, hygiene opening, end the open-box
//! penalty.
//! [`ControlsPanel`] is pure: the page or dashboard card that shows it runs the controls, so the
//! same panel works with a mainToken (iframe) and with the dashboard's cookie and CSRF token.

pub mod mapper;

use crate::api::Control;
use crate::confirm::{self, ConfirmSlot, Confirmable};
use crate::device::mapper::Feedback;
use crate::i18n::{t, Msg};
use leptos::prelude::*;
use mapper::{custom_seconds, progress_text, Preset, TimeUnit, ADD_PRESETS, REMOVE_PRESETS};

/// Add/remove time (presets and a custom amount), freeze or unfreeze, hygiene opening; with a
/// confirmation before the destructive ones, progress while waiting and the result after.
#[component]
pub fn ControlsPanel(
    /// Whether the lock is frozen now: shows "Unfreeze" instead of "Freeze".
    frozen: Signal<bool>,
    /// The control on its way, if any; every button waits meanwhile.
    pending: Signal<Option<Control>>,
    /// What the last control did.
    feedback: Signal<Option<Feedback>>,
    /// The page's confirmation slot, shared with the box panel.
    confirm: ConfirmSlot,
    /// Runs a control (after confirmation where needed).
    on_control: Callback<Control>,
) -> impl IntoView {
    let busy = move || pending.get().is_some();
    let ask = move |control: Control| {
        confirm::request(confirm, Confirmable::Control(control), || {
            on_control.run(control)
        });
    };
    let preset = move |preset: Preset| {
        let class = if preset.seconds < 0 {
            "button button-quiet"
        } else {
            "button"
        };
        view! {
            <button class=class type="button" data-testid=preset.testid disabled=busy
                on:click=move |_| ask(Control::ChangeTime { seconds: preset.seconds })>
                {preset.label}
            </button>
        }
    };
    let custom_value = RwSignal::new(String::new());
    let custom_unit = RwSignal::new(TimeUnit::default());
    let custom_problem = RwSignal::new(None::<&'static str>);
    let custom = move |remove: bool| match custom_seconds(
        &custom_value.get_untracked(),
        custom_unit.get_untracked(),
        remove,
    ) {
        Ok(seconds) => {
            custom_problem.set(None);
            ask(Control::ChangeTime { seconds });
        }
        Err(problem) => custom_problem.set(Some(problem.message())),
    };
    let run_confirmed = Callback::new(move |action| {
        if let Confirmable::Control(control) = action {
            on_control.run(control);
        }
    });

    view! {
        <section class="card controls" data-testid="controls" aria-labelledby="controls-heading">
            <h2 id="controls-heading">{t(Msg::ControlsTitle)}</h2>
            <div class="control-group">
                <span class="label">{t(Msg::ControlsAddTime)}</span>
                <div class="actions">{ADD_PRESETS.into_iter().map(preset).collect_view()}</div>
            </div>
            <div class="control-group">
                <span class="label">{t(Msg::ControlsRemoveTime)}</span>
                <div class="actions">{REMOVE_PRESETS.into_iter().map(preset).collect_view()}</div>
            </div>
            <div class="control-group">
                <span class="label">{t(Msg::ControlsOtherAmount)}</span>
                <div class="custom-time">
                    <input type="number" inputmode="numeric" min="1" step="1" placeholder="30"
                        aria-label=t(Msg::ControlsAmount) data-testid="custom-time-value"
                        prop:value=move || custom_value.get()
                        on:input=move |ev| custom_value.set(event_target_value(&ev)) />
                    <select aria-label=t(Msg::ControlsUnit) data-testid="custom-time-unit"
                        prop:value=move || custom_unit.get().value()
                        on:change=move |ev| {
                            custom_unit.set(TimeUnit::from_value(&event_target_value(&ev)))
                        }>
                        <option value="minutes">{t(Msg::ControlsMinutes)}</option>
                        <option value="hours">{t(Msg::ControlsHours)}</option>
                        <option value="days">{t(Msg::ControlsDays)}</option>
                    </select>
                    <button class="button" type="button" data-testid="custom-time-add"
                        disabled=busy on:click=move |_| custom(false)>{t(Msg::ControlsAdd)}</button>
                    <button class="button button-quiet" type="button"
                        data-testid="custom-time-remove"
                        disabled=busy on:click=move |_| custom(true)>{t(Msg::ControlsRemove)}</button>
                </div>
                {move || custom_problem.get().map(|problem| view! {
                    <p class="notice notice-error" data-testid="custom-time-problem" role="alert">
                        {problem}
                    </p>
                })}
            </div>
            <div class="actions">
                <Show
                    when=move || frozen.get()
                    fallback=move || view! {
                        <button class="button" type="button" data-testid="freeze" disabled=busy
                            on:click=move |_| ask(Control::SetFrozen(true))>{t(Msg::ControlsFreeze)}</button>
                    }
                >
                    <button class="button" type="button" data-testid="unfreeze" disabled=busy
                        on:click=move |_| ask(Control::SetFrozen(false))>{t(Msg::ControlsUnfreeze)}</button>
                </Show>
                <button class="button" type="button" data-testid="hygiene-opening" disabled=busy
                    on:click=move |_| ask(Control::HygieneOpening)>{t(Msg::ControlsHygieneOpening)}</button>
                <button class="button button-quiet" type="button" data-testid="clear-penalty"
                    disabled=busy title=t(Msg::ControlsEndPenaltyHint)
                    on:click=move |_| ask(Control::ClearPenalty)>{t(Msg::ControlsEndPenalty)}</button>
            </div>
            {confirm::confirm_view(confirm, |action| matches!(action, Confirmable::Control(_)),
                run_confirmed)}
            {move || match pending.get() {
                Some(control) => view! {
                    <p class="notice progress" data-testid="control-progress" role="status">
                        <span class="spinner" aria-hidden="true"></span>
                        {progress_text(control)}
                    </p>
                }
                .into_any(),
                None => feedback.get().map(|feedback| view! {
                    <p class=format!("notice {}", feedback.class) data-testid="control-result"
                        role="status">
                        {feedback.text}
                    </p>
                })
                .into_any(),
            }}
        </section>
    }
}
