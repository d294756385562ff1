//! Penalties never strand anyone: "block unlocking" and "freeze" each end when the box is locked
//! again, when the keyholder clears them, at their bound (on the server's clock, whatever the
//! box does) and when the session ends; a self-lock is never frozen.

use std::time::Duration;

use serde_json::{json, Value};
use sim::chaster::{NewSessionSpec, Release};
use sim::sesame::Fault;

use crate::helpers::*;
use server::domain::SessionId;

fn fast_checks(s: &mut server::configuration::Settings) {
    s.opener.tamper.scan_interval = Duration::from_millis(100);
    s.opener.tamper.webapi_interval = Duration::from_millis(200);
}

/// A lock whose timer has run out (so only a penalty can stop the unlock), with `penalty`.
fn spec(penalty: Value) -> NewSessionSpec {
    NewSessionSpec {
        ends_in: Some(chrono::Duration::zero()),
        config: Some(json!({ "penalty": penalty })),
        ..NewSessionSpec::default()
    }
}

pub fn reasons(app: &OpenerApp, sid: &str) -> Vec<Value> {
    let metadata = app.chaster.metadata(sid);
    metadata["reasonsPreventingUnlocking"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Opens the box behind the server's back and waits until Chaster blocks unlocking.
pub async fn open_until_blocked(app: &OpenerApp, w: &Wearer) {
    assert!(app.chaster.can_be_unlocked(&w.session_id));
    app.sesame.set_latch(&w.uuid, false);
    wait_for(
        "unlocking to be blocked",
        Duration::from_secs(10),
        || async { reasons(app, &w.session_id).len() == 1 },
    )
    .await;
    assert!(!app.chaster.can_be_unlocked(&w.session_id));
}

async fn wait_unblocked(app: &OpenerApp, w: &Wearer) {
    wait_for(
        "unlocking to be allowed again",
        Duration::from_secs(10),
        || async { reasons(app, &w.session_id).is_empty() },
    )
    .await;
}

async fn lifted_why(app: &OpenerApp, sid: &str) -> Vec<String> {
    let holds = app.state.store.holds(&SessionId::new(sid)).await.unwrap();
    holds.into_iter().filter_map(|h| h.lifted_why).collect()
}

#[tokio::test]
async fn a_block_on_unlocking_ends_when_the_box_is_confirmed_locked_again() {
    let app = spawn_with(fast_checks).await;
    let w = app
        .wearer_with_box(spec(json!({"kind": "block_unlocking"})))
        .await;
    app.settle().await;
    open_until_blocked(&app, &w).await;
    let reason = reasons(&app, &w.session_id)[0].as_str().unwrap().to_owned();
    assert!(reason.contains("locked again"), "{reason}");

    app.sesame.set_latch(&w.uuid, true);
    wait_unblocked(&app, &w).await;
    assert!(app.chaster.can_be_unlocked(&w.session_id));
    assert_eq!(
        lifted_why(&app, &w.session_id).await,
        ["the box is locked again"]
    );
    app.settle().await;
    let found = app
        .logs_starting(&w.session_id, "Box found open during the session")
        .await;
    assert!(found[0]["description"]
        .as_str()
        .unwrap()
        .contains("unlocking is blocked"));
    assert_eq!(
        app.logs_starting(&w.session_id, "Unlocking is no longer blocked")
            .await
            .len(),
        1
    );
    assert!(app.chaster.actions_received(&w.session_id).is_empty());
}

#[tokio::test]
async fn a_block_on_unlocking_ends_when_the_keyholder_clears_it_from_the_page() {
    let app = spawn_with(fast_checks).await;
    let w = app
        .wearer_with_box(spec(json!({"kind": "block_unlocking"})))
        .await;
    app.settle().await;
    open_until_blocked(&app, &w).await;

    let wearer = app
        .client
        .post(format!("{}/api/controls/penalty/clear", app.address))
        .bearer_auth(&w.wearer_token)
        .send()
        .await
        .unwrap();
    assert_eq!(wearer.status(), 403, "the wearer cannot clear it");
    let response = app
        .client
        .post(format!("{}/api/controls/penalty/clear", app.address))
        .bearer_auth(&w.keyholder_token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    // The box is still open: the keyholder's word ends the block anyway.
    wait_unblocked(&app, &w).await;
    assert!(!app.sesame.latch_locked(&w.uuid));
    let why = lifted_why(&app, &w.session_id).await;
    assert_eq!(why, ["demo-keyholder cleared it"]);
    app.settle().await;
    let line = app
        .logs_starting(&w.session_id, "demo-keyholder ended the open-box penalty")
        .await;
    assert_eq!(line.len(), 1);
    assert_eq!(line[0]["role"], "keyholder");
}

#[tokio::test]
async fn a_block_on_unlocking_ends_at_its_bound_on_the_servers_clock_even_with_the_box_offline() {
    let app = spawn_with(fast_checks).await;
    let w = app
        .wearer_with_box(spec(json!({"kind": "block_unlocking", "boundHours": 2})))
        .await;
    app.settle().await;
    open_until_blocked(&app, &w).await;
    let hold = &app
        .state
        .store
        .active_holds(&SessionId::new(&w.session_id))
        .await
        .unwrap()[0];
    let bound = hold.bound_at - hold.started_at;
    assert_eq!(bound, chrono::Duration::hours(2));
    // The box goes dark, still open: nothing about it can end the block now.
    app.sesame.set_fault(&w.uuid, Some(Fault::Offline));

    app.state.clock.advance(chrono::Duration::minutes(119));
    app.state.jobs.wake();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        reasons(&app, &w.session_id).len(),
        1,
        "not before the bound"
    );

    app.state.clock.advance(chrono::Duration::minutes(2));
    app.state.jobs.wake();
    wait_unblocked(&app, &w).await;
    assert_eq!(
        lifted_why(&app, &w.session_id).await,
        ["its time limit passed"]
    );
}

#[tokio::test]
async fn a_block_on_unlocking_ends_with_the_session() {
    let app = spawn_with(fast_checks).await;
    let w = app
        .wearer_with_box(spec(json!({"kind": "block_unlocking"})))
        .await;
    app.settle().await;
    open_until_blocked(&app, &w).await;

    app.chaster
        .release_lock(&w.session_id, Release::KeyholderUnlock)
        .await;
    wait_unblocked(&app, &w).await;
    assert_eq!(lifted_why(&app, &w.session_id).await, ["the session ended"]);
}

#[tokio::test]
async fn a_freeze_on_a_keyholder_lock_is_lifted_when_the_box_is_locked_again_and_at_its_bound() {
    let app = spawn_with(fast_checks).await;
    let w = app
        .wearer_with_box(spec(json!({"kind": "freeze", "boundHours": 3})))
        .await;
    app.settle().await;
    let sid = w.session_id.clone();

    app.sesame.set_latch(&w.uuid, false);
    wait_for("the freeze", Duration::from_secs(10), || async {
        app.chaster.is_frozen(&sid)
    })
    .await;
    assert!(reasons(&app, &sid).is_empty(), "a freeze, not a block");
    app.sesame.set_latch(&w.uuid, true);
    wait_for("the unfreeze", Duration::from_secs(10), || async {
        !app.chaster.is_frozen(&sid)
    })
    .await;

    // A second incident, and this time the box stays open: the bound ends the freeze.
    app.settle().await;
    app.sesame.set_latch(&w.uuid, false);
    wait_for("the second freeze", Duration::from_secs(10), || async {
        app.chaster.is_frozen(&sid)
    })
    .await;
    app.settle().await;
    app.state.clock.advance(chrono::Duration::hours(3));
    app.state.jobs.wake();
    wait_for(
        "the unfreeze at the bound",
        Duration::from_secs(10),
        || async { !app.chaster.is_frozen(&sid) },
    )
    .await;
    assert_eq!(
        lifted_why(&app, &sid).await,
        ["the box is locked again", "its time limit passed"]
    );
    let names: Vec<Value> = app
        .chaster
        .actions_received(&sid)
        .into_iter()
        .map(|a| a["action"]["name"].clone())
        .collect();
    assert_eq!(names, ["freeze", "unfreeze", "freeze", "unfreeze"]);
}

#[tokio::test]
async fn on_a_self_lock_a_freeze_penalty_blocks_unlocking_instead() {
    let app = spawn_with(fast_checks).await;
    let w = app.wearer_with_box(spec(json!({"kind": "freeze"}))).await;
    app.chaster.with_state(|s| {
        s.lock_of_session_mut(&w.session_id).unwrap().keyholder_id = None;
    });
    app.settle().await;

    open_until_blocked(&app, &w).await;
    assert!(!app.chaster.is_frozen(&w.session_id));
    app.settle().await;
    assert!(app.chaster.actions_received(&w.session_id).is_empty());
    let line = &app
        .logs_starting(&w.session_id, "Box found open during the session")
        .await[0];
    let text = line["description"].as_str().unwrap();
    assert!(
        text.contains("unlocking is blocked") && text.contains("self-lock"),
        "{text}"
    );
    app.sesame.set_latch(&w.uuid, true);
    wait_unblocked(&app, &w).await;
}

#[tokio::test]
async fn a_history_line_chaster_refuses_because_the_lock_ended_is_kept_and_shown_on_our_page() {
    let app = spawn().await;
    let w = app.wearer_with_box(NewSessionSpec::default()).await;
    app.settle().await;
    app.chaster
        .release_lock(&w.session_id, Release::KeyholderUnlock)
        .await;
    app.settle().await;
    assert!(!app.sesame.latch_locked(&w.uuid));
    assert!(
        !app.chaster
            .custom_logs(&w.session_id)
            .iter()
            .any(|l| l["title"] == "Box opened after release"),
        "Chaster refused the line on the ended lock"
    );
    let kept = app
        .logs_starting(&w.session_id, "Box opened after release")
        .await;
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0]["kept"], true);

    let page: Value = app
        .client
        .get(format!("{}/api/history", app.address))
        .bearer_auth(&w.wearer_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let entry = page["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["title"] == "Box opened after release")
        .unwrap_or_else(|| panic!("not on our page: {page}"));
    assert_eq!(entry["by_this_extension"], true);
}
