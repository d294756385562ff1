use chrono::Utc;
use serde_json::json;

use super::*;
use crate::crypto::SecretsKey;
use crate::domain::SessionId;

async fn store() -> Store {
    Store::connect("sqlite::memory:", SecretsKey::generate())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_stored_job_reads_back_typed() {
    let store = store().await;
    let now = Utc::now();
    let job = JobKind::OpenRelease.job(&SessionId::new("s1"), "k1".into(), json!({}), now, now);
    assert_eq!(store.enqueue(&[job]).await.unwrap(), 1);
    let jobs = store.jobs_of_kind(JobKind::OpenRelease).await.unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].kind, JobKind::OpenRelease);
    assert_eq!(jobs[0].status, JobStatus::Queued);
    assert_eq!(jobs[0].lane, Some(Lane::Box));
    let claimed = store.claim_job(now, now).await.unwrap().expect("due");
    assert_eq!(claimed.status, JobStatus::Running);
    assert_eq!(store.job_counts().await.unwrap(), [0, 1, 0, 0]);
}

#[tokio::test]
async fn a_row_with_an_unknown_kind_or_status_is_an_error_when_read() {
    let store = store().await;
    for (id, kind, status) in [
        ("bad-kind", "open.teleport", "queued"),
        ("bad-status", "open.release", "paused"),
    ] {
        sqlx::query(
            "INSERT INTO jobs (id, kind, session_id, lane, dedupe_key, payload, status, attempts, \
             run_after, deadline, retry_logged, created_at, updated_at) \
             VALUES ($1, $2, 's1', NULL, $1, '{}', $3, 0, 0, 0, 0, 0, 0)",
        )
        .bind(id)
        .bind(kind)
        .bind(status)
        .execute(store.writer())
        .await
        .unwrap();
        let read = store.get_job(id).await;
        assert!(
            matches!(read, Err(StoreError::Corrupt(_))),
            "{id}: {read:?}"
        );
    }
    // The unknown kind is claimable (queued and due): the claim fails cleanly and the row ends
    // as failed with the reason, so no worker claims it again.
    let claimed = store.claim_job(Utc::now(), Utc::now()).await;
    assert!(
        matches!(claimed, Err(StoreError::Corrupt(_))),
        "{claimed:?}"
    );
    let row = sqlx::query("SELECT status, last_error FROM jobs WHERE id = 'bad-kind'")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(row.try_get::<String, _>(0).unwrap(), FAILED);
    let reason: Option<String> = row.try_get(1).unwrap();
    assert!(reason.unwrap().contains("open.teleport"));
    assert!(store
        .claim_job(Utc::now(), Utc::now())
        .await
        .unwrap()
        .is_none());
    let counts = store.job_counts().await;
    assert!(matches!(counts, Err(StoreError::Corrupt(_))), "{counts:?}");
}

#[tokio::test]
async fn a_release_is_claimed_before_routine_work_that_was_due_earlier() {
    let store = store().await;
    let now = Utc::now();
    let earlier = now - chrono::Duration::seconds(2);
    let checks: Vec<NewJob> = (0..3)
        .map(|i| {
            let sid = SessionId::new(format!("s{i}"));
            JobKind::TamperCheck.job(&sid, format!("check{i}"), json!({}), earlier, now)
        })
        .collect();
    store.enqueue(&checks).await.unwrap();
    let release =
        JobKind::OpenRelease.job(&SessionId::new("s9"), "rel".into(), json!({}), now, now);
    store.enqueue(&[release]).await.unwrap();
    let first = store.claim_job(now, now).await.unwrap().expect("due");
    assert_eq!(first.kind, JobKind::OpenRelease);
    let second = store.claim_job(now, now).await.unwrap().expect("due");
    assert_eq!(second.kind, JobKind::TamperCheck);
}

#[tokio::test]
async fn completing_a_job_claims_the_next_runnable_one_in_the_same_commit() {
    let store = store().await;
    let now = Utc::now();
    let jobs: Vec<NewJob> = (0..2)
        .map(|i| {
            let sid = SessionId::new(format!("s{i}"));
            JobKind::OpenRelease.job(&sid, format!("rel{i}"), json!({}), now, now)
        })
        .collect();
    store.enqueue(&jobs).await.unwrap();
    let first = store.claim_job(now, now).await.unwrap().expect("due");
    let follow_up =
        JobKind::ChasterLog.job(&SessionId::new("s0"), "log0".into(), json!({}), now, now);
    let done = Completion {
        follow_ups: vec![follow_up],
        ..Completion::default()
    };
    let next = store
        .complete_and_claim(&first.id, &done, now, now)
        .await
        .unwrap()
        .expect("the other release is runnable");
    assert_ne!(next.id, first.id);
    assert_eq!(next.kind, JobKind::OpenRelease, "box jobs still come first");
    assert_eq!((next.status, next.attempts), (JobStatus::Running, 1));
    let first = store.get_job(&first.id).await.unwrap().expect("stored");
    assert_eq!(first.status, JobStatus::Done);
    // done: 1, running: the next release, queued: the follow-up line.
    assert_eq!(store.job_counts().await.unwrap(), [1, 1, 1, 0]);
}
