//! Layout of the configuration form. Pure: the draft and the save state come in through props.

use super::form::{
    penalty_from_value, penalty_value, ConfigDraft, LOW_BATTERY_PERCENT, MAX_BOUND_HOURS,
    MAX_PENALTY_MINUTES,
};
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
            SaveState::Idle => "Save with the Save button of this window.",
            SaveState::Saving => "Saving…",
            SaveState::Saved => "Saved.",
            SaveState::Failed(_) => "Not saved.",
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
) -> impl IntoView {
    let checkbox = move |testid: &'static str,
                         label: &'static str,
                         read: fn(&ConfigDraft) -> bool,
                         write: fn(&mut ConfigDraft, bool)| {
        view! {
            <label class="choice choice-check">
                <input type="checkbox" data-testid=testid
                    prop:checked=move || draft.with(read)
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        draft.update(|d| write(d, on));
                    } />
                <span>{label}</span>
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
        "Changes apply to the running lock."
    } else {
        "These settings apply to the lock you are creating."
    };
    let error = move || match state.get() {
        SaveState::Failed(reason) => Some(reason),
        _ => None,
    };

    view! {
        <form class="card config-form" data-testid="config-form"
            on:submit=move |ev| ev.prevent_default()>
            <h1>"Sesame opener settings"</h1>
            <p class="muted">{scope}</p>
            <fieldset>
                <legend>"Open the key box"</legend>
                {checkbox("cfg-open-on-release", "When the lock is released",
                    |d| d.open_on_release, |d, on| d.open_on_release = on)}
                {checkbox("cfg-open-for-hygiene", "For hygiene openings (locked again afterwards)",
                    |d| d.open_for_hygiene, |d, on| d.open_for_hygiene = on)}
                <p class="muted" data-testid="cfg-deserted-note">
                    "If the lock is deserted, the box stays shut and opens by itself 7 days \
                     later, when Chaster gives the combination back. Until then nobody can \
                     open it through this extension, the keyholder included."
                </p>
                <p class="muted">
                    "The box belongs to one running lock at a time. When that lock ends, the \
                     wearer can open, lock or change the box from the extension's page."
                </p>
            </fieldset>
            <fieldset>
                <legend>"If the box is found open during the lock"</legend>
                <label class="field">
                    <span>"Penalty"</span>
                    <select data-testid="cfg-penalty-kind"
                        prop:value=move || draft.with(|d| penalty_value(d.penalty_kind))
                        on:change=move |ev| {
                            let kind = penalty_from_value(&event_target_value(&ev));
                            draft.update(|d| d.penalty_kind = kind);
                        }>
                        <option value="none">"No penalty"</option>
                        <option value="add_time">"Add time"</option>
                        <option value="freeze">"Freeze the lock"</option>
                        <option value="block_unlocking">"Block unlocking while the box is open"</option>
                    </select>
                </label>
                <Show when=freezes>
                    <p class="muted small" data-testid="cfg-freeze-self-lock">
                        "On a self-lock nobody could unfreeze the wearer, so there the box being \
                         open blocks unlocking instead."
                    </p>
                </Show>
                <Show when=holds_lock>
                    <label class="field">
                        <span>"Ends when the box is locked again, or at the latest after (hours)"</span>
                        <input type="number" inputmode="numeric" min="1" max=MAX_BOUND_HOURS
                            step="1" data-testid="cfg-penalty-bound-hours"
                            prop:value=move || draft.with(|d| d.penalty_bound_hours.clone())
                            on:input=move |ev| {
                                let typed = event_target_value(&ev);
                                draft.update(|d| d.penalty_bound_hours = typed);
                            } />
                    </label>
                </Show>
                <Show when=adds_time>
                    <label class="field">
                        <span>"Minutes to add"</span>
                        <input type="number" inputmode="numeric" min="1" max=MAX_PENALTY_MINUTES
                            step="1" data-testid="cfg-penalty-minutes"
                            prop:value=move || draft.with(|d| d.penalty_minutes.clone())
                            on:input=move |ev| {
                                let typed = event_target_value(&ev);
                                draft.update(|d| d.penalty_minutes = typed);
                            } />
                    </label>
                </Show>
            </fieldset>
            <fieldset>
                <legend>"Wearer and box"</legend>
                {checkbox("cfg-wearer-may-lock", "The wearer may lock the box themselves",
                    |d| d.wearer_may_lock, |d, on| d.wearer_may_lock = on)}
                <label class="field">
                    <span>"Warn when the battery is at or below (%)"</span>
                    <input type="number" inputmode="numeric" step="1"
                        min=*LOW_BATTERY_PERCENT.start() max=*LOW_BATTERY_PERCENT.end()
                        data-testid="cfg-low-battery"
                        prop:value=move || draft.with(|d| d.low_battery_percent.clone())
                        on:input=move |ev| {
                            let typed = event_target_value(&ev);
                            draft.update(|d| d.low_battery_percent = typed);
                        } />
                </label>
            </fieldset>
            <p class="muted small">
                "Everyone who can see the lock can read these settings; they hold no secret. \
                 The wearer connects the box from the extension's page once the lock runs."
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
