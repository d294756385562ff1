use chrono::{Duration, Utc};
use serde_json::json;

use super::*;
use crate::crypto::SecretsKey;

async fn store() -> Store {
    Store::connect("sqlite::memory:", SecretsKey::generate())
        .await
        .unwrap()
}

fn record(status: &str, at: DateTime<Utc>) -> SessionRecord {
    SessionRecord {
        session_id: SessionId::new("s1"),
        lock_id: LockId::new("l1"),
        wearer_user_id: UserId::new("w1"),
        keyholder_user_id: None,
        status: status.into(),
        config: json!({"openOnRelease": true}),
        hygiene_opening_active: false,
        box_open_allowed: false,
        updated_at: at,
    }
}

async fn stamp(store: &Store) -> DateTime<Utc> {
    let row = store.get_session(&SessionId::new("s1")).await.unwrap();
    row.expect("saved").updated_at
}

#[tokio::test]
async fn saving_a_session_chaster_describes_unchanged_writes_nothing() {
    let store = store().await;
    let first = Utc::now() - Duration::minutes(5);
    store.upsert_session(&record(LOCKED, first)).await.unwrap();
    store
        .upsert_session(&record(LOCKED, Utc::now()))
        .await
        .unwrap();
    assert_eq!(
        stamp(&store).await,
        from_ms(ms(first)).unwrap(),
        "row untouched"
    );
    let released = Utc::now();
    store
        .upsert_sessions(&[record(UNLOCKED, released)])
        .await
        .unwrap();
    let saved = store.get_session(&SessionId::new("s1")).await.unwrap();
    assert_eq!(saved.as_ref().map(|s| s.status.as_str()), Some(UNLOCKED));
    assert_eq!(stamp(&store).await, from_ms(ms(released)).unwrap());
}

#[tokio::test]
async fn setting_the_hygiene_flag_to_what_it_already_is_leaves_the_session_alone() {
    let store = store().await;
    let first = Utc::now() - Duration::minutes(5);
    store.upsert_session(&record(LOCKED, first)).await.unwrap();
    let sid = SessionId::new("s1");
    store.set_hygiene_opening(&sid, false).await.unwrap();
    assert_eq!(
        stamp(&store).await,
        from_ms(ms(first)).unwrap(),
        "row untouched"
    );
    store.set_hygiene_opening(&sid, true).await.unwrap();
    let saved = store.get_session(&sid).await.unwrap().expect("saved");
    assert!(saved.hygiene_opening_active);
    assert!(saved.updated_at > from_ms(ms(first)).unwrap());
}
