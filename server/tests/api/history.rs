//! The lock history for both roles, paged with a cursor.

use std::collections::HashSet;

use serde_json::{json, Value};
use sim::chaster::{
    EXTENSION_SLUG, KEYHOLDER_TOKEN, OTHER_KEYHOLDER_TOKEN, SESSION_A_ID, WEARER_TOKEN,
};

use crate::helpers::{spawn_app, TestApp};

async fn history(app: &TestApp, token: &str, after: Option<&str>) -> reqwest::Response {
    let mut url = format!("{}/api/history", app.address);
    if let Some(after) = after {
        url.push_str(&format!("?after={after}"));
    }
    app.client.get(url).bearer_auth(token).send().await.unwrap()
}

async fn history_json(app: &TestApp, token: &str, after: Option<&str>) -> Value {
    let response = history(app, token, after).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// `n` more of Chaster's own entries in session A's history, newest last.
fn add_time_logs(app: &TestApp, n: usize) {
    app.chaster.with_state(|s| {
        for i in 0..n {
            let id = s.next_object_id();
            let log = json!({
                "_id": id, "type": "time_changed", "prefix": "default", "payload": {"duration": 60},
                "role": "keyholder", "title": format!("%USER% added time #{i}"), "description": "1m",
                "color": null, "icon": "fa-clock", "createdAt": "2025-02-20T10:00:00.000Z"
            });
            s.action_logs.get_mut(SESSION_A_ID).unwrap().push(log);
        }
    });
}

#[tokio::test]
async fn history_pages_through_with_a_cursor_newest_first() {
    let app = spawn_app().await;
    add_time_logs(&app, 24); // 25 entries with the seeded "locked" one
    let first = history_json(&app, KEYHOLDER_TOKEN, None).await;
    let entries = first["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 20);
    assert_eq!(
        entries[0]["title"], "demo-keyholder added time #23",
        "newest first"
    );
    let cursor = first["next_cursor"].as_str().unwrap();
    assert!(!cursor.contains(SESSION_A_ID));

    let second = history_json(&app, KEYHOLDER_TOKEN, Some(cursor)).await;
    let rest = second["entries"].as_array().unwrap();
    assert_eq!(rest.len(), 5);
    assert_eq!(second["next_cursor"], Value::Null);
    assert_eq!(rest[4]["title"], "demo-wearer started the lock");
    let titles: HashSet<&str> = entries
        .iter()
        .chain(rest)
        .map(|e| e["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles.len(), 25, "no entry twice, none missing");
}

#[tokio::test]
async fn our_own_entries_are_flagged_and_user_becomes_the_right_name() {
    let app = spawn_app().await;
    // A box event as the device routes write it, attributed to the keyholder.
    app.chaster.with_state(|s| {
        let id = s.next_object_id();
        let log = json!({
            "_id": id, "type": "custom", "prefix": EXTENSION_SLUG, "extension": EXTENSION_SLUG,
            "role": "keyholder", "title": "%USER% opened the box", "description": "Confirmed by the box.",
            "color": null, "icon": "fa-lock-open", "createdAt": "2025-02-21T10:00:00.000Z"
        });
        s.custom_logs.entry(SESSION_A_ID.to_owned()).or_default().push(log);
    });
    let page = history_json(&app, WEARER_TOKEN, None).await;
    let entries = page["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(
        entries[0],
        json!({
            "title": "demo-keyholder opened the box",
            "description": "Confirmed by the box.",
            "created_at": "2025-02-21T10:00:00.000Z",
            "icon": "lock-open",
            "by_this_extension": true,
            "actor": "demo-keyholder"
        })
    );
    assert_eq!(entries[1]["title"], "demo-wearer started the lock");
    assert_eq!(entries[1]["icon"], "lock");
    assert_eq!(entries[1]["by_this_extension"], false);
    assert_eq!(page["next_cursor"], Value::Null);
}

#[tokio::test]
async fn the_history_is_the_tokens_own_session_only() {
    let app = spawn_app().await;
    add_time_logs(&app, 3);
    let other = history_json(&app, OTHER_KEYHOLDER_TOKEN, None).await;
    let text = other.to_string();
    assert!(!text.contains("added time #"), "{text}");
    assert!(text.contains("other-wearer started the lock"));
}

#[tokio::test]
async fn a_cursor_that_is_not_an_id_is_refused() {
    let app = spawn_app().await;
    let response = history(&app, KEYHOLDER_TOKEN, Some("..%2F..%2Fsessions")).await;
    assert_eq!(response.status(), 422);
    assert!(app
        .chaster
        .recorded_requests()
        .iter()
        .all(|r| !r.path.ends_with("/logs/search")));
}
