//! Layout of the box panel: status, command buttons and the wearer's manage bar.
//! Pure: data and callbacks come in through props.

use super::mapper::{progress_text, updated_text, Command, DeviceData, Feedback};
use crate::confirm::{self, ConfirmSlot, Confirmable};
use crate::i18n::{t, tf, Msg};
use crate::ui::ErrorPanel;
use api_types::ApiError;
use leptos::prelude::*;

/// Name, model and last reported status of the connected box.
#[component]
pub fn BoxStatusView(
    /// The box, refreshed every few seconds.
    device: Signal<DeviceData>,
    /// The current time in milliseconds, for "updated 12 s ago".
    now: Signal<f64>,
) -> impl IntoView {
    let status = move || device.with(|d| d.status.clone());
    view! {
        <header class="box-header">
            <h2>{move || device.with(|d| d.nickname.clone())}</h2>
            <span class="muted">{move || device.with(|d| d.model.clone())}</span>
        </header>
        {move || device.with(|d| d.notice.clone()).map(|notice| view! {
            <p class="notice notice-warning" data-testid="box-notice">{notice}</p>
        })}
        {move || match status() {
            Some(status) => {
                let updated = status.last_update_ms;
                view! {
                    <dl class="status-grid">
                        <div>
                            <dt>{t(Msg::BoxLatchLabel)}</dt>
                            <dd class=status.latch_class data-testid="box-latch">{status.latch_text}</dd>
                        </div>
                        <div>
                            <dt>{t(Msg::BoxBatteryLabel)}</dt>
                            <dd class:warning=status.battery_low data-testid="box-battery">
                                {status.battery_text.clone()}
                            </dd>
                        </div>
                        <div>
                            <dt>{t(Msg::BoxHubLabel)}</dt>
                            <dd class:warning=!status.reachable data-testid="box-reachable">
                                {t(if status.reachable { Msg::BoxHubOnline } else { Msg::BoxHubUnreachable })}
                            </dd>
                        </div>
                    </dl>
                    // The grid shows the last reading of a box gone quiet: say so, and since when.
                    {(!status.reachable)
                        .then(|| device.with(|d| d.status_error.clone()))
                        .flatten()
                        .map(|why| view! {
                            <p class="notice notice-warning" data-testid="box-offline">{why}</p>
                        })}
                    {status.battery_low.then(|| view! {
                        <p class="notice notice-warning" data-testid="battery-warning">
                            {tf(Msg::BoxBatteryLow, &[("battery", &status.battery_text)])}
                        </p>
                    })}
                    <p class="muted small" data-testid="box-updated">
                        {move || updated_text(updated, now.get())}
                    </p>
                }
                .into_any()
            }
            None => view! {
                <p class="notice notice-warning" data-testid="box-status-error">
                    {t(Msg::BoxStatusUnread)}
                    {device.with(|d| d.status_error.clone()).map(|why| format!(": {why}"))}
                </p>
            }
            .into_any(),
        }}
        {move || device.with(|d| d.reading_age.clone()).map(|age| view! {
            <p class="muted small" data-testid="box-reading-age">{age}</p>
        })}
        <p class="muted small" data-testid="box-custody">{move || device.with(|d| d.custody)}</p>
        {move || device.with(|d| d.usage.clone()).map(|usage| view! {
            <p class="muted small" data-testid="box-usage">{usage}</p>
        })}
    }
}

/// The month's CANDY HOUSE quota is used up: the message, and "Try again now" for the wearer.
#[component]
pub fn QuotaNotice(
    device: Signal<DeviceData>,
    retrying: Signal<bool>,
    on_retry: Callback<()>,
) -> impl IntoView {
    move || {
        device.with(|d| d.quota_message.clone()).map(|message| {
            let can_retry = device.with(|d| d.can_retry_quota);
            view! {
                <div class="notice notice-warning" data-testid="quota-notice">
                    <p>{message}</p>
                    {can_retry.then(|| view! {
                        <button class="button" data-testid="quota-retry"
                            disabled=move || retrying.get()
                            on:click=move |_| on_retry.run(())>{t(Msg::BoxRetryNow)}</button>
                    })}
                </div>
            }
        })
    }
}

/// "Open box" (after a confirmation) and "Lock box", with progress while the box confirms and
/// the honest outcome after.
#[component]
pub fn CommandBar(
    /// Whether the viewer may open the box now (the keyholder).
    can_open: Signal<bool>,
    /// Whether the viewer may lock the box now.
    can_lock: Signal<bool>,
    /// The box reports it is open: "Lock box" becomes the primary button.
    #[prop(optional, into)]
    box_open: Signal<bool>,
    /// The command waiting for the box, if any; the buttons are disabled meanwhile.
    pending: Signal<Option<Command>>,
    /// The outcome of the last command.
    feedback: Signal<Option<Feedback>>,
    /// Called when a button is pressed (for "Open box", once confirmed).
    on_command: Callback<Command>,
    /// The page's confirmation slot, shared with the other panels.
    confirm: ConfirmSlot,
) -> impl IntoView {
    let busy = move || pending.get().is_some();
    let ask = move |command: Command| {
        confirm::request(confirm, Confirmable::Box(command), || {
            on_command.run(command)
        });
    };
    let run_confirmed = Callback::new(move |action| {
        if let Confirmable::Box(command) = action {
            on_command.run(command);
        }
    });
    view! {
        <div class="actions">
            <Show when=move || can_open.get()>
                <button class=move || if box_open.get() { "button" } else { "button button-primary" }
                    type="button" data-testid="open-box"
                    disabled=busy on:click=move |_| ask(Command::Open)>
                    {t(Msg::BoxOpen)}
                </button>
            </Show>
            <Show when=move || can_lock.get()>
                <button class=move || if box_open.get() { "button button-primary" } else { "button" }
                    type="button" data-testid="lock-box"
                    disabled=busy on:click=move |_| ask(Command::Lock)>
                    {t(Msg::BoxLock)}
                </button>
            </Show>
        </div>
        {confirm::confirm_view(confirm, |action| matches!(action, Confirmable::Box(_)), run_confirmed)}
        {move || match pending.get() {
            Some(command) => view! {
                <p class="notice progress" data-testid="command-progress" role="status">
                    <span class="spinner" aria-hidden="true"></span>
                    {progress_text(command)}
                </p>
            }
            .into_any(),
            None => feedback.get().map(|feedback| view! {
                <p class=format!("notice {}", feedback.class) data-testid="command-result" role="status">
                    {feedback.text}
                </p>
            })
            .into_any(),
        }}
    }
}

/// The wearer's "Replace" and "Remove", in a secondary menu, with a confirmation before removing.
#[component]
pub fn ManageBar(
    /// Called when the wearer wants to enter new details.
    on_replace: Callback<()>,
    /// Called once the wearer confirmed the removal.
    on_remove: Callback<()>,
    /// True while the removal is on its way.
    removing: Signal<bool>,
    /// Why the last removal failed, if it did.
    remove_error: Signal<Option<ApiError>>,
) -> impl IntoView {
    let (confirming, set_confirming) = signal(false);
    view! {
        <Show
            when=move || confirming.get()
            fallback=move || view! {
                // Rare actions, out of the way of the box's everyday use.
                <details class="box-menu" data-testid="box-menu">
                    <summary class="button button-quiet">{t(Msg::ConnectManageMenu)}</summary>
                    <div class="actions actions-secondary">
                        <button class="button button-quiet" type="button" data-testid="replace-device"
                            on:click=move |_| on_replace.run(())>{t(Msg::BoxReplace)}</button>
                        <button class="button button-quiet" type="button" data-testid="remove-device"
                            on:click=move |_| set_confirming.set(true)>{t(Msg::BoxRemove)}</button>
                    </div>
                </details>
            }
        >
            <div class="confirm" role="alertdialog" aria-labelledby="confirm-remove-text">
                <p id="confirm-remove-text">
                    {t(Msg::BoxRemoveQuestion)}
                </p>
                <div class="actions">
                    <button class="button button-danger" type="button" data-testid="confirm-remove"
                        disabled=move || removing.get()
                        on:click=move |_| on_remove.run(())>
                        {move || t(if removing.get() { Msg::BoxRemoving } else { Msg::BoxRemoveYes })}
                    </button>
                    <button class="button" type="button"
                        on:click=move |_| set_confirming.set(false)>{t(Msg::Cancel)}</button>
                </div>
            </div>
        </Show>
        {move || remove_error.get().map(|error| view! {
            <ErrorPanel error testid="remove-error" />
        })}
    }
}
