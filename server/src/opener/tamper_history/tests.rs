use chrono::{DateTime, Utc};

use super::foreign_unlocks;
use crate::sesame::webapi::HistoryEntry;

const OURS: &str = "Chaster AAAA";

fn t(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(1_700_000_000_000 + ms).unwrap()
}

fn entry(kind: i64, ms: i64, tag: &str, id: i64) -> HistoryEntry {
    HistoryEntry {
        kind,
        at: Some(t(ms)),
        tag: Some(tag.to_owned()),
        record_id: Some(id),
    }
}

/// Our tag names the time it was sent; anything else is not ours.
fn ours(tag: &str) -> Option<DateTime<Utc>> {
    (tag == OURS).then(|| t(0))
}

#[test]
fn our_release_opening_and_its_motor_entry_are_not_counted() {
    // webUnLock with our tag, then driveUnlocked 1.2 s later; later our webLock + driveLocked.
    let entries = vec![
        entry(10, 61_000, "", 4),
        entry(16, 60_000, OURS, 3),
        entry(11, 1_200, "", 2),
        entry(17, 0, OURS, 1),
    ];
    assert!(foreign_unlocks(&entries, t(-5_000), ours).is_empty());
}

#[test]
fn a_manual_opening_and_an_app_opening_are_one_incident_each() {
    let entries = vec![
        entry(8, 1_000, "", 1),
        entry(7, 30_000, "", 2),
        entry(2, 100_000, "Alice", 3),
        entry(11, 101_500, "", 4),
        entry(1, 200_000, "Alice", 5),
        entry(10, 201_000, "", 6),
    ];
    let found = foreign_unlocks(&entries, t(0), ours);
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(found[0].how, "turned by hand");
    assert_eq!(found[1].how, "with the Sesame app (\"Alice\")");
    assert_ne!(found[0].source_ref, found[1].source_ref);
}

#[test]
fn a_copied_tag_recorded_long_after_its_time_is_not_ours() {
    let entries = vec![entry(17, 3_600_000, OURS, 1)];
    let found = foreign_unlocks(&entries, t(0), ours);
    assert_eq!(found.len(), 1);
    assert!(found[0].how.starts_with("remotely through CANDY HOUSE"));
}

#[test]
fn entries_before_the_last_check_are_only_context() {
    // Our command just before `since`, its motor entry just after: still ours.
    let entries = vec![
        entry(17, 0, OURS, 1),
        entry(11, 1_500, "", 2),
        entry(8, -500, "", 0),
    ];
    assert!(foreign_unlocks(&entries, t(1_000), ours).is_empty());
    // A motor opening with no command before it counts.
    let lone = vec![entry(11, 50_000, "", 9)];
    assert_eq!(foreign_unlocks(&lone, t(0), ours).len(), 1);
}
