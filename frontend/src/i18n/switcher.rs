//! The language around every page: the page waits for its words, is drawn again when the reader
//! picks another language, and offers the picker.

use super::{choose_language, lang, load_language, t, Msg, LANGUAGES};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The language shown now, as a signal the page is drawn from (provided by [`Localized`]).
#[derive(Clone, Copy)]
struct Shown(RwSignal<Option<&'static str>>);

/// Draws `children` in the reader's language, and again whenever it changes.
#[component]
pub fn Localized(children: ChildrenFn) -> impl IntoView {
    let shown = RwSignal::new(None);
    provide_context(Shown(shown));
    let first = choose_language();
    if first == "en" {
        shown.set(Some("en"));
    } else {
        // The page waits for its words (a few KB) rather than flashing English first.
        spawn_local(async move {
            load_language(first, false).await;
            shown.set(Some(lang()));
        });
    }
    move || shown.get().map(|_| children())
}

/// A `<select>` of every language with a message file, each named in its own language.
#[component]
pub fn LanguageSwitcher() -> impl IntoView {
    let shown = use_context::<Shown>().map(|Shown(signal)| signal);
    let on_change = move |event| {
        let code = event_target_value(&event);
        spawn_local(async move {
            load_language(&code, true).await;
            if let Some(shown) = shown {
                shown.set(Some(lang()));
            }
        });
    };
    let current = lang();
    view! {
        <div class="language-switcher">
            <label for="language-switcher" class="small muted">{t(Msg::LanguageLabel)}</label>
            <select id="language-switcher" data-testid="language-switcher" on:change=on_change>
                {LANGUAGES
                    .iter()
                    .map(|(code, name)| {
                        view! { <option value=*code selected=*code == current lang=*code>{*name}</option> }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}
