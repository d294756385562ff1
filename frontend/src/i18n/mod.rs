//! The page's words in the reader's language.
//!
//! Every sentence lives in a message file, `frontend/i18n/<code>.ftl` (one `id = text` per line,
//! `{ $name }` for a value: a single-line subset of Fluent). English is compiled in (`build.rs`
//! turns `en.ftl` into [`Msg`], [`PageMsg`] and the fallback texts; the server's sentences keep
//! the English the server sends with them); another language is fetched as
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

/// One language's texts, by message index; `None` where the translation has no such message.
type Texts = &'static [Option<&'static str>];

thread_local! {
    /// The language shown now: its code and its texts (`None` for English).
    static CURRENT: Cell<(&'static str, Option<Texts>)> = const { Cell::new(("en", None)) };
}

/// The code of the language shown now (`en`, `fr`, …), as `<html lang>` says.
pub fn lang() -> &'static str {
    CURRENT.with(|current| current.get().0)
}

/// A message a call site can name: a [`Msg`] (every page) or a [`PageMsg`] (the pages other than
/// the main page). Each kind reads its own English table, so a page that never names a
/// `PageMsg` leaves that table out of its WASM.
pub trait Message: Copy {
    /// Its index among all messages, as translations are stored.
    fn index(self) -> usize;
    /// Its English text.
    fn english(self) -> &'static str;
}

impl Message for Msg {
    fn index(self) -> usize {
        self as usize
    }
    fn english(self) -> &'static str {
        nth(EN_TEXT, &EN_ENDS, self as usize)
    }
}

impl Message for PageMsg {
    fn index(self) -> usize {
        PAGE_START + self as usize
    }
    fn english(self) -> &'static str {
        nth(PAGE_TEXT, &PAGE_ENDS, self as usize)
    }
}

/// The text of `msg` in the language shown now.
pub fn t(msg: impl Message) -> &'static str {
    translated(msg.index()).unwrap_or_else(|| msg.english())
}

/// The English text of `msg`, whatever the language shown.
pub fn en(msg: Msg) -> &'static str {
    msg.english()
}

/// The text at `index` of the language shown now, if it has one.
fn translated(index: usize) -> Option<&'static str> {
    let texts = CURRENT.with(|current| current.get().1)?;
    texts.get(index).copied().flatten()
}

/// The `index`-th text of a joined table.
fn nth(joined: &'static str, ends: &[u16], index: usize) -> &'static str {
    let start = index
        .checked_sub(1)
        .and_then(|before| ends.get(before))
        .map_or(0, |&end| usize::from(end));
    let end = ends.get(index).map_or(start, |&end| usize::from(end));
    joined.get(start..end).unwrap_or_default()
}

/// The text of `msg` with its `{ $name }` values filled in.
pub fn tf(msg: impl Message, values: &[(&str, &str)]) -> String {
    fill(t(msg), values)
}

/// The index of the message with this id (`error-box-busy`), for ids that arrive as data
/// (server reasons, the lines of a fetched message file). Found by the hash of the id, so no id
/// is in the WASM; an id that is not in `en.ftl` matches one by chance once in about ten million.
pub fn by_id(id: &str) -> Option<usize> {
    let index = ID_HASHES.binary_search(&id_hash(id)).ok()?;
    HASHED.get(index).map(|&index| usize::from(index))
}

/// The text of the message with this id in the language shown now, else its English when the
/// page has it: `None` for an unknown id, and for a server sentence whose English the server
/// sends itself (the caller shows the server's words then).
pub fn text_of(id: &str) -> Option<&'static str> {
    let index = by_id(id)?;
    let english = (index < PAGE_START).then(|| nth(EN_TEXT, &EN_ENDS, index));
    translated(index)
        .or(english)
        .filter(|text| !text.is_empty())
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

/// Shows the language `code` from its file in `i18n/` on this thread, as the page does once it
/// has fetched it (English: only what is compiled in), for tests of what its reader sees.
#[cfg(test)]
pub fn speak(code: &'static str) {
    if code == "en" {
        return set_current(code, None);
    }
    let path = format!("{}/i18n/{code}.ftl", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(path).unwrap();
    set_current(code, Some(catalog::parse(&text)));
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
    fn every_message_is_found_by_its_id_and_has_english_unless_the_server_sends_it() {
        assert_eq!(
            (COUNT, HASHED.len(), EN_ENDS.len() + PAGE_ENDS.len()),
            (IDS.len(), IDS.len(), IDS.len())
        );
        let english =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/i18n/en.ftl")).unwrap();
        for (index, id) in IDS.iter().enumerate() {
            assert_eq!(by_id(id), Some(index), "{id}");
            let text = english
                .lines()
                .find_map(|line| line.split_once('=').filter(|(i, _)| i.trim() == *id))
                .map(|(_, text)| text.trim())
                .unwrap();
            let formatted = text.contains("_at }") || text.contains("_secs }");
            match index {
                _ if index < MAIN_COUNT => assert_eq!(text_of(id), Some(text), "{id}"),
                _ if index < PAGE_START && formatted => assert_eq!(text_of(id), Some(text), "{id}"),
                // The server sends the English of the others: most are not compiled in.
                _ if index < PAGE_START => assert!(text_of(id).is_none_or(|t| t == text), "{id}"),
                _ => assert_eq!(nth(PAGE_TEXT, &PAGE_ENDS, index - PAGE_START), text, "{id}"),
            }
        }
        assert_eq!(by_id("no-such-message"), None);
        assert_eq!(t(Msg::LanguageName), "English");
        assert_eq!(text_of("error-qr-code-of-bot"), None);
        assert!(
            text_of("error-box-busy").is_some(),
            "its English says the wait: kept"
        );
        assert_eq!(text_of("latch-jammed"), Some(t(Msg::LatchJammed)));
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
