//! Our session `metadata` has one serialised writer: a penalty's `reasonsPreventingUnlocking`
//! and any other metadata key (e.g. `homeActions`) never overwrite each other.

use std::time::Duration;

use serde_json::json;
use sim::chaster::NewSessionSpec;

use crate::helpers::*;
use crate::penalties::{open_until_blocked, reasons};
use server::domain::SessionId;

#[tokio::test]
async fn a_penalty_keeps_other_metadata_keys_and_another_metadata_write_keeps_the_penalty() {
    let app = spawn_with(|s| {
        s.opener.tamper.scan_interval = Duration::from_millis(100);
        s.opener.tamper.webapi_interval = Duration::from_millis(200);
    })
    .await;
    let w = app
        .wearer_with_box(NewSessionSpec {
            ends_in: Some(chrono::Duration::zero()),
            config: Some(json!({"penalty": {"kind": "block_unlocking"}})),
            ..NewSessionSpec::default()
        })
        .await;
    let badge = json!([{"slug": "box", "title": "Box", "description": "Key box", "icon": "key"}]);
    app.chaster.with_state(|s| {
        let session = s.sessions.get_mut(&w.session_id).unwrap();
        session.metadata["homeActions"] = badge.clone();
        session.metadata["somethingElse"] = json!(7);
    });
    app.settle().await;

    open_until_blocked(&app, &w).await;
    let metadata = app.chaster.metadata(&w.session_id);
    assert_eq!(metadata["homeActions"], badge, "{metadata}");
    assert_eq!(metadata["somethingElse"], 7);

    // The reverse: another user of the metadata goes through the same writer.
    let new_badge = json!([{"slug": "box", "title": "Box", "description": "Open!", "icon": "key",
        "badge": "1"}]);
    let set = json!({"homeActions": new_badge}).as_object().cloned();
    let job = server::opener::metadata_job(&SessionId::new(&w.session_id), set, chrono::Utc::now());
    app.state.store.enqueue(&[job]).await.unwrap();
    app.state.jobs.wake();
    wait_for("the new badge", Duration::from_secs(10), || async {
        app.chaster.metadata(&w.session_id)["homeActions"] == new_badge
    })
    .await;
    assert_eq!(reasons(&app, &w.session_id).len(), 1, "the block stays");
    assert_eq!(app.chaster.metadata(&w.session_id)["somethingElse"], 7);
}
