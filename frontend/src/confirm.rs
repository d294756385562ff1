//! Confirmation before a destructive action: an inline row under the buttons, never
//! `window.confirm` (which a sandboxed iframe may not show at all).
//!
//! One [`ConfirmSlot`] per page (or per dashboard card) holds the action waiting for a "Yes", so
//! only one question is open at a time and `confirm-yes` / `confirm-no` are unambiguous.

use crate::api::Control;
use crate::controls::mapper::duration_text;
use crate::device::mapper::Command;
use crate::i18n::{t, tf, Msg};
use crate::ui::focus_later;
use leptos::prelude::*;

/// The question's id; one question is open at a time per page (or per dashboard card, and the
/// row names only its own question).
const QUESTION_ID: &str = "confirm-question";

/// An action that may need a "Yes" first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Confirmable {
    Control(Control),
    Box(Command),
}

/// The action waiting for confirmation, shared by the panels of one page or card.
pub type ConfirmSlot = RwSignal<Option<Confirmable>>;

/// The question to ask and the label of the "Yes" button, for the actions that cannot simply be
/// taken back: removing time, freezing, a hygiene opening, opening the box.
pub fn question(action: Confirmable) -> Option<(String, &'static str)> {
    match action {
        Confirmable::Control(Control::ChangeTime { seconds }) if seconds < 0 => Some((
            tf(
                Msg::ConfirmRemoveTime,
                &[("amount", &duration_text(seconds))],
            ),
            t(Msg::ConfirmYesRemove),
        )),
        Confirmable::Control(Control::SetFrozen(true)) => {
            Some((t(Msg::ConfirmFreeze).to_owned(), t(Msg::ConfirmYesFreeze)))
        }
        Confirmable::Control(Control::HygieneOpening) => {
            Some((t(Msg::ConfirmHygiene).to_owned(), t(Msg::ConfirmYesStart)))
        }
        Confirmable::Box(Command::Open) => {
            Some((t(Msg::ConfirmOpen).to_owned(), t(Msg::ConfirmYesOpen)))
        }
        Confirmable::Control(_) | Confirmable::Box(Command::Lock) => None,
    }
}

/// Runs `action` at once, or puts it in `slot` to ask first.
pub fn request(slot: ConfirmSlot, action: Confirmable, run: impl FnOnce()) {
    if question(action).is_some() {
        slot.set(Some(action));
    } else {
        slot.set(None);
        run();
    }
}

/// The inline "Are you sure?" row. It takes the keyboard focus (on "Cancel", the safe answer),
/// Esc cancels, and either answer gives the focus back to the button that asked.
#[component]
pub fn ConfirmRow(
    /// What is about to happen, as a question.
    question: String,
    /// The label of the button that goes ahead.
    yes_label: &'static str,
    /// Called when the person goes ahead.
    on_yes: Callback<()>,
    /// Called when the person changes their mind.
    on_no: Callback<()>,
) -> impl IntoView {
    // Read before the focus moves in: the element that opened the question.
    let trigger = StoredValue::new_local(document().active_element());
    let give_back = move || {
        if let Some(trigger) = trigger.get_value() {
            focus_later(move || trigger.is_connected().then_some(trigger));
        }
    };
    let no_ref = NodeRef::<leptos::html::Button>::new();
    no_ref.on_load(|button| {
        let button: web_sys::Element = button.into();
        focus_later(move || Some(button));
    });
    let cancel = move || {
        on_no.run(());
        give_back();
    };
    view! {
        <div class="confirm" role="alertdialog" aria-labelledby=QUESTION_ID data-testid="confirm"
            on:keydown=move |ev| {
                if ev.key() == "Escape" {
                    ev.prevent_default();
                    cancel();
                }
            }>
            <p id=QUESTION_ID>{question}</p>
            <div class="actions">
                <button class="button button-danger" type="button" data-testid="confirm-yes"
                    on:click=move |_| { on_yes.run(()); give_back(); }>{yes_label}</button>
                <button class="button" type="button" data-testid="confirm-no" node_ref=no_ref
                    on:click=move |_| cancel()>{t(Msg::Cancel)}</button>
            </div>
        </div>
    }
}

/// The confirmation row for the action in `slot`, when `mine` says it belongs to this panel.
pub fn confirm_view(
    slot: ConfirmSlot,
    mine: fn(Confirmable) -> bool,
    run: Callback<Confirmable>,
) -> impl IntoView {
    move || {
        let action = slot.get().filter(|action| mine(*action))?;
        let (question, yes_label) = question(action)?;
        Some(view! {
            <ConfirmRow question yes_label
                on_yes=Callback::new(move |()| {
                    slot.set(None);
                    run.run(action);
                })
                on_no=Callback::new(move |()| slot.set(None)) />
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destructive_actions_ask_first_and_the_others_do_not() {
        let asks = |action| question(action).is_some();
        assert!(asks(Confirmable::Control(Control::ChangeTime {
            seconds: -900
        })));
        assert!(asks(Confirmable::Control(Control::SetFrozen(true))));
        assert!(asks(Confirmable::Control(Control::HygieneOpening)));
        assert!(asks(Confirmable::Box(Command::Open)));
        assert!(!asks(Confirmable::Control(Control::ChangeTime {
            seconds: 900
        })));
        assert!(!asks(Confirmable::Control(Control::SetFrozen(false))));
        assert!(!asks(Confirmable::Box(Command::Lock)));
    }

    #[test]
    fn the_removal_question_says_how_much() {
        let (text, yes) = question(Confirmable::Control(Control::ChangeTime {
            seconds: -3_600,
        }))
        .unwrap();
        assert_eq!(text, "Remove 1 h from the lock?");
        assert_eq!(yes, "Yes, remove");
    }
}
