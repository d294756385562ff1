use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::tests_support::{api_get, api_post};
use super::*;

async fn act(sim: &ChasterSim, session_id: &str, name: &str, params: Value) -> (u16, Value) {
    let path = format!("/api/extensions/sessions/{session_id}/action");
    api_post(
        sim,
        &path,
        json!({"action": {"name": name, "params": params}}),
    )
    .await
}

fn parse(date: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(date)
        .unwrap()
        .with_timezone(&Utc)
}

fn end_of(sim: &ChasterSim, session_id: &str) -> DateTime<Utc> {
    parse(&sim.end_date(session_id).unwrap())
}

async fn session_lock(sim: &ChasterSim, session_id: &str) -> Value {
    let (_, body) = api_get(sim, &format!("/api/extensions/sessions/{session_id}")).await;
    body["session"]["lock"].clone()
}

#[tokio::test]
async fn add_and_remove_time_move_the_end_date_and_are_logged_as_the_extension() {
    let sim = ChasterSim::spawn().await.unwrap();
    let before = end_of(&sim, SESSION_A_ID);
    assert_eq!(
        act(&sim, SESSION_A_ID, "add_time", json!(3600)).await.0,
        201
    );
    assert_eq!(
        end_of(&sim, SESSION_A_ID) - before,
        chrono::Duration::hours(1)
    );
    assert_eq!(
        act(&sim, SESSION_A_ID, "remove_time", json!(600)).await.0,
        201
    );
    assert_eq!(
        end_of(&sim, SESSION_A_ID) - before,
        chrono::Duration::minutes(50)
    );

    let lock = session_lock(&sim, SESSION_A_ID).await;
    assert_eq!(lock["endDate"], sim.end_date(SESSION_A_ID).unwrap());
    let logs = sim.action_logs(SESSION_A_ID);
    let last = logs.last().unwrap();
    assert_eq!(last["type"], "time_changed");
    assert_eq!(last["prefix"], "default");
    assert_eq!(last["role"], "extension");
    assert_eq!(last["payload"]["duration"], -600);
    let received = sim.actions_received(SESSION_A_ID);
    assert_eq!(received.len(), 2);
    assert_eq!(
        received[0],
        json!({"action": {"name": "add_time", "params": 3600}})
    );
}

#[tokio::test]
async fn freeze_then_unfreeze_shifts_the_end_by_the_frozen_time() {
    let sim = ChasterSim::spawn().await.unwrap();
    let before = end_of(&sim, SESSION_A_ID);
    assert_eq!(act(&sim, SESSION_A_ID, "freeze", Value::Null).await.0, 201);
    assert!(sim.is_frozen(SESSION_A_ID));
    let lock = session_lock(&sim, SESSION_A_ID).await;
    assert_eq!(lock["isFrozen"], true);
    let frozen_at = parse(lock["frozenAt"].as_str().unwrap());

    assert_eq!(
        act(&sim, SESSION_A_ID, "toggle_freeze", Value::Null)
            .await
            .0,
        201
    );
    assert!(!sim.is_frozen(SESSION_A_ID));
    let unfrozen = sim.action_logs(SESSION_A_ID).last().unwrap().clone();
    assert_eq!(unfrozen["type"], "lock_unfrozen");
    let unfrozen_at = parse(unfrozen["createdAt"].as_str().unwrap());
    assert_eq!(end_of(&sim, SESSION_A_ID) - before, unfrozen_at - frozen_at);
    let lock = session_lock(&sim, SESSION_A_ID).await;
    assert_eq!(lock["frozenAt"], Value::Null);

    let types: Vec<Value> = sim
        .action_logs(SESSION_A_ID)
        .iter()
        .map(|l| l["type"].clone())
        .collect();
    assert_eq!(
        types,
        [
            json!("locked"),
            json!("lock_frozen"),
            json!("lock_unfrozen")
        ]
    );
}

async fn auth(sim: &ChasterSim, token: &str) -> Value {
    api_get(sim, &format!("/api/extensions/auth/sessions/{token}"))
        .await
        .1
}

#[tokio::test]
async fn hiding_the_timer_hides_the_end_date_from_the_wearer_only() {
    let sim = ChasterSim::spawn().await.unwrap();
    let r = act(
        &sim,
        SESSION_A_ID,
        "set_display_remaining_time",
        json!(false),
    )
    .await;
    assert_eq!(r.0, 201);
    let wearer = auth(&sim, WEARER_TOKEN).await;
    assert_eq!(wearer["lockForUser"]["endDate"], Value::Null);
    assert!(wearer["session"]["lock"]["endDate"].is_string());
    let keyholder = auth(&sim, KEYHOLDER_TOKEN).await;
    assert!(keyholder["lockForUser"]["endDate"].is_string());
    assert_eq!(
        sim.action_logs(SESSION_A_ID).last().unwrap()["type"],
        "timer_hidden"
    );
}

#[tokio::test]
async fn actions_on_an_unlocked_lock_are_refused_with_chasters_message() {
    let sim = ChasterSim::spawn().await.unwrap();
    sim.release_lock(SESSION_A_ID, Release::TimerEnded).await;
    let (status, body) = act(&sim, SESSION_A_ID, "add_time", json!(60)).await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({"statusCode": 400, "message": "You cannot modify an unlocked lock.", "error": "Bad Request"})
    );
    assert_eq!(sim.actions_received(SESSION_A_ID).len(), 1);
}

#[tokio::test]
async fn unknown_actions_and_bad_params_are_refused() {
    let sim = ChasterSim::spawn().await.unwrap();
    let (status, body) = act(&sim, SESSION_A_ID, "unlock", Value::Null).await;
    assert_eq!(status, 400);
    assert!(body["message"][0]
        .as_str()
        .unwrap()
        .starts_with("action.name must be one of"));
    assert_eq!(
        act(&sim, SESSION_A_ID, "add_time", json!("1h")).await.0,
        400
    );
    let path = format!("/api/extensions/sessions/{SESSION_A_ID}/action");
    assert_eq!(api_post(&sim, &path, json!({})).await.0, 400);
    assert_eq!(
        act(&sim, "no-such-session", "freeze", Value::Null).await.0,
        404
    );
    assert_eq!(
        sim.action_logs(SESSION_A_ID).len(),
        1,
        "only the seeded `locked` entry"
    );
}

#[tokio::test]
async fn hygiene_opening_needs_the_extension_on_the_lock() {
    let sim = ChasterSim::spawn().await.unwrap();
    let sim = &sim;
    let open = |id: &'static str, actor: &'static str| async move {
        let path = format!("/api/extensions/sessions/{id}/temporary-opening/open");
        api_post(sim, &path, json!({"actor": actor})).await
    };
    let (status, body) = open(SESSION_A_ID, "extension").await;
    assert_eq!((status, body), (201, Value::Null));
    assert!(sim.is_hygiene_open(SESSION_A_ID));
    let log = sim.action_logs(SESSION_A_ID).last().unwrap().clone();
    assert_eq!(log["type"], "temporary_opening_opened");
    assert_eq!(log["role"], "extension");

    let (status, body) = open(SESSION_B_ID, "keyholder").await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "Bad Request");
    assert!(body["message"].as_str().unwrap().contains("not enabled"));
    assert_eq!(open(SESSION_A_ID, "extension").await.0, 400, "already open");
    assert_eq!(open(SESSION_A_ID, "robot").await.0, 400);
    assert!(!sim.is_hygiene_open(SESSION_B_ID));
}

#[tokio::test]
async fn patch_replaces_the_given_keys_and_reasons_block_unlocking() {
    let sim = ChasterSim::spawn().await.unwrap();
    sim.with_state(|s| s.locks.values_mut().for_each(|l| l.end_date = Utc::now()));
    let path = format!("/api/extensions/sessions/{SESSION_A_ID}");
    let patch = |body: Value| {
        let url = format!("{}{path}", sim.base_url());
        async move {
            let r = reqwest::Client::new()
                .patch(url)
                .bearer_auth(DEV_TOKEN)
                .json(&body);
            r.send().await.unwrap().status().as_u16()
        }
    };
    let reasons =
        json!({"reasonsPreventingUnlocking": ["Box not confirmed shut"], "homeActions": []});
    assert_eq!(
        patch(json!({"metadata": reasons, "data": {"k": 1}})).await,
        200
    );
    let (_, body) = api_get(&sim, &path).await;
    assert_eq!(body["session"]["data"], json!({"k": 1}));
    assert_eq!(body["session"]["config"], json!({}));
    let lock = &body["session"]["lock"];
    assert_eq!(lock["canBeUnlocked"], false);
    assert_eq!(
        lock["reasonsPreventingUnlocking"][0]["reason"],
        "Box not confirmed shut"
    );

    let cleared = json!({"reasonsPreventingUnlocking": [], "homeActions": []});
    assert_eq!(patch(json!({"metadata": cleared})).await, 200);
    assert_eq!(
        session_lock(&sim, SESSION_A_ID).await["canBeUnlocked"],
        true
    );
    assert_eq!(patch(json!({"data": "x"})).await, 400);
}

#[tokio::test]
async fn home_actions_are_checked_like_the_dto_and_shown_only_on_the_wearers_lock_page() {
    let sim = ChasterSim::spawn().await.unwrap();
    let url = format!("{}/api/extensions/sessions/{SESSION_A_ID}", sim.base_url());
    let patch = |metadata: Value| {
        let url = url.clone();
        async move {
            let r = reqwest::Client::new()
                .patch(url)
                .bearer_auth(DEV_TOKEN)
                .json(&json!({ "metadata": metadata }));
            let r = r.send().await.unwrap();
            (
                r.status().as_u16(),
                r.json::<Value>().await.unwrap_or(Value::Null),
            )
        }
    };
    let entry = json!({"slug": "box", "title": "Key box: locked · 80 %", "description": "d",
        "icon": "lock", "badge": "1"});
    let (status, _) =
        patch(json!({"reasonsPreventingUnlocking": [], "homeActions": [entry]})).await;
    assert_eq!(status, 200);
    let shown = sim.home_actions(SESSION_A_ID);
    assert_eq!(shown.len(), 1);
    assert_eq!(shown[0]["title"], "Key box: locked · 80 %");
    assert_eq!(shown[0]["badge"], "1");
    assert!(shown[0]["extensionPartyId"].is_string());
    assert_eq!(sim.metadata(SESSION_A_ID)["homeActions"][0], entry);
    // The complete lock (the partner's copy) carries no home actions; only the wearer sees them.
    assert!(session_lock(&sim, SESSION_A_ID)
        .await
        .get("availableHomeActions")
        .is_none());

    let (status, body) = patch(json!({"homeActions": [{"slug": "box", "title": 5}]})).await;
    assert_eq!(status, 400);
    let text = body.to_string();
    assert!(
        text.contains("metadata.homeActions.0.title must be a string"),
        "{text}"
    );
    assert!(
        text.contains("metadata.homeActions.0.icon must be a string"),
        "{text}"
    );
    assert_eq!(patch(json!({"homeActions": "x"})).await.0, 400);
    // A refused write changes nothing.
    assert_eq!(
        sim.home_actions(SESSION_A_ID)[0]["title"],
        "Key box: locked · 80 %"
    );
}
