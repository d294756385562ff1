use std::collections::HashSet;

use serde_json::{json, Value};

use super::tests_support::api_post;
use super::*;

async fn search(sim: &ChasterSim, body: Value) -> (u16, Value) {
    api_post(sim, "/api/extensions/sessions/search", body).await
}

fn session_ids(body: &Value) -> Vec<String> {
    let results = body["results"].as_array().unwrap();
    results
        .iter()
        .map(|r| r["sessionId"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn search_returns_the_locked_sessions_with_their_pagination_ids() {
    let sim = ChasterSim::spawn().await.unwrap();
    let (status, body) = search(&sim, json!({"extensionSlug": EXTENSION_SLUG})).await;
    assert_eq!(status, 200);
    assert_eq!(body["count"], 5);
    assert_eq!(body["hasMore"], false);
    let ids: HashSet<String> = session_ids(&body).into_iter().collect();
    let seeded = [
        SESSION_A_ID,
        SESSION_B_ID,
        SESSION_C_ID,
        SESSION_D_ID,
        SESSION_E_ID,
    ];
    assert_eq!(ids, seeded.iter().map(|s| s.to_string()).collect());
    let first = &body["results"][0];
    assert!(first["paginationId"].is_string());
    assert!(first["lock"]["_id"].is_string() && first["metadata"].is_object());
}

#[tokio::test]
async fn search_pages_through_a_hundred_sessions_without_repeating_one() {
    let sim = ChasterSim::spawn().await.unwrap();
    for _ in 0..100 {
        sim.create_session(NewSessionSpec::default()).await;
    }
    let mut seen = Vec::new();
    let mut last: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut body = json!({"extensionSlug": EXTENSION_SLUG, "limit": 30});
        if let Some(last) = &last {
            body["paginationLastId"] = json!(last);
        }
        let (status, page) = search(&sim, body).await;
        assert_eq!(status, 200);
        assert_eq!(page["count"], 105);
        pages += 1;
        seen.extend(session_ids(&page));
        let results = page["results"].as_array().unwrap();
        last = results
            .last()
            .map(|r| r["paginationId"].as_str().unwrap().to_owned());
        if page["hasMore"] == false {
            break;
        }
    }
    assert_eq!(pages, 4);
    assert_eq!(seen.len(), 105);
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 105);
}

#[tokio::test]
async fn search_defaults_to_fifteen_results() {
    let sim = ChasterSim::spawn().await.unwrap();
    for _ in 0..20 {
        sim.create_session(NewSessionSpec::default()).await;
    }
    let (_, body) = search(&sim, json!({"extensionSlug": EXTENSION_SLUG})).await;
    assert_eq!(body["results"].as_array().unwrap().len(), 15);
    assert_eq!(body["hasMore"], true);
}

#[tokio::test]
async fn search_filters_by_status() {
    let sim = ChasterSim::spawn().await.unwrap();
    sim.release_lock(SESSION_A_ID, Release::KeyholderUnlock)
        .await;
    sim.desert(SESSION_B_ID).await;
    let by = |status: &'static str| json!({"extensionSlug": EXTENSION_SLUG, "status": status});
    let (_, locked) = search(&sim, by("locked")).await;
    assert_eq!(locked["count"], 3);
    let (_, unlocked) = search(&sim, by("unlocked")).await;
    assert_eq!(session_ids(&unlocked), vec![SESSION_A_ID]);
    assert_eq!(unlocked["results"][0]["lock"]["status"], "unlocked");
    let (_, deserted) = search(&sim, by("deserted")).await;
    assert_eq!(session_ids(&deserted), vec![SESSION_B_ID]);
    let (_, all) = search(&sim, by("all")).await;
    assert_eq!(all["count"], 5);
}

#[tokio::test]
async fn search_refuses_bad_bodies_and_other_extensions() {
    let sim = ChasterSim::spawn().await.unwrap();
    let (status, body) = search(&sim, json!({"status": "open"})).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "Bad Request");
    assert_eq!(
        body["message"],
        json!([
            "extensionSlug must be a string",
            "status must be one of the following values: locked, unlocked, deserted, all"
        ])
    );
    let (status, _) = search(&sim, json!({"extensionSlug": "someone-elses"})).await;
    assert_eq!(status, 404);
}

async fn logs(sim: &ChasterSim, session_id: &str, body: Value) -> (u16, Value) {
    let path = format!("/api/extensions/sessions/{session_id}/logs/search");
    api_post(sim, &path, body).await
}

#[tokio::test]
async fn log_search_lists_chaster_and_custom_logs_newest_first() {
    let sim = ChasterSim::spawn().await.unwrap();
    let custom =
        json!({"title": "Box opened", "description": "The Sesame opened.", "icon": "lock-open"});
    let path = format!("/api/extensions/sessions/{SESSION_A_ID}/logs/custom");
    assert_eq!(api_post(&sim, &path, custom).await.0, 201);
    let action = json!({"action": {"name": "add_time", "params": 3600}});
    let path = format!("/api/extensions/sessions/{SESSION_A_ID}/action");
    assert_eq!(api_post(&sim, &path, action).await.0, 201);

    let (status, body) = logs(&sim, SESSION_A_ID, json!({"role": "keyholder"})).await;
    assert_eq!(status, 200);
    assert_eq!(body["count"], 3);
    assert_eq!(body["hasMore"], false);
    let results = body["results"].as_array().unwrap();
    let types: Vec<&str> = results
        .iter()
        .map(|l| l["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["time_changed", "custom", "locked"]);
    assert_eq!(results[0]["prefix"], "default");
    assert_eq!(results[0]["role"], "extension");
    assert_eq!(results[0]["extension"], EXTENSION_SLUG);
    assert_eq!(results[0]["payload"]["duration"], 3600);
    assert_eq!(results[1]["prefix"], EXTENSION_SLUG);
    assert_eq!(results[1]["extension"], EXTENSION_SLUG);
    assert_eq!(results[2]["prefix"], "default");
    for field in ["_id", "lock", "title", "description", "icon", "createdAt"] {
        assert!(results[2].get(field).is_some(), "log lacks {field}");
    }

    let only = json!({"role": "wearer", "showOnlyExtensionActions": true});
    let (_, body) = logs(&sim, SESSION_A_ID, only).await;
    assert_eq!(body["count"], 2);
}

#[tokio::test]
async fn log_search_pages_with_last_id() {
    let sim = ChasterSim::spawn().await.unwrap();
    let path = format!("/api/extensions/sessions/{SESSION_B_ID}/action");
    for _ in 0..4 {
        let action = json!({"action": {"name": "remove_time", "params": 60}});
        api_post(&sim, &path, action).await;
    }
    let (_, first) = logs(&sim, SESSION_B_ID, json!({"role": "keyholder", "limit": 3})).await;
    assert_eq!(first["count"], 5);
    assert_eq!(first["hasMore"], true);
    let last = first["results"][2]["_id"].clone();
    let next = json!({"role": "keyholder", "limit": 3, "lastId": last});
    let (_, second) = logs(&sim, SESSION_B_ID, next).await;
    assert_eq!(second["hasMore"], false);
    let types: Vec<&str> = second["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["time_changed", "locked"]);
}

#[tokio::test]
async fn log_search_requires_a_role_and_a_known_session() {
    let sim = ChasterSim::spawn().await.unwrap();
    let (status, body) = logs(&sim, SESSION_A_ID, json!({})).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["message"],
        json!(["role must be one of the following values: keyholder, wearer, visitor"])
    );
    let (status, _) = logs(&sim, "nope", json!({"role": "keyholder"})).await;
    assert_eq!(status, 404);
}
