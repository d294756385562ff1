//! The `devices` table: one box per wearer, credentials encrypted and bound to the wearer.

use api_types::DeviceApi;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::Row;

use super::{Store, StoreError};
use crate::domain::{ApiKey, DeviceCredentials, DeviceId, DeviceSecret, UserId};

/// A box to save for a wearer.
#[derive(Clone, Debug)]
pub struct NewDevice {
    /// The wearer's Chaster user id.
    pub user_id: UserId,
    pub nickname: String,
    /// Human model name ("SESAME 5", "Sesame (original)", …).
    pub model: String,
    pub credentials: DeviceCredentials,
}

/// A saved box, credentials decrypted. `Debug` never shows a credential.
#[derive(Clone, Debug)]
pub struct DeviceRecord {
    pub user_id: UserId,
    pub nickname: String,
    pub model: String,
    pub credentials: DeviceCredentials,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl DeviceRecord {
    pub fn api(&self) -> DeviceApi {
        self.credentials.api()
    }
}

const WEB: &str = "web_api";
const V3: &str = "legacy_v3";

fn aad(user_id: &str, field: &str) -> Vec<u8> {
    format!("{user_id}\0{field}").into_bytes()
}

fn timestamp(secs: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp(secs, 0)
        .ok_or_else(|| StoreError::Corrupt(format!("bad timestamp {secs}")))
}

impl Store {
    /// Encrypts a secret bound to its row (`user_id` or another row key) and column.
    pub(super) fn seal(&self, user_id: &str, field: &str, plaintext: &[u8]) -> String {
        B64.encode(self.key.encrypt(plaintext, &aad(user_id, field)))
    }

    pub(super) fn open(
        &self,
        user_id: &str,
        field: &str,
        stored: &str,
    ) -> Result<secrecy::zeroize::Zeroizing<Vec<u8>>, StoreError> {
        let raw = B64
            .decode(stored)
            .map_err(|_| StoreError::Corrupt(format!("{field} is not base64")))?;
        Ok(self.key.decrypt(&raw, &aad(user_id, field))?)
    }

    /// Saves the wearer's box, replacing any previous one (keeping its creation time).
    pub async fn upsert_device(&self, device: &NewDevice) -> Result<DeviceRecord, StoreError> {
        let user = device.user_id.as_str();
        let (api, secret_enc) = match &device.credentials {
            DeviceCredentials::WebApi { secret, .. } => {
                (WEB, Some(self.seal(user, "secret", secret.expose())))
            }
            DeviceCredentials::LegacyV3 { .. } => (V3, None),
        };
        let api_key_enc = self.seal(
            user,
            "api_key",
            device.credentials.api_key().expose().as_bytes(),
        );
        let now = Utc::now().timestamp();
        sqlx::query(
            "INSERT INTO devices (user_id, api, nickname, model, device_id, api_key_enc, secret_enc, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) \
             ON CONFLICT (user_id) DO UPDATE SET api = excluded.api, nickname = excluded.nickname, \
             model = excluded.model, device_id = excluded.device_id, api_key_enc = excluded.api_key_enc, \
             secret_enc = excluded.secret_enc, updated_at = excluded.updated_at",
        )
        .bind(user)
        .bind(api)
        .bind(&device.nickname)
        .bind(&device.model)
        .bind(device.credentials.device_id().as_str())
        .bind(api_key_enc)
        .bind(secret_enc)
        .bind(now)
        .execute(self.writer())
        .await?;
        self.get_device(&device.user_id)
            .await?
            .ok_or_else(|| StoreError::Corrupt("the saved device cannot be read back".into()))
    }

    /// The wearer's box, if they connected one.
    pub async fn get_device(&self, user_id: &UserId) -> Result<Option<DeviceRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT user_id, api, nickname, model, device_id, api_key_enc, secret_enc, created_at, updated_at \
             FROM devices WHERE user_id = $1",
        )
        .bind(user_id.as_str())
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| self.record(&row)).transpose()
    }

    /// Forgets the wearer's box; true if there was one.
    pub async fn delete_device(&self, user_id: &UserId) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM devices WHERE user_id = $1")
            .bind(user_id.as_str())
            .execute(self.writer())
            .await?;
        Ok(done.rows_affected() > 0)
    }

    fn record(&self, row: &AnyRow) -> Result<DeviceRecord, StoreError> {
        let user_id: String = row.try_get("user_id")?;
        let api: String = row.try_get("api")?;
        let device_id: String = row.try_get("device_id")?;
        let api_key_plain = self.open(
            &user_id,
            "api_key",
            &row.try_get::<String, _>("api_key_enc")?,
        )?;
        let api_key = std::str::from_utf8(&api_key_plain)
            .ok()
            .and_then(|k| ApiKey::parse(k).ok())
            .ok_or_else(|| StoreError::Corrupt("the stored API key is invalid".into()))?;
        let credentials = match api.as_str() {
            WEB => {
                let stored: Option<String> = row.try_get("secret_enc")?;
                let stored = stored
                    .ok_or_else(|| StoreError::Corrupt("a Web API device without secret".into()))?;
                let plain = self.open(&user_id, "secret", &stored)?;
                let bytes: [u8; 16] = plain
                    .as_slice()
                    .try_into()
                    .map_err(|_| StoreError::Corrupt("the stored secret is not 16 bytes".into()))?;
                DeviceCredentials::WebApi {
                    uuid: DeviceId::new(device_id),
                    api_key,
                    secret: DeviceSecret::from_bytes(bytes),
                }
            }
            V3 => DeviceCredentials::LegacyV3 {
                device_id: DeviceId::new(device_id),
                api_key,
            },
            other => return Err(StoreError::Corrupt(format!("unknown api {other:?}"))),
        };
        Ok(DeviceRecord {
            nickname: row.try_get("nickname")?,
            model: row.try_get("model")?,
            created_at: timestamp(row.try_get("created_at")?)?,
            updated_at: timestamp(row.try_get("updated_at")?)?,
            credentials,
            user_id: UserId::new(user_id),
        })
    }
}
