//! Without webhook credentials the server polls Chaster for releases.

use std::time::Duration;

use sim::chaster::{NewSessionSpec, Release, EXTENSION_SLUG};
use sim::sesame::CommandKind;

use crate::helpers::*;

#[tokio::test]
async fn without_webhook_credentials_a_release_is_found_by_polling_and_opened_once() {
    let app = spawn_with(|s| {
        s.chaster.webhook_auth = None;
        s.opener.poll.extension_slug = Some(EXTENSION_SLUG.into());
        s.opener.poll.interval = Duration::from_millis(100);
    })
    .await;
    app.chaster.clear_webhook();
    let w = app.wearer_with_box(NewSessionSpec::default()).await;
    app.chaster
        .release_lock(&w.session_id, Release::TimerEnded)
        .await;
    wait_for("the box to open", Duration::from_secs(10), || async {
        !app.sesame.latch_locked(&w.uuid)
    })
    .await;
    // Many more polls see the same release.
    tokio::time::sleep(Duration::from_millis(800)).await;
    app.settle().await;
    assert_eq!(
        app.sesame.commands_received(&w.uuid, CommandKind::Unlock),
        1
    );
    assert_eq!(
        app.logs_starting(&w.session_id, "Box opened after release")
            .await
            .len(),
        1
    );
    let webhook = app
        .post_webhook(
            &action_log_event(&w.session_id, "x", "unlocked"),
            Some((HOOK_USER, HOOK_PASSWORD)),
        )
        .await;
    assert_eq!(
        webhook.status(),
        401,
        "no credentials configured: no webhook is accepted"
    );
}

/// Chaster documents no order for `sessions/search`: with one small page per poll, a fresh
/// release is on the last page oldest-first and on the first page newest-first.
#[tokio::test]
async fn the_poller_finds_a_fresh_release_whichever_order_chaster_returns_sessions_in() {
    for newest_first in [false, true] {
        let app = spawn_with(|s| {
            s.chaster.webhook_auth = None;
            s.opener.poll.extension_slug = Some(EXTENSION_SLUG.into());
            s.opener.poll.interval = Duration::from_millis(100);
            s.opener.poll.page_size = 2;
            s.opener.poll.max_pages = 1;
        })
        .await;
        app.chaster.clear_webhook();
        app.chaster.set_search_newest_first(newest_first);
        for _ in 0..5 {
            let (other, _, _) = app.chaster.create_session(NewSessionSpec::default()).await;
            app.chaster.release_lock(&other, Release::TimerEnded).await;
        }
        let w = app.wearer_with_box(NewSessionSpec::default()).await;
        app.chaster
            .release_lock(&w.session_id, Release::TimerEnded)
            .await;
        wait_for("the box to open", Duration::from_secs(10), || async {
            !app.sesame.latch_locked(&w.uuid)
        })
        .await;
        app.settle().await;
        assert_eq!(
            app.sesame.commands_received(&w.uuid, CommandKind::Unlock),
            1,
            "newest first: {newest_first}"
        );
    }
}
