//! The lock's history, for both roles: newest first, the last few until "Show all", older pages
//! on demand, only what matters highlighted. This entry is the only place of the feature that
//! fetches.

pub mod mapper;

use crate::i18n::{t, tf, Msg};
use crate::ui::error_text;
use crate::{
    api,
    hash::MainToken,
    ui::{ErrorPanel, Loading},
};
use api_types::{ApiError, HistoryPage};
use leptos::prelude::*;
use mapper::{to_entry_data, when_text, EntryData, FIRST_ENTRIES};

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

    let show_all = RwSignal::new(false);
    let body = move || {
        if loaded.get() {
            return view! {
                <HistoryList
                    entries=entries.into()
                    show_all=show_all.into()
                    on_show_all=Callback::new(move |()| show_all.set(true))
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
            _ => view! { <Loading text=t(Msg::HistoryLoading) /> }.into_any(),
        }
    };
    view! {
        <section class="card history" data-testid="history" aria-labelledby="history-heading">
            <h2 id="history-heading">{t(Msg::HistoryTitle)}</h2>
            {body}
        </section>
    }
}

/// The entries, newest first: the last few, then all with "Show older" while there are more.
#[component]
fn HistoryList(
    /// Every entry loaded so far, newest first.
    entries: Signal<Vec<EntryData>>,
    /// False: only the newest [`FIRST_ENTRIES`] are shown, with "Show all".
    show_all: Signal<bool>,
    /// Shows every loaded entry.
    on_show_all: Callback<()>,
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
            fallback=|| view! { <p class="empty" data-testid="history-empty">{t(Msg::HistoryEmpty)}</p> }
        >
            <ol class="history-list">
                {move || {
                    let shown = if show_all.get() { usize::MAX } else { FIRST_ENTRIES };
                    entries.get().into_iter().take(shown).map(|entry| view! {
                        <HistoryItem entry now />
                    }).collect_view()
                }}
            </ol>
        </Show>
        <Show when=move || !show_all.get() && entries.with(|list| list.len() > FIRST_ENTRIES)>
            <button class="button button-quiet" type="button" data-testid="history-show-all"
                on:click=move |_| on_show_all.run(())>
                {move || tf(Msg::HistoryShowAll, &[("count", &entries.with(Vec::len).to_string())])}
            </button>
        </Show>
        {move || more_error.get().map(|error| view! {
            <p class="notice notice-error" role="alert">
                {t(Msg::HistoryOlderFailed)} " " {error_text(&error)}
            </p>
        })}
        <Show when=move || show_all.get() && has_more.get()>
            <button class="button button-quiet" type="button" data-testid="history-more"
                disabled=move || loading_more.get() on:click=move |_| on_more.run(())>
                {move || t(if loading_more.get() { Msg::HistoryLoadingMore } else { Msg::HistoryShowOlder })}
            </button>
        </Show>
    }
}

/// One entry: icon, title, who acted, description, and how long ago.
#[component]
fn HistoryItem(
    /// The entry to show.
    entry: EntryData,
    /// The current time in milliseconds.
    now: Signal<f64>,
) -> impl IntoView {
    let created_ms = entry.created_ms;
    let meaning = entry.meaning;
    let highlighted = meaning.highlighted();
    view! {
        <li class="history-entry" class:highlight=highlighted data-testid="history-entry"
            data-meaning=meaning.as_str() data-highlight=highlighted.then_some("true")>
            <svg class=format!("history-icon icon-{}", meaning.as_str()) viewBox="0 0 24 24"
                width="20" height="20" aria-hidden="true" focusable="false" fill="none"
                stroke="currentColor" stroke-width="2" stroke-linecap="round"
                stroke-linejoin="round">
                <path d=meaning.icon_path() />
            </svg>
            <div class="history-text">
                <p class="history-title">
                    // The highlight says it to the eye; this says it to a screen reader.
                    {meaning.spoken().map(|words| view! {
                        <span class="visually-hidden">{words} " "</span>
                    })}
                    {entry.title}
                </p>
                {entry.by.map(|by| view! {
                    <p class="muted small history-by" data-testid="history-by">{by}</p>
                })}
                {(!entry.description.is_empty()).then(|| view! {
                    <p class="muted small">{entry.description}</p>
                })}
                <time class="muted small" datetime=entry.created_at>
                    {move || when_text(created_ms, now.get())}
                </time>
            </div>
        </li>
    }
}
