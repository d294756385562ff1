//! A released lock stays on the dashboard (its "Ended" section), marked with when it ended, and
//! offers nothing to control.

use serde_json::json;
use sim::chaster::{NewSessionSpec, Release, KEYHOLDER_USERNAME, SESSION_A_ID};

use super::browser::{handle_of, sign_in, spawn_dashboard_app, titles};

#[tokio::test]
async fn a_released_lock_stays_on_the_dashboard_with_its_end_date_and_no_controls() {
    let app = spawn_dashboard_app().await;
    let mut browser = sign_in(&app, KEYHOLDER_USERNAME).await;
    let before = browser.dashboard().await;
    let handle = handle_of(&before, "Demo lock with keyholder");
    assert_eq!(before["sessions"][0]["ended_at"], json!(null));

    app.chaster
        .release_lock(SESSION_A_ID, Release::KeyholderUnlock)
        .await;

    let view = browser.dashboard().await;
    assert_eq!(
        titles(&view),
        ["Demo lock with a hidden timer", "Demo lock with keyholder"],
        "the released lock disappeared"
    );
    let ended = view["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["handle"] == handle.as_str())
        .expect("the released lock keeps its handle");
    assert_eq!(ended["session"]["lock"]["status"], "unlocked");
    assert!(
        ended["ended_at"]
            .as_str()
            .is_some_and(|at| at.contains('T')),
        "no end date: {ended}"
    );
    let running = view["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["handle"] != handle.as_str())
        .unwrap();
    assert_eq!(running["ended_at"], json!(null));

    let refused = browser
        .control(&handle, "time", Some(json!({"seconds": 3600})))
        .await;
    assert_eq!(refused.status(), 404, "an ended lock was changed");
}

#[tokio::test]
async fn a_released_lock_behind_a_full_page_of_other_keyholders_ended_locks_stays_on_the_dashboard()
{
    let app = spawn_dashboard_app().await;
    let mut browser = sign_in(&app, KEYHOLDER_USERNAME).await;
    app.chaster
        .release_lock(SESSION_A_ID, Release::KeyholderUnlock)
        .await;
    // The extension's newer ended locks, of another keyholder, fill Chaster's first page.
    app.chaster.set_search_newest_first(true);
    for i in 0..101 {
        let (id, _, _) = app
            .chaster
            .create_session(NewSessionSpec {
                keyholder_username: Some("another-keyholder".to_owned()),
                title: Some(format!("Someone else's lock {i}")),
                ..NewSessionSpec::default()
            })
            .await;
        app.chaster
            .release_lock(&id, Release::KeyholderUnlock)
            .await;
    }

    let view = browser.dashboard().await;
    assert_eq!(
        titles(&view),
        ["Demo lock with a hidden timer", "Demo lock with keyholder"],
        "the released lock on Chaster's second page is missing"
    );
}
