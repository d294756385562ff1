//! Compiles the English message file (`i18n/en.ftl`) into the WASM as the fallback language,
//! with one `Msg` variant per message so a call site cannot name a message that does not exist.
//! The ids themselves stay out of the WASM: a message that arrives by id (a server reason, a line
//! of a fetched file) is found by a 32-bit hash of its id.
//! The other languages stay out of the WASM: the page fetches `/i18n/<code>.ftl` when needed.
//! The list of languages is every `i18n/*.ftl` file, named by its `language-name` message.

use std::{env, fs, path::Path};

fn main() {
    println!("cargo:rerun-if-changed=i18n");
    let dir = Path::new("i18n");
    let english = fs::read_to_string(dir.join("en.ftl")).expect("i18n/en.ftl is readable");
    let mut messages = parse(&english);
    messages.sort_by(|a, b| a.0.cmp(&b.0));
    for pair in messages.windows(2) {
        assert!(pair[0].0 != pair[1].0, "i18n/en.ftl: `{}` twice", pair[0].0);
    }

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

    let mut out = String::from(
        "/// Every message of the page, one per id of `i18n/en.ftl` (sorted by id).\n\
         #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]\n\
         #[allow(clippy::enum_variant_names)]\npub enum Msg {\n",
    );
    for (id, _) in &messages {
        out.push_str(&format!("    {},\n", variant(id)));
    }
    out.push_str("}\n\n");
    out.push_str(&format!(
        "/// How many messages there are.\npub const COUNT: usize = {};\n\n",
        messages.len()
    ));
    // No id is compiled in: a message is found by the hash of its id (`id_hash`), sorted for a
    // binary search. Two ids with one hash would be a build error.
    let mut hashed: Vec<(u32, String)> = messages
        .iter()
        .map(|(id, _)| (id_hash(id), variant(id)))
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
        "/// The message of each hash of `ID_HASHES`.\npub const HASHED: [Msg; {}] = [{}];\n\n",
        hashed.len(),
        hashed
            .iter()
            .map(|h| format!("Msg::{}", h.1))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    out.push_str("/// The ids in the order of `Msg`, for the tests only.\n#[cfg(test)]\n");
    out.push_str(&format!(
        "pub const IDS: [&str; {}] = {:?};\n\n",
        messages.len(),
        messages.iter().map(|m| m.0.as_str()).collect::<Vec<_>>()
    ));
    // One string and the end of each text in it: a table of `&str` would cost 8 bytes a message.
    let mut joined = String::new();
    let mut ends = Vec::new();
    for (_, text) in &messages {
        joined.push_str(text);
        ends.push(joined.len());
    }
    assert!(
        joined.len() <= usize::from(u16::MAX),
        "en.ftl: over 64 KiB of text"
    );
    out.push_str("/// The English texts one after the other, the fallback of every language.\n");
    out.push_str(&format!("pub const EN_TEXT: &str = {joined:?};\n\n"));
    out.push_str(&format!(
        "/// Where each English text ends in `EN_TEXT`, in the order of `Msg`.\npub const EN_ENDS: [u16; {}] = {:?};\n\n",
        ends.len(),
        ends
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
