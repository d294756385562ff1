use serde_json::{json, Value};

use super::*;
use crate::auth::ResolvedSession;
use crate::chaster::SessionAuth;

const FIXTURE: &str = include_str!("../../tests/fixtures/webhook-extension_session.created.json");
const TOKEN: &str = "main-token-should-never-show";

/// A session auth answer built from a real payload: `session` as Chaster sent it, and a
/// `lockForUser` derived from its lock for `role`.
fn resolved(role: &str, adjust: impl FnOnce(&mut Value)) -> ResolvedSession {
    let fixture: Value = serde_json::from_str(FIXTURE).unwrap();
    let session = fixture["data"]["session"].clone();
    let mut lfu = session["lock"].clone();
    lfu["role"] = json!(role);
    adjust(&mut lfu);
    let auth: SessionAuth = serde_json::from_value(json!({
        "role": role, "session": session, "lockForUser": lfu, "userId": "62340ce3abfd422e9dd80001"
    }))
    .unwrap();
    ResolvedSession::from_auth(auth).unwrap()
}

fn view_json(s: &ResolvedSession) -> String {
    serde_json::to_string(&session_view(s.role, &s.extension_name, &s.lock_for_user)).unwrap()
}

#[test]
fn the_view_never_contains_session_ids_lock_ids_or_tokens() {
    for role in ["wearer", "keyholder"] {
        let s = resolved(role, |_| {});
        let text = view_json(&s);
        for forbidden in [
            s.session_id.as_str(),                  // sessionId
            "67b628fe56fc9b66f325a3aa",             // the lock-extension _id
            s.lock_id.as_str(),                     // lock _id
            "67b628fd4711fb55b3b78871",             // combination id
            "62340ce3abfd422e9dd80001",             // user _id
            "00000000-0000-0000-0000-000000000000", // offerToken
            TOKEN,
            "sessionId",
            "_id",
            "combination",
            "votes", // session.data
        ] {
            assert!(
                !text.contains(forbidden),
                "{role} view contains {forbidden}: {text}"
            );
        }
    }
}

#[test]
fn a_hidden_timer_has_no_end_date() {
    let s = resolved("wearer", |l| l["endDate"] = Value::Null);
    let view = session_view(s.role, &s.extension_name, &s.lock_for_user);
    assert_eq!(view.lock.end_date, None);
    assert!(!view.lock.timer_visible);
}

#[test]
fn an_end_date_the_viewer_may_not_see_is_dropped_even_if_chaster_sends_it() {
    // The fixture's lock says isAllowedToViewTime: false but still carries endDate.
    let s = resolved("wearer", |_| {});
    assert!(s.lock_for_user.end_date.is_some());
    let view = session_view(s.role, &s.extension_name, &s.lock_for_user);
    assert_eq!(view.lock.end_date, None);
    assert!(!view.lock.timer_visible);
}

#[test]
fn a_visible_timer_shows_its_end_date() {
    let s = resolved("keyholder", |l| l["isAllowedToViewTime"] = json!(true));
    let view = session_view(s.role, &s.extension_name, &s.lock_for_user);
    assert_eq!(
        view.lock.end_date.as_deref(),
        Some("2025-02-19T20:54:28.000Z")
    );
    assert!(view.lock.timer_visible);
    assert_eq!(view.role, api_types::Role::Keyholder);
}

#[test]
fn frozen_at_is_shown_only_for_a_frozen_lock() {
    let s = resolved("wearer", |l| {
        l["isFrozen"] = json!(true);
        l["frozenAt"] = json!("2025-02-19T19:00:00.000Z");
    });
    let view = session_view(s.role, &s.extension_name, &s.lock_for_user);
    assert!(view.lock.frozen);
    assert_eq!(
        view.lock.frozen_at.as_deref(),
        Some("2025-02-19T19:00:00.000Z")
    );
    let s = resolved("wearer", |l| {
        l["frozenAt"] = json!("2025-02-19T19:00:00.000Z")
    });
    assert_eq!(
        session_view(s.role, "x", &s.lock_for_user).lock.frozen_at,
        None
    );
}

#[test]
fn a_self_lock_has_no_keyholder_and_people_keep_only_name_and_avatar() {
    let s = resolved("wearer", |l| {
        l["user"]["avatarUrl"] = json!("javascript:alert(1)")
    });
    let view = session_view(s.role, &s.extension_name, &s.lock_for_user);
    assert_eq!(view.keyholder, None);
    assert_eq!(view.wearer.username, "demo-wearer");
    assert_eq!(view.wearer.avatar_url, None);
    assert_eq!(view.extension_name, "Shared Links Modifier");
}

#[test]
fn the_view_is_built_from_lock_for_user_not_from_session_lock() {
    let s = resolved("wearer", |l| l["title"] = json!("Title for this viewer"));
    let view = session_view(s.role, &s.extension_name, &s.lock_for_user);
    assert_eq!(view.lock.title, "Title for this viewer");
    assert_ne!(s.lock.title, view.lock.title);
}

#[test]
fn a_running_hygiene_opening_shows_when_the_box_must_be_locked_again() {
    let s = resolved("wearer", |l| {
        l["status"] = json!("locked");
        l["maxLimitDate"] = json!("2030-01-02T03:04:05.000Z");
        l["extensions"] = json!([{
            "slug": "temporary-opening",
            "config": {"openingTime": 900},
            "userData": {"openedAt": "2026-12-01T10:00:00.000Z"}
        }]);
    });
    let view = session_view(s.role, &s.extension_name, &s.lock_for_user);
    let hygiene = view.lock.hygiene_opening.expect("a hygiene opening runs");
    assert_eq!(hygiene.opened_at, "2026-12-01T10:00:00.000Z");
    assert_eq!(
        hygiene.relock_by.as_deref(),
        Some("2026-12-01T10:15:00.000Z")
    );
    assert_eq!(
        view.lock.max_limit_date.as_deref(),
        Some("2030-01-02T03:04:05.000Z")
    );
    assert_eq!(view.lock.ended_at, None);
}

#[test]
fn no_hygiene_opening_runs_without_opened_at_and_an_ended_lock_says_when() {
    let s = resolved("keyholder", |l| {
        l["status"] = json!("unlocked");
        l["unlockedAt"] = json!("2026-12-01T12:00:00.000Z");
        l["extensions"] = json!([{
            "slug": "temporary-opening",
            "config": {"openingTime": 900},
            "userData": {"openedAt": null}
        }]);
    });
    let view = session_view(s.role, &s.extension_name, &s.lock_for_user);
    assert_eq!(view.lock.hygiene_opening, None);
    assert_eq!(
        view.lock.ended_at.as_deref(),
        Some("2026-12-01T12:00:00.000Z")
    );
}

#[test]
fn a_resolved_session_serialises_its_view_once_and_hands_out_the_same_bytes() {
    let s = resolved("wearer", |_| {});
    let builds = std::cell::Cell::new(0);
    let build = |s: &ResolvedSession| {
        builds.set(builds.get() + 1);
        Ok::<_, std::convert::Infallible>(axum::body::Bytes::from(view_json(s)))
    };
    let first = s.view_json(build).unwrap();
    let second = s.view_json(build).unwrap();
    assert_eq!(builds.get(), 1);
    assert_eq!(first, second);
    assert_eq!(first, view_json(&s).as_bytes());
}
