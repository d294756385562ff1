//! Compiles the English message file (`i18n/en.ftl`) into the WASM as the fallback language,
//! with one `Msg` variant per message so a call site cannot name a message that does not exist.
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
    out.push_str("}\n\n/// The ids, in the order of `Msg`: sorted, for a binary search.\n");
    out.push_str(&format!(
        "pub const IDS: [&str; {}] = {:?};\n\n",
        messages.len(),
        messages.iter().map(|m| m.0.as_str()).collect::<Vec<_>>()
    ));
    out.push_str(&format!(
        "/// Every message, in the order of `IDS`.\npub const ALL: [Msg; {}] = [{}];\n\n",
        messages.len(),
        messages
            .iter()
            .map(|m| format!("Msg::{}", variant(&m.0)))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    out.push_str("/// The English text of each message, the fallback of every language.\n");
    out.push_str(&format!(
        "pub const EN: [&str; {}] = {:?};\n\n",
        messages.len(),
        messages.iter().map(|m| m.1.as_str()).collect::<Vec<_>>()
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
