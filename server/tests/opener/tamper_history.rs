//! The tamper watch reads the box's own history: openings between two checks, or while the hub
//! was unplugged, are incidents; our own tagged commands are not; a jam and a hub offline too
//! long are incidents without penalty.

use std::time::Duration;

use serde_json::json;
use server::sesame::DeviceCredentials;
use sim::chaster::NewSessionSpec;
use sim::sesame::{Fault, DEMO_API_KEY, DEMO_SECRET_HEX};

use crate::helpers::*;
use server::domain::SessionId;
use server::jobs::JobKind;

fn fast_checks(s: &mut server::configuration::Settings) {
    s.opener.tamper.scan_interval = Duration::from_millis(100);
    s.opener.tamper.webapi_interval = Duration::from_millis(200);
    s.opener.tamper.unreachable_after = Duration::from_millis(600);
}

fn penalised() -> NewSessionSpec {
    NewSessionSpec {
        config: Some(json!({"penalty": {"kind": "add_time", "minutes": 30}})),
        ..NewSessionSpec::default()
    }
}

async fn incidents_of(app: &OpenerApp, w: &Wearer, kind: &str) -> usize {
    let all = app
        .state
        .store
        .incidents(&SessionId::new(&w.session_id))
        .await
        .unwrap();
    all.iter().filter(|i| i.kind == kind).count()
}

/// Waits until a scheduled check has looked at the box (the watch's first mark).
async fn first_check(app: &OpenerApp, w: &Wearer) {
    let store = &app.state.store;
    wait_for("the first check", Duration::from_secs(10), || async {
        store
            .box_watch(&SessionId::new(&w.session_id))
            .await
            .unwrap()
            .is_some()
    })
    .await;
}

/// Several more scheduled checks.
async fn more_checks(app: &OpenerApp) {
    tokio::time::sleep(Duration::from_millis(1200)).await;
    app.settle().await;
}

#[tokio::test]
async fn a_box_opened_and_closed_between_two_checks_is_one_incident_with_its_penalty() {
    let app = spawn_with(fast_checks).await;
    let w = app.wearer_with_box(penalised()).await;
    first_check(&app, &w).await;
    app.sesame.set_latch(&w.uuid, false);
    app.sesame.set_latch(&w.uuid, true);
    wait_for("the incident", Duration::from_secs(10), || async {
        incidents_of(&app, &w, "opened_in_history").await == 1
    })
    .await;
    more_checks(&app).await;
    let all = app
        .state
        .store
        .incidents(&SessionId::new(&w.session_id))
        .await
        .unwrap();
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0].kind, "opened_in_history");
    assert!(all[0].penalty_applied);
    assert_eq!(
        app.chaster.actions_received(&w.session_id),
        vec![json!({"action": {"name": "add_time", "params": 1800}})]
    );
    let logs = app
        .logs_starting(&w.session_id, "Box opened during the session")
        .await;
    assert_eq!(logs.len(), 1);
    let text = logs[0]["description"].as_str().unwrap();
    assert!(text.contains("turned by hand"), "{text}");
}

#[tokio::test]
async fn our_own_tagged_opening_and_locking_during_the_session_are_not_incidents() {
    let app = spawn_with(fast_checks).await;
    let w = app.wearer_with_box(penalised()).await;
    first_check(&app, &w).await;
    let device = app.state.hub.device(DeviceCredentials::WebApi {
        uuid: w.uuid.as_str().into(),
        api_key: server::sesame::ApiKey::parse(DEMO_API_KEY).unwrap(),
        secret: server::sesame::DeviceSecret::parse(DEMO_SECRET_HEX)
            .unwrap()
            .secret,
    });
    // As custody does for the keyholder's opening from a page.
    app.state
        .store
        .set_box_open_allowed(&SessionId::new(&w.session_id), true)
        .await
        .unwrap();
    app.state
        .store
        .note_open_allowed(&SessionId::new(&w.session_id), chrono::Utc::now())
        .await
        .unwrap();
    device.unlock().await.unwrap();
    device.lock().await.unwrap();
    let store = &app.state.store;
    wait_for(
        "a check that read the history",
        Duration::from_secs(10),
        || async {
            store
                .jobs_of_kind(JobKind::TamperCheck)
                .await
                .unwrap()
                .iter()
                .any(|j| {
                    j.last_error
                        .as_deref()
                        .is_some_and(|e| e.contains("history clean"))
                })
        },
    )
    .await;
    more_checks(&app).await;
    let kinds: Vec<_> = app.sesame.history(&w.uuid).iter().map(|h| h.0).collect();
    assert!(kinds.contains(&17) && kinds.contains(&11), "{kinds:?}");
    assert!(store
        .incidents(&SessionId::new(&w.session_id))
        .await
        .unwrap()
        .is_empty());
    assert!(app.chaster.actions_received(&w.session_id).is_empty());
}

#[tokio::test]
async fn a_box_opened_while_the_hub_was_unplugged_is_found_when_the_hub_is_back() {
    let app = spawn_with(|s| {
        fast_checks(s);
        s.opener.tamper.unreachable_after = Duration::from_secs(3600);
    })
    .await;
    let w = app.wearer_with_box(penalised()).await;
    first_check(&app, &w).await;
    app.sesame.set_fault(&w.uuid, Some(Fault::Offline));
    tokio::time::sleep(Duration::from_millis(400)).await;
    app.sesame.set_latch(&w.uuid, false);
    app.sesame.set_latch(&w.uuid, true);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(incidents_of(&app, &w, "opened_in_history").await, 0);
    app.sesame.set_fault(&w.uuid, None);
    wait_for("the incident", Duration::from_secs(10), || async {
        incidents_of(&app, &w, "opened_in_history").await == 1
    })
    .await;
    more_checks(&app).await;
    assert_eq!(
        app.state
            .store
            .incidents(&SessionId::new(&w.session_id))
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn a_hub_offline_longer_than_the_limit_is_one_unreachable_incident_without_penalty() {
    let app = spawn_with(fast_checks).await;
    let w = app.wearer_with_box(penalised()).await;
    first_check(&app, &w).await;
    app.sesame.set_fault(&w.uuid, Some(Fault::Offline));
    wait_for("the incident", Duration::from_secs(10), || async {
        incidents_of(&app, &w, "unreachable").await == 1
    })
    .await;
    more_checks(&app).await;
    let all = app
        .state
        .store
        .incidents(&SessionId::new(&w.session_id))
        .await
        .unwrap();
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0].penalty.as_deref(), Some("none"));
    assert!(app.chaster.actions_received(&w.session_id).is_empty());
    let unreachable = app.logs_starting(&w.session_id, "Box unreachable").await;
    assert_eq!(unreachable.len(), 1);
    let incidents = app
        .state
        .store
        .incidents(&SessionId::new(&w.session_id))
        .await
        .unwrap();
    assert!(incidents.iter().any(|i| i
        .detail
        .as_deref()
        .is_some_and(|d| d.contains("hub has been offline"))));
}

#[tokio::test]
async fn a_jammed_box_during_a_locked_session_is_one_incident_without_penalty() {
    let app = spawn_with(fast_checks).await;
    let w = app.wearer_with_box(penalised()).await;
    first_check(&app, &w).await;
    app.sesame.set_jammed(&w.uuid, true);
    wait_for("the incident", Duration::from_secs(10), || async {
        incidents_of(&app, &w, "jammed").await == 1
    })
    .await;
    more_checks(&app).await;
    let all = app
        .state
        .store
        .incidents(&SessionId::new(&w.session_id))
        .await
        .unwrap();
    assert_eq!(all.len(), 1, "{all:?}");
    assert!(app.chaster.actions_received(&w.session_id).is_empty());
    assert_eq!(
        app.logs_starting(&w.session_id, "Box jammed").await.len(),
        1
    );
}
