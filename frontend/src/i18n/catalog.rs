//! Reading a message file and filling a message's values. Pure, so it is tested natively, and
//! the tests check that every translation has exactly the messages and values of English.

use super::{by_id, Texts, COUNT};

/// The texts of a fetched message file, by message index. Lines that are not `id = text`
/// (comments, blank lines, or an HTML page a proxy sent instead) and unknown ids are skipped.
/// The texts are leaked on purpose: a language is read once per page, at most a few KB, and
/// `&'static str` lets every component keep the simple `t(…)` signature.
pub fn parse(text: &str) -> Texts {
    let mut texts: Vec<Option<&'static str>> = vec![None; COUNT];
    for line in text.lines() {
        let Some((id, value)) = line.split_once('=') else {
            continue;
        };
        let (id, value) = (id.trim(), value.trim());
        if let (Some(index), false) = (by_id(id), value.is_empty()) {
            texts[index] = Some(Box::leak(value.to_owned().into_boxed_str()));
        }
    }
    Box::leak(texts.into_boxed_slice())
}

/// Replaces each `{ $name }` (spaces optional) by its value; an unknown name stays as written,
/// so a mistake in a translation shows instead of vanishing.
pub fn fill(text: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open..];
        let Some(close) = after.find('}') else {
            rest = after;
            break;
        };
        let name = after[1..close].trim().trim_start_matches('$').trim();
        match values.iter().find(|(key, _)| *key == name) {
            Some((_, value)) => out.push_str(value),
            None => out.push_str(&after[..=close]),
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

/// The `{ $name }` names a text uses, sorted.
#[cfg(test)]
fn names(text: &str) -> Vec<String> {
    let mut names: Vec<String> = text
        .split('{')
        .skip(1)
        .filter_map(|part| part.split_once('}'))
        .map(|(name, _)| name.trim().trim_start_matches('$').trim().to_owned())
        .collect();
    names.sort();
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Msg, IDS, LANGUAGES};

    /// The English text of the message with this index, read from `en.ftl` itself: the page
    /// does not compile in the English of the server's sentences.
    fn english(index: usize) -> &'static str {
        let text = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/i18n/en.ftl"));
        parse(text)[index].unwrap()
    }

    #[test]
    fn values_are_filled_by_name_with_or_without_spaces() {
        let filled = fill(
            "{ $who } opened it { $when }, {$who} again",
            &[("who", "Ana"), ("when", "hier")],
        );
        assert_eq!(filled, "Ana opened it hier, Ana again");
        assert_eq!(fill("in { $unknown }", &[]), "in { $unknown }");
        assert_eq!(fill("broken { $x", &[("x", "1")]), "broken { $x");
    }

    #[test]
    fn a_message_file_is_read_by_id_and_anything_else_is_skipped() {
        let texts =
            parse("# a comment\n\nlanguage-name = Français\n<html lang=\"en\">\nno-such-id = x\n");
        assert_eq!(texts[Msg::LanguageName as usize], Some("Français"));
        assert_eq!(texts.iter().flatten().count(), 1);
    }

    /// A translator's checklist, run by `cargo test -p frontend`: every language file has every
    /// English message, no other, and each with the same `{ $values }`.
    #[test]
    fn every_translation_has_exactly_the_english_messages_and_values() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/i18n");
        for (code, _) in LANGUAGES {
            let text = std::fs::read_to_string(format!("{dir}/{code}.ftl")).unwrap();
            let mut problems = Vec::new();
            for line in text.lines() {
                if let Some((id, _)) = line.split_once('=') {
                    let id = id.trim();
                    let looks_like_id = !id.is_empty() && !id.starts_with('#');
                    if looks_like_id && !IDS.contains(&id) {
                        problems.push(format!("{id}: not in en.ftl"));
                    }
                }
            }
            let texts = parse(&text);
            for (index, id) in IDS.iter().enumerate() {
                match texts[index] {
                    None => problems.push(format!("{id}: missing")),
                    Some(translated) if names(translated) != names(english(index)) => problems
                        .push(format!(
                            "{id}: values {:?}, English has {:?}",
                            names(translated),
                            names(english(index))
                        )),
                    Some(_) => {}
                }
            }
            assert!(
                problems.is_empty(),
                "i18n/{code}.ftl:\n{}",
                problems.join("\n")
            );
        }
    }
}
