//! The pages Chaster shows in its iframe, and the keyholder dashboard outside it.
//!
//! [`App`] picks the page: `/dashboard` is the dashboard; anywhere else the URL hash says who is
//! looking (a `mainToken` for the main page, a `partnerConfigurationToken` for the configuration
//! page). It follows `hashchange`, and explains when the page was opened without either.

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
pub mod session;
pub mod state;
pub mod time;
mod ui;

use config::ConfigPage;
use dashboard::DashboardPage;
use hash::{HashError, Launch};
use i18n::{t, LanguageSwitcher, Localized, Msg};
use leptos::prelude::*;
use session::SessionPage;

/// The path of the keyholder dashboard; the server serves the app for it like for `/`.
pub const DASHBOARD_PATH: &str = "/dashboard";

/// The root component: picks the page from the path and the URL hash.
#[component]
pub fn App() -> impl IntoView {
    let on_dashboard = window()
        .location()
        .pathname()
        .is_ok_and(|path| is_dashboard_path(&path));
    if on_dashboard {
        return view! {
            <Localized>
                <main class="app"><DashboardPage /></main>
                <LanguageSwitcher />
            </Localized>
        }
        .into_any();
    }
    let (raw_hash, set_raw_hash) = signal(current_hash());
    let listener = window_event_listener(leptos::ev::hashchange, move |_| {
        set_raw_hash.set(current_hash());
    });
    on_cleanup(move || listener.remove());
    // A memo, so the view is rebuilt only when the parsed launch really changes.
    let launch = Memo::new(move |_| hash::parse(&raw_hash.get()));

    view! {
        <Localized>
        <main class="app">
            {move || match launch.get() {
                Ok(Launch::Main { main_token, .. }) => {
                    view! { <SessionPage token=main_token /> }.into_any()
                }
                Ok(Launch::Configuration { configuration_token, .. }) => {
                    view! { <ConfigPage token=configuration_token /> }.into_any()
                }
                Err(reason) => view! { <NoTokenScreen reason /> }.into_any(),
            }}
        </main>
        <LanguageSwitcher />
        </Localized>
    }
    .into_any()
}

/// `/dashboard` and `/dashboard/`.
pub fn is_dashboard_path(path: &str) -> bool {
    path.trim_end_matches('/') == DASHBOARD_PATH
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
            <h1>{t(Msg::NoTokenTitle)}</h1>
            <p>
                {t(Msg::NoTokenText)} " "
                <a href=DASHBOARD_PATH>{t(Msg::NoTokenDashboardLink)}</a>
            </p>
            <p class="muted small">{t(Msg::NoTokenDetails)} " " {reason.to_string()}</p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::is_dashboard_path;

    #[test]
    fn only_the_dashboard_path_opens_the_dashboard() {
        assert!(is_dashboard_path("/dashboard"));
        assert!(is_dashboard_path("/dashboard/"));
        assert!(!is_dashboard_path("/"));
        assert!(!is_dashboard_path("/dashboards"));
        assert!(!is_dashboard_path("/api/dashboard"));
    }
}
