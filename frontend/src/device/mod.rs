//! The box panel: the wearer's Sesame, as both roles may see and use it.
//! This entry is the only place of the feature that fetches; the components only lay out.

pub mod components;
mod connect;
pub mod connect_page;
pub mod form;
pub mod guide;
pub mod mapper;
mod qr;

use crate::i18n::{t, Msg};
use crate::state::{mapper::CardAction, BoxLink};
use crate::ui::error_text;
use crate::{
    api, clock::use_interval, confirm::ConfirmSlot, hash::MainToken, ui::ErrorPanel, ui::Loading,
};
use api_types::{ApiError, DeviceSlot, Role};
use components::{BoxStatusView, CommandBar, ManageBar, QuotaNotice};
use connect_page::{arrived_connected, connect_page_url, open_connect_page};
use leptos::prelude::*;
use mapper::{command_feedback, to_device_data, Command};
use std::time::Duration;

/// How often the panel re-reads the box. The server caches the status, so this is cheap.
const SLOT_REFRESH: Duration = Duration::from_secs(20);

/// Which part of the panel is shown. Only a change of phase re-mounts the panel; a refresh
/// within a phase updates it in place, so a half-typed form or an open confirmation survives.
#[derive(Clone, Debug, PartialEq)]
enum Phase {
    Loading,
    Failed(ApiError),
    /// The wearer has no box yet: the way to the connect page.
    Connect,
    /// No box, and the viewer may not connect one.
    NoBox,
    Device {
        can_manage: bool,
    },
}

/// The box panel for the session of `token`.
#[component]
pub fn BoxPanel(
    /// The viewer's token.
    token: MainToken,
    /// Who is looking: the wording and the request count depend on it.
    role: Role,
    /// The current time in milliseconds.
    now: Signal<f64>,
    /// The page's confirmation slot ("Open box" asks first).
    confirm: ConfirmSlot,
    /// Called after every box command, e.g. to reload the history it was logged in.
    #[prop(optional)]
    on_command_done: Option<Callback<()>>,
    /// Publishes the last reading to the state card and runs the card's box actions.
    #[prop(optional)]
    link: Option<BoxLink>,
) -> impl IntoView {
    // The last slot that loaded, kept while a background refresh fails.
    let last_good = RwSignal::new(None::<DeviceSlot>);
    let slot = LocalResource::new({
        let token = token.clone();
        move || {
            let token = token.clone();
            async move {
                let answer = api::get_device(&token).await;
                if let Ok(slot) = &answer {
                    last_good.try_set(Some(slot.clone()));
                }
                answer
            }
        }
    });
    use_interval(SLOT_REFRESH, move || slot.refetch());
    // Sent back here by the connect page: say what the wearer gets from it.
    let just_connected = arrived_connected();
    let remove = Action::new_local({
        let token = token.clone();
        move |(): &()| {
            let token = token.clone();
            async move {
                let answer = api::remove_device(&token).await;
                if answer.is_ok() {
                    slot.refetch();
                }
                answer
            }
        }
    });
    let retry_quota = Action::new_local({
        let token = token.clone();
        move |(): &()| {
            let token = token.clone();
            async move {
                let answer = api::retry_quota(&token).await;
                slot.refetch();
                answer
            }
        }
    });
    let command = Action::new_local(move |command: &Command| {
        let (token, command) = (token.clone(), *command);
        async move {
            let answer = match command {
                Command::Open => api::open_box(&token).await,
                Command::Lock => api::lock_box(&token).await,
            };
            slot.refetch();
            if let Some(done) = on_command_done {
                done.run(());
            }
            answer
        }
    });

    if let Some(link) = link {
        link_to_state_card(link, last_good, &command, &retry_quota);
    }
    let phase = Memo::new(move |_| match last_good.get() {
        None => match slot.get() {
            Some(Err(error)) => Phase::Failed(error),
            _ => Phase::Loading,
        },
        Some(DeviceSlot {
            device: None,
            can_manage: true,
        }) => Phase::Connect,
        Some(DeviceSlot {
            device: None,
            can_manage: false,
        }) => Phase::NoBox,
        Some(DeviceSlot {
            device: Some(_),
            can_manage,
        }) => Phase::Device { can_manage },
    });
    let refresh_error = Signal::derive(move || {
        last_good
            .with(Option::is_some)
            .then(|| slot.get().and_then(Result::err))
            .flatten()
    });
    let device: Signal<mapper::DeviceData> = Memo::new(move |_| {
        last_good.with(|slot| {
            slot.as_ref()
                .and_then(|slot| slot.device.as_ref())
                .map(|device| to_device_data(device, role))
                .unwrap_or_default()
        })
    })
    .into();

    // Said until another box is connected: the panel's form alone would not tell it happened.
    let removed = move || {
        remove.value().with(|done| matches!(done, Some(Ok(()))))
            && matches!(phase.get(), Phase::Connect)
    };
    let panel = move || match phase.get() {
        Phase::Loading => view! { <Loading text=t(Msg::BoxLoading) /> }.into_any(),
        Phase::Failed(error) => view! {
            <ErrorPanel error on_retry=Callback::new(move |()| slot.refetch()) testid="box-error" />
        }
        .into_any(),
        Phase::Connect => view! {
            <div class="connect-start" data-testid="connect-start">
                <h2>{t(Msg::ConnectTitle)}</h2>
                <p class="muted">{t(Msg::ConnectIntro)}</p>
                <a class="button button-primary" href=connect_page_url() data-testid="open-connect">
                    {t(Msg::StateConnectAction)}
                </a>
            </div>
        }
        .into_any(),
        Phase::NoBox => view! {
            <p class="empty" data-testid="no-box">{no_box_text(role)}</p>
        }
        .into_any(),
        Phase::Device { can_manage } => view! {
            // Right after connecting: what the wearer gets from it.
            {just_connected.then(|| view! {
                <p class="notice notice-success" data-testid="box-connected" role="status">
                    {move || device.with(|d| d.connected)}
                </p>
            })}
            <BoxStatusView device now />
            <QuotaNotice
                device
                retrying=Signal::derive(move || retry_quota.pending().get())
                on_retry=Callback::new(move |()| { retry_quota.dispatch_local(()); })
            />
            <CommandBar
                can_open=Signal::derive(move || device.with(|d| d.can_open))
                can_lock=Signal::derive(move || device.with(|d| d.can_lock))
                box_open=Signal::derive(move || device.with(|d| {
                    d.status.as_ref().is_some_and(|s| s.is_open)
                }))
                pending=Signal::derive(move || command.input().get())
                feedback=Signal::derive(move || command.value().get().map(|r| command_feedback(&r)))
                on_command=Callback::new(move |c| { command.dispatch_local(c); })
                confirm
            />
            {can_manage.then(|| view! {
                <ManageBar
                    on_replace=Callback::new(move |()| open_connect_page())
                    on_remove=Callback::new(move |()| { remove.dispatch_local(()); })
                    removing=Signal::derive(move || remove.pending().get())
                    remove_error=Signal::derive(move || remove.value().get().and_then(Result::err))
                />
            })}
        }
        .into_any(),
    };
    view! {
        <section class="card box-panel" id="box-panel" data-testid="box-panel" aria-label=t(Msg::BoxPanelLabel)
            tabindex="-1">
            {move || removed().then(|| view! {
                <p class="notice notice-success" data-testid="box-removed" role="status">
                    {t(Msg::BoxRemoved)}
                </p>
            })}
            {move || refresh_error.get().map(|error| view! {
                <p class="notice notice-warning" role="status">
                    {t(Msg::BoxRefreshFailed)} " " {error_text(&error)}
                </p>
            })}
            {panel}
        </section>
    }
}

/// The state card's side of the panel: it reads the panel's last slot, and its actions run as
/// the panel's own. A request made before this panel was mounted is not run again.
fn link_to_state_card(
    link: BoxLink,
    last_good: RwSignal<Option<DeviceSlot>>,
    command: &Action<Command, Result<api_types::CommandResult, ApiError>>,
    retry_quota: &Action<(), Result<api_types::DeviceView, ApiError>>,
) {
    let (command, retry_quota) = (*command, *retry_quota);
    Effect::new(move |_| link.slot.set(last_good.get()));
    Effect::new(move |_| {
        link.busy
            .set(command.pending().get() || retry_quota.pending().get())
    });
    let seen = StoredValue::new(link.request.get_untracked().map(|(n, _)| n));
    Effect::new(move |_| {
        let Some((n, action)) = link.request.get() else {
            return;
        };
        if seen.get_value() == Some(n) {
            return;
        }
        seen.set_value(Some(n));
        match action {
            CardAction::Lock { .. } => {
                command.dispatch_local(Command::Lock);
            }
            CardAction::Open => {
                command.dispatch_local(Command::Open);
            }
            CardAction::RetryQuota => {
                retry_quota.dispatch_local(());
            }
            // The session page takes the wearer to the form.
            CardAction::Connect => {}
        }
    });
}

fn no_box_text(role: Role) -> &'static str {
    match role {
        Role::Keyholder => t(Msg::BoxNoneKeyholder),
        Role::Wearer => t(Msg::BoxNoneWearer),
    }
}
