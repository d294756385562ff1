//! The page's words in the reader's language.
//!
//! Every sentence lives in a message file, `frontend/i18n/<code>.ftl` (one `id = text` per line,
//! `{ $name }` for a value: a single-line subset of Fluent). English is compiled in (`build.rs`
//! turns `en.ftl` into [`Msg`] and the fallback texts); another language is fetched as
//! `/i18n/<code>.ftl` only when the reader needs it, so it costs nothing in the first download.
//! A message missing from a translation shows in English.
//!
//! [`t`] and [`tf`] are plain functions, not signals: the page is drawn again as a whole when the
//! language changes ([`Localized`]), which happens once at start and when the reader switches.

mod browser;
mod catalog;
pub mod intl;
mod switcher;

include!(concat!(env!("OUT_DIR"), "/messages.rs"));

pub use browser::{choose_language, load_language};
pub use catalog::fill;
pub use switcher::{LanguageSwitcher, Localized};

use std::cell::Cell;

/// One language's texts, indexed by [`Msg`]; `None` where the translation has no such message.
type Texts = &'static [Option<&'static str>];

thread_local! {
    /// The language shown now: its code and its texts (`None` for English).
    static CURRENT: Cell<(&'static str, Option<Texts>)> = const { Cell::new(("en", None)) };
}

/// The code of the language shown now (`en`, `fr`, …), as `<html lang>` says.
pub fn lang() -> &'static str {
    CURRENT.with(|current| current.get().0)
}

/// The text of `msg` in the language shown now.
pub fn t(msg: Msg) -> &'static str {
    let index = msg as usize;
    let translated = CURRENT.with(|current| current.get().1);
    translated
        .and_then(|texts| texts.get(index).copied().flatten())
        .unwrap_or_else(|| english(index))
}

/// The English text of `msg`, whatever the language shown.
pub fn en(msg: Msg) -> &'static str {
    english(msg as usize)
}

/// The English text of the message at `index`.
fn english(index: usize) -> &'static str {
    let start = index
        .checked_sub(1)
        .and_then(|before| EN_ENDS.get(before))
        .map_or(0, |&end| usize::from(end));
    let end = EN_ENDS.get(index).map_or(start, |&end| usize::from(end));
    EN_TEXT.get(start..end).unwrap_or_default()
}

/// The text of `msg` with its `{ $name }` values filled in.
pub fn tf(msg: Msg, values: &[(&str, &str)]) -> String {
    fill(t(msg), values)
}

/// The message with this id (`error-box-busy`), for ids that arrive as data (server errors,
/// the lines of a fetched message file). Found by the hash of the id, so no id is in the WASM;
/// an id that is not in `en.ftl` matches one by chance once in about ten million.
pub fn by_id(id: &str) -> Option<Msg> {
    let index = ID_HASHES.binary_search(&id_hash(id)).ok()?;
    HASHED.get(index).copied()
}

/// FNV-1a, 32 bits: the same function as `build.rs`'s.
fn id_hash(id: &str) -> u32 {
    id.bytes().fold(0x811c_9dc5, |hash: u32, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    })
}

/// Makes `code` the language shown, with its texts (`None`: English only).
fn set_current(code: &'static str, texts: Option<Texts>) {
    CURRENT.with(|current| current.set((code, texts)));
}

/// The supported language code for a browser tag such as `fr-FR` or `de`, if any.
pub fn supported(tag: &str) -> Option<&'static str> {
    let primary = tag.split(['-', '_']).next()?.trim().to_ascii_lowercase();
    LANGUAGES
        .iter()
        .map(|(code, _)| *code)
        .find(|code| *code == primary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_has_its_english_text_and_is_found_by_its_id() {
        assert_eq!(
            (COUNT, EN_ENDS.len(), HASHED.len()),
            (IDS.len(), IDS.len(), IDS.len())
        );
        for (index, id) in IDS.iter().enumerate() {
            let msg = by_id(id).unwrap();
            assert_eq!(msg as usize, index, "{id}");
            assert!(!t(msg).is_empty(), "{id} has no English text");
        }
        assert_eq!(by_id("no-such-message"), None);
        assert_eq!(t(Msg::LanguageName), "English");
        assert_eq!(t(HASHED[0]), english(HASHED[0] as usize));
    }

    #[test]
    fn browser_tags_pick_a_supported_language_by_their_first_part() {
        assert_eq!(supported("fr-FR"), Some("fr"));
        assert_eq!(supported("de"), Some("de"));
        assert_eq!(supported("EN_gb"), Some("en"));
        assert_eq!(supported("pt-BR"), None);
        assert_eq!(supported(""), None);
    }
}
