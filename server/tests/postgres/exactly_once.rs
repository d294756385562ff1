//! Two instances share one queue: every job is claimed once, every box opened once, whichever
//! instance a delivery reached and however often it came.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use futures::future::join_all;
use sim::chaster::Release;
use sim::sesame::CommandKind;
use sqlx::{Connection, Row};

use crate::instances::{spawn_two, Instance};
use crate::pg::PgCluster;
use server::jobs::JobKind;

const SESSIONS: usize = 30;
const COPIES_PER_RELEASE: usize = 3;

/// Test-only: a row per claim (each `attempts + 1` of a job), with the `application_name` of the
/// connection that made it, i.e. the instance, and whether it was a verification step (the job
/// carries the marker of a command an earlier run sent) rather than an attempt.
const RECORD_CLAIMS: [&str; 3] = [
    "CREATE TABLE test_claims (job_id TEXT NOT NULL, kind TEXT NOT NULL, claimed_by TEXT NOT NULL, \
       step BOOLEAN NOT NULL)",
    "CREATE FUNCTION test_record_claim() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
       INSERT INTO test_claims VALUES (NEW.id, NEW.kind, current_setting('application_name'), \
         NEW.payload LIKE '%\"verifying\"%'); \
       RETURN NEW; END $$",
    "CREATE TRIGGER test_claims AFTER UPDATE OF attempts ON jobs FOR EACH ROW \
       WHEN (NEW.attempts > OLD.attempts) EXECUTE FUNCTION test_record_claim()",
];

async fn record_claims(url: &str) {
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    for sql in RECORD_CLAIMS {
        sqlx::query(sql).execute(&mut conn).await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_on_one_postgres_run_every_job_exactly_once() {
    let started = Instant::now();
    let pg = PgCluster::start().await;
    let url = pg.url();
    let app = spawn_two(&url, |_| {}, record_claims(&url)).await;
    let instances = [&app.a, &app.b];
    // Boxes saved through both instances: each must read the other's credentials.
    let wearers = join_all((0..SESSIONS).map(|i| app.wearer_with_box(instances[i % 2]))).await;
    app.settle().await;
    let sent_before = app.chaster.deliveries().len();

    // Each release is delivered by Chaster through the balancer (A and B in turn)…
    let logs = join_all(wearers.iter().map(|w| {
        app.chaster
            .release_lock(&w.session_id, Release::KeyholderUnlock)
    }))
    .await;
    app.chaster.wait_deliveries_idle().await;
    // …redelivered three more times at once, with new requestIds, through the balancer…
    join_all(
        logs.iter()
            .map(|id| app.chaster.redeliver(id.as_str(), COPIES_PER_RELEASE, true)),
    )
    .await;
    // …and its first body is posted again to BOTH instances directly, concurrently.
    let firsts: Vec<_> = app.chaster.deliveries()[sent_before..]
        .iter()
        .filter(|d| d.event == "action_log.created" && d.attempt == 1)
        .map(|d| d.body.clone())
        .collect();
    let direct = firsts
        .iter()
        .flat_map(|body| instances.map(|to: &Instance| app.post_webhook(to, body)));
    let direct_statuses = join_all(direct).await;
    app.settle().await;

    let failed: Vec<_> = app.chaster.deliveries()[sent_before..]
        .iter()
        .filter(|d| !d.succeeded())
        .cloned()
        .collect();
    assert!(
        failed.is_empty(),
        "every delivery was acknowledged: {failed:#?}"
    );
    assert!(
        direct_statuses.iter().all(|s| *s == 200),
        "{direct_statuses:?}"
    );
    let forwarded = app.balancer.forwarded();
    assert!(
        forwarded.iter().all(|n| *n > 0),
        "the balancer used both: {forwarded:?}"
    );

    // One unlock per box at the Sesame, one "Box opened" line per session at Chaster.
    for w in &wearers {
        assert_eq!(
            app.sesame.commands_received(&w.uuid, CommandKind::Unlock),
            1,
            "unlock commands to the box of {}",
            w.session_id
        );
        assert!(
            !app.sesame.latch_locked(&w.uuid),
            "the box of {} is open",
            w.session_id
        );
        let opened = app
            .chaster
            .custom_logs(&w.session_id)
            .into_iter()
            .filter(|l| {
                l["title"]
                    .as_str()
                    .is_some_and(|t| t.starts_with("Box opened"))
            });
        assert_eq!(
            opened.count(),
            1,
            "\"Box opened\" lines of {}",
            w.session_id
        );
    }
    let unlocks: usize = wearers
        .iter()
        .map(|w| app.sesame.commands_received(&w.uuid, CommandKind::Unlock))
        .sum();
    assert_eq!(unlocks, SESSIONS);

    // Every job of either instance: done, claimed for exactly one attempt (a box job's
    // verification readings are later steps of that attempt); both instances claimed work.
    let store = &app.a.state.store;
    let opens = store.jobs_of_kind(JobKind::OpenRelease).await.unwrap();
    assert_eq!(opens.len(), SESSIONS, "one open job per release");
    let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
    let jobs = sqlx::query("SELECT id, kind, status, attempts FROM jobs")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    let claims = sqlx::query("SELECT job_id, claimed_by, step FROM test_claims")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    let mut claims_of: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut steps_of: BTreeMap<String, usize> = BTreeMap::new();
    for c in &claims {
        if c.get::<bool, _>(2) {
            *steps_of.entry(c.get(0)).or_default() += 1;
        } else {
            claims_of.entry(c.get(0)).or_default().push(c.get(1));
        }
    }
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    for job in &jobs {
        let (id, kind, status, attempts): (String, String, String, i64) =
            (job.get(0), job.get(1), job.get(2), job.get(3));
        *kinds.entry(kind.clone()).or_default() += 1;
        assert_eq!(status, "done", "job {id} ({kind})");
        assert_eq!(attempts, 1, "job {id} ({kind}) ran once");
        assert_eq!(
            claims_of.get(&id).map(Vec::len),
            Some(1),
            "job {id} ({kind}) claimed for one attempt"
        );
        let steps = steps_of.get(&id).copied().unwrap_or(0);
        if kind == "open.release" {
            assert!(steps >= 1, "job {id} verified its command in a later step");
        } else if !matches!(
            kind.as_str(),
            "custody.start" | "open.hygiene" | "lock.hygiene"
        ) {
            assert_eq!(steps, 0, "job {id} ({kind}) sends no box command");
        }
    }
    let steps: usize = steps_of.values().sum();
    assert_eq!(claims.len(), jobs.len() + steps);
    let claimers: BTreeSet<&str> = claims_of.values().flatten().map(String::as_str).collect();
    assert_eq!(claimers, BTreeSet::from(["instance-a", "instance-b"]));
    let per_instance = |name: &str| claims_of.values().flatten().filter(|c| *c == name).count();
    println!(
        "{SESSIONS} releases: {} webhook deliveries by Chaster after the releases (the balancer forwarded \
         {forwarded:?} to A, B in all, set-up included) and {} posted to A and B directly; jobs {kinds:?}, claimed {} by A and {} \
         by B, each once, plus {steps} verification steps; {unlocks} unlock commands; {:?} in all (Postgres start included)",
        app.chaster.deliveries().len() - sent_before,
        direct_statuses.len(),
        per_instance("instance-a"),
        per_instance("instance-b"),
        started.elapsed(),
    );
}
