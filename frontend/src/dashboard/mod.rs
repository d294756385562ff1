//! The keyholder dashboard at `/dashboard`, outside Chaster: every session of the signed-in
//! keyholder that uses this extension, with the same controls as in the iframe. It signs in with
//! Chaster through our server (`/auth/login`) and keeps a cookie of our own origin.
//! This entry is the only place of the page that fetches; the cards run their own commands.

mod card;
pub mod mapper;
mod row;

use crate::{
    api::dashboard as api,
    clock::{use_clock, use_interval},
    i18n::{t, PageMsg},
    session::components::Avatar,
    ui::{error_text, ErrorPanel, Loading},
};
use api_types::{DashboardView, Person};
use card::DashboardCard;
use leptos::prelude::*;
use mapper::{apply, is_signed_out, last_updated_text, split_handles, to_row};
use row::LockRow;
use std::time::Duration;

/// Re-reads the sessions now and then, so changes made elsewhere show up.
const DASHBOARD_REFRESH: Duration = Duration::from_secs(60);

/// The dashboard page.
#[component]
pub fn DashboardPage() -> impl IntoView {
    let last_good = RwSignal::new(None::<DashboardView>);
    // When the list was last read from the server (ms), for the "Last updated" line.
    let loaded_at = RwSignal::new(None::<f64>);
    let dashboard = LocalResource::new(move || async move {
        let answer = api::get_dashboard().await;
        match &answer {
            Ok(view) => {
                loaded_at.try_set(Some(js_sys::Date::now()));
                last_good.try_set(Some(view.clone()))
            }
            Err(error) if is_signed_out(error) => last_good.try_set(None),
            Err(_) => None,
        };
        answer
    });
    use_interval(DASHBOARD_REFRESH, move || dashboard.refetch());
    let now = use_clock();

    let signed_out = Memo::new(move |_| {
        dashboard
            .get()
            .and_then(Result::err)
            .is_some_and(|error| is_signed_out(&error))
    });
    let loaded = Memo::new(move |_| last_good.with(Option::is_some));
    let csrf = Signal::derive(move || {
        last_good.with(|v| v.as_ref().map(|v| v.csrf_token.clone()).unwrap_or_default())
    });
    let sign_out = Action::new_local(move |csrf: &String| {
        let csrf = csrf.clone();
        async move {
            let answer = api::sign_out(&csrf).await;
            dashboard.refetch();
            answer
        }
    });
    let on_update = Callback::new(move |(handle, update): (String, Option<_>)| match update {
        Some(update) => last_good.update(|view| {
            if let Some(view) = view {
                apply(view, &handle, update);
            }
        }),
        None => dashboard.refetch(),
    });

    let body = move || {
        if signed_out.get() {
            return view! { <SignIn /> }.into_any();
        }
        if !loaded.get() {
            return match dashboard.get() {
                Some(Err(error)) => view! {
                    <ErrorPanel error on_retry=Callback::new(move |()| dashboard.refetch()) />
                }
                .into_any(),
                _ => view! { <Loading text=t(PageMsg::DashboardLoading) /> }.into_any(),
            };
        }
        let lists = Memo::new(move |_| {
            last_good.with(|v| v.as_ref().map(split_handles).unwrap_or_default())
        });
        let keyholder =
            Signal::derive(move || last_good.with(|v| v.as_ref().map(|v| v.keyholder.clone())));
        let entry_of = move |handle: String| {
            Signal::derive(move || {
                last_good.with(|v| {
                    v.iter()
                        .flat_map(|v| v.sessions.iter())
                        .find(|s| s.handle == handle)
                        .cloned()
                })
            })
        };
        let lock_row = move |handle: String, ended: bool| {
            let entry = entry_of(handle.clone());
            let row = Signal::derive(move || {
                entry.with(|e| e.as_ref().map(|e| to_row(e, now.get())).unwrap_or_default())
            });
            let card_handle = handle.clone();
            view! {
                <LockRow panel_id=format!("lock-{handle}") row>
                    <DashboardCard handle=card_handle.clone() entry csrf ended now=now.into() on_update />
                </LockRow>
            }
        };
        view! {
            <Header keyholder signing_out=sign_out.pending().into()
                sign_out_failed=Signal::derive(move || {
                    sign_out.value().get().and_then(Result::err).map(|e| error_text(&e))
                })
                on_sign_out=Callback::new(move |()| { sign_out.dispatch_local(csrf.get_untracked()); }) />
            <p class="muted" data-testid="dashboard-updated">
                {move || loaded_at.get().map(|at| last_updated_text(at, now.get()))}
            </p>
            <section class="lock-list" aria-labelledby="running-heading" data-testid="dashboard-running">
                <h2 id="running-heading">{t(PageMsg::DashboardRunning)}</h2>
                <Show when=move || lists.with(|(running, _)| running.is_empty())>
                    <p class="card empty" data-testid="dashboard-empty">
                        {t(PageMsg::DashboardEmpty)}
                    </p>
                </Show>
                <For each=move || lists.get().0 key=|handle| handle.clone() let:handle>
                    {lock_row(handle, false)}
                </For>
            </section>
            <Show when=move || lists.with(|(_, ended)| !ended.is_empty())>
                <section class="lock-list" aria-labelledby="ended-heading" data-testid="dashboard-ended">
                    <h2 id="ended-heading">{t(PageMsg::DashboardEnded)}</h2>
                    <For each=move || lists.get().1 key=|handle| handle.clone() let:handle>
                        {lock_row(handle, true)}
                    </For>
                </section>
            </Show>
        }
        .into_any()
    };
    view! { <div class="dashboard" data-testid="dashboard">{body}</div> }
}

/// Shown when nobody is signed in.
#[component]
fn SignIn() -> impl IntoView {
    view! {
        <section class="card notice-screen" data-testid="dashboard-signin">
            <h1>{t(PageMsg::DashboardTitle)}</h1>
            <p>
                {t(PageMsg::DashboardSigninText)}
            </p>
            <a class="button button-primary" href=api::LOGIN_PATH data-testid="signin-link">
                {t(PageMsg::DashboardSignin)}
            </a>
        </section>
    }
}

/// Who is signed in, and "Sign out".
#[component]
fn Header(
    /// The signed-in keyholder.
    keyholder: Signal<Option<Person>>,
    /// True while signing out.
    signing_out: Signal<bool>,
    /// Why signing out failed, if it did.
    sign_out_failed: Signal<Option<String>>,
    /// Signs out.
    on_sign_out: Callback<()>,
) -> impl IntoView {
    let name =
        move || keyholder.with(|k| k.as_ref().map(|k| k.username.clone()).unwrap_or_default());
    let avatar = move || keyholder.with(|k| k.as_ref().and_then(|k| k.avatar_url.clone()));
    view! {
        <header class="card dashboard-header">
            <div class="person">
                {move || view! {
                    <Avatar initial=name().chars().next().map(|c| c.to_ascii_uppercase().to_string()).unwrap_or_default()
                        url=avatar().filter(|url| url.starts_with("https://")) />
                }}
                <span class="person-text">
                    <span class="eyebrow">{t(PageMsg::DashboardSignedInAs)}</span>
                    <span class="person-name">{name}</span>
                </span>
            </div>
            <button class="button button-quiet" type="button" data-testid="signout"
                disabled=move || signing_out.get() on:click=move |_| on_sign_out.run(())>
                {move || t(if signing_out.get() { PageMsg::DashboardSigningOut } else { PageMsg::DashboardSignOut })}
            </button>
            {move || sign_out_failed.get().map(|reason| view! {
                <p class="notice notice-error" role="alert">{t(PageMsg::DashboardSignOutFailed)} " " {reason}</p>
            })}
        </header>
    }
}
