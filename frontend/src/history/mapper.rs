//! History entries from the server → what the history list shows. Pure.

use crate::time::{format_ago, parse_rfc3339_ms};
use api_types::HistoryEntry;

/// One line of the history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryData {
    pub title: String,
    pub description: String,
    /// The timestamp as sent, for `<time datetime>`.
    pub created_at: String,
    pub created_ms: Option<i64>,
    /// A symbol for Chaster's FontAwesome icon (the page loads no icon font).
    pub symbol: &'static str,
    /// Written by this extension: highlighted.
    pub ours: bool,
}

pub fn to_entry_data(entry: &HistoryEntry) -> EntryData {
    EntryData {
        title: entry.title.clone(),
        description: entry.description.clone(),
        created_at: entry.created_at.clone(),
        created_ms: parse_rfc3339_ms(&entry.created_at),
        symbol: icon_symbol(entry.icon.as_deref()),
        ours: entry.by_this_extension,
    }
}

/// A text symbol for the icons Chaster's history uses most; a dot for the rest.
pub fn icon_symbol(icon: Option<&str>) -> &'static str {
    let Some(icon) = icon else {
        return "•";
    };
    let name = icon.trim().trim_start_matches("fa-");
    match name {
        "lock" | "user-lock" | "door-closed" => "🔒",
        "lock-open" | "unlock" | "unlock-alt" | "door-open" => "🔓",
        "key" => "🔑",
        "clock" | "hourglass" | "hourglass-half" | "stopwatch" => "⏱",
        "snowflake" => "❄",
        "plus" | "plus-circle" => "＋",
        "minus" | "minus-circle" => "−",
        "exclamation-triangle" | "exclamation-circle" => "⚠",
        "check" | "check-circle" => "✓",
        "times" | "times-circle" => "✕",
        "wifi" => "📶",
        name if name.starts_with("battery") => "🔋",
        _ => "•",
    }
}

/// "3 h ago", or nothing when the date could not be read.
pub fn when_text(created_ms: Option<i64>, now_ms: f64) -> String {
    created_ms
        .map(|at| format_ago(now_ms as i64 - at))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(icon: Option<&str>, ours: bool) -> HistoryEntry {
        HistoryEntry {
            title: "Box opened".into(),
            description: "The key box confirmed it is open.".into(),
            created_at: "2026-11-22T10:00:00Z".into(),
            icon: icon.map(Into::into),
            by_this_extension: ours,
        }
    }

    #[test]
    fn entries_keep_their_words_and_say_whose_they_are() {
        let data = to_entry_data(&entry(Some("lock-open"), true));
        assert_eq!(data.title, "Box opened");
        assert_eq!(data.description, "The key box confirmed it is open.");
        assert!(data.ours);
        assert_eq!(data.symbol, "🔓");
        assert!(!to_entry_data(&entry(None, false)).ours);
    }

    #[test]
    fn icons_become_symbols_with_or_without_the_fa_prefix() {
        assert_eq!(icon_symbol(Some("fa-snowflake")), "❄");
        assert_eq!(icon_symbol(Some("battery-quarter")), "🔋");
        assert_eq!(icon_symbol(Some("something-new")), "•");
        assert_eq!(icon_symbol(None), "•");
    }

    #[test]
    fn the_time_is_shown_relative_to_now() {
        let data = to_entry_data(&entry(None, false));
        let at = data.created_ms.unwrap();
        assert_eq!(
            when_text(data.created_ms, (at + 3 * 3_600_000) as f64),
            "3 h ago"
        );
        assert_eq!(when_text(None, 0.0), "");
    }
}
