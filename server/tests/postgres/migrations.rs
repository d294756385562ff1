//! One set of migrations and one set of queries, on both engines.

use std::collections::BTreeSet;

use chrono::{Duration, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use server::crypto::SecretsKey;
use server::jobs::{JobKind, Lane};
use server::sesame::{ApiKey, DeviceCredentials, DeviceSecret};
use server::store::{
    Completion, DashboardSessionRecord, NewDevice, NewJob, NewWebhookEvent, SessionRecord, Store,
};
use sim::sesame::{DEMO_API_KEY, DEMO_SECRET_HEX};
use sqlx::Row;

use crate::helpers::TempDir;
use crate::pg::PgCluster;
use server::domain::{SessionId, UserId};

const TABLES: [&str; 14] = [
    "_sqlx_migrations",
    "api_usage",
    "box_watch",
    "custody",
    "custody_boxes",
    "dashboard_sessions",
    "devices",
    "incidents",
    "jobs",
    "kept_history",
    "oauth_login_states",
    "penalty_holds",
    "sessions",
    "webhook_events",
];

const SQLITE_COLUMNS: &str = "SELECT m.name, p.name FROM sqlite_master m \
     JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'";
// `sql_identifier` is not a type `sqlx::Any` decodes: cast to text.
const PG_COLUMNS: &str =
    "SELECT table_name::text, column_name::text FROM information_schema.columns \
     WHERE table_schema = 'public'";

async fn columns(store: &Store, sql: &str) -> BTreeSet<(String, String)> {
    sqlx::query(sql)
        .fetch_all(store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get::<String, _>(0), r.get::<String, _>(1)))
        .collect()
}

async fn migration_versions(store: &Store) -> Vec<i64> {
    sqlx::query("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
        .fetch_all(store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<i64, _>(0))
        .collect()
}

fn sqlite_url(dir: &TempDir) -> String {
    format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("opener.db").display()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrations_run_on_postgres_and_sqlite_alike() {
    let pg = PgCluster::start().await;
    let dir = TempDir::new();
    let sqlite = Store::connect(&sqlite_url(&dir), SecretsKey::generate())
        .await
        .expect("SQLite migrates");
    // Two instances starting together on a fresh database: the migrations run once (sqlx holds
    // an advisory lock on Postgres) and both start.
    let key = SecretsKey::generate();
    let url = pg.url();
    let (a, b) = tokio::join!(
        Store::connect(&url, key.clone()),
        Store::connect(&url, key.clone())
    );
    let (postgres, _other) = (a.expect("Postgres migrates"), b.expect("the second start"));
    assert!(postgres.is_postgres() && !sqlite.is_postgres());

    let on_sqlite = columns(&sqlite, SQLITE_COLUMNS).await;
    let on_postgres = columns(&postgres, PG_COLUMNS).await;
    let tables: BTreeSet<&str> = on_postgres.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(tables, BTreeSet::from(TABLES));
    assert_eq!(on_postgres, on_sqlite, "same tables and columns");
    let versions = migration_versions(&postgres).await;
    assert_eq!(versions, migration_versions(&sqlite).await);
    let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
        .unwrap()
        .count();
    assert_eq!(versions.len(), files, "every migration applied once");
    // A restart finds them applied.
    let again = Store::connect(&url, key).await.expect("a restart");
    assert_eq!(migration_versions(&again).await, versions);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_store_operation_gives_the_same_results_on_postgres_and_sqlite() {
    let pg = PgCluster::start().await;
    let dir = TempDir::new();
    let key = SecretsKey::generate();
    let sqlite = Store::connect(&sqlite_url(&dir), key.clone())
        .await
        .unwrap();
    let postgres = Store::connect(&pg.url(), key).await.unwrap();
    let on_sqlite = exercise(&sqlite).await;
    let on_postgres = exercise(&postgres).await;
    assert_eq!(on_postgres, on_sqlite);
}

/// Runs every store operation once and returns what each gave, for comparison; asserts the
/// outcomes that do not depend on the engine along the way.
async fn exercise(store: &Store) -> Vec<String> {
    let mut seen = Vec::new();
    let mut note = |what: &str, value: String| seen.push(format!("{what}: {value}"));

    // devices: insert, upsert, decrypt, delete
    let device = NewDevice {
        user_id: "wearer-1".into(),
        nickname: "Key box".into(),
        model: "SESAME 5".into(),
        credentials: DeviceCredentials::WebApi {
            uuid: "5E5A3E05-0000-4000-8000-000000000001".into(),
            api_key: ApiKey::parse(DEMO_API_KEY).unwrap(),
            secret: DeviceSecret::parse(DEMO_SECRET_HEX).unwrap().secret,
        },
    };
    let first = store.upsert_device(&device).await.unwrap();
    let renamed = NewDevice {
        nickname: "Renamed".into(),
        ..device.clone()
    };
    let second = store.upsert_device(&renamed).await.unwrap();
    assert_eq!(
        second.created_at, first.created_at,
        "an upsert keeps the creation time"
    );
    let got = store
        .get_device(&UserId::new("wearer-1"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got.credentials.api_key().expose(), DEMO_API_KEY);
    note(
        "device",
        format!("{} {} {:?}", got.nickname, got.model, got.api()),
    );

    // api usage counter
    let counts = [
        store.add_api_usage("k", "2025-06").await.unwrap(),
        store.add_api_usage("k", "2025-06").await.unwrap(),
        store.api_usage("k", "2025-06").await.unwrap(),
        store.api_usage("k", "1999-01").await.unwrap(),
    ];
    assert_eq!(counts, [1, 2, 2, 0]);

    // sessions
    let now = Utc::now();
    let session = SessionRecord {
        session_id: "S1".into(),
        lock_id: "L1".into(),
        wearer_user_id: "wearer-1".into(),
        keyholder_user_id: None,
        status: "locked".into(),
        config: json!({"openOnRelease": true}),
        hygiene_opening_active: false,
        box_open_allowed: false,
        updated_at: to_millis(now),
    };
    store.upsert_session(&session).await.unwrap();
    assert!(!store.insert_session_if_absent(&session).await.unwrap());
    assert_eq!(
        store
            .get_session(&SessionId::new("S1"))
            .await
            .unwrap()
            .unwrap(),
        session
    );
    note(
        "watched",
        format!("{:?}", store.watched_sessions().await.unwrap()),
    );
    store
        .set_hygiene_opening(&SessionId::new("S1"), true)
        .await
        .unwrap();
    let hygiene = store
        .get_session(&SessionId::new("S1"))
        .await
        .unwrap()
        .unwrap();
    assert!(hygiene.hygiene_opening_active);
    note(
        "watched in hygiene",
        format!("{:?}", store.watched_sessions().await.unwrap()),
    );
    store
        .set_session_status(&SessionId::new("S1"), "unlocked")
        .await
        .unwrap();

    // webhooks and jobs: dedupe, claim, retry, complete
    let job = NewJob {
        kind: JobKind::OpenRelease,
        session_id: Some("S1".into()),
        lane: Some(Lane::Box),
        dedupe_key: "alog:1:unlocked".into(),
        payload: json!({"actionLogId": "1"}),
        run_after: now - Duration::seconds(1),
        deadline: now + Duration::minutes(10),
    };
    let event = NewWebhookEvent {
        event: "action_log.created".into(),
        request_id: Some("r1".into()),
        session_id: Some("S1".into()),
        action_log_id: Some("1".into()),
        body: "{}".into(),
    };
    let jobs = std::slice::from_ref(&job);
    note(
        "ingest",
        store
            .ingest_webhook(&event, jobs, None)
            .await
            .unwrap()
            .to_string(),
    );
    note(
        "duplicate",
        store
            .ingest_webhook(&event, jobs, None)
            .await
            .unwrap()
            .to_string(),
    );
    let lease = now + Duration::seconds(30);
    let claimed = store
        .claim_job(now, lease)
        .await
        .unwrap()
        .expect("a job to claim");
    assert!(
        store.claim_job(now, lease).await.unwrap().is_none(),
        "claimed once"
    );
    assert!(store
        .lane_busy(&SessionId::new("S1"), Lane::Box, None)
        .await
        .unwrap());
    assert!(!store
        .lane_busy(&SessionId::new("S1"), Lane::Box, Some(&claimed.id))
        .await
        .unwrap());
    store
        .mark_command_sent(&claimed.id, now, Some(&json!({"x": 1})))
        .await
        .unwrap();
    assert!(!store
        .lane_sent_command(&SessionId::new("S1"), Lane::Box, &claimed.id)
        .await
        .unwrap());
    let retry = Completion {
        retry_at: Some(now),
        retry_logged: true,
        error: Some("busy".into()),
        ..Completion::default()
    };
    store.complete_job(&claimed.id, &retry).await.unwrap();
    let again = store
        .claim_job(now, lease)
        .await
        .unwrap()
        .expect("the retry");
    assert_eq!(again.attempts, 2);
    assert!(again.retry_logged && again.command_sent_at.is_some());
    note(
        "job",
        format!(
            "{} {:?} {:?} {}",
            again.kind, again.payload, again.last_error, again.status
        ),
    );
    store.clear_command_sent(&again.id).await.unwrap();
    store.renew_lease(&again.id, lease).await.unwrap();
    store
        .complete_job(&again.id, &Completion::default())
        .await
        .unwrap();
    note(
        "job counts",
        format!("{:?}", store.job_counts().await.unwrap()),
    );
    note(
        "events",
        store.webhook_event_count().await.unwrap().to_string(),
    );
    let finished = store.get_job(&again.id).await.unwrap().unwrap();
    assert!(finished.command_sent_at.is_none());
    note(
        "kind",
        store
            .jobs_of_kind(JobKind::OpenRelease)
            .await
            .unwrap()
            .len()
            .to_string(),
    );

    // incidents
    let follow_up = |id: &str| NewJob {
        kind: JobKind::TamperPenalty,
        dedupe_key: format!("penalty:{id}"),
        ..job.clone()
    };
    let incident = store
        .open_incident(&SessionId::new("S1"), now, follow_up)
        .await
        .unwrap();
    let incident = incident.expect("an incident opens");
    assert!(
        store
            .open_incident(&SessionId::new("S1"), now, follow_up)
            .await
            .unwrap()
            .is_none(),
        "one open"
    );
    assert!(store
        .record_penalty(&incident, true, "freeze")
        .await
        .unwrap());
    assert!(!store
        .record_penalty(&incident, false, "none")
        .await
        .unwrap());
    let resolved = store
        .resolve_incident(&SessionId::new("S1"), now)
        .await
        .unwrap()
        .unwrap();
    assert!(resolved.penalty_applied && resolved.resolved_at.is_some());
    assert_eq!(
        store.get_incident(&incident).await.unwrap().unwrap(),
        resolved
    );
    note(
        "incidents",
        store
            .incidents(&SessionId::new("S1"))
            .await
            .unwrap()
            .len()
            .to_string(),
    );

    // dashboard sign-ins
    let verifier = SecretString::from("verifier");
    store
        .insert_login_state("state", &verifier, now + Duration::minutes(5))
        .await
        .unwrap();
    let back = store.take_login_state("state").await.unwrap();
    assert_eq!(back.unwrap().expose_secret(), "verifier");
    assert!(store.take_login_state("state").await.unwrap().is_none());
    let sign_in = DashboardSessionRecord {
        id_hash: "h1".into(),
        user_id: "kh".into(),
        username: "keyholder".into(),
        avatar_url: None,
        csrf_token: server::domain::CsrfToken::new("csrf"),
        handle_key: server::domain::HandleKey::new("00"),
        expires_at: now + Duration::days(1),
    };
    store.insert_dashboard_session(&sign_in).await.unwrap();
    let back = store.get_dashboard_session("h1").await.unwrap().unwrap();
    note(
        "sign-in",
        format!("{} {}", back.username, back.csrf_token.expose()),
    );
    note(
        "sign-ins",
        store.count_dashboard_sessions().await.unwrap().to_string(),
    );
    assert!(store.delete_dashboard_session("h1").await.unwrap());

    // clean-up
    note(
        "pruned",
        store
            .prune_jobs(now + Duration::days(1))
            .await
            .unwrap()
            .to_string(),
    );
    assert!(store.delete_device(&UserId::new("wearer-1")).await.unwrap());
    assert!(!store.delete_device(&UserId::new("wearer-1")).await.unwrap());
    seen
}

/// The store keeps milliseconds: compare with a time already rounded to them.
fn to_millis(t: chrono::DateTime<Utc>) -> chrono::DateTime<Utc> {
    chrono::DateTime::from_timestamp_millis(t.timestamp_millis()).unwrap()
}
