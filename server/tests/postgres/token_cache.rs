//! The mainToken cache is per instance: each asks Chaster once per token per TTL, and an
//! instance that did not see a keyholder's action shows it at the latest once its entry expired.

use std::time::{Duration, Instant};

use futures::future::join_all;
use serde_json::json;
use sim::chaster::{KEYHOLDER_TOKEN, WEARER_TOKEN};

use crate::instances::{spawn_two, Instance, Instances};
use crate::pg::PgCluster;

const TTL: Duration = Duration::from_secs(3);
/// Past the TTL counted from the moment the test acted, which is after the entry was cached.
const MARGIN: Duration = Duration::from_millis(50);

async fn frozen(app: &Instances, on: &Instance, token: &str) -> bool {
    let (status, body) = app.session(on, token).await;
    assert_eq!(
        status, 200,
        "GET /api/session on {} for {token}",
        on.address
    );
    body["lock"]["frozen"]
        .as_bool()
        .expect("the session shows whether the lock is frozen")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn main_token_caching_is_correct_across_instances() {
    let pg = PgCluster::start().await;
    let app = spawn_two(&pg.url(), |s| s.session_cache.ttl = TTL, async {}).await;
    let (a, b) = (&app.a, &app.b);
    let tokens = [WEARER_TOKEN, KEYHOLDER_TOKEN];

    // Three concurrent page loads per token on each instance: one Chaster call per token and
    // instance (the caches are separate, nothing is shared through the database).
    let app_ref = &app;
    let loads = tokens
        .iter()
        .flat_map(|t| [a, b].map(|on| (on, *t)))
        .flat_map(|(on, t)| (0..3).map(move |_| frozen(app_ref, on, t)));
    assert!(join_all(loads).await.iter().all(|f| !f), "not frozen yet");
    assert_eq!(app.chaster.auth_session_calls(), 4);
    assert_eq!(a.state.sessions.cached_tokens(), 2);
    assert_eq!(b.state.sessions.cached_tokens(), 2);

    // The keyholder freezes the lock through A; A forgets the session's entries at once.
    let response = app
        .client
        .post(format!("{}/api/controls/freeze", a.address))
        .bearer_auth(KEYHOLDER_TOKEN)
        .json(&json!({"frozen": true}))
        .send()
        .await
        .unwrap();
    let acted = Instant::now();
    assert_eq!(response.status(), 200);
    assert!(app.chaster.is_frozen(sim::chaster::SESSION_A_ID));
    assert!(frozen(&app, a, KEYHOLDER_TOKEN).await);
    assert!(frozen(&app, a, WEARER_TOKEN).await);
    // B may still answer from its entries (cached before the action): not asserted, shown.
    let b_right_after = frozen(&app, b, WEARER_TOKEN).await;
    tokio::time::sleep_until((acted + TTL + MARGIN).into()).await;
    for token in tokens {
        assert!(
            frozen(&app, b, token).await,
            "B shows the freeze after its TTL ({token})"
        );
    }

    // Both instances hold a live entry for the wearer's token when Chaster expires it: both
    // refuse it once their entries expired.
    assert!(frozen(&app, a, WEARER_TOKEN).await && frozen(&app, b, WEARER_TOKEN).await);
    app.chaster.expire_token(WEARER_TOKEN);
    let expired = Instant::now();
    let right_after = [
        app.session(a, WEARER_TOKEN).await.0,
        app.session(b, WEARER_TOKEN).await.0,
    ];
    tokio::time::sleep_until((expired + TTL + MARGIN).into()).await;
    for on in [a, b] {
        let (status, _) = app.session(on, WEARER_TOKEN).await;
        assert_eq!(
            status, 401,
            "{} refuses the expired token after its TTL",
            on.address
        );
        assert!(
            frozen(&app, on, KEYHOLDER_TOKEN).await,
            "the keyholder's token still works"
        );
    }
    println!(
        "TTL {TTL:?}: right after the freeze through A, B showed frozen={b_right_after}; right after \
         the token expired, A and B answered {right_after:?}; {} Chaster token lookups in all",
        app.chaster.auth_session_calls()
    );
}
