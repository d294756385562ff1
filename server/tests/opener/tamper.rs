//! The tamper watch: a box opened behind the server's back is one incident with one penalty.

use std::time::Duration;

use api_types::{BoxStatus, LatchState};
use serde_json::json;
use sim::chaster::{NewSessionSpec, Release};

use crate::helpers::*;
use server::domain::SessionId;
use server::jobs::JobKind;

fn fast_checks(s: &mut server::configuration::Settings) {
    s.opener.tamper.scan_interval = Duration::from_millis(100);
    s.opener.tamper.webapi_interval = Duration::from_millis(200);
}

#[tokio::test]
async fn a_box_opened_behind_the_servers_back_is_one_incident_with_one_penalty() {
    let app = spawn_with(fast_checks).await;
    let spec = NewSessionSpec {
        config: Some(json!({"penalty": {"kind": "add_time", "minutes": 30}})),
        ..NewSessionSpec::default()
    };
    let w = app.wearer_with_box(spec).await;
    app.settle().await;
    let end_before = app.chaster.end_date(&w.session_id).unwrap();

    app.sesame.set_latch(&w.uuid, false);
    let store = &app.state.store;
    wait_for("the penalty", Duration::from_secs(10), || async {
        let incidents = store
            .incidents(&SessionId::new(&w.session_id))
            .await
            .unwrap();
        incidents.first().is_some_and(|i| i.penalty.is_some())
    })
    .await;
    // Several more scheduled checks still find the box open.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    app.settle().await;

    let incidents = store
        .incidents(&SessionId::new(&w.session_id))
        .await
        .unwrap();
    assert_eq!(incidents.len(), 1);
    assert!(incidents[0].penalty_applied && incidents[0].resolved_at.is_none());
    let actions = app.chaster.actions_received(&w.session_id);
    assert_eq!(
        actions,
        vec![json!({"action": {"name": "add_time", "params": 1800}})]
    );
    assert_ne!(app.chaster.end_date(&w.session_id).unwrap(), end_before);
    let found = app
        .logs_starting(&w.session_id, "Box found open during the session")
        .await;
    assert_eq!(found.len(), 1);
    assert!(found[0]["description"]
        .as_str()
        .unwrap()
        .contains("30 minutes"));
    let checks = store
        .jobs_of_kind(JobKind::TamperCheck)
        .await
        .unwrap()
        .len();
    assert!(checks >= 3, "only {checks} checks ran");

    app.sesame.set_latch(&w.uuid, true);
    wait_for("the incident to close", Duration::from_secs(10), || async {
        store
            .incidents(&SessionId::new(&w.session_id))
            .await
            .unwrap()[0]
            .resolved_at
            .is_some()
    })
    .await;
    app.settle().await;
    assert_eq!(
        app.logs_starting(&w.session_id, "Box locked again")
            .await
            .len(),
        1
    );
    assert_eq!(app.chaster.actions_received(&w.session_id).len(), 1);
}

#[tokio::test]
async fn a_box_seen_open_on_a_page_counts_but_not_during_a_hygiene_opening_or_after_release() {
    let app = spawn().await;
    let w = app.wearer_with_box(NewSessionSpec::default()).await;
    app.settle().await;
    let watch = &app.state.tamper;
    let open = BoxStatus {
        latch: LatchState::Unlocked,
        battery_percent: Some(80),
        battery_low: false,
        reachable: true,
        last_update: None,
    };
    let verdict = watch
        .evaluate(&SessionId::new(&w.session_id), &open)
        .await
        .unwrap();
    assert_eq!(verdict, server::opener::Verdict::Incident { new: true });
    let again = watch
        .evaluate(&SessionId::new(&w.session_id), &open)
        .await
        .unwrap();
    assert_eq!(again, server::opener::Verdict::Incident { new: false });

    let other = app.wearer_with_box(NewSessionSpec::default()).await;
    app.settle().await;
    app.state
        .store
        .set_hygiene_opening(&SessionId::new(&other.session_id), true)
        .await
        .unwrap();
    let during = watch
        .evaluate(&SessionId::new(&other.session_id), &open)
        .await
        .unwrap();
    assert_eq!(during, server::opener::Verdict::NotWatched);
    app.state
        .store
        .set_hygiene_opening(&SessionId::new(&other.session_id), false)
        .await
        .unwrap();
    app.chaster
        .release_lock(&other.session_id, Release::KeyholderUnlock)
        .await;
    app.settle().await;
    let after = watch
        .evaluate(&SessionId::new(&other.session_id), &open)
        .await
        .unwrap();
    assert_eq!(after, server::opener::Verdict::NotWatched);
    assert!(app
        .state
        .store
        .incidents(&SessionId::new(&other.session_id))
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn a_box_the_keyholder_opened_from_a_page_is_no_incident_until_seen_locked_again() {
    let app = spawn().await;
    let w = app.wearer_with_box(NewSessionSpec::default()).await;
    app.settle().await;
    let watch = &app.state.tamper;
    let status = |latch| BoxStatus {
        latch,
        battery_percent: Some(80),
        battery_low: false,
        reachable: true,
        last_update: None,
    };
    // What custody records before the keyholder's opening from a page.
    app.state
        .store
        .set_box_open_allowed(&SessionId::new(&w.session_id), true)
        .await
        .unwrap();
    let open = watch
        .observe_known(
            &SessionId::new(&w.session_id),
            &status(LatchState::Unlocked),
        )
        .await;
    assert_eq!(open, server::opener::Verdict::OpenedByKeyholder);
    let locked = watch
        .observe_known(&SessionId::new(&w.session_id), &status(LatchState::Locked))
        .await;
    assert_eq!(locked, server::opener::Verdict::Locked);
    assert!(app
        .state
        .store
        .incidents(&SessionId::new(&w.session_id))
        .await
        .unwrap()
        .is_empty());
    let reopened = watch
        .observe_known(
            &SessionId::new(&w.session_id),
            &status(LatchState::Unlocked),
        )
        .await;
    assert_eq!(reopened, server::opener::Verdict::Incident { new: true });
}

#[tokio::test]
async fn a_box_the_keyholder_opened_from_the_page_is_no_incident_until_it_is_locked_again() {
    let app = spawn_with(fast_checks).await;
    let spec = NewSessionSpec {
        config: Some(json!({"penalty": {"kind": "freeze"}})),
        ..NewSessionSpec::default()
    };
    let w = app.wearer_with_box(spec).await;
    let keyholder_token = app.chaster.with_state(|s| {
        s.tokens
            .iter()
            .find(|(_, g)| {
                g.session_id == w.session_id && g.role == sim::chaster::SimRole::Keyholder
            })
            .map(|(token, _)| token.clone())
            .expect("the session has a keyholder token")
    });
    app.settle().await;

    let opened = app
        .client
        .post(format!("{}/api/device/open", app.address))
        .bearer_auth(&keyholder_token)
        .send()
        .await
        .unwrap();
    assert_eq!(opened.status(), 200);
    assert!(!app.sesame.latch_locked(&w.uuid));
    // The page keeps showing the open box, and the scheduled checks keep finding it open.
    for _ in 0..3 {
        let slot = app
            .client
            .get(format!("{}/api/device", app.address))
            .bearer_auth(&keyholder_token)
            .send()
            .await
            .unwrap();
        assert_eq!(slot.status(), 200);
        tokio::time::sleep(Duration::from_millis(400)).await;
    }
    app.settle().await;

    let incidents = app
        .state
        .store
        .incidents(&SessionId::new(&w.session_id))
        .await
        .unwrap();
    assert!(
        incidents.is_empty(),
        "the keyholder's own opening became {incidents:?}"
    );
    assert!(app.chaster.actions_received(&w.session_id).is_empty());

    // Once the box was seen locked again, opening it behind the server's back is an incident.
    app.sesame.set_latch(&w.uuid, true);
    let slot = app
        .client
        .get(format!("{}/api/device", app.address))
        .bearer_auth(&keyholder_token)
        .send()
        .await
        .unwrap();
    assert_eq!(slot.status(), 200);
    app.sesame.set_latch(&w.uuid, false);
    let store = &app.state.store;
    wait_for("the incident", Duration::from_secs(10), || async {
        !store
            .incidents(&SessionId::new(&w.session_id))
            .await
            .unwrap()
            .is_empty()
    })
    .await;
}

#[tokio::test]
async fn a_check_overlapping_a_slower_check_of_the_same_box_judges_nothing() {
    let app = spawn_app().await;
    let w = app.wearer_with_box(NewSessionSpec::default()).await;
    app.settle().await;
    let store = &app.state.store;
    let sid = SessionId::new(&w.session_id);
    // Two checks of the box, due only later so no worker takes them.
    let later = chrono::Utc::now() + chrono::Duration::hours(1);
    let check = |key: &str| {
        JobKind::TamperCheck.job(
            &sid,
            key.to_owned(),
            serde_json::Value::Null,
            later,
            later + chrono::Duration::hours(1),
        )
    };
    store
        .enqueue(&[check("overlap:slow"), check("overlap:next")])
        .await
        .unwrap();
    // The slow one is claimed (by another worker or instance) and still running.
    let slow = loop {
        let job = store
            .claim_job(later, later + chrono::Duration::minutes(5))
            .await
            .unwrap()
            .expect("the slow check is claimable");
        if job.dedupe_key.starts_with("overlap:") {
            break job;
        }
    };
    let next = store
        .jobs_of_kind(JobKind::TamperCheck)
        .await
        .unwrap()
        .into_iter()
        .find(|j| j.dedupe_key.starts_with("overlap:") && j.id != slow.id)
        .unwrap();

    app.sesame.set_latch(&w.uuid, false);
    let completion = app.state.opener.run(&next).await;

    assert_eq!(
        completion.error.as_deref(),
        Some("another check of this box is running")
    );
    assert!(
        store.incidents(&sid).await.unwrap().is_empty(),
        "the overlapping check judged the box"
    );
}
