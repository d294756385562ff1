//! Which language the reader gets, and fetching its message file.
//! Order: the reader's own choice (remembered in `localStorage`), then the browser's languages
//! (`navigator.languages`), then English.

use super::{catalog, set_current, supported, Texts, LANGUAGES};
use std::cell::RefCell;

/// The `localStorage` key of the reader's choice.
const STORAGE_KEY: &str = "sesame-opener.language";

thread_local! {
    /// Languages already fetched on this page, so switching back costs nothing.
    static FETCHED: RefCell<Vec<(&'static str, Texts)>> = const { RefCell::new(Vec::new()) };
}

/// The language to show: the remembered choice, else the first of the browser's languages we
/// have, else English.
pub fn choose_language() -> &'static str {
    remembered()
        .or_else(|| {
            let navigator = web_sys::window()?.navigator();
            let mut tags: Vec<String> = navigator
                .languages()
                .iter()
                .filter_map(|tag| tag.as_string())
                .collect();
            tags.extend(navigator.language());
            tags.iter().find_map(|tag| supported(tag))
        })
        .unwrap_or("en")
}

fn remembered() -> Option<&'static str> {
    // Storage may be refused (a third-party iframe with strict settings): then nothing is kept.
    let storage = web_sys::window()?.local_storage().ok()??;
    supported(&storage.get_item(STORAGE_KEY).ok()??)
}

/// Shows `code` from now on: fetches its messages unless it is English or already here, sets
/// `<html lang>`, and remembers it when the reader chose it. A file that cannot be fetched leaves
/// the page in English rather than without words.
pub async fn load_language(code: &str, chosen: bool) {
    let Some(code) = LANGUAGES
        .iter()
        .map(|(known, _)| *known)
        .find(|known| *known == code)
    else {
        return;
    };
    let texts = if code == "en" {
        None
    } else {
        match FETCHED.with(|fetched| {
            fetched
                .borrow()
                .iter()
                .find(|(c, _)| *c == code)
                .map(|(_, t)| *t)
        }) {
            Some(texts) => Some(texts),
            None => match fetch(code).await {
                Some(texts) => {
                    FETCHED.with(|fetched| fetched.borrow_mut().push((code, texts)));
                    Some(texts)
                }
                None => None,
            },
        }
    };
    let shown = if texts.is_some() || code == "en" {
        code
    } else {
        "en"
    };
    set_current(shown, texts);
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("lang", shown);
    }
    if chosen {
        if let Some(Ok(Some(storage))) = web_sys::window().map(|w| w.local_storage()) {
            let _ = storage.set_item(STORAGE_KEY, code);
        }
    }
}

async fn fetch(code: &str) -> Option<Texts> {
    let response = gloo_net::http::Request::get(&format!("/i18n/{code}.ftl"))
        .send()
        .await
        .ok()
        .filter(|response| response.ok())?;
    let text = response.text().await.ok()?;
    Some(catalog::parse(&text))
}
