//! History entries from the server → what the history list shows. Pure.
//!
//! Only what matters is highlighted: the box opened, something failed, a tamper or an incident.
//! Each entry gets an inline SVG icon coloured by that meaning (the page loads no icon font,
//! and emoji render as empty boxes without an emoji font).

use crate::i18n::{t, Msg};
use crate::time::{format_ago, parse_rfc3339_ms};
use api_types::HistoryEntry;

/// How many entries the history shows until "Show all".
pub const FIRST_ENTRIES: usize = 5;

/// What an entry means to the people watching the box.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Meaning {
    /// The box was opened.
    Opened,
    /// Something we tried did not happen (yet).
    Failed,
    /// The box was opened or found open when it should not have been.
    Tamper,
    /// The box could not be watched or moved: jammed, unreachable, quota used up.
    Incident,
    Locked,
    Time,
    Frozen,
    Other,
}

impl Meaning {
    /// Worth the highlight.
    pub fn highlighted(self) -> bool {
        matches!(
            self,
            Meaning::Opened | Meaning::Failed | Meaning::Tamper | Meaning::Incident
        )
    }

    /// The entry's `data-meaning` and the icon's colour class (`icon-<name>`).
    pub fn as_str(self) -> &'static str {
        match self {
            Meaning::Opened => "opened",
            Meaning::Failed => "failed",
            Meaning::Tamper => "tamper",
            Meaning::Incident => "incident",
            Meaning::Locked => "locked",
            Meaning::Time => "time",
            Meaning::Frozen => "frozen",
            Meaning::Other => "other",
        }
    }

    /// The words a screen reader hears for a highlighted entry.
    pub fn spoken(self) -> Option<&'static str> {
        match self {
            Meaning::Opened => Some(t(Msg::HistorySpokenOpened)),
            Meaning::Failed => Some(t(Msg::HistorySpokenFailed)),
            Meaning::Tamper => Some(t(Msg::HistorySpokenTamper)),
            Meaning::Incident => Some(t(Msg::HistorySpokenIncident)),
            _ => None,
        }
    }

    /// An SVG path (24×24 viewBox, stroked) for the meaning.
    pub fn icon_path(self) -> &'static str {
        match self {
            // An open padlock.
            Meaning::Opened => "M7 11V8a5 5 0 0 1 9.6-2M5 11h14v10H5z",
            // A cross in a circle.
            Meaning::Failed => "M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18M9 9l6 6M15 9l-6 6",
            // A shield with an exclamation mark.
            Meaning::Tamper => "M12 3l8 3v6c0 5-3.5 8-8 9c-4.5-1-8-4-8-9V6zM12 8v5M12 16v.5",
            // A warning triangle.
            Meaning::Incident => "M12 3L2 20h20zM12 10v4M12 17v.5",
            // A closed padlock.
            Meaning::Locked => "M7 11V8a5 5 0 0 1 10 0v3M5 11h14v10H5z",
            // A clock.
            Meaning::Time => "M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18M12 7v5l3 2",
            // A snowflake.
            Meaning::Frozen => "M12 2v20M3.3 7l17.4 10M3.3 17L20.7 7",
            // A dot.
            Meaning::Other => "M12 10a2 2 0 1 0 0 4a2 2 0 1 0 0-4",
        }
    }
}

/// One line of the history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryData {
    pub title: String,
    pub description: String,
    /// The timestamp as sent, for `<time datetime>`.
    pub created_at: String,
    pub created_ms: Option<i64>,
    pub meaning: Meaning,
    /// "by alice", when the entry names who acted.
    pub by: Option<String>,
}

pub fn to_entry_data(entry: &HistoryEntry) -> EntryData {
    EntryData {
        title: entry.title.clone(),
        description: entry.description.clone(),
        created_at: entry.created_at.clone(),
        created_ms: parse_rfc3339_ms(&entry.created_at),
        meaning: meaning_of(&entry.title, entry.icon.as_deref()),
        by: entry
            .actor
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(|a| format!("by {a}")),
    }
}

/// The meaning of an entry, from its title first (ours say what happened) and Chaster's
/// FontAwesome icon name second.
pub fn meaning_of(title: &str, icon: Option<&str>) -> Meaning {
    // Every word looked for is ASCII (and Unicode case tables would cost the WASM ~10 KB).
    let t = title.to_ascii_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| t.contains(w));
    let icon = icon.unwrap_or("").trim().trim_start_matches("fa-");
    if has(&[
        "failed",
        "could not",
        "not confirmed",
        "was not",
        "not opened",
        "gave up",
        "no box to open",
    ]) {
        Meaning::Failed
    } else if has(&["found open", "opened during the session", "tamper"]) {
        Meaning::Tamper
    } else if has(&[
        "jammed",
        "unreachable",
        "quota used up",
        "hub is back",
        "incident",
    ]) {
        Meaning::Incident
    } else if t.starts_with("box opened") || has(&["opened the box"]) {
        Meaning::Opened
    } else if has(&["froze", "frozen"]) || icon == "snowflake" {
        Meaning::Frozen
    } else if t.starts_with("box locked") || matches!(icon, "lock" | "user-lock") {
        Meaning::Locked
    } else if has(&[" added ", " removed "])
        || matches!(
            icon,
            "clock" | "hourglass" | "hourglass-half" | "stopwatch" | "plus" | "minus"
        )
    {
        Meaning::Time
    } else if matches!(icon, "lock-open" | "unlock" | "unlock-alt") {
        Meaning::Opened
    } else {
        Meaning::Other
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

    fn entry(title: &str, icon: Option<&str>, actor: Option<&str>) -> HistoryEntry {
        HistoryEntry {
            title: title.into(),
            description: "The key box confirmed it is open.".into(),
            created_at: "2026-11-22T10:00:00Z".into(),
            icon: icon.map(Into::into),
            by_this_extension: true,
            actor: actor.map(Into::into),
        }
    }

    #[test]
    fn entries_keep_their_words_and_name_who_acted() {
        let data = to_entry_data(&entry(
            "Box opened by the keyholder",
            Some("lock-open"),
            Some("bob"),
        ));
        assert_eq!(data.title, "Box opened by the keyholder");
        assert_eq!(data.description, "The key box confirmed it is open.");
        assert_eq!(data.by.as_deref(), Some("by bob"));
        assert_eq!(data.meaning, Meaning::Opened);
        assert_eq!(to_entry_data(&entry("x", None, Some("  "))).by, None);
    }

    #[test]
    fn only_openings_failures_tampers_and_incidents_are_highlighted() {
        let cases = [
            (
                "Box opened after release",
                Some("lock-open"),
                Meaning::Opened,
                true,
            ),
            (
                "Open failed: box still locked",
                Some("lock-open"),
                Meaning::Failed,
                true,
            ),
            (
                "Box could not be opened: hub offline, retrying",
                Some("lock"),
                Meaning::Failed,
                true,
            ),
            (
                "Box not opened yet: hub offline, retrying",
                Some("lock"),
                Meaning::Failed,
                true,
            ),
            (
                "Box found open during the session",
                Some("lock-open"),
                Meaning::Tamper,
                true,
            ),
            (
                "Box opened during the session",
                Some("lock-open"),
                Meaning::Tamper,
                true,
            ),
            (
                "Box jammed",
                Some("exclamation-triangle"),
                Meaning::Incident,
                true,
            ),
            ("Box unreachable", Some("wifi"), Meaning::Incident, true),
            (
                "The box will open as soon as the hub is back",
                Some("lock"),
                Meaning::Incident,
                true,
            ),
            (
                "Box locked again after hygiene opening",
                Some("lock"),
                Meaning::Locked,
                false,
            ),
            ("Box locked", Some("lock"), Meaning::Locked, false),
            ("bob added 1 hour", Some("clock"), Meaning::Time, false),
            ("Timer frozen", Some("snowflake"), Meaning::Frozen, false),
            (
                "The wearer connected a box",
                Some("key"),
                Meaning::Other,
                false,
            ),
            ("alice started the lock", None, Meaning::Other, false),
        ];
        for (title, icon, meaning, highlighted) in cases {
            let got = meaning_of(title, icon);
            assert_eq!(got, meaning, "{title}");
            assert_eq!(got.highlighted(), highlighted, "{title}");
        }
    }

    #[test]
    fn every_meaning_has_an_svg_path_and_no_emoji() {
        for meaning in [
            Meaning::Opened,
            Meaning::Failed,
            Meaning::Tamper,
            Meaning::Incident,
            Meaning::Locked,
            Meaning::Time,
            Meaning::Frozen,
            Meaning::Other,
        ] {
            let path = meaning.icon_path();
            assert!(path.starts_with('M'), "{meaning:?}");
            assert!(path.is_ascii(), "{meaning:?}");
            assert_eq!(meaning.spoken().is_some(), meaning.highlighted());
        }
    }

    #[test]
    fn the_time_is_shown_relative_to_now() {
        let data = to_entry_data(&entry("x", None, None));
        let at = data.created_ms.unwrap();
        assert_eq!(
            when_text(data.created_ms, (at + 3 * 3_600_000) as f64),
            "3 h ago"
        );
        assert_eq!(when_text(None, 0.0), "");
    }
}
