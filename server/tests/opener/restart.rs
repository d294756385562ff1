//! The demo's second start: the server keeps its database while the simulators start fresh
//! (Ctrl-C, then `scripts/demo.sh` again). The seeded demo wearer's box must open on a release
//! after each start; an action-log id handed out again would be dropped as a duplicate.

use std::net::SocketAddr;
use std::time::Duration;

use server::sesame::DeviceCredentials;
use server::store::NewDevice;
use sim::chaster::{ChasterSim, Release, WebhookConfig, SESSION_A_ID, WEARER_A_ID};
use sim::sesame::{SesameSim, SesameSimConfig, DEMO_API_KEY, DEMO_SECRET_HEX, DEMO_WEBAPI_UUID};

use crate::helpers::{spawn, wait_for, OpenerApp, HOOK_PASSWORD, HOOK_USER};
use server::jobs::JobKind;

/// Binds `addr` again once the stopped simulator has let go of it.
async fn on_same_port<T, F, Fut>(addr: SocketAddr, start: F) -> T
where
    F: Fn(SocketAddr) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<T>>,
{
    for _ in 0..100 {
        if let Ok(sim) = start(addr).await {
            return sim;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{addr} stayed taken after the simulator stopped");
}

/// Stops both simulators and starts new ones, freshly seeded, on the same addresses.
async fn restart_simulators(app: &mut OpenerApp) {
    let (chaster_addr, sesame_addr) = (app.chaster.addr(), app.sesame.addr());
    // Placeholders, so the old simulators can be dropped (and their ports freed) first.
    drop(std::mem::replace(
        &mut app.chaster,
        ChasterSim::spawn().await.unwrap(),
    ));
    drop(std::mem::replace(
        &mut app.sesame,
        SesameSim::spawn(SesameSimConfig::fast()).await.unwrap(),
    ));
    app.chaster = on_same_port(chaster_addr, ChasterSim::spawn_on).await;
    app.sesame = on_same_port(sesame_addr, |a| {
        SesameSim::spawn_on(a, SesameSimConfig::fast())
    })
    .await;
    point_webhooks_at(app);
}

fn point_webhooks_at(app: &OpenerApp) {
    app.chaster.set_webhook(
        WebhookConfig::new(format!("{}/webhooks/chaster", app.address))
            .with_basic_auth(HOOK_USER, HOOK_PASSWORD)
            .with_retry_delays(vec![Duration::from_millis(200); 4]),
    );
}

/// Releases the seeded session A and waits for the demo box to open.
async fn release_opens_the_box(app: &OpenerApp, start: &str) {
    assert!(
        app.sesame.latch_locked(DEMO_WEBAPI_UUID),
        "{start}: the box starts locked"
    );
    app.chaster
        .release_lock(SESSION_A_ID, Release::KeyholderUnlock)
        .await;
    app.chaster.wait_deliveries_idle().await;
    wait_for(
        &format!("the box to open after the release of the {start}"),
        Duration::from_secs(30),
        || async { !app.sesame.latch_locked(DEMO_WEBAPI_UUID) },
    )
    .await;
    // Nothing of this start may be left to act after the restart (a person stops the demo
    // once it is quiet).
    app.settle().await;
}

#[tokio::test]
async fn after_a_restart_of_the_simulators_a_release_opens_the_box_again() {
    let mut app = spawn().await;
    // The demo wearer connected the demo box once; the server keeps it across starts.
    app.state
        .store
        .upsert_device(&NewDevice {
            user_id: WEARER_A_ID.into(),
            nickname: "Key box".into(),
            model: "SESAME 5".into(),
            credentials: DeviceCredentials::WebApi {
                uuid: DEMO_WEBAPI_UUID.into(),
                api_key: server::sesame::ApiKey::parse(DEMO_API_KEY).unwrap(),
                secret: server::sesame::DeviceSecret::parse(DEMO_SECRET_HEX)
                    .unwrap()
                    .secret,
            },
        })
        .await
        .unwrap();

    release_opens_the_box(&app, "first start").await;
    restart_simulators(&mut app).await;
    release_opens_the_box(&app, "second start").await;
    let opened = app
        .state
        .store
        .jobs_of_kind(JobKind::OpenRelease)
        .await
        .unwrap();
    assert_eq!(opened.len(), 2, "one opening per release: {opened:?}");
}
