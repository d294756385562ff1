use std::time::Duration;

use serde_json::{json, Value};

use super::*;

async fn get(sim: &ChasterSim, path: &str, bearer: Option<&str>) -> reqwest::Response {
    let mut req = reqwest::Client::new()
        .get(format!("{}{path}", sim.base_url()))
        .header("X-Chaster-Client-Id", CLIENT_ID);
    if let Some(token) = bearer {
        req = req.bearer_auth(token);
    }
    req.send().await.expect("simulator reachable")
}

async fn auth(sim: &ChasterSim, token: &str) -> (u16, Value) {
    let r = get(
        sim,
        &format!("/api/extensions/auth/sessions/{token}"),
        Some(DEV_TOKEN),
    )
    .await;
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn requests_without_the_developer_token_get_a_nestjs_401() {
    let sim = ChasterSim::spawn().await.unwrap();
    for bearer in [None, Some("wrong-token")] {
        let r = get(
            &sim,
            "/api/extensions/auth/sessions/demo-wearer-token",
            bearer,
        )
        .await;
        assert_eq!(r.status(), 401);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body, json!({"statusCode": 401, "message": "Unauthorized"}));
    }
}

#[tokio::test]
async fn session_auth_for_the_wearer_has_the_documented_shape() {
    let sim = ChasterSim::spawn().await.unwrap();
    let (status, body) = auth(&sim, WEARER_TOKEN).await;
    assert_eq!(status, 200);
    assert_eq!(body["role"], "wearer");
    assert_eq!(body["userId"], seed::WEARER_A_ID);
    let session = &body["session"];
    assert_eq!(session["sessionId"], SESSION_A_ID);
    assert_ne!(session["sessionId"], session["_id"]);
    assert_eq!(session["displayName"], EXTENSION_NAME);
    assert!(session["metadata"]["reasonsPreventingUnlocking"].is_array());
    assert!(session["data"].is_object() && session["config"].is_object());
    let lfu = &body["lockForUser"];
    assert_eq!(lfu["role"], "wearer");
    assert_eq!(lfu["_id"], session["lock"]["_id"]);
    assert!(lfu["endDate"].is_string());
    assert_eq!(lfu["isAllowedToViewTime"], true);
    assert!(lfu["availableHomeActions"].is_array());
    for field in [
        "avatarUrl",
        "isPremium",
        "joinedAt",
        "features",
        "discordId",
        "lastSeen",
        "online",
    ] {
        assert!(lfu["user"].get(field).is_some(), "user lacks {field}");
    }
    assert_eq!(lfu["keyholder"]["username"], "demo-keyholder");
    // Served by the simulator itself: the demo browser is offline.
    let avatar = lfu["user"]["avatarUrl"].as_str().unwrap();
    assert_eq!(
        avatar,
        format!("{}/avatars/demo-wearer.svg", sim.base_url())
    );
    // Ends about three days from now.
    let end = chrono::DateTime::parse_from_rfc3339(lfu["endDate"].as_str().unwrap()).unwrap();
    let left = end.with_timezone(&chrono::Utc) - chrono::Utc::now();
    assert!(left > chrono::Duration::days(2) && left < chrono::Duration::days(4));
}

#[tokio::test]
async fn the_keyholder_gets_a_keyholder_copy_of_the_same_lock() {
    let sim = ChasterSim::spawn().await.unwrap();
    let (_, body) = auth(&sim, KEYHOLDER_TOKEN).await;
    assert_eq!(body["role"], "keyholder");
    assert_eq!(body["lockForUser"]["role"], "keyholder");
    assert_eq!(body["session"]["sessionId"], SESSION_A_ID);
    assert!(body["lockForUser"].get("availableHomeActions").is_none());
}

#[tokio::test]
async fn a_hidden_timer_is_null_for_the_wearer_but_complete_in_session_lock() {
    let sim = ChasterSim::spawn().await.unwrap();
    let (_, body) = auth(&sim, HIDDEN_TIMER_TOKEN).await;
    assert_eq!(body["lockForUser"]["endDate"], Value::Null);
    assert_eq!(body["lockForUser"]["isAllowedToViewTime"], false);
    assert_eq!(body["lockForUser"]["displayRemainingTime"], false);
    assert!(body["session"]["lock"]["endDate"].is_string());
}

#[tokio::test]
async fn the_frozen_session_is_a_frozen_self_lock() {
    let sim = ChasterSim::spawn().await.unwrap();
    let (_, body) = auth(&sim, FROZEN_TOKEN).await;
    assert_eq!(body["lockForUser"]["isFrozen"], true);
    assert!(body["lockForUser"]["frozenAt"].is_string());
    assert_eq!(body["lockForUser"]["keyholder"], Value::Null);
    assert_eq!(body["lockForUser"]["canBeUnlocked"], false);
}

#[tokio::test]
async fn expired_unknown_and_fault_tokens_answer_like_chaster_fails() {
    let sim = ChasterSim::spawn().await.unwrap();
    assert_eq!(auth(&sim, EXPIRED_TOKEN).await.0, 401);
    assert_eq!(auth(&sim, "nobody-has-this-token").await.0, 404);
    assert_eq!(auth(&sim, FAULT_404_TOKEN).await.0, 404);
    assert_eq!(auth(&sim, FAULT_500_TOKEN).await.0, 500);
    assert_eq!(auth(&sim, FAULT_502_TOKEN).await.0, 502);
    let r = get(
        &sim,
        "/api/extensions/auth/sessions/fault-429",
        Some(DEV_TOKEN),
    )
    .await;
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "7");
}

#[tokio::test]
async fn the_slow_token_answers_after_the_configured_delay() {
    let sim = ChasterSim::spawn().await.unwrap();
    sim.with_state(|s| s.slow_delay = Duration::from_millis(50));
    let (status, body) = auth(&sim, SLOW_TOKEN).await;
    assert_eq!(status, 200);
    assert_eq!(body["role"], "wearer");
}

#[tokio::test]
async fn requests_and_auth_session_calls_are_recorded_with_their_headers() {
    let sim = ChasterSim::spawn().await.unwrap();
    auth(&sim, WEARER_TOKEN).await;
    get(
        &sim,
        &format!("/api/extensions/sessions/{SESSION_A_ID}"),
        Some(DEV_TOKEN),
    )
    .await;
    assert_eq!(sim.auth_session_calls(), 1);
    let recorded = sim.recorded_requests();
    assert_eq!(recorded.len(), 2);
    assert_eq!(recorded[0].method, "GET");
    assert_eq!(
        recorded[0].path,
        "/api/extensions/auth/sessions/demo-wearer-token"
    );
    assert_eq!(
        recorded[0].authorization.as_deref(),
        Some("Bearer sim-developer-token")
    );
    assert_eq!(recorded[0].client_id.as_deref(), Some(CLIENT_ID));
}

#[tokio::test]
async fn get_session_wraps_the_partner_session() {
    let sim = ChasterSim::spawn().await.unwrap();
    let r = get(
        &sim,
        &format!("/api/extensions/sessions/{SESSION_B_ID}"),
        Some(DEV_TOKEN),
    )
    .await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["session"]["sessionId"], SESSION_B_ID);
    assert!(body["session"]["lock"]["endDate"].is_string());
    let r = get(&sim, "/api/extensions/sessions/unknown", Some(DEV_TOKEN)).await;
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn custom_logs_are_validated_and_stored() {
    let sim = ChasterSim::spawn().await.unwrap();
    let url = format!(
        "{}/api/extensions/sessions/{SESSION_A_ID}/logs/custom",
        sim.base_url()
    );
    let client = reqwest::Client::new();
    let bad = client
        .post(&url)
        .bearer_auth(DEV_TOKEN)
        .json(&json!({"title": "x"}));
    let r = bad.send().await.unwrap();
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["message"], json!(["description must be a string"]));

    let log = json!({"title": "Box opened", "description": "The Sesame opened.", "role": "extension", "icon": "lock-open"});
    let r = client
        .post(&url)
        .bearer_auth(DEV_TOKEN)
        .json(&log)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let logs = sim.custom_logs(SESSION_A_ID);
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0]["title"], "Box opened");
    assert_eq!(logs[0]["icon"], "fa-lock-open");
    assert!(sim.custom_logs(SESSION_B_ID).is_empty());
}

#[tokio::test]
async fn custom_logs_on_an_ended_lock_are_refused_unless_told_otherwise() {
    let sim = ChasterSim::spawn().await.unwrap();
    sim.release_lock(SESSION_A_ID, Release::KeyholderUnlock)
        .await;
    let url = format!(
        "{}/api/extensions/sessions/{SESSION_A_ID}/logs/custom",
        sim.base_url()
    );
    let log = json!({"title": "Box opened", "description": "After release."});
    let post = || {
        reqwest::Client::new()
            .post(&url)
            .bearer_auth(DEV_TOKEN)
            .json(&log)
            .send()
    };
    let r = post().await.unwrap();
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().contains("not locked"));
    assert!(sim.custom_logs(SESSION_A_ID).is_empty());
    sim.accept_logs_on_ended_locks(true);
    assert_eq!(post().await.unwrap().status(), 201);
}

#[tokio::test]
async fn unknown_paths_get_a_nestjs_404() {
    let sim = ChasterSim::spawn().await.unwrap();
    let r = get(&sim, "/api/extensions/nothing", Some(DEV_TOKEN)).await;
    assert_eq!(r.status(), 404);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["message"], "Cannot GET /api/extensions/nothing");
}

#[tokio::test]
async fn a_body_that_is_not_a_json_object_gets_nestjs_400_and_changes_nothing() {
    let sim = ChasterSim::spawn().await.unwrap();
    let client = reqwest::Client::new();
    for body in ["[]", "\"text\"", "not json", ""] {
        let r = client
            .patch(format!(
                "{}/api/extensions/sessions/{SESSION_A_ID}",
                sim.base_url()
            ))
            .header("X-Chaster-Client-Id", CLIENT_ID)
            .header("Content-Type", "application/json")
            .bearer_auth(DEV_TOKEN)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{body:?}");
        let answer: Value = r.json().await.unwrap();
        assert_eq!(answer["message"], json!(["body must be a JSON object"]));
    }
    let (_, session) = auth(&sim, WEARER_TOKEN).await;
    assert!(session["session"]["metadata"]["reasonsPreventingUnlocking"].is_array());
}
