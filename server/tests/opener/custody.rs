//! Custody: the box belongs to the one running lock that holds it, and only that lock's
//! keyholder, its hygiene opening or Chaster's confirmed end moves it.

use std::time::Duration;

use serde_json::{json, Value};
use server::sesame::{ApiKey, DeviceCredentials, DeviceSecret};
use server::store::NewDevice;
use sim::chaster::{
    NewSessionSpec, Release, KEYHOLDER_TOKEN, SECOND_LOCK_KEYHOLDER_TOKEN, SESSION_A_ID,
    SESSION_E_ID, WEARER_A_ID, WEARER_TOKEN, WEARER_USERNAME,
};
use sim::sesame::{CommandKind, DEMO_API_KEY, DEMO_SECRET_HEX};

use crate::helpers::*;
use server::domain::{SessionId, UserId};
use server::jobs::{JobKind, JobStatus};

fn new_uuid() -> String {
    format!(
        "5E5A3E05-0000-4000-8000-{:012X}",
        rand_u64() & 0xFFFF_FFFF_FFFF
    )
}

/// A fresh locked SESAME 5 in the simulator, saved as `user_id`'s box.
async fn box_for(app: &OpenerApp, user_id: &str) -> String {
    box_of_model(app, user_id, "SESAME 5").await
}

async fn box_of_model(app: &OpenerApp, user_id: &str, model: &str) -> String {
    let uuid = new_uuid();
    app.sesame
        .add_webapi_device(&uuid, DEMO_SECRET_HEX, DEMO_API_KEY);
    let credentials = DeviceCredentials::WebApi {
        uuid: uuid.as_str().into(),
        api_key: ApiKey::parse(DEMO_API_KEY).unwrap(),
        secret: DeviceSecret::parse(DEMO_SECRET_HEX).unwrap().secret,
    };
    app.state
        .store
        .upsert_device(&NewDevice {
            user_id: UserId::new(user_id),
            nickname: "Key box".into(),
            model: model.into(),
            credentials,
        })
        .await
        .unwrap();
    uuid
}

/// Chaster tells us the session changed (the body is not trusted; the server asks Chaster).
async fn session_event(app: &OpenerApp, event: &str, session_id: &str) {
    let body = envelope(event, json!({"session": {"sessionId": session_id}}));
    let response = app
        .post_webhook(&body, Some((HOOK_USER, HOOK_PASSWORD)))
        .await;
    assert!(response.status().is_success());
    app.settle().await;
}

async fn api(
    app: &OpenerApp,
    method: &str,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let url = format!("{}/api{path}", app.address);
    let mut request = match method {
        "PUT" => app.client.put(url),
        "DELETE" => app.client.delete(url),
        "GET" => app.client.get(url),
        _ => app.client.post(url),
    }
    .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("the app answers");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn holder(app: &OpenerApp, wearer: &str) -> Option<String> {
    app.state
        .store
        .custody_holder(&UserId::new(wearer))
        .await
        .unwrap()
        .map(|p| p.session_id.to_string())
}

#[tokio::test]
async fn a_lock_that_starts_with_a_connected_box_locks_it_and_takes_custody() {
    let app = spawn().await;
    let uuid = box_for(&app, WEARER_A_ID).await;
    app.sesame.set_latch(&uuid, false);
    let spec = NewSessionSpec {
        wearer_username: Some(WEARER_USERNAME.into()),
        ..NewSessionSpec::default()
    };
    let (session_id, _, _) = app.chaster.create_session(spec).await;
    app.settle().await;

    assert!(app.sesame.latch_locked(&uuid), "the start locked the box");
    assert_eq!(
        holder(&app, WEARER_A_ID).await.as_deref(),
        Some(session_id.as_str())
    );
    assert_eq!(
        app.logs_starting(&session_id, "Box locked for this lock")
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn a_starting_lock_takes_an_unlock_only_box_from_the_first_reading_that_shows_it_locked() {
    let app = spawn().await;
    let uuid = box_of_model(&app, WEARER_A_ID, "SESAME Bike 2").await;
    app.sesame.set_latch(&uuid, false);
    let spec = NewSessionSpec {
        wearer_username: Some(WEARER_USERNAME.into()),
        ..NewSessionSpec::default()
    };
    let (session_id, _, _) = app.chaster.create_session(spec).await;
    app.chaster.wait_deliveries_idle().await;
    wait_for(
        "the start to look at the box",
        Duration::from_secs(30),
        || async {
            app.state
                .store
                .jobs_of_kind(JobKind::CustodyStart)
                .await
                .unwrap()
                .iter()
                .any(|j| j.attempts >= 1)
        },
    )
    .await;
    assert_eq!(
        holder(&app, WEARER_A_ID).await,
        None,
        "an open Bike is not taken"
    );
    assert_eq!(app.sesame.commands_received(&uuid, CommandKind::Lock), 0);

    // The wearer locks it by hand: the next look takes it, still without a command.
    app.sesame.set_latch(&uuid, true);
    wait_for(
        "the lock to take the box",
        Duration::from_secs(60),
        || async { holder(&app, WEARER_A_ID).await.as_deref() == Some(session_id.as_str()) },
    )
    .await;
    assert_eq!(app.sesame.commands_received(&uuid, CommandKind::Lock), 0);
}

#[tokio::test]
async fn after_the_release_the_keyholder_cannot_lock_and_the_wearer_opens_a_box_that_locked_itself()
{
    let app = spawn().await;
    let uuid = box_for(&app, WEARER_A_ID).await;
    app.take_custody(SESSION_A_ID).await;
    assert_eq!(
        holder(&app, WEARER_A_ID).await.as_deref(),
        Some(SESSION_A_ID)
    );

    app.chaster
        .release_lock(SESSION_A_ID, Release::KeyholderUnlock)
        .await;
    app.settle().await;
    assert!(
        !app.sesame.latch_locked(&uuid),
        "the release opened the box"
    );
    assert_eq!(
        holder(&app, WEARER_A_ID).await,
        None,
        "the box is the wearer's"
    );

    let (status, body) = api(&app, "POST", "/device/lock", KEYHOLDER_TOKEN, None).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["message"], "This lock has ended.");
    assert!(!app.sesame.latch_locked(&uuid), "the box stays open");

    // The Sesame locked itself again (auto-lock): the wearer gets the key out through us.
    app.sesame.set_latch(&uuid, true);
    let (_, slot) = api(&app, "GET", "/device", WEARER_TOKEN, None).await;
    assert_eq!(slot["device"]["can_open"], true, "{slot}");
    assert_eq!(slot["can_manage"], true);
    let (status, body) = api(&app, "POST", "/device/open", WEARER_TOKEN, None).await;
    assert_eq!(status, 200, "{body}");
    assert!(!app.sesame.latch_locked(&uuid));
}

#[tokio::test]
async fn the_wearer_may_renew_the_proven_credentials_of_the_same_box_while_the_lock_holds_it() {
    let app = spawn().await;
    let uuid = box_for(&app, WEARER_A_ID).await;
    app.take_custody(SESSION_A_ID).await;
    let renewed = json!({"api": "web_api", "nickname": "Renewed key", "api_key": DEMO_API_KEY,
                         "device_id": uuid, "secret": DEMO_SECRET_HEX});
    let (status, body) = api(&app, "PUT", "/device", WEARER_TOKEN, Some(renewed)).await;
    assert_eq!(status, 200, "{body}");
    let (_, slot) = api(&app, "GET", "/device", WEARER_TOKEN, None).await;
    assert_eq!(slot["device"]["nickname"], "Renewed key");
    assert_eq!(
        slot["device"]["holds_box"], true,
        "the lock still holds the box"
    );
    // A wrong secret for the same box proves nothing and changes nothing.
    let wrong = json!({"api": "web_api", "nickname": "Wrong", "api_key": DEMO_API_KEY,
                       "device_id": uuid, "secret": "00112233445566778899aabbccddeeff"});
    let (status, _) = api(&app, "PUT", "/device", WEARER_TOKEN, Some(wrong)).await;
    assert_eq!(status, 422);
    let (_, slot) = api(&app, "GET", "/device", WEARER_TOKEN, None).await;
    assert_eq!(slot["device"]["nickname"], "Renewed key");
}

#[tokio::test]
async fn the_wearer_cannot_remove_or_replace_the_box_while_the_lock_holds_it_and_can_after_it_ends()
{
    let app = spawn().await;
    box_for(&app, WEARER_A_ID).await;
    app.take_custody(SESSION_A_ID).await;
    let other = new_uuid();
    app.sesame
        .add_webapi_device(&other, DEMO_SECRET_HEX, DEMO_API_KEY);
    let replacement = json!({"api": "web_api", "nickname": "Other box", "api_key": DEMO_API_KEY,
                             "device_id": other, "secret": DEMO_SECRET_HEX});

    let (status, body) = api(&app, "DELETE", "/device", WEARER_TOKEN, None).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(
        body["message"],
        "You can change the box after the lock ends."
    );
    let (status, _) = api(
        &app,
        "PUT",
        "/device",
        WEARER_TOKEN,
        Some(replacement.clone()),
    )
    .await;
    assert_eq!(status, 409);
    let (_, slot) = api(&app, "GET", "/device", WEARER_TOKEN, None).await;
    assert_eq!(slot["can_manage"], false);
    assert_eq!(
        slot["device"]["nickname"], "Key box",
        "the box was not replaced"
    );

    app.chaster
        .release_lock(SESSION_A_ID, Release::TimerEnded)
        .await;
    app.settle().await;
    let (status, body) = api(&app, "PUT", "/device", WEARER_TOKEN, Some(replacement)).await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = api(&app, "DELETE", "/device", WEARER_TOKEN, None).await;
    assert_eq!(status, 204);
}

/// The demo wearer's box held by lock A, with their second lock E seen running too.
async fn two_locks(app: &OpenerApp) -> String {
    let uuid = box_for(app, WEARER_A_ID).await;
    app.take_custody(SESSION_A_ID).await;
    session_event(app, "extension_session.updated", SESSION_E_ID).await;
    assert_eq!(
        holder(app, WEARER_A_ID).await.as_deref(),
        Some(SESSION_A_ID)
    );
    uuid
}

#[tokio::test]
async fn the_other_lock_of_the_wearer_never_moves_the_box_by_hygiene_keyholder_or_release() {
    let app = spawn().await;
    let uuid = two_locks(&app).await;

    app.chaster.start_hygiene_opening(SESSION_E_ID).await;
    app.settle().await;
    assert!(
        app.sesame.latch_locked(&uuid),
        "E's hygiene opening did not open it"
    );
    app.chaster.end_hygiene_opening(SESSION_E_ID, false).await;
    app.settle().await;

    let (status, body) = api(
        &app,
        "POST",
        "/device/open",
        SECOND_LOCK_KEYHOLDER_TOKEN,
        None,
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert!(!body.to_string().contains(SESSION_A_ID));
    let (_, slot) = api(&app, "GET", "/device", SECOND_LOCK_KEYHOLDER_TOKEN, None).await;
    assert_eq!(slot["device"]["holds_box"], false, "{slot}");
    assert_eq!(slot["device"]["can_open"], false);

    app.chaster
        .release_lock(SESSION_E_ID, Release::KeyholderUnlock)
        .await;
    app.settle().await;
    assert!(
        app.sesame.latch_locked(&uuid),
        "E's release did not open it"
    );
    assert_eq!(app.sesame.commands_received(&uuid, CommandKind::Unlock), 0);
    assert_eq!(
        holder(&app, WEARER_A_ID).await.as_deref(),
        Some(SESSION_A_ID)
    );
}

#[tokio::test]
async fn when_the_holding_lock_ends_the_other_lock_takes_the_box_and_locks_it_again() {
    let app = spawn().await;
    let uuid = two_locks(&app).await;
    // A's keyholder opens the box on purpose, then A ends.
    let (status, body) = api(&app, "POST", "/device/open", KEYHOLDER_TOKEN, None).await;
    assert_eq!(status, 200, "{body}");
    assert!(!app.sesame.latch_locked(&uuid));

    app.chaster
        .release_lock(SESSION_A_ID, Release::KeyholderUnlock)
        .await;
    app.settle().await;
    assert_eq!(
        holder(&app, WEARER_A_ID).await.as_deref(),
        Some(SESSION_E_ID)
    );
    assert!(app.sesame.latch_locked(&uuid), "E locked the box again");
    assert_eq!(
        app.logs_starting(SESSION_E_ID, "Box locked for this lock")
            .await
            .len(),
        1
    );

    app.chaster
        .release_lock(SESSION_E_ID, Release::TimerEnded)
        .await;
    app.settle().await;
    assert!(!app.sesame.latch_locked(&uuid), "E's release opens it");
    assert_eq!(holder(&app, WEARER_A_ID).await, None);
}

#[tokio::test]
async fn a_deserted_lock_keeps_the_box_shut_for_seven_days_and_a_restart_loses_nothing() {
    let app = spawn().await;
    let w = app.wearer_with_box(NewSessionSpec::default()).await;
    app.chaster.desert(&w.session_id).await;
    // Not `settle`: the delayed job stays queued for a week.
    app.chaster.wait_deliveries_idle().await;
    wait_for(
        "the desertion to be noted",
        Duration::from_secs(30),
        || async {
            !app.logs_starting(&w.session_id, "The box will open on")
                .await
                .is_empty()
        },
    )
    .await;

    assert!(app.sesame.latch_locked(&w.uuid), "not opened at once");
    let period = app
        .state
        .store
        .custody_holder(&UserId::new(&w.user_id))
        .await
        .unwrap()
        .expect("the deserted lock still holds the box");
    let opens_at = period.opens_at.expect("the date is recorded");
    let wait = opens_at - chrono::Utc::now();
    assert!(wait > chrono::Duration::days(7) - chrono::Duration::minutes(1));
    let jobs = app
        .state
        .store
        .jobs_of_kind(JobKind::OpenDeserted)
        .await
        .unwrap();
    let due = jobs
        .iter()
        .find(|j| j.payload["due"] == true)
        .expect("a delayed job is stored");
    assert_eq!(due.status, JobStatus::Queued);
    assert_eq!(due.run_after, opens_at);
    assert_eq!(
        app.logs_starting(&w.session_id, "The box will open on")
            .await
            .len(),
        1
    );

    // Six days on: still shut.
    app.state.clock.advance(chrono::Duration::days(6));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(app.sesame.latch_locked(&w.uuid));

    // A restart (a fresh process state on the same database), then the seventh day passes.
    let restarted = app.restart().await;
    restarted
        .clock
        .advance(chrono::Duration::days(7) + chrono::Duration::minutes(1));
    restarted.jobs.wake();
    wait_for("the box to open", Duration::from_secs(30), || async {
        !app.sesame.latch_locked(&w.uuid)
    })
    .await;
    wait_for("the history line", Duration::from_secs(30), || async {
        !app.logs_starting(&w.session_id, "Box opened after the lock was deserted")
            .await
            .is_empty()
    })
    .await;
    assert_eq!(
        app.state
            .store
            .custody_holder(&UserId::new(&w.user_id))
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn a_forged_session_deleted_webhook_leaves_the_tamper_watch_on() {
    let app = spawn().await;
    let w = app.wearer_with_box(NewSessionSpec::default()).await;
    session_event(&app, "extension_session.deleted", &w.session_id).await;

    let row = app
        .state
        .store
        .get_session(&SessionId::new(&w.session_id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.status, "locked", "Chaster still says locked");
    let watched = app.state.store.watched_sessions().await.unwrap();
    assert!(watched
        .iter()
        .any(|s| s.session_id.as_str() == w.session_id));
    assert_eq!(
        holder(&app, &w.user_id).await.as_deref(),
        Some(w.session_id.as_str())
    );
}
