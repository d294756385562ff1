//! The configuration page Chaster shows in a modal while a keyholder creates or edits a lock.
//! Chaster's own Save button drives saving through `postMessage` (see [`crate::bridge`]).
//! This entry is the only place of the feature that fetches; the form only lays out.

mod components;
pub mod form;

use crate::{
    api,
    bridge::{self, ChildEvent, ParentEvent},
    hash::MainToken,
    i18n::{t, tf, PageMsg},
    ui::{error_text, focus_id, ErrorPanel, Loading},
};
use api_types::ExtensionConfig;
use components::{ConfigForm, SaveState};
use form::{to_config, ConfigDraft, ConfigProblem};
use leptos::prelude::*;

/// The configuration page for Chaster's `partnerConfigurationToken`.
#[component]
pub fn ConfigPage(
    /// The configuration token from the URL hash.
    token: MainToken,
) -> impl IntoView {
    // Tell Chaster first thing that we save ourselves, or its Save button would not ask us.
    bridge::post_to_parent(ChildEvent::Capabilities);

    // What the form shows and edits; `loaded` turns true once it holds the saved policy.
    let draft = RwSignal::new(ConfigDraft::from(&ExtensionConfig::default()));
    let loaded = RwSignal::new(false);
    let editing_running_session = RwSignal::new(false);
    let state = RwSignal::new(SaveState::Idle);
    // After the first Save every field shows its error, not only the ones already left.
    let submitted = RwSignal::new(false);
    let config = LocalResource::new({
        let token = token.clone();
        move || {
            let token = token.clone();
            async move {
                let answer = api::get_config(&token).await;
                if let Ok(view) = &answer {
                    draft.try_set(ConfigDraft::from(&view.config));
                    editing_running_session.try_set(view.editing_running_session);
                    loaded.try_set(true);
                }
                answer
            }
        }
    });

    let save = Action::new_local(move |config: &ExtensionConfig| {
        let (token, config) = (token.clone(), *config);
        async move {
            match api::save_config(&token, &config).await {
                Ok(()) => {
                    state.try_set(SaveState::Saved);
                    bridge::post_to_parent(ChildEvent::SaveSuccess);
                }
                Err(error) => {
                    state.try_set(SaveState::Failed(error_text(&error)));
                    bridge::post_to_parent(ChildEvent::SaveFailed);
                }
            }
        }
    });
    // Chaster's Save button. A second press while saving is ignored: the first one answers.
    let on_save = move || {
        if state.with_untracked(|s| *s == SaveState::Saving) {
            return;
        }
        let checked = if loaded.get_untracked() {
            submitted.set(true);
            draft.with_untracked(to_config).map_err(|problems| {
                if let Some(first) = problems.first() {
                    focus_id(first.field().input_id());
                }
                summary(&problems)
            })
        } else {
            Err(t(PageMsg::ConfigNotLoaded).to_owned())
        };
        match checked {
            Ok(config) => {
                state.set(SaveState::Saving);
                bridge::post_to_parent(ChildEvent::SaveLoading);
                save.dispatch_local(config);
            }
            Err(reason) => {
                state.set(SaveState::Failed(reason));
                bridge::post_to_parent(ChildEvent::SaveFailed);
            }
        }
    };
    let listener = window_event_listener(leptos::ev::message, move |message| {
        if bridge::trusted_event(&message) == Some(ParentEvent::Save) {
            on_save();
        }
    });
    on_cleanup(move || listener.remove());

    move || {
        if loaded.get() {
            return view! {
                <ConfigForm draft
                    editing_running_session=editing_running_session.get_untracked()
                    state=state.into() submitted=submitted.into() />
            }
            .into_any();
        }
        match config.get() {
            Some(Err(error)) => view! {
                <ErrorPanel error on_retry=Callback::new(move |()| config.refetch())
                    testid="config-error" />
            }
            .into_any(),
            _ => view! { <Loading text=t(PageMsg::ConfigLoading) /> }.into_any(),
        }
    }
}

/// What the save result says when fields are wrong: each field also shows its own error.
fn summary(problems: &[ConfigProblem]) -> String {
    match problems {
        [one] => one.message(),
        many => tf(
            PageMsg::ConfigProblems,
            &[
                ("count", &many.len().to_string()),
                (
                    "problems",
                    &many
                        .iter()
                        .map(|p| p.message())
                        .collect::<Vec<_>>()
                        .join(" "),
                ),
            ],
        ),
    }
}
