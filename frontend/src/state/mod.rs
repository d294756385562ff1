//! The one state card on top of the main page: what is going on now, and the one obvious thing
//! to do. [`StateCard`] is pure (props in, callbacks out); the session entry feeds it from the
//! session and the box panel's last reading ([`BoxLink`]), and runs its action through the box
//! panel, which is the one that fetches.

pub mod mapper;

use crate::time::{format_ago, format_countdown};
use api_types::DeviceSlot;
use leptos::prelude::*;
use mapper::{CardAction, CardClock, CardData, Tone};

/// Shared between the session entry and the box panel: the panel publishes its last reading
/// of the box, and runs the box actions the state card asks for.
#[derive(Clone, Copy)]
pub struct BoxLink {
    /// The box panel's last good slot.
    pub slot: RwSignal<Option<DeviceSlot>>,
    /// An action the card asked for, with a counter so the same action twice runs twice.
    pub request: RwSignal<Option<(u32, CardAction)>>,
    /// True while a box command or a quota retry is on its way.
    pub busy: RwSignal<bool>,
}

impl BoxLink {
    pub fn new() -> BoxLink {
        BoxLink {
            slot: RwSignal::new(None),
            request: RwSignal::new(None),
            busy: RwSignal::new(false),
        }
    }

    /// Asks the box panel to run `action`.
    pub fn ask(&self, action: CardAction) {
        self.request
            .update(|r| *r = Some((r.map_or(0, |(n, _)| n + 1), action)));
    }
}

impl Default for BoxLink {
    fn default() -> Self {
        BoxLink::new()
    }
}

/// The state card; nothing while the box has not been read yet.
#[component]
pub fn StateCard(
    /// The card, re-derived when the session or the box changes.
    card: Signal<Option<CardData>>,
    /// The current time in milliseconds, for countdowns and "last seen".
    now: Signal<f64>,
    /// True while the card's action is on its way.
    busy: Signal<bool>,
    /// Runs the card's action.
    on_action: Callback<CardAction>,
) -> impl IntoView {
    move || {
        card.get().map(|card| {
            let alert = card.tone == Tone::Alert;
            let class = format!("card state-card {}", card.tone.class());
            view! {
                <section class=class data-testid="state-card" data-state=card.state.as_str()
                    aria-labelledby="state-title">
                    <StateIcon tone=card.tone />
                    <div class="state-body">
                        <h2 id="state-title" data-testid="state-title"
                            role=alert.then_some("alert")>{card.title}</h2>
                        {card.lines.into_iter().map(|line| view! {
                            <p class="state-line">{line}</p>
                        }).collect_view()}
                        {card.clock.map(|clock| view! { <ClockLine clock now /> })}
                        {card.key_anyway.map(|text| view! {
                            <p class="state-key" data-testid="state-key-anyway">{text}</p>
                        })}
                        {card.action.map(|action| view! {
                            <div class="actions">
                                <button class="button button-primary" type="button"
                                    data-testid=action.testid() disabled=move || busy.get()
                                    on:click=move |_| on_action.run(action)>
                                    {action.label()}
                                </button>
                            </div>
                        })}
                    </div>
                </section>
            }
        })
    }
}

/// "Time left to relock: 00:12:34" or "Last seen 12 min ago", ticking with the clock. Not a
/// live region: a screen reader hears it when it reads the card, not every second.
#[component]
fn ClockLine(clock: CardClock, now: Signal<f64>) -> impl IntoView {
    let text = move || match &clock {
        CardClock::Countdown { label, to_ms } => {
            format!("{label}: {}", format_countdown(to_ms - now.get() as i64))
        }
        CardClock::Ago { label, since_ms } => {
            format!("{label} {}", format_ago(now.get() as i64 - since_ms))
        }
    };
    view! { <p class="state-clock" data-testid="state-clock">{text}</p> }
}

/// A small inline SVG by tone; the words carry the meaning, so it is hidden from readers.
#[component]
fn StateIcon(tone: Tone) -> impl IntoView {
    let path = match tone {
        // A padlock.
        Tone::Calm => "M7 11V8a5 5 0 0 1 10 0v3M5 11h14v10H5z",
        // A check mark in a circle.
        Tone::Success => "M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18M8 12l3 3l5-6",
        // The letter i in a circle.
        Tone::Info => "M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18M12 11v6M12 7.5v.5",
        // A warning triangle.
        Tone::Warning | Tone::Alert => "M12 3L2 20h20zM12 10v4M12 17v.5",
    };
    view! {
        <svg class="state-icon" viewBox="0 0 24 24" width="28" height="28" aria-hidden="true"
            focusable="false" fill="none" stroke="currentColor" stroke-width="2"
            stroke-linecap="round" stroke-linejoin="round">
            <path d=path />
        </svg>
    }
}
