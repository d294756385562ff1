//! One wearer's session on the dashboard: the same lock card, controls and box commands as in
//! the iframe, sent through the dashboard's routes (the session's handle plus the CSRF token).
//! The card is the entry of its own commands; it reports what they changed to the page.

use super::mapper::{is_signed_out, CardUpdate};
use crate::{
    api::{dashboard as api, Control},
    confirm::ConfirmSlot,
    controls::{mapper::control_feedback, ControlsPanel},
    device::{
        components::{BoxStatusView, CommandBar},
        mapper::{command_feedback, to_device_data, Command, DeviceData},
    },
    i18n::{t, PageMsg},
    session::{
        components::SessionCard,
        mapper::{to_session_data, SessionData},
    },
};
use api_types::{DashboardSession, Role};
use leptos::prelude::*;

/// A session card with its controls.
#[component]
pub fn DashboardCard(
    /// The server's opaque handle of this session.
    handle: String,
    /// The session as last loaded or changed; `None` once it left the list.
    entry: Signal<Option<DashboardSession>>,
    /// The CSRF token to send with every command.
    csrf: Signal<String>,
    /// Chaster released the lock: the box is shown, the controls are gone.
    ended: bool,
    /// The current time in milliseconds.
    now: Signal<f64>,
    /// Told what a command changed, or that the sign-in was lost.
    on_update: Callback<(String, Option<CardUpdate>)>,
) -> impl IntoView {
    let confirm: ConfirmSlot = RwSignal::new(None);
    // Reports a command's outcome; `None` means the dashboard must be loaded again.
    let report = {
        let handle = handle.clone();
        move |update: Option<CardUpdate>| on_update.run((handle.clone(), update))
    };
    let control = Action::new_local({
        let (handle, report) = (handle.clone(), report.clone());
        move |control: &Control| {
            let (handle, csrf, control) = (handle.clone(), csrf.get_untracked(), *control);
            let report = report.clone();
            async move {
                let target = api::Target {
                    handle: &handle,
                    csrf: &csrf,
                };
                let answer = api::control(target, control).await;
                match &answer {
                    Ok(result) => report(Some(CardUpdate::Session(result.session.clone()))),
                    Err(error) if is_signed_out(error) => report(None),
                    Err(_) => {}
                }
                answer
            }
        }
    });
    let command = Action::new_local(move |command: &Command| {
        let (handle, csrf, open) = (
            handle.clone(),
            csrf.get_untracked(),
            *command == Command::Open,
        );
        let report = report.clone();
        async move {
            let target = api::Target {
                handle: &handle,
                csrf: &csrf,
            };
            let answer = api::box_command(target, open).await;
            match &answer {
                Ok(result) => {
                    if let Some(status) = &result.status {
                        report(Some(CardUpdate::BoxStatus(status.clone())));
                    }
                }
                Err(error) if is_signed_out(error) => report(None),
                Err(_) => {}
            }
            answer
        }
    });

    let session =
        Memo::new(move |_| entry.with(|e| e.as_ref().map(|e| to_session_data(&e.session))));
    let device: Memo<Option<DeviceData>> = Memo::new(move |_| {
        entry.with(|e| {
            e.as_ref()
                .and_then(|e| e.device.device.as_ref())
                .map(|device| to_device_data(device, Role::Keyholder))
        })
    });
    let has_device = Memo::new(move |_| device.with(Option::is_some));
    let present = Memo::new(move |_| session.with(Option::is_some));
    // Only the card's presence is tracked here: changes of the lock update it in place, so a
    // half-typed amount or an open confirmation survives them.
    let data: Signal<SessionData> = Signal::derive(move || session.get().unwrap_or_default());

    if ended {
        return view! {
            <section class="card box-panel" aria-label=t(PageMsg::DashboardBoxPanel) data-testid="dashboard-ended-card">
                <p class="muted">
                    {t(PageMsg::DashboardEndedNote)}
                </p>
                <Show when=move || has_device.get()
                    fallback=|| view! { <p class="empty" data-testid="no-box">{t(PageMsg::DashboardNoBoxWas)}</p> }>
                    <BoxStatusView device=Signal::derive(move || device.get().unwrap_or_default()) now />
                </Show>
            </section>
        }
        .into_any();
    }
    (move || {
        present.get().then(|| view! {
            <article class="dashboard-session" data-testid="dashboard-session">
                <SessionCard data now>
                    <ControlsPanel
                        frozen=Signal::derive(move || data.with(|d| d.frozen))
                        pending=Signal::derive(move || control.input().get())
                        feedback=Signal::derive(move || control.value().get().map(|r| control_feedback(&r)))
                        confirm
                        on_control=Callback::new(move |c| { control.dispatch_local(c); })
                    />
                    <section class="card box-panel" aria-label=t(PageMsg::DashboardBoxPanel)>
                        <Show
                            when=move || has_device.get()
                            fallback=|| view! {
                                <p class="empty" data-testid="no-box">
                                    {t(PageMsg::DashboardNoBoxYet)}
                                </p>
                            }
                        >
                            <BoxStatusView
                                device=Signal::derive(move || device.get().unwrap_or_default())
                                now />
                            <CommandBar
                                can_open=Signal::derive(move || device.with(|d| d.as_ref().is_some_and(|d| d.can_open)))
                                can_lock=Signal::derive(move || device.with(|d| d.as_ref().is_some_and(|d| d.can_lock)))
                                pending=Signal::derive(move || command.input().get())
                                feedback=Signal::derive(move || command.value().get().map(|r| command_feedback(&r)))
                                on_command=Callback::new(move |c| { command.dispatch_local(c); })
                                confirm
                            />
                        </Show>
                    </section>
                </SessionCard>
            </article>
        })
    })
    .into_any()
}
