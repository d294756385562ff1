use serde_json::{json, Value};

use super::tests_support::Receiver;
use super::*;

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn control(sim: &ChasterSim, path: &str, body: Value) -> (u16, Value) {
    let r = client()
        .post(format!("{}{path}", sim.base_url()))
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn control_endpoints_change_the_world_and_answer_the_action_log_id() {
    let sim = ChasterSim::spawn().await.unwrap();
    let base = format!("/sim/sessions/{SESSION_A_ID}");
    let (status, body) = control(&sim, &format!("{base}/hygiene/start"), json!({})).await;
    assert_eq!(status, 200);
    let id = body["actionLogId"].as_str().unwrap();
    assert_eq!(sim.action_logs(SESSION_A_ID).last().unwrap()["_id"], id);
    assert!(sim.is_hygiene_open(SESSION_A_ID));
    let end = control(&sim, &format!("{base}/hygiene/end"), json!({"late": true})).await;
    assert_eq!(end.0, 200);
    let last = sim.action_logs(SESSION_A_ID).last().unwrap().clone();
    assert_eq!(last["type"], "temporary_opening_locked_late");

    let (status, _) = control(&sim, &format!("{base}/release"), json!({"how": "timer"})).await;
    assert_eq!(status, 200);
    assert_eq!(sim.lock_status(SESSION_A_ID), "unlocked");
    assert_eq!(
        sim.action_logs(SESSION_A_ID).last().unwrap()["role"],
        "user"
    );
    let (status, body) = control(&sim, &format!("{base}/desert"), json!({})).await;
    assert_eq!(status, 400);
    assert_eq!(body["message"], "You cannot modify an unlocked lock.");

    let b = format!("/sim/sessions/{SESSION_B_ID}/hygiene/start");
    assert_eq!(control(&sim, &b, json!({})).await.0, 400);
    let (status, _) = control(&sim, "/sim/sessions/nope/desert", json!({})).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_browser_form_post_is_redirected_back_to_the_control_page() {
    let sim = ChasterSim::spawn().await.unwrap();
    let r = client()
        .post(format!(
            "{}/sim/sessions/{SESSION_B_ID}/release",
            sim.base_url()
        ))
        .header("accept", "text/html")
        .form(&[("how", "keyholder")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert!(r.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/sim?msg="));
    assert_eq!(sim.lock_status(SESSION_B_ID), "unlocked");
    let log = sim.action_logs(SESSION_B_ID).last().unwrap().clone();
    assert_eq!(log["role"], "keyholder");
}

#[tokio::test]
async fn the_webhook_is_configured_over_http_and_deliveries_are_listed() {
    let sim = ChasterSim::spawn().await.unwrap();
    let receiver = Receiver::spawn(&[]).await;
    let config =
        json!({"url": receiver.url(), "user": "u", "password": "p", "retry_delays_ms": "5,5"});
    assert_eq!(control(&sim, "/sim/webhook", config).await.0, 200);
    let id = sim.desert(SESSION_A_ID).await;
    sim.wait_deliveries_idle().await;
    assert!(receiver.received()[0]
        .authorization
        .as_deref()
        .unwrap()
        .starts_with("Basic "));

    let url = format!("{}/sim/deliveries", sim.base_url());
    let list: Value = client()
        .get(url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list[0]["event"], "action_log.created");
    assert_eq!(list[0]["actionLogId"], id.as_str());
    assert_eq!(list[0]["status"], 200);
    assert_eq!(list[0]["attempt"], 1);

    let again = format!("/sim/action-logs/{id}/redeliver");
    let (status, _) = control(&sim, &again, json!({"copies": 2, "concurrent": true})).await;
    assert_eq!(status, 200);
    sim.wait_deliveries_idle().await;
    assert_eq!(receiver.received().len(), 3);
}

#[tokio::test]
async fn the_control_page_lists_sessions_buttons_and_deliveries() {
    let sim = ChasterSim::spawn().await.unwrap();
    let receiver = Receiver::spawn(&[]).await;
    sim.set_webhook(WebhookConfig::new(receiver.url()));
    sim.release_lock(SESSION_C_ID, Release::TimerEnded).await;
    sim.wait_deliveries_idle().await;
    let url = format!("{}/sim", sim.base_url());
    let html = client()
        .get(url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for session in [SESSION_A_ID, SESSION_B_ID, SESSION_D_ID] {
        assert!(html.contains(&format!("/sim/sessions/{session}/release")));
    }
    assert!(html.contains(&format!("/sim/sessions/{SESSION_A_ID}/hygiene/start")));
    assert!(!html.contains(&format!("/sim/sessions/{SESSION_B_ID}/hygiene/start")));
    assert!(!html.contains(&format!("/sim/sessions/{SESSION_C_ID}/release")));
    assert!(html.contains("action_log.created"));
    assert!(!html.contains("<script"));
}

#[tokio::test]
async fn avatars_are_served_as_svg_initials() {
    let sim = ChasterSim::spawn().await.unwrap();
    let r = client()
        .get(format!("{}/avatars/demo-keyholder.svg", sim.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/svg+xml");
    let svg = r.text().await.unwrap();
    assert!(svg.starts_with("<svg") && svg.contains(">DK</text>"));
    let r = client()
        .get(format!("{}/avatars/x.png", sim.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}
