//! The page Chaster shows in its iframe.
//!
//! The URL hash says who is looking (a `mainToken`); [`App`] parses it, follows `hashchange`,
//! and mounts the session view for that token, or explains why it cannot.

pub mod api;
mod clock;
pub mod device;
pub mod hash;
pub mod session;
pub mod time;
mod ui;

use hash::{HashError, Launch};
use leptos::prelude::*;
use session::SessionPage;

/// The root component: picks the screen from the URL hash.
#[component]
pub fn App() -> impl IntoView {
    let (raw_hash, set_raw_hash) = signal(current_hash());
    let listener = window_event_listener(leptos::ev::hashchange, move |_| {
        set_raw_hash.set(current_hash());
    });
    on_cleanup(move || listener.remove());
    // A memo, so the view is rebuilt only when the parsed launch really changes.
    let launch = Memo::new(move |_| hash::parse(&raw_hash.get()));

    view! {
        <main class="app">
            {move || match launch.get() {
                Ok(Launch::Main { main_token, .. }) => {
                    view! { <SessionPage token=main_token /> }.into_any()
                }
                Ok(Launch::Configuration { .. }) => view! { <ConfigurationScreen /> }.into_any(),
                Err(reason) => view! { <NoTokenScreen reason /> }.into_any(),
            }}
        </main>
    }
}

fn current_hash() -> String {
    window().location().hash().unwrap_or_default()
}

/// Shown when the page was not opened by Chaster, or the link is damaged.
#[component]
fn NoTokenScreen(
    /// Why the hash could not be used, shown in small print for support.
    reason: HashError,
) -> impl IntoView {
    view! {
        <section class="card notice-screen" data-testid="no-token-screen">
            <h1>"Open this page from Chaster"</h1>
            <p>
                "This page belongs to the Sesame opener extension. It only works when Chaster \
                 opens it: go to your lock on chaster.app and open the extension from there."
            </p>
            <p class="muted small">"Details: " {reason.to_string()} "."</p>
        </section>
    }
}

/// Chaster's configuration modal. Nothing here needs configuring: the wearer connects the box
/// from the extension's page once the lock runs.
#[component]
fn ConfigurationScreen() -> impl IntoView {
    view! {
        <section class="card notice-screen" data-testid="config-screen">
            <h1>"Nothing to set up here"</h1>
            <p>
                "Once the lock is running, the wearer connects their Sesame from this \
                 extension's page in the lock. The box then opens by itself when the lock ends."
            </p>
        </section>
    }
}
