//! The main page: the Chaster session, the keyholder's controls, the box panel and the history.
//! This entry is the only place of the feature that fetches; the components only lay out.

pub mod components;
pub mod mapper;

use crate::i18n::{t, Msg};
use crate::ui::error_text;
use crate::{
    api::{self, Control},
    clock::{use_clock, use_interval},
    confirm::ConfirmSlot,
    controls::{mapper::control_feedback, ControlsPanel},
    device::BoxPanel,
    hash::MainToken,
    history::HistoryPanel,
    perf,
    state::{
        mapper::{state_card, CardAction},
        BoxLink, StateCard,
    },
    ui::{ErrorPanel, Loading},
};
use api_types::{ErrorCode, Role, SessionView};
use components::SessionCard;
use leptos::prelude::*;
use mapper::{to_session_data, SessionData};
use std::time::Duration;

/// Re-reads the session now and then, so a keyholder's changes (time added, freeze) show up.
/// The server caches the session for less than a minute, so this costs Chaster little.
const SESSION_REFRESH: Duration = Duration::from_secs(60);

/// The session for `token`. "Try again" after a failed first load mounts it afresh, which shows
/// the loading state again instead of a stale error.
#[component]
pub fn SessionPage(
    /// The viewer's token from the URL hash.
    token: MainToken,
) -> impl IntoView {
    let (attempt, set_attempt) = signal(0u32);
    let on_retry = Callback::new(move |()| set_attempt.update(|n| *n += 1));
    move || {
        attempt.track();
        view! { <SessionLoader token=token.clone() on_retry /> }
    }
}

#[component]
fn SessionLoader(token: MainToken, on_retry: Callback<()>) -> impl IntoView {
    // The last session that loaded, kept while a periodic refresh fails so the page stays useful.
    let last_good = RwSignal::new(None::<SessionData>);
    // The same session as sent, for the state card.
    let last_view = RwSignal::new(None::<SessionView>);
    let session = LocalResource::new({
        let token = token.clone();
        move || {
            let token = token.clone();
            async move {
                let answer = api::get_session(&token).await;
                if let Ok(view) = &answer {
                    last_good.try_set(Some(to_session_data(view)));
                    last_view.try_set(Some(view.clone()));
                }
                answer
            }
        }
    });
    use_interval(SESSION_REFRESH, move || session.refetch());
    let now = use_clock();
    let confirm: ConfirmSlot = RwSignal::new(None);
    // Bumped after every control or box command, so the history shows what was just done.
    let history_version = RwSignal::new(0u32);
    let bump_history = Callback::new(move |()| history_version.update(|n| *n += 1));
    let control = Action::new_local({
        let token = token.clone();
        move |control: &Control| {
            let (token, control) = (token.clone(), *control);
            async move {
                let answer = api::control(&token, control).await;
                if let Ok(result) = &answer {
                    // The server answers with the session as it is now: show it at once.
                    last_good.try_set(Some(to_session_data(&result.session)));
                    last_view.try_set(Some(result.session.clone()));
                    bump_history.run(());
                }
                answer
            }
        }
    });

    let link = BoxLink::new();
    // A memo: the card is rebuilt only when its state changes, not at every tick of the clock.
    let card = Memo::new(move |_| {
        let view = last_view.get()?;
        let slot = link.slot.get()?;
        Some(state_card(view.role, &view.lock, &slot, now.get() as i64))
    });
    let on_card_action = Callback::new(move |action: CardAction| match action {
        CardAction::Connect => crate::device::connect_page::open_connect_page(),
        other => link.ask(other),
    });
    let latest_error = Memo::new(move |_| session.get().and_then(Result::err));
    let loaded = Memo::new(move |_| last_good.with(Option::is_some));
    let painted = after_first_paint(loaded);
    // Once there is a session, only a lost session is worth replacing the page for; other
    // refresh failures show as a note above the box panel.
    let blocking_error = Memo::new(move |_| {
        latest_error.get().filter(|error| {
            !loaded.get()
                || matches!(
                    error.code,
                    ErrorCode::SessionExpired | ErrorCode::MissingToken
                )
        })
    });

    // Opened from the key box's entry on the wearer's Chaster lock page: once the box panel
    // is there (it comes after the first paint), bring the wearer to it (once per load).
    Effect::new(move |shown: Option<bool>| {
        if shown == Some(true) || !painted.get() {
            return shown.unwrap_or(false);
        }
        if crate::hash::parse(&window().location().hash().unwrap_or_default())
            .is_ok_and(|launch| launch.opens_box())
        {
            request_animation_frame(show_box_panel);
        }
        true
    });

    move || {
        if let Some(error) = blocking_error.get() {
            return view! { <ErrorPanel error on_retry /> }.into_any();
        }
        if !loaded.get() {
            return view! { <Loading text=t(Msg::SessionLoading) /> }.into_any();
        }
        // A memo, so a refresh that brings the same session changes nothing on screen.
        let data: Signal<SessionData> =
            Memo::new(move |_| last_good.get().unwrap_or_default()).into();
        let role = data.with_untracked(|d| d.role);
        // Once the lock has ended there is no time to add, freeze or open for hygiene.
        let running = Memo::new(move |_| data.with(|d| d.running));
        let controls = move || {
            (role == Role::Keyholder && running.get()).then(|| {
            view! {
                <ControlsPanel
                    frozen=Signal::derive(move || data.with(|d| d.frozen))
                    pending=Signal::derive(move || control.input().get())
                    feedback=Signal::derive(move || control.value().get().map(|r| control_feedback(&r)))
                    confirm
                    on_control=Callback::new(move |c| { control.dispatch_local(c); })
                />
            }
        })
        };
        // The box and the history are asked for once the lock is on screen, so the first view
        // waits for the session only.
        let box_panel = {
            let token = token.clone();
            move || {
                painted.get().then(|| {
                    view! {
                        <BoxPanel token=token.clone() role now=now.into() confirm
                            on_command_done=bump_history link />
                    }
                })
            }
        };
        let history_panel = {
            let token = token.clone();
            move || {
                painted.get().then(|| {
                    view! {
                        <HistoryPanel token=token.clone() refresh=history_version.into()
                            now=now.into() />
                    }
                })
            }
        };
        view! {
            <SessionCard data now=now.into()
                top=move || view! {
                    <StateCard card=card.into() now=now.into() busy=link.busy.into()
                        on_action=on_card_action />
                }>
                <RefreshWarning error=Signal::derive(move || latest_error.get()) />
                {controls}
                {box_panel}
                {history_panel}
            </SessionCard>
        }
        .into_any()
    }
}

/// Turns true once the view `loaded` switched on has been painted: the frame that shows it
/// sets the `sesame:view` mark the bench reads, and a task queued from that frame runs after
/// it was painted.
fn after_first_paint(loaded: Memo<bool>) -> RwSignal<bool> {
    let painted = RwSignal::new(false);
    Effect::new(move |queued: Option<bool>| {
        if queued == Some(true) || !loaded.get() {
            return queued.unwrap_or(false);
        }
        request_animation_frame(move || {
            perf::mark("sesame:view");
            set_timeout(move || _ = painted.try_set(true), Duration::ZERO);
        });
        true
    });
    painted
}

/// Scrolls the box panel into view and gives it the focus, so a screen reader starts there.
fn show_box_panel() {
    use wasm_bindgen::JsCast;
    let panel = document()
        .get_element_by_id("box-panel")
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(panel) = panel {
        panel.scroll_into_view();
        let _ = panel.focus();
    }
}

/// A short note when a background refresh failed but the last session is still shown.
#[component]
fn RefreshWarning(
    /// The error of the last refresh, if it failed.
    error: Signal<Option<api_types::ApiError>>,
) -> impl IntoView {
    move || {
        error.get().map(|error| {
            view! {
                <p class="notice notice-warning" role="status">
                    {t(Msg::SessionRefreshFailed)} " " {error_text(&error)}
                </p>
            }
        })
    }
}
