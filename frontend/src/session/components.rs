//! Layout of the session card. Pure: everything comes in through props.

use super::mapper::{time_left_text, PersonData, SessionData, Timer, HIDDEN_TIMER_NOTE};
use crate::i18n::{t, Msg};
use api_types::Role;
use leptos::prelude::*;

/// The lock card (heading, title, badges, time left, people), followed by `children`.
#[component]
pub fn SessionCard(
    /// The session, already worded for the viewer; it may change when the page refreshes.
    data: Signal<SessionData>,
    /// The current time in milliseconds, ticking every second.
    now: Signal<f64>,
    /// Shown above the lock card (the state card).
    #[prop(optional, into)]
    top: Option<ViewFn>,
    /// Shown under the lock card (the box panel).
    children: Children,
) -> impl IntoView {
    let field = move |read: fn(&SessionData) -> String| move || data.with(read);
    let testid = move || match data.with(|d| d.role) {
        Role::Wearer => "view-wearer",
        Role::Keyholder => "view-keyholder",
    };
    view! {
        <div class="session" data-testid=testid>
            {top.map(|top| top.run())}
            <section class="card lock-card" aria-labelledby="lock-heading">
                <p class="eyebrow">{field(|d| d.extension_name.clone())}</p>
                <h1 id="lock-heading">{field(|d| d.heading.clone())}</h1>
                <p class="lock-title" data-testid="lock-title">{field(|d| d.lock_title.clone())}</p>
                <Badges frozen=Signal::derive(move || data.with(|d| d.frozen))
                    ready=Signal::derive(move || data.with(|d| d.ready_to_unlock)) />
                // An ended lock has no countdown: the state card says when it ended.
                <Show when=move || data.with(|d| d.running)>
                    <TimeLeft label=Signal::derive(field(|d| d.time_left_label.clone()))
                        timer=Signal::derive(move || data.with(|d| d.timer))
                        paused=Signal::derive(move || data.with(|d| d.paused_note)) now />
                </Show>
                <PeopleRow people=Signal::derive(move || data.with(|d| d.people.clone()))
                    self_lock=Signal::derive(move || data.with(|d| d.self_lock)) />
            </section>
            {children()}
        </div>
    }
}

/// The "Frozen" and "Ready to unlock" badges, each shown only when true.
#[component]
fn Badges(
    /// Whether the Chaster lock is frozen.
    frozen: Signal<bool>,
    /// Whether the wearer may unlock now.
    ready: Signal<bool>,
) -> impl IntoView {
    view! {
        <div class="badges">
            <Show when=move || frozen.get()>
                <span class="badge badge-frozen" data-testid="frozen-badge">{t(Msg::SessionFrozen)}</span>
            </Show>
            <Show when=move || ready.get()>
                <span class="badge badge-ready" data-testid="ready-to-unlock">{t(Msg::SessionReadyToUnlock)}</span>
            </Show>
        </div>
    }
}

/// The live countdown, or "Timer hidden".
#[component]
fn TimeLeft(
    /// "Time left on your lock" / "Time left for alice".
    label: Signal<String>,
    /// What to count down to.
    timer: Signal<Timer>,
    /// "Paused by your keyholder" while frozen.
    paused: Signal<Option<&'static str>>,
    /// The current time in milliseconds.
    now: Signal<f64>,
) -> impl IntoView {
    let hidden = move || timer.get() == Timer::Hidden;
    view! {
        <div class="time-left-block">
            <p class="label">{label}</p>
            <Show
                when=hidden
                fallback=move || view! {
                    <p class="time-left" data-testid="time-left"
                        data-paused=move || paused.get().map(|_| "true")>
                        {move || time_left_text(timer.get(), now.get())}
                    </p>
                }
            >
                <p class="time-left time-hidden" data-testid="timer-hidden">{t(Msg::SessionTimerHidden)}</p>
                <p class="muted" data-testid="timer-hidden-note">{t(HIDDEN_TIMER_NOTE)}</p>
            </Show>
            {move || paused.get().map(|note| view! {
                <p class="timer-paused" data-testid="timer-paused">{note}</p>
            })}
        </div>
    }
}

/// Avatars and names of the wearer and the keyholder, or "Self-lock".
#[component]
fn PeopleRow(
    /// The wearer first, then the keyholder if any.
    people: Signal<Vec<PersonData>>,
    /// True when there is no keyholder.
    self_lock: Signal<bool>,
) -> impl IntoView {
    view! {
        <ul class="people">
            {move || people.get().into_iter().map(|person| view! { <PersonChip person /> }).collect_view()}
            <Show when=move || self_lock.get()>
                <li class="person self-lock" data-testid="self-lock">
                    <span class="person-name">{t(Msg::SessionSelfLock)}</span>
                    <span class="muted">{t(Msg::SessionNoKeyholder)}</span>
                </li>
            </Show>
        </ul>
    }
}

/// One person: avatar (or initial), name, and role.
#[component]
fn PersonChip(
    /// The person to show.
    person: PersonData,
) -> impl IntoView {
    let you = person.is_viewer.then(|| format!(" {}", t(Msg::SessionYou)));
    view! {
        <li class="person">
            <Avatar initial=person.initial url=person.avatar_url />
            <span class="person-text">
                <span class="person-name">{person.username}{you}</span>
                <span class="muted">{person.role_label}</span>
            </span>
        </li>
    }
}

/// A round avatar of fixed size. The initial sits underneath, so a missing or broken image
/// leaves a tidy letter instead of a broken-image icon or a layout jump.
#[component]
pub fn Avatar(
    /// The letter shown without an image.
    initial: String,
    /// The image, if the person has one.
    url: Option<String>,
) -> impl IntoView {
    let (failed, set_failed) = signal(false);
    view! {
        <span class="avatar" aria-hidden="true">
            <span class="avatar-initial">{initial}</span>
            {url.map(|url| view! {
                <img
                    src=url
                    alt=""
                    loading="lazy"
                    referrerpolicy="no-referrer"
                    class:hidden=move || failed.get()
                    on:error=move |_| set_failed.set(true)
                />
            })}
        </span>
    }
}
