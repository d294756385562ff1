//! Hygiene openings: open, then lock again and verify.

use sim::chaster::NewSessionSpec;
use sim::sesame::CommandKind;

use crate::helpers::*;
use server::domain::SessionId;

#[tokio::test]
async fn a_hygiene_opening_opens_the_box_then_locks_it_again_and_verifies() {
    let app = spawn().await;
    let spec = NewSessionSpec {
        hygiene_opening: true,
        ..NewSessionSpec::default()
    };
    let w = app.wearer_with_box(spec).await;
    app.settle().await;

    app.chaster.start_hygiene_opening(&w.session_id).await;
    app.settle().await;
    assert!(
        !app.sesame.latch_locked(&w.uuid),
        "open during the hygiene opening"
    );
    assert_eq!(
        app.logs_starting(&w.session_id, "Box opened for the hygiene opening")
            .await
            .len(),
        1
    );
    let session = app
        .state
        .store
        .get_session(&SessionId::new(&w.session_id))
        .await
        .unwrap()
        .unwrap();
    assert!(session.hygiene_opening_active, "the tamper watch pauses");

    app.chaster.end_hygiene_opening(&w.session_id, true).await;
    app.settle().await;
    assert!(app.sesame.latch_locked(&w.uuid), "locked again afterwards");
    assert_eq!(
        app.sesame.commands_received(&w.uuid, CommandKind::Unlock),
        1
    );
    assert_eq!(app.sesame.commands_received(&w.uuid, CommandKind::Lock), 1);
    let relocked = app
        .logs_starting(&w.session_id, "Box locked again after hygiene opening")
        .await;
    assert_eq!(relocked.len(), 1);
    assert!(relocked[0]["description"]
        .as_str()
        .unwrap()
        .contains("late"));
    let session = app
        .state
        .store
        .get_session(&SessionId::new(&w.session_id))
        .await
        .unwrap()
        .unwrap();
    assert!(!session.hygiene_opening_active, "the tamper watch resumes");
    // In the order they happened: locked when the lock took the box, opened, locked again.
    let titles: Vec<String> = app
        .chaster
        .custom_logs(&w.session_id)
        .iter()
        .filter_map(|l| l["title"].as_str())
        .filter(|t| t.starts_with("Box "))
        .map(str::to_owned)
        .collect();
    assert_eq!(
        titles,
        vec![
            "Box locked for this lock",
            "Box opened for the hygiene opening",
            "Box locked again after hygiene opening"
        ]
    );
}

#[tokio::test]
async fn a_box_the_wearer_already_locked_is_not_sent_a_second_lock() {
    let app = spawn().await;
    let spec = NewSessionSpec {
        hygiene_opening: true,
        ..NewSessionSpec::default()
    };
    let w = app.wearer_with_box(spec).await;
    app.chaster.start_hygiene_opening(&w.session_id).await;
    app.settle().await;
    app.sesame.set_latch(&w.uuid, true);
    app.chaster.end_hygiene_opening(&w.session_id, false).await;
    app.settle().await;
    assert!(app.sesame.latch_locked(&w.uuid));
    assert_eq!(app.sesame.commands_received(&w.uuid, CommandKind::Lock), 0);
    assert_eq!(
        app.logs_starting(&w.session_id, "Box locked again after hygiene opening")
            .await
            .len(),
        1
    );
}
