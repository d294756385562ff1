//! Two instances on one Postgres decide the same box one at a time: a release reaching one and a
//! keyholder's "lock" reaching the other at the same moment end in one consistent state.

use sim::chaster::Release;
use sim::sesame::CommandKind;

use crate::instances::{spawn_two, Instance, Instances};
use crate::pg::PgCluster;
use server::domain::UserId;

async fn keyholder_lock(app: &Instances, on: &Instance, token: &str) -> u16 {
    app.client
        .post(format!("{}/api/device/lock", on.address))
        .bearer_auth(token)
        .send()
        .await
        .expect("the instance answers")
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_release_and_a_keyholder_lock_racing_on_two_instances_end_with_the_box_open() {
    let pg = PgCluster::start().await;
    let app = spawn_two(&pg.url(), |_| {}, async {}).await;
    let w = app.wearer_with_box(&app.a).await;
    app.settle().await;
    // The simulator's token for the keyholder of a created session.
    let keyholder = format!("keyholder-token-{}", w.session_id);
    assert_eq!(keyholder_lock(&app, &app.b, &keyholder).await, 200);

    let (_, status) = tokio::join!(
        app.chaster
            .release_lock(&w.session_id, Release::KeyholderUnlock),
        keyholder_lock(&app, &app.b, &keyholder),
    );
    app.settle().await;
    assert!(status == 200 || status == 409, "status {status}");
    assert!(
        !app.sesame.latch_locked(&w.uuid),
        "whatever the order, the release was the last word: the box is open"
    );
    let wearer = app
        .chaster
        .with_state(|s| s.lock_of_session(&w.session_id).unwrap().wearer_id.clone());
    assert_eq!(
        app.a
            .state
            .store
            .custody_holder(&UserId::new(&wearer))
            .await
            .unwrap(),
        None
    );

    // Afterwards, on either instance (one of them may still cache the lock as running): 409.
    for on in [&app.a, &app.b] {
        assert_eq!(keyholder_lock(&app, on, &keyholder).await, 409);
    }
    assert!(!app.sesame.latch_locked(&w.uuid));
    let unlocks = app.sesame.commands_received(&w.uuid, CommandKind::Unlock);
    assert!(unlocks >= 1);
}
