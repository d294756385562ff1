//! The lock's history, for both roles: newest first, older pages on demand, this extension's
//! entries highlighted. This entry is the only place of the feature that fetches.

pub mod mapper;

use crate::{
    api,
    hash::MainToken,
    ui::{ErrorPanel, Loading},
};
use api_types::{ApiError, HistoryPage};
use leptos::prelude::*;
use mapper::{to_entry_data, when_text, EntryData};

/// The history panel for the session of `token`.
#[component]
pub fn HistoryPanel(
    /// The viewer's token.
    token: MainToken,
    /// Bumped when something was done that the history will show: reloads the newest page.
    refresh: Signal<u32>,
    /// The current time in milliseconds, for "3 h ago".
    now: Signal<f64>,
) -> impl IntoView {
    let entries = RwSignal::new(Vec::<EntryData>::new());
    let next_cursor = RwSignal::new(None::<String>);
    let loaded = RwSignal::new(false);
    let keep = move |page: &HistoryPage, append: bool| {
        let mapped = page.entries.iter().map(to_entry_data);
        entries.update(|list| {
            if !append {
                list.clear();
            }
            list.extend(mapped);
        });
        next_cursor.set(page.next_cursor.clone());
        loaded.set(true);
    };
    let newest = LocalResource::new({
        let token = token.clone();
        move || {
            refresh.track();
            let token = token.clone();
            async move {
                let answer = api::get_history(&token, None).await;
                if let Ok(page) = &answer {
                    keep(page, false);
                }
                answer
            }
        }
    });
    let older = Action::new_local(move |cursor: &String| {
        let (token, cursor) = (token.clone(), cursor.clone());
        async move {
            let answer = api::get_history(&token, Some(&cursor)).await;
            match answer {
                Ok(page) => {
                    keep(&page, true);
                    None
                }
                Err(error) => Some(error),
            }
        }
    });

    let body = move || {
        if loaded.get() {
            return view! {
                <HistoryList
                    entries=entries.into()
                    now
                    has_more=Signal::derive(move || next_cursor.with(Option::is_some))
                    loading_more=older.pending().into()
                    more_error=Signal::derive(move || older.value().get().flatten())
                    on_more=Callback::new(move |()| {
                        if let Some(cursor) = next_cursor.get_untracked() {
                            older.dispatch_local(cursor);
                        }
                    })
                />
            }
            .into_any();
        }
        match newest.get() {
            Some(Err(error)) => view! {
                <ErrorPanel error on_retry=Callback::new(move |()| newest.refetch())
                    testid="history-error" />
            }
            .into_any(),
            _ => view! { <Loading text="Loading the history…" /> }.into_any(),
        }
    };
    view! {
        <section class="card history" data-testid="history" aria-labelledby="history-heading">
            <h2 id="history-heading">"History"</h2>
            {body}
        </section>
    }
}

/// The entries, newest first, and "Show older" while there are more.
#[component]
fn HistoryList(
    /// Every entry loaded so far, newest first.
    entries: Signal<Vec<EntryData>>,
    /// The current time in milliseconds.
    now: Signal<f64>,
    /// True while older entries exist.
    has_more: Signal<bool>,
    /// True while older entries are on their way.
    loading_more: Signal<bool>,
    /// Why the last "Show older" failed, if it did.
    more_error: Signal<Option<ApiError>>,
    /// Loads the next older page.
    on_more: Callback<()>,
) -> impl IntoView {
    view! {
        <Show
            when=move || entries.with(|list| !list.is_empty())
            fallback=|| view! { <p class="empty" data-testid="history-empty">"Nothing yet."</p> }
        >
            <ol class="history-list">
                {move || entries.get().into_iter().map(|entry| view! {
                    <HistoryItem entry now />
                }).collect_view()}
            </ol>
        </Show>
        {move || more_error.get().map(|error| view! {
            <p class="notice notice-error" role="alert">
                "Could not load older entries: " {error.message}
            </p>
        })}
        <Show when=move || has_more.get()>
            <button class="button button-quiet" type="button" data-testid="history-more"
                disabled=move || loading_more.get() on:click=move |_| on_more.run(())>
                {move || if loading_more.get() { "Loading…" } else { "Show older" }}
            </button>
        </Show>
    }
}

/// One entry: symbol, title, description, and how long ago.
#[component]
fn HistoryItem(
    /// The entry to show.
    entry: EntryData,
    /// The current time in milliseconds.
    now: Signal<f64>,
) -> impl IntoView {
    let created_ms = entry.created_ms;
    view! {
        <li class="history-entry" class:ours=entry.ours data-testid="history-entry"
            data-ours=entry.ours.then_some("true")>
            <span class="history-symbol" aria-hidden="true">{entry.symbol}</span>
            <div class="history-text">
                <p class="history-title">{entry.title}</p>
                {(!entry.description.is_empty()).then(|| view! {
                    <p class="muted small">{entry.description}</p>
                })}
                <time class="muted small" datetime=entry.created_at>
                    {move || when_text(created_ms, now.get())}
                </time>
                // The highlight says it to the eye; this says it to a screen reader.
                {entry.ours.then(|| view! {
                    <span class="visually-hidden">"Written by this extension."</span>
                })}
            </div>
        </li>
    }
}
