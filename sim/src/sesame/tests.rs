use std::time::Duration;

use serde_json::{json, Value};

use super::*;

async fn sim() -> SesameSim {
    SesameSim::spawn(SesameSimConfig::fast()).await.unwrap()
}

fn now_sign(secret_hex: &str) -> String {
    expected_sign(
        &parse_secret(secret_hex),
        chrono::Utc::now().timestamp() as u32,
    )
}

async fn get(url: String, header: (&str, &str)) -> (u16, Value) {
    let r = reqwest::Client::new()
        .get(url)
        .header(header.0, header.1)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn post(url: String, header: (&str, &str), body: Value) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(url)
        .header(header.0, header.1)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn wait_until(mut f: impl FnMut() -> bool) {
    for _ in 0..100 {
        if f() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("condition not reached in 2 s");
}

#[tokio::test]
async fn a_web_api_command_with_the_right_sign_moves_the_latch() {
    let sim = sim().await;
    let url = format!("{}/api/sesame2/{DEMO_WEBAPI_UUID}", sim.base_url());
    let key = ("x-api-key", DEMO_API_KEY);
    let (status, body) = get(url.clone(), key).await;
    assert_eq!(status, 200);
    assert_eq!(body["CHSesame2Status"], "locked");
    assert_eq!(body["wm2State"], true);
    let cmd = json!({"cmd": 83, "history": "dGVzdA==", "sign": now_sign(DEMO_SECRET_HEX)});
    assert_eq!(
        post(format!("{url}/cmd"), key, cmd).await,
        (200, json!({"statusCode": 200}))
    );
    wait_until(|| !sim.latch_locked(DEMO_WEBAPI_UUID)).await;
    assert_eq!(get(url.clone(), key).await.1["CHSesame2Status"], "unlocked");
    let (_, history) = get(format!("{url}/history?page=0&lg=5"), key).await;
    // Newest first: the motor's untagged entry, then the tagged command.
    assert_eq!(history[0]["type"], 11);
    assert_eq!(history[0]["historyTag"], "");
    assert_eq!(history[1]["type"], 17);
    assert_eq!(history[1]["historyTag"], "dGVzdA==");
    assert!(
        history[1]["timeStamp"].as_i64().unwrap() > 1_000_000_000_000,
        "milliseconds"
    );
    assert_eq!(
        sim.commands_received(DEMO_WEBAPI_UUID, CommandKind::Unlock),
        1
    );
    assert_eq!(sim.status_reads(DEMO_WEBAPI_UUID), 2);
    assert_eq!(sim.requests_for_key(DEMO_API_KEY), 4);
}

#[tokio::test]
async fn a_wrong_sign_is_accepted_but_nothing_moves() {
    let sim = sim().await;
    let url = format!("{}/api/sesame2/{DEMO_WEBAPI_UUID}/cmd", sim.base_url());
    let cmd = json!({"cmd": 83, "history": "", "sign": "00000000000000000000000000000000"});
    assert_eq!(post(url, ("x-api-key", DEMO_API_KEY), cmd).await.0, 200);
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert!(sim.latch_locked(DEMO_WEBAPI_UUID));
    assert!(!sim.command_log(DEMO_WEBAPI_UUID)[0].executed);
    assert!(
        sim.history(DEMO_WEBAPI_UUID).is_empty(),
        "nothing in the history"
    );
}

#[tokio::test]
async fn app_and_manual_openings_leave_real_shaped_history_and_offline_ones_appear_later() {
    let sim = sim().await;
    let url = format!("{}/api/sesame2/{DEMO_WEBAPI_UUID}", sim.base_url());
    let key = ("x-api-key", DEMO_API_KEY);
    sim.app_command(DEMO_WEBAPI_UUID, false, "Alice");
    let (_, history) = get(format!("{url}/history?page=0&lg=50"), key).await;
    assert_eq!(history[0]["type"], 11);
    assert_eq!(history[1]["type"], 2);
    assert_eq!(history[1]["historyTag"], "QWxpY2U=");
    sim.set_fault(DEMO_WEBAPI_UUID, Some(Fault::Offline));
    sim.set_latch(DEMO_WEBAPI_UUID, true);
    let (_, history) = get(format!("{url}/history?page=0&lg=50"), key).await;
    assert_eq!(
        history.as_array().unwrap().len(),
        2,
        "not uploaded while offline"
    );
    sim.set_fault(DEMO_WEBAPI_UUID, None);
    let (_, history) = get(format!("{url}/history?page=0&lg=50"), key).await;
    assert_eq!(history[0]["type"], 7);
}

#[tokio::test]
async fn a_jammed_latch_reads_as_moved() {
    let sim = sim().await;
    let url = format!("{}/api/sesame2/{DEMO_WEBAPI_UUID}", sim.base_url());
    sim.set_jammed(DEMO_WEBAPI_UUID, true);
    let (_, body) = get(url, ("x-api-key", DEMO_API_KEY)).await;
    assert_eq!(body["CHSesame2Status"], "moved");
}

#[tokio::test]
async fn web_api_faults_answer_like_api_gateway() {
    let sim = sim().await;
    let url = format!("{}/api/sesame2/{DEMO_WEBAPI_UUID}", sim.base_url());
    let key = ("x-api-key", DEMO_API_KEY);
    sim.set_fault(DEMO_WEBAPI_UUID, Some(Fault::Throttled));
    assert_eq!(
        get(url.clone(), key).await,
        (429, json!({"message": "Too Many Requests"}))
    );
    sim.set_fault(DEMO_WEBAPI_UUID, Some(Fault::LambdaError));
    let (status, body) = get(url.clone(), key).await;
    assert_eq!(status, 200);
    assert!(body["errorMessage"].is_string());
    sim.set_fault(DEMO_WEBAPI_UUID, Some(Fault::Offline));
    sim.set_latch(DEMO_WEBAPI_UUID, false);
    let (_, body) = get(url.clone(), key).await;
    assert_eq!(body["wm2State"], false);
    assert_eq!(
        body["CHSesame2Status"], "locked",
        "offline: the last known state"
    );
    assert_eq!(get(url.clone(), ("x-api-key", "wrong")).await.0, 403);
    assert_eq!(
        get(format!("{}/api/sesame2/nope", sim.base_url()), key)
            .await
            .0,
        404
    );
}

#[tokio::test]
async fn a_v3_command_runs_as_a_task_and_faults_use_documented_errors() {
    let sim = sim().await;
    let base = sim.v3_base_url();
    let key = ("authorization", DEMO_API_KEY);
    let (_, list) = get(format!("{base}/sesames"), key).await;
    assert_eq!(list[0]["device_id"], DEMO_V3_DEVICE_ID);
    let (status, body) = post(
        format!("{base}/sesame/{DEMO_V3_DEVICE_ID}"),
        key,
        json!({"command": "unlock"}),
    )
    .await;
    assert_eq!(status, 200);
    let task = body["task_id"].as_str().unwrap().to_owned();
    assert_eq!(
        get(format!("{base}/action-result?task_id={task}"), key)
            .await
            .0,
        400,
        "too early"
    );
    wait_until(|| !sim.latch_locked(DEMO_V3_DEVICE_ID)).await;
    let (_, result) = get(format!("{base}/action-result?task_id={task}"), key).await;
    assert_eq!(result, json!({"status": "terminated", "successful": true}));
    assert_eq!(
        get(format!("{base}/sesame/{DEMO_V3_DEVICE_ID}"), key)
            .await
            .1["locked"],
        false
    );

    sim.set_fault_times(DEMO_V3_DEVICE_ID, Fault::Busy { seconds: 2 }, 1);
    let lock = json!({"command": "lock"});
    let url = format!("{base}/sesame/{DEMO_V3_DEVICE_ID}");
    assert_eq!(
        post(url.clone(), key, lock.clone()).await,
        (400, json!({"error": "DEVICE_IS_BUSY 2"}))
    );
    assert_eq!(
        post(url.clone(), key, lock.clone()).await.0,
        200,
        "the busy fault was used up"
    );
    sim.set_fault(DEMO_V3_DEVICE_ID, Some(Fault::Banned));
    assert_eq!(
        post(url.clone(), key, lock.clone()).await,
        (403, json!({"error": "ACCESS_DENY"}))
    );
    sim.set_fault(DEMO_V3_DEVICE_ID, None);
    sim.set_battery(DEMO_V3_DEVICE_ID, 3);
    assert_eq!(
        post(url.clone(), key, lock).await,
        (400, json!({"error": "LOW_BATTERY"}))
    );
    assert_eq!(
        get(format!("{base}/sesames"), ("authorization", "nope"))
            .await
            .0,
        401
    );
}

#[tokio::test]
async fn the_control_endpoints_script_faults_and_the_latch() {
    let sim = sim().await;
    let http = reqwest::Client::new();
    let base = format!("{}/sim/devices/{DEMO_WEBAPI_UUID}", sim.base_url());
    let r = http
        .post(format!("{base}/fault"))
        .json(&json!({"fault": {"kind": "busy", "seconds": 2}, "times": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    let r = http
        .post(format!("{base}/latch"))
        .json(&json!({"locked": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    assert!(!sim.latch_locked(DEMO_WEBAPI_UUID));
    let list: Value = http
        .get(format!("{}/sim/devices", sim.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let demo = list
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == DEMO_WEBAPI_UUID)
        .unwrap();
    assert_eq!(demo["fault"], json!({"kind": "busy", "seconds": 2}));
    let r = http
        .post(format!("{}/sim/devices/nope/latch", sim.base_url()))
        .json(&json!({"locked": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
}

#[test]
fn the_demo_key_is_40_characters() {
    assert_eq!(DEMO_API_KEY.len(), 40);
}
