//! Compiles the English message file (`i18n/en.ftl`) into the WASM as the fallback language,
//! with one enum variant per message so a call site cannot name a message that does not exist.
//! `#!` lines in `en.ftl` sort the messages below them into three kinds:
//! - `main`: a `Msg` variant, its English in every page;
//! - `said`: the server's sentences, found only by id (their `reason`). The server sends their
//!   English with its values filled in, so it is compiled in only for a sentence with a time or
//!   duration value (`…_at`, `…_secs`), which the page formats itself, or under `#! said english`
//!   (the server's English also says how long to wait, which the page says itself). No variant: a
//!   call site cannot ask for a text that may not be there;
//! - `pages`: a `PageMsg` variant, its English in a table only the connect, configuration and
//!   dashboard pages reach, so the main page's WASM leaves it out.
//!
//! The ids themselves stay out of the WASM: a message that arrives by id (a server reason, a line
//! of a fetched file) is found by a 32-bit hash of its id.
//! The other languages stay out of the WASM: the page fetches `/i18n/<code>.ftl` when needed.
//! The list of languages is every `i18n/*.ftl` file, named by its `language-name` message.

use std::{env, fs, path::Path};

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Kind {
    Main,
    Said,
    Pages,
}

struct Message {
    kind: Kind,
    id: String,
    text: String,
    /// Whether its English is compiled in.
    english: bool,
}

fn main() {
    println!("cargo:rerun-if-changed=i18n");
    let dir = Path::new("i18n");
    let english = fs::read_to_string(dir.join("en.ftl")).expect("i18n/en.ftl is readable");
    let mut messages = kinds(&english);
    // Global index order: main, then said, then pages; by id within a kind.
    messages.sort_by(|a, b| (a.kind, &a.id).cmp(&(b.kind, &b.id)));
    let mut ids: Vec<&str> = messages.iter().map(|m| m.id.as_str()).collect();
    ids.sort();
    for pair in ids.windows(2) {
        assert!(pair[0] != pair[1], "i18n/en.ftl: `{}` twice", pair[0]);
    }
    let of = |kind: Kind| messages.iter().filter(move |m| m.kind == kind);

    let mut languages: Vec<(String, String)> = fs::read_dir(dir)
        .expect("i18n/ is readable")
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            let code = path.file_stem()?.to_str()?.to_owned();
            (path.extension()? == "ftl").then_some(())?;
            let text = fs::read_to_string(&path).ok()?;
            let name = parse(&text)
                .into_iter()
                .find(|(id, _)| id == "language-name")
                .map(|(_, name)| name)
                .unwrap_or_else(|| code.clone());
            Some((code, name))
        })
        .collect();
    languages.sort();

    let mut out = String::new();
    out.push_str(&enumeration(
        "Msg",
        "Every message of every page, by its id in `i18n/en.ftl` (sorted by id).",
        of(Kind::Main),
    ));
    out.push_str(&enumeration(
        "PageMsg",
        "The messages only the connect, configuration and dashboard pages use.",
        of(Kind::Pages),
    ));
    let main_count = of(Kind::Main).count();
    let said_count = of(Kind::Said).count();
    out.push_str(&format!(
        "/// How many `Msg` variants there are: the first indices.\npub const MAIN_COUNT: usize = {main_count};\n\n\
         /// Where the `PageMsg` indices start, after the server's sentences.\npub const PAGE_START: usize = {};\n\n\
         /// How many messages there are, of all kinds.\npub const COUNT: usize = {};\n\n",
        main_count + said_count,
        messages.len()
    ));
    // No id is compiled in: a message is found by the hash of its id (`id_hash`), sorted for a
    // binary search. Two ids with one hash would be a build error.
    let mut hashed: Vec<(u32, usize)> = messages
        .iter()
        .enumerate()
        .map(|(index, m)| (id_hash(&m.id), index))
        .collect();
    hashed.sort();
    for pair in hashed.windows(2) {
        assert!(pair[0].0 != pair[1].0, "i18n/en.ftl: two ids hash alike");
    }
    out.push_str(&format!(
        "/// The hash of each id (`id_hash`), ascending.\npub const ID_HASHES: [u32; {}] = {:?};\n\n",
        hashed.len(),
        hashed.iter().map(|h| h.0).collect::<Vec<_>>()
    ));
    out.push_str(&format!(
        "/// The index of the message of each hash of `ID_HASHES`.\npub const HASHED: [u16; {}] = {:?};\n\n",
        hashed.len(),
        hashed.iter().map(|h| h.1).collect::<Vec<_>>()
    ));
    out.push_str("/// The ids in the order of the indices, for the tests only.\n#[cfg(test)]\n");
    out.push_str(&format!(
        "pub const IDS: [&str; {}] = {:?};\n\n",
        messages.len(),
        messages.iter().map(|m| m.id.as_str()).collect::<Vec<_>>()
    ));
    let said_or_main = messages.iter().filter(|m| m.kind != Kind::Pages);
    out.push_str(&table(
        "EN",
        "The English texts of `Msg` and of the server's sentences, one after the other (empty for a sentence whose English the server sends).",
        said_or_main.map(|m| if m.english { m.text.as_str() } else { "" }),
    ));
    out.push_str(&table(
        "PAGE",
        "The English texts of `PageMsg`, one after the other.",
        of(Kind::Pages).map(|m| m.text.as_str()),
    ));
    out.push_str("/// Every language with a message file: (code, its own name).\n");
    out.push_str(&format!(
        "pub const LANGUAGES: [(&str, &str); {}] = {:?};\n",
        languages.len(),
        languages
    ));
    let target = Path::new(&env::var("OUT_DIR").expect("OUT_DIR")).join("messages.rs");
    fs::write(target, out).expect("messages.rs is writable");
}

/// The messages of `en.ftl` with the kind their `#!` section gives them (`main` before any).
fn kinds(text: &str) -> Vec<Message> {
    let (mut kind, mut keep_english) = (Kind::Main, false);
    let mut messages = Vec::new();
    for line in text.lines() {
        if let Some(marker) = line.strip_prefix("#!") {
            let word = marker.trim_start();
            (kind, keep_english) = if word.starts_with("main") {
                (Kind::Main, false)
            } else if word.starts_with("said english") {
                (Kind::Said, true)
            } else if word.starts_with("said") {
                (Kind::Said, false)
            } else if word.starts_with("pages") {
                (Kind::Pages, false)
            } else {
                (kind, keep_english)
            };
        } else if let Some((id, text)) = parse(line).pop() {
            let english = kind != Kind::Said || keep_english || has_formatted_value(&text);
            messages.push(Message {
                kind,
                id,
                text,
                english,
            });
        }
    }
    messages
}

/// Whether a text has a value the page formats itself: a time (`…_at`) or a duration (`…_secs`).
fn has_formatted_value(text: &str) -> bool {
    text.split('{')
        .skip(1)
        .filter_map(|part| part.split_once('}'))
        .any(|(name, _)| {
            let name = name.trim();
            name.ends_with("_at") || name.ends_with("_secs")
        })
}

/// `pub enum <name>` with one variant per message.
fn enumeration<'a>(name: &str, doc: &str, messages: impl Iterator<Item = &'a Message>) -> String {
    let mut out = format!(
        "/// {doc}\n#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]\n\
         #[allow(clippy::enum_variant_names)]\npub enum {name} {{\n"
    );
    for message in messages {
        out.push_str(&format!("    {},\n", variant(&message.id)));
    }
    out + "}\n\n"
}

/// `<NAME>_TEXT` (the texts joined) and `<NAME>_ENDS` (where each ends): a table of `&str`
/// would cost 8 bytes a message.
fn table<'a>(name: &str, doc: &str, texts: impl Iterator<Item = &'a str>) -> String {
    let mut joined = String::new();
    let mut ends = Vec::new();
    for text in texts {
        joined.push_str(text);
        ends.push(joined.len());
    }
    assert!(
        joined.len() <= usize::from(u16::MAX),
        "en.ftl: over 64 KiB of text in {name}"
    );
    format!(
        "/// {doc}\npub const {name}_TEXT: &str = {joined:?};\n\n\
         /// Where each text ends in `{name}_TEXT`.\npub const {name}_ENDS: [u16; {}] = {ends:?};\n\n",
        ends.len()
    )
}

/// The same reading as `src/i18n/catalog.rs` (`id = text`, one per line, `#` comments).
fn parse(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|line| {
            let (id, value) = line.split_once('=')?;
            let id = id.trim();
            let valid = !id.is_empty()
                && id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            valid.then(|| (id.to_owned(), value.trim().to_owned()))
        })
        .collect()
}

/// FNV-1a, 32 bits: the same function as `src/i18n/mod.rs`'s `id_hash`.
fn id_hash(id: &str) -> u32 {
    id.bytes().fold(0x811c_9dc5, |hash: u32, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    })
}

/// `state-locked-title` → `StateLockedTitle`.
fn variant(id: &str) -> String {
    id.split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}
