//! Duplicate and concurrent deliveries collapse into one box command per release.

use std::time::Instant;

use futures::future::join_all;
use sim::chaster::{NewSessionSpec, Release};
use sim::sesame::CommandKind;

use crate::helpers::*;
use server::jobs::JobKind;

const RELEASES: usize = 100;
const COPIES_PER_RELEASE: usize = 3;
const NOISE: usize = 600;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_deliveries_for_a_hundred_releases_open_each_box_exactly_once() {
    let app = spawn().await;
    let wearers =
        join_all((0..RELEASES).map(|_| app.wearer_with_box(NewSessionSpec::default()))).await;
    app.settle().await;
    let sent_before = app.chaster.deliveries().len();
    let started = Instant::now();

    // 100 releases, each delivered once by the simulator…
    let logs = join_all(wearers.iter().map(|w| {
        app.chaster
            .release_lock(&w.session_id, Release::KeyholderUnlock)
    }))
    .await;
    // …300 redeliveries of them (new requestId each, all at once)…
    join_all(
        logs.iter()
            .map(|id| app.chaster.redeliver(id.as_str(), COPIES_PER_RELEASE, true)),
    )
    .await;
    // …and 600 other history entries of the same sessions, concurrently.
    let auth = Some((HOOK_USER, HOOK_PASSWORD));
    let app_ref = &app;
    let noise = (0..NOISE).map(|i| {
        let w = &wearers[i % RELEASES];
        let body = action_log_event(&w.session_id, &format!("noise-{i}"), "time_changed");
        async move {
            let sent = Instant::now();
            let status = app_ref.post_webhook(&body, auth).await.status().as_u16();
            (status, sent.elapsed())
        }
    });
    let noise_statuses = join_all(noise).await;
    app.settle().await;

    assert!(noise_statuses.iter().all(|(s, _)| *s == 200));
    let slowest_ack = noise_statuses.iter().map(|(_, t)| *t).max().unwrap();
    let all = &app.chaster.deliveries()[sent_before..];
    let failed: Vec<_> = all.iter().filter(|d| !d.succeeded()).collect();
    assert!(
        failed.is_empty(),
        "every delivery got a 2xx at once: {failed:#?}"
    );
    let release_ids: Vec<&str> = logs.iter().map(|l| l.as_str()).collect();
    let deliveries: Vec<_> = all
        .iter()
        .filter(|d| {
            d.action_log_id
                .as_deref()
                .is_some_and(|id| release_ids.contains(&id))
        })
        .collect();
    assert_eq!(deliveries.len(), RELEASES * (1 + COPIES_PER_RELEASE));

    let unlocks: usize = wearers
        .iter()
        .map(|w| app.sesame.commands_received(&w.uuid, CommandKind::Unlock))
        .sum();
    let mut opened_logs = 0;
    for w in &wearers {
        opened_logs += app.logs_starting(&w.session_id, "Box opened").await.len();
    }
    for w in &wearers {
        assert!(
            !app.sesame.latch_locked(&w.uuid),
            "box of {} is open",
            w.session_id
        );
        assert_eq!(
            app.sesame.commands_received(&w.uuid, CommandKind::Unlock),
            1
        );
    }
    let jobs = app
        .state
        .store
        .jobs_of_kind(JobKind::OpenRelease)
        .await
        .unwrap();
    println!(
        "{} deliveries ({} duplicate releases, {} other deliveries, e.g. our own history lines echoed back) -> {} open jobs, {unlocks} unlock commands, {opened_logs} \"Box opened\" logs in {:?}; slowest 2xx of the concurrent burst {slowest_ack:?}",
        deliveries.len() + NOISE,
        RELEASES * COPIES_PER_RELEASE,
        all.len() - deliveries.len(),
        jobs.len(),
        started.elapsed()
    );
    assert_eq!(jobs.len(), RELEASES);
    assert_eq!(unlocks, RELEASES);
    assert_eq!(opened_logs, RELEASES);
}
