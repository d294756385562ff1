//! The key box on the wearer's own Chaster lock page (`metadata.homeActions`): it appears when a
//! box is connected and follows the box from the reads the server makes anyway.

use super::*;
use crate::helpers::spawn_app_with;
use sim::sesame::SesameSim;

/// What the wearer sees of our extension on session A's lock page.
fn entry(app: &TestApp) -> Option<Value> {
    app.chaster.home_actions(SESSION_A_ID).into_iter().next()
}

async fn wait_for_entry(app: &TestApp, title: &str, badge: Option<&str>) -> Value {
    for _ in 0..200 {
        if let Some(e) = entry(app).filter(|e| e["title"] == title) {
            assert_eq!(e["badge"].as_str(), badge, "{e}");
            return e;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!(
        "the lock page never showed {title:?}; it shows {:?}",
        entry(app)
    );
}

fn sesame_requests(sesame: &SesameSim) -> usize {
    sesame.requests_for_key(DEMO_API_KEY)
}

#[tokio::test]
async fn the_box_appears_on_the_wearers_lock_page_when_connected_and_follows_it_without_extra_sesame_requests(
) {
    let app = spawn_app_with(|s| {
        // Only the page's own reads: no scheduled tamper check during the test.
        s.opener.tamper.scan_interval = Duration::from_secs(3600);
        // Every page view reads the box again, as an older reading would be.
        s.sesame.status_ttl = Duration::from_millis(1);
    })
    .await;
    get_slot(&app, WEARER_TOKEN).await;
    let none = wait_for_entry(&app, "Key box: not connected", Some("1")).await;
    assert_eq!(none["slug"], api_types::BOX_HOME_ACTION_SLUG);

    connect(&app, &web_registration(DEMO_SECRET_HEX)).await;
    let shown = wait_for_entry(&app, "Key box: locked · 100 %", None).await;
    assert_eq!(shown["icon"], "lock");

    // The battery runs low: the next page view (one status read, which it makes anyway) shows it.
    app.sesame.set_battery(DEMO_WEBAPI_UUID, 9);
    let before = sesame_requests(&app.sesame);
    get_slot(&app, WEARER_TOKEN).await;
    let page_reads = sesame_requests(&app.sesame) - before;
    assert!(
        page_reads <= 1,
        "the page view read the box {page_reads} times"
    );
    let low = wait_for_entry(&app, "Key box: locked · 9 %", Some("1")).await;
    assert!(
        low["description"].as_str().unwrap().contains("battery"),
        "{low}"
    );
    assert_eq!(
        sesame_requests(&app.sesame) - before,
        page_reads,
        "updating the lock page asked CANDY HOUSE for nothing"
    );

    // The same reading again changes nothing on Chaster: no second write.
    let patches = |app: &TestApp| {
        app.chaster
            .recorded_requests()
            .iter()
            .filter(|r| r.method == "PATCH")
            .count()
    };
    let written = patches(&app);
    get_slot(&app, WEARER_TOKEN).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        patches(&app),
        written,
        "an unchanged box is not written again"
    );
}
