//! The device store: encrypted round trip, nothing readable in the SQLite file.

use api_types::DeviceApi;
use server::crypto::SecretsKey;
use server::sesame::DeviceCredentials;
use server::store::{NewDevice, Store, StoreError};

use crate::helpers::*;
use server::domain::UserId;

const API_KEY: &str = "plaintext-api-key-0123456789-abcdefghijk";
const SECRET_HEX: &str = "a13d4b890111676ba8fb36ece7e94f7d";

fn web_device(user: &str) -> NewDevice {
    NewDevice {
        user_id: user.into(),
        nickname: "Key box".into(),
        model: "SESAME 5".into(),
        credentials: DeviceCredentials::WebApi {
            uuid: "12345678-1234-5678-1234-567812345678".into(),
            api_key: key(API_KEY),
            secret: secret(SECRET_HEX),
        },
    }
}

#[tokio::test]
async fn a_device_round_trips_through_the_store_with_its_credentials() {
    let dir = TempDir::new();
    let store = Store::connect(&dir.sqlite_url(), SecretsKey::generate())
        .await
        .unwrap();
    assert!(store
        .get_device(&UserId::new("wearer-1"))
        .await
        .unwrap()
        .is_none());
    store.upsert_device(&web_device("wearer-1")).await.unwrap();
    let record = store
        .get_device(&UserId::new("wearer-1"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.api(), DeviceApi::WebApi);
    assert_eq!(
        (record.nickname.as_str(), record.model.as_str()),
        ("Key box", "SESAME 5")
    );
    match &record.credentials {
        DeviceCredentials::WebApi {
            uuid,
            api_key,
            secret,
        } => {
            assert_eq!(uuid.as_str(), "12345678-1234-5678-1234-567812345678");
            assert_eq!(api_key.expose(), API_KEY);
            assert_eq!(hex::encode(secret.expose()), SECRET_HEX);
        }
        other => panic!("expected a Web API device, got {other:?}"),
    }
}

#[tokio::test]
async fn the_sqlite_file_does_not_contain_the_secret_or_the_api_key() {
    let dir = TempDir::new();
    let store = Store::connect(&dir.sqlite_url(), SecretsKey::generate())
        .await
        .unwrap();
    store.upsert_device(&web_device("wearer-1")).await.unwrap();
    store.close().await;
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(&dir.0).unwrap() {
        bytes.extend(std::fs::read(entry.unwrap().path()).unwrap());
    }
    assert!(!bytes.is_empty());
    let contains = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    assert!(contains(b"Key box"), "the file does hold the plain columns");
    assert!(!contains(API_KEY.as_bytes()), "API key in plain text");
    assert!(
        !contains(SECRET_HEX.as_bytes()),
        "secret (hex) in plain text"
    );
    assert!(
        !contains(&hex::decode(SECRET_HEX).unwrap()),
        "secret (raw) in plain text"
    );
}

#[tokio::test]
async fn upsert_replaces_the_wearers_box_and_delete_forgets_it() {
    let dir = TempDir::new();
    let store = Store::connect(&dir.sqlite_url(), SecretsKey::generate())
        .await
        .unwrap();
    let first = store.upsert_device(&web_device("wearer-1")).await.unwrap();
    let v3 = NewDevice {
        user_id: "wearer-1".into(),
        nickname: "Old box".into(),
        model: "Sesame (original)".into(),
        credentials: DeviceCredentials::LegacyV3 {
            device_id: "dev-1".into(),
            api_key: key("v3-key"),
        },
    };
    let second = store.upsert_device(&v3).await.unwrap();
    assert_eq!(second.api(), DeviceApi::LegacyV3);
    assert_eq!(second.credentials.device_id().as_str(), "dev-1");
    assert_eq!(
        second.created_at, first.created_at,
        "the creation time is kept"
    );
    assert!(store.delete_device(&UserId::new("wearer-1")).await.unwrap());
    assert!(!store.delete_device(&UserId::new("wearer-1")).await.unwrap());
    assert!(store
        .get_device(&UserId::new("wearer-1"))
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn another_secrets_key_cannot_read_the_credentials() {
    let dir = TempDir::new();
    let store = Store::connect(&dir.sqlite_url(), SecretsKey::generate())
        .await
        .unwrap();
    store.upsert_device(&web_device("wearer-1")).await.unwrap();
    let other = Store::connect(&dir.sqlite_url(), SecretsKey::generate())
        .await
        .unwrap();
    assert!(matches!(
        other.get_device(&UserId::new("wearer-1")).await,
        Err(StoreError::Crypto(_))
    ));
}

#[tokio::test]
async fn the_database_folder_and_file_are_created_on_first_start() {
    let dir = TempDir::new();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.0.join("nested/data/opener.db").display()
    );
    Store::connect(&url, SecretsKey::generate()).await.unwrap();
    assert!(dir.0.join("nested/data/opener.db").exists());
}

#[tokio::test]
async fn an_in_memory_database_works_for_tests() {
    let store = Store::connect("sqlite::memory:", SecretsKey::generate())
        .await
        .unwrap();
    store.upsert_device(&web_device("w")).await.unwrap();
    assert!(store.get_device(&UserId::new("w")).await.unwrap().is_some());
    assert_eq!(store.add_api_usage("hash", "2025-01").await.unwrap(), 1);
    assert_eq!(store.add_api_usage("hash", "2025-01").await.unwrap(), 2);
    assert_eq!(store.api_usage("hash", "2025-01").await.unwrap(), 2);
    assert_eq!(store.api_usage("hash", "2025-02").await.unwrap(), 0);
}
