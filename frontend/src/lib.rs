//! The pages Chaster shows in its iframe, and the keyholder dashboard outside it.
//!
//! Each page is its own WASM bundle (`src/bin/`: `main_page`, `connect_page`, `config_page`,
//! `dashboard`), so a page ships only its own code: the binaries mount [`MainApp`],
//! [`ConnectApp`], [`ConfigApp`] or [`DashboardApp`], and LTO drops the rest. The server serves
//! them at `/`, [`CONNECT_PATH`], [`CONFIGURE_PATH`] and [`DASHBOARD_PATH`]. The iframe pages follow `hashchange` and explain when the page was
//! opened without a token.

pub mod api;
pub mod bridge;
mod clock;
pub mod config;
pub mod confirm;
pub mod controls;
pub mod dashboard;
pub mod device;
pub mod hash;
pub mod history;
pub mod i18n;
pub mod perf;
pub mod session;
pub mod state;
pub mod time;
mod ui;

use config::ConfigPage;
use dashboard::DashboardPage;
use device::connect_page::ConnectPage;
pub use device::connect_page::CONNECT_PATH;
use hash::{HashError, Launch};
use i18n::{t, LanguageSwitcher, Localized, Msg};
use leptos::prelude::*;
use session::SessionPage;

/// The path of the keyholder dashboard (its own bundle).
pub const DASHBOARD_PATH: &str = "/dashboard";
/// The path of the configuration page (its own bundle), set as the configuration URL in
/// Chaster's developer portal.
pub const CONFIGURE_PATH: &str = "/configure";

/// The main page (`/`): the session for a `mainToken`. A configuration token that still
/// arrives here (the portal's configuration URL not yet changed) is sent on to
/// [`CONFIGURE_PATH`] with the same hash.
#[component]
pub fn MainApp() -> impl IntoView {
    iframe_page(|launch| match launch {
        Launch::Main { main_token, .. } => view! { <SessionPage token=main_token /> }.into_any(),
        Launch::Configuration { .. } => moved_to(CONFIGURE_PATH).into_any(),
    })
}

/// The connect page ([`CONNECT_PATH`]): the wearer's guided connect flow, opened from the main
/// page with the same hash. A configuration token is sent on to [`CONFIGURE_PATH`].
#[component]
pub fn ConnectApp() -> impl IntoView {
    iframe_page(|launch| match launch {
        Launch::Main { main_token, .. } => view! { <ConnectPage token=main_token /> }.into_any(),
        Launch::Configuration { .. } => moved_to(CONFIGURE_PATH).into_any(),
    })
}

/// The configuration page ([`CONFIGURE_PATH`]) for a `partnerConfigurationToken`; a
/// `mainToken` is sent on to the main page.
#[component]
pub fn ConfigApp() -> impl IntoView {
    iframe_page(|launch| match launch {
        Launch::Configuration {
            configuration_token,
            ..
        } => view! { <ConfigPage token=configuration_token /> }.into_any(),
        Launch::Main { .. } => moved_to("/").into_any(),
    })
}

/// The frame of every page Chaster shows in its iframe: the reader's language, what `body`
/// draws for the launch in the hash (followed on `hashchange`), the explanation when the hash
/// holds no token, and the language menu. A plain function, so the pages share one copy.
fn iframe_page(body: fn(Launch) -> AnyView) -> impl IntoView {
    let launch = launch_from_hash();
    view! {
        <Localized>
        <main class="app">
            {move || match launch.get() {
                Ok(launch) => body(launch),
                Err(reason) => view! { <NoTokenScreen reason /> }.into_any(),
            }}
        </main>
        <LanguageSwitcher />
        </Localized>
    }
}

/// The keyholder dashboard ([`DASHBOARD_PATH`]).
#[component]
pub fn DashboardApp() -> impl IntoView {
    view! {
        <Localized>
            <main class="app"><DashboardPage /></main>
            <LanguageSwitcher />
        </Localized>
    }
}

/// The parsed URL hash, following `hashchange`. A memo, so the view is rebuilt only when the
/// parsed launch really changes.
fn launch_from_hash() -> Memo<Result<Launch, HashError>> {
    let (raw_hash, set_raw_hash) = signal(current_hash());
    let listener = window_event_listener(leptos::ev::hashchange, move |_| {
        set_raw_hash.set(current_hash());
    });
    on_cleanup(move || listener.remove());
    Memo::new(move |_| hash::parse(&raw_hash.get()))
}

fn current_hash() -> String {
    window().location().hash().unwrap_or_default()
}

/// Replaces this page by the page at `path` with the same hash (the token stays out of the
/// history and out of any request), and says so while the browser goes there.
fn moved_to(path: &'static str) -> impl IntoView {
    let target = format!("{path}{}", current_hash());
    // A failed navigation leaves the link below, which goes to the same place.
    let _ = window().location().replace(&target);
    view! {
        <section class="card notice-screen" data-testid="moved-screen">
            <p>{t(Msg::MovedOpening)} " " <a href=target>{t(Msg::MovedRightPage)}</a> "…"</p>
        </section>
    }
}

/// Shown when the page was not opened by Chaster, or the link is damaged.
#[component]
fn NoTokenScreen(
    /// Why the hash could not be used, shown in small print for support.
    reason: HashError,
) -> impl IntoView {
    view! {
        <section class="card notice-screen" data-testid="no-token-screen">
            <h1>{t(Msg::NoTokenTitle)}</h1>
            <p>
                {t(Msg::NoTokenText)} " "
                <a href=DASHBOARD_PATH>{t(Msg::NoTokenDashboardLink)}</a>
            </p>
            <p class="muted small">{t(Msg::NoTokenDetails)} " " {reason.to_string()}</p>
        </section>
    }
}
