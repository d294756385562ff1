//! Layout of the configuration form. Pure: the draft and the save state come in through props.

use super::form::{
    penalty_from_value, penalty_help, penalty_value, problem_of, problems, ConfigDraft,
    ConfigField, LOW_BATTERY_PERCENT, MAX_BOUND_HOURS,
};
use crate::i18n::{t, PageMsg};
use crate::ui::FieldError;
use api_types::PenaltyKind;
use leptos::prelude::*;

/// Where the last save stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SaveState {
    Idle,
    Saving,
    Saved,
    /// Why it failed, in a sentence.
    Failed(String),
}

impl SaveState {
    fn name(&self) -> &'static str {
        match self {
            SaveState::Idle => "idle",
            SaveState::Saving => "saving",
            SaveState::Saved => "saved",
            SaveState::Failed(_) => "failed",
        }
    }

    fn text(&self) -> &'static str {
        match self {
            SaveState::Idle => t(PageMsg::ConfigSaveIdle),
            SaveState::Saving => t(PageMsg::ConfigSaveSaving),
            SaveState::Saved => t(PageMsg::ConfigSaveSaved),
            SaveState::Failed(_) => t(PageMsg::ConfigSaveFailed),
        }
    }
}

/// The keyholder's policy form.
#[component]
pub fn ConfigForm(
    /// What the form shows; edited in place.
    draft: RwSignal<ConfigDraft>,
    /// True when a running lock is edited, false while a lock is being created.
    editing_running_session: bool,
    /// Where the last save stands.
    state: Signal<SaveState>,
    /// True once a save was asked for: then every field shows its error.
    submitted: Signal<bool>,
) -> impl IntoView {
    let checkbox = move |testid: &'static str,
                         label: &'static str,
                         help: &'static str,
                         read: fn(&ConfigDraft) -> bool,
                         write: fn(&mut ConfigDraft, bool)| {
        let help_id = format!("{testid}-help");
        view! {
            <div class="choice-block">
                <label class="choice choice-check">
                    <input type="checkbox" data-testid=testid aria-describedby=help_id.clone()
                        prop:checked=move || draft.with(read)
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            draft.update(|d| write(d, on));
                        } />
                    <span>{label}</span>
                </label>
                <p class="muted hint" id=help_id>{help}</p>
            </div>
        }
    };
    // A field shows its error once it was left (or Save was pressed), then follows every key.
    let touched = RwSignal::new(Vec::<ConfigField>::new());
    let found = Memo::new(move |_| draft.with(problems));
    let error_of = move |field: ConfigField| {
        Signal::derive(move || {
            let shown = submitted.get() || touched.with(|t| t.contains(&field));
            shown
                .then(|| found.with(|f| problem_of(f, field)))
                .flatten()
                .map(|p| p.message())
        })
    };
    let touch = move |field: ConfigField| {
        move |_: leptos::ev::FocusEvent| {
            touched.update(|t| {
                if !t.contains(&field) {
                    t.push(field);
                }
            })
        }
    };
    let invalid = move |field: ConfigField| {
        let error = error_of(field);
        move || error.with(Option::is_some).then_some("true")
    };
    let described = move |field: ConfigField, hint: &'static str| {
        let error = error_of(field);
        move || match error.with(Option::is_some) {
            true => format!("{hint} {}", field.error_id()),
            false => hint.to_owned(),
        }
    };
    // One box of the "Add time" duration.
    let duration_part = move |testid: &'static str,
                              id: &'static str,
                              unit: &'static str,
                              max: u32,
                              read: fn(&ConfigDraft) -> String,
                              write: fn(&mut ConfigDraft, String)| {
        view! {
            <label class="duration-part">
                <input type="number" inputmode="numeric" min="0" max=max step="1"
                    id=id data-testid=testid
                    aria-invalid=invalid(ConfigField::PenaltyDuration)
                    aria-describedby=described(ConfigField::PenaltyDuration, "cfg-penalty-help")
                    prop:value=move || draft.with(read)
                    on:blur=touch(ConfigField::PenaltyDuration)
                    on:input=move |ev| {
                        let typed = event_target_value(&ev);
                        draft.update(|d| write(d, typed));
                    } />
                <span>{unit}</span>
            </label>
        }
    };
    let adds_time = move || draft.with(|d| d.penalty_kind == PenaltyKind::AddTime);
    let holds_lock = move || {
        draft.with(|d| {
            matches!(
                d.penalty_kind,
                PenaltyKind::Freeze | PenaltyKind::BlockUnlocking
            )
        })
    };
    let freezes = move || draft.with(|d| d.penalty_kind == PenaltyKind::Freeze);
    let scope = if editing_running_session {
        t(PageMsg::ConfigScopeRunning)
    } else {
        t(PageMsg::ConfigScopeCreating)
    };
    let error = move || match state.get() {
        SaveState::Failed(reason) => Some(reason),
        _ => None,
    };

    view! {
        <form class="card config-form" data-testid="config-form"
            on:submit=move |ev| ev.prevent_default()>
            <h1>{t(PageMsg::ConfigTitle)}</h1>
            <p class="muted">{scope}</p>
            <fieldset>
                <legend>{t(PageMsg::ConfigOpenLegend)}</legend>
                {checkbox("cfg-open-on-release", t(PageMsg::ConfigOpenOnRelease),
                    t(PageMsg::ConfigOpenOnReleaseHelp),
                    |d| d.open_on_release, |d, on| d.open_on_release = on)}
                {checkbox("cfg-open-for-hygiene", t(PageMsg::ConfigOpenForHygiene),
                    t(PageMsg::ConfigOpenForHygieneHelp),
                    |d| d.open_for_hygiene, |d, on| d.open_for_hygiene = on)}
                <p class="muted" data-testid="cfg-deserted-note">
                    {t(PageMsg::ConfigDesertedNote)}
                </p>
                <p class="muted">
                    {t(PageMsg::ConfigOneLockNote)}
                </p>
            </fieldset>
            <fieldset>
                <legend>{t(PageMsg::ConfigPenaltyLegend)}</legend>
                <div class="field">
                    <label for="cfg-penalty-kind">{t(PageMsg::ConfigPenaltyLabel)}</label>
                    <select data-testid="cfg-penalty-kind" id="cfg-penalty-kind"
                        aria-describedby="cfg-penalty-kind-help"
                        prop:value=move || draft.with(|d| penalty_value(d.penalty_kind))
                        on:change=move |ev| {
                            let kind = penalty_from_value(&event_target_value(&ev));
                            draft.update(|d| d.penalty_kind = kind);
                        }>
                        <option value="none">{t(PageMsg::ConfigPenaltyNone)}</option>
                        <option value="add_time">{t(PageMsg::ConfigPenaltyAddTime)}</option>
                        <option value="freeze">{t(PageMsg::ConfigPenaltyFreeze)}</option>
                        <option value="block_unlocking">{t(PageMsg::ConfigPenaltyBlock)}</option>
                    </select>
                    <p class="muted hint" id="cfg-penalty-kind-help" data-testid="cfg-penalty-help">
                        {move || draft.with(|d| penalty_help(d.penalty_kind))}
                    </p>
                </div>
                <Show when=freezes>
                    <p class="muted" data-testid="cfg-freeze-self-lock">
                        {t(PageMsg::ConfigFreezeSelfLock)}
                    </p>
                </Show>
                <Show when=holds_lock>
                    <div class="field">
                        <label for=ConfigField::BoundHours.input_id()>
                            {t(PageMsg::ConfigBoundLabel)}
                        </label>
                        <input type="number" inputmode="numeric" min="1" max=MAX_BOUND_HOURS
                            step="1" data-testid="cfg-penalty-bound-hours"
                            id=ConfigField::BoundHours.input_id()
                            aria-invalid=invalid(ConfigField::BoundHours)
                            aria-describedby=described(ConfigField::BoundHours, "cfg-penalty-kind-help")
                            prop:value=move || draft.with(|d| d.penalty_bound_hours.clone())
                            on:blur=touch(ConfigField::BoundHours)
                            on:input=move |ev| {
                                let typed = event_target_value(&ev);
                                draft.update(|d| d.penalty_bound_hours = typed);
                            } />
                        <FieldError id=ConfigField::BoundHours.error_id() testid="cfg-bound-error"
                            message=error_of(ConfigField::BoundHours) />
                    </div>
                </Show>
                <Show when=adds_time>
                    <fieldset class="duration" data-testid="cfg-penalty-duration">
                        <legend>{t(PageMsg::ConfigDurationLegend)}</legend>
                        <p class="muted hint" id="cfg-penalty-help">{t(PageMsg::ConfigDurationHelp)}</p>
                        <div class="duration-parts">
                            {duration_part("cfg-penalty-days", "cfg-penalty-days", t(PageMsg::ConfigDays), 7,
                                |d| d.penalty_days.clone(), |d, v| d.penalty_days = v)}
                            {duration_part("cfg-penalty-hours", "cfg-penalty-hours", t(PageMsg::ConfigHours), 23,
                                |d| d.penalty_hours.clone(), |d, v| d.penalty_hours = v)}
                            {duration_part("cfg-penalty-minutes", "cfg-penalty-minutes", t(PageMsg::ConfigMinutes), 59,
                                |d| d.penalty_minutes.clone(), |d, v| d.penalty_minutes = v)}
                        </div>
                        <FieldError id=ConfigField::PenaltyDuration.error_id()
                            testid="cfg-penalty-error"
                            message=error_of(ConfigField::PenaltyDuration) />
                    </fieldset>
                </Show>
            </fieldset>
            <fieldset>
                <legend>{t(PageMsg::ConfigWearerLegend)}</legend>
                {checkbox("cfg-wearer-may-lock", t(PageMsg::ConfigWearerMayLock),
                    t(PageMsg::ConfigWearerMayLockHelp),
                    |d| d.wearer_may_lock, |d, on| d.wearer_may_lock = on)}
                <div class="field">
                    <label for=ConfigField::LowBattery.input_id()>
                        {t(PageMsg::ConfigBatteryLabel)}
                    </label>
                    <input type="number" inputmode="numeric" step="1"
                        min=*LOW_BATTERY_PERCENT.start() max=*LOW_BATTERY_PERCENT.end()
                        id=ConfigField::LowBattery.input_id() data-testid="cfg-low-battery"
                        aria-invalid=invalid(ConfigField::LowBattery)
                        aria-describedby=described(ConfigField::LowBattery, "cfg-battery-help")
                        prop:value=move || draft.with(|d| d.low_battery_percent.clone())
                        on:blur=touch(ConfigField::LowBattery)
                        on:input=move |ev| {
                            let typed = event_target_value(&ev);
                            draft.update(|d| d.low_battery_percent = typed);
                        } />
                    <p class="muted hint" id="cfg-battery-help">
                        {t(PageMsg::ConfigBatteryHelp)}
                    </p>
                    <FieldError id=ConfigField::LowBattery.error_id() testid="cfg-battery-error"
                        message=error_of(ConfigField::LowBattery) />
                </div>
            </fieldset>
            <p class="muted">
                {t(PageMsg::ConfigPublicNote)}
            </p>
            {move || error().map(|reason| view! {
                <p class="notice notice-error" data-testid="config-error" role="alert">{reason}</p>
            })}
            <p class=move || format!("save-status save-{}", state.with(SaveState::name))
                data-testid="config-save-status" data-state=move || state.with(SaveState::name)
                role="status" aria-live="polite">
                {move || state.with(SaveState::text)}
            </p>
        </form>
    }
}
