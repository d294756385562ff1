//! Our session `metadata` has one serialised writer: a penalty's `reasonsPreventingUnlocking`,
//! the key box's entry on the wearer's lock page (`homeActions`) and any other key never
//! overwrite each other.

use std::time::Duration;

use serde_json::{json, Value};
use sim::chaster::NewSessionSpec;

use crate::helpers::*;
use crate::penalties::{open_until_blocked, reasons};

/// The entry the wearer sees on the lock page, if any.
fn entry(app: &OpenerApp, sid: &str) -> Option<Value> {
    app.chaster.home_actions(sid).into_iter().next()
}

async fn wait_entry(app: &OpenerApp, sid: &str, title: &str, badge: Option<&str>) {
    wait_for(title, Duration::from_secs(10), || async {
        entry(app, sid).is_some_and(|e| e["title"] == title && e["badge"].as_str() == badge)
    })
    .await;
}

#[tokio::test]
async fn a_penalty_and_the_box_entry_on_the_lock_page_keep_each_other_and_other_keys() {
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
    app.chaster.with_state(|s| {
        let session = s.sessions.get_mut(&w.session_id).unwrap();
        session.metadata["somethingElse"] = json!(7);
    });
    let sid = w.session_id.as_str();
    // The tamper watch's reads show the box on the lock page.
    wait_entry(&app, sid, "Key box: locked · 100 %", None).await;

    // Opened behind the server's back: the entry says so (the badge is written first, then the
    // penalty's block: the block keeps the badge).
    open_until_blocked(&app, &w).await;
    wait_entry(&app, sid, "Key box: open · 100 %", Some("1")).await;
    app.settle_due().await;
    assert_eq!(reasons(&app, sid).len(), 1, "the block stays");
    assert_eq!(entry(&app, sid).unwrap()["badge"], "1", "the badge stays");

    // A badge update while the block holds keeps the block.
    app.sesame.set_battery(&w.uuid, 5);
    wait_entry(&app, sid, "Key box: open · 5 %", Some("2")).await;
    assert_eq!(
        reasons(&app, sid).len(),
        1,
        "the block survives the badge update"
    );

    // Locked again: the block is lifted and the entry changes; each write keeps the other.
    app.sesame.set_latch(&w.uuid, true);
    wait_for(
        "the block to be lifted",
        Duration::from_secs(10),
        || async { reasons(&app, sid).is_empty() },
    )
    .await;
    wait_entry(&app, sid, "Key box: locked · 5 %", Some("1")).await;
    app.settle_due().await;
    assert!(reasons(&app, sid).is_empty());
    assert_eq!(entry(&app, sid).unwrap()["title"], "Key box: locked · 5 %");
    assert_eq!(app.chaster.metadata(sid)["somethingElse"], 7);
}
