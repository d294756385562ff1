//! The keyholder dashboard's sign-ins: pending OAuth `state`s and signed-in sessions, whose
//! Chaster tokens are encrypted at rest and bound to their row.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use sqlx::any::AnyRow;
use sqlx::Row;

use super::time::{from_ms, ms};
use super::{Store, StoreError};
use crate::domain::UserId;

/// A signed-in keyholder as stored; `Debug` never shows a token.
#[derive(Clone, Debug)]
pub struct DashboardSessionRecord {
    /// SHA-256 (hex) of the session cookie.
    pub id_hash: String,
    pub user_id: UserId,
    pub username: String,
    pub avatar_url: Option<String>,
    pub tokens: OAuthTokens,
    /// Sent by the page as `X-CSRF-Token`.
    pub csrf_token: String,
    /// Hex key of the page's session handles.
    pub handle_key: String,
    /// The sign-in ends then, whatever the tokens say.
    pub expires_at: DateTime<Utc>,
}

/// A user's Chaster tokens and when they stop working.
#[derive(Clone, Debug)]
pub struct OAuthTokens {
    pub access_token: SecretString,
    pub refresh_token: SecretString,
    pub access_expires_at: DateTime<Utc>,
    pub refresh_expires_at: DateTime<Utc>,
}

const COLUMNS: &str =
    "id_hash, user_id, username, avatar_url, access_token_enc, refresh_token_enc, \
     access_expires_at, refresh_expires_at, csrf_token, handle_key, expires_at";

fn aad(id_hash: &str, field: &str) -> Vec<u8> {
    format!("dashboard\0{id_hash}\0{field}").into_bytes()
}

impl Store {
    fn seal_token(&self, id_hash: &str, field: &str, token: &SecretString) -> String {
        let sealed = self
            .key
            .encrypt(token.expose_secret().as_bytes(), &aad(id_hash, field));
        B64.encode(sealed)
    }

    fn open_token(
        &self,
        id_hash: &str,
        field: &str,
        stored: &str,
    ) -> Result<SecretString, StoreError> {
        let raw = B64
            .decode(stored)
            .map_err(|_| StoreError::Corrupt(format!("{field} is not base64")))?;
        let plain = self.key.decrypt(&raw, &aad(id_hash, field))?;
        let text = std::str::from_utf8(&plain)
            .map_err(|_| StoreError::Corrupt(format!("{field} is not text")))?;
        Ok(SecretString::from(text.to_owned()))
    }

    /// Remembers a sign-in sent to Chaster until `expires_at`; forgets stale ones.
    pub async fn insert_login_state(
        &self,
        state_hash: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM oauth_login_states WHERE expires_at <= $1")
            .bind(ms(Utc::now()))
            .execute(self.pool())
            .await?;
        sqlx::query("INSERT INTO oauth_login_states (state_hash, expires_at) VALUES ($1, $2)")
            .bind(state_hash)
            .bind(ms(expires_at))
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Uses up a pending sign-in: true if it existed and had not expired.
    pub async fn take_login_state(&self, state_hash: &str) -> Result<bool, StoreError> {
        let done =
            sqlx::query("DELETE FROM oauth_login_states WHERE state_hash = $1 AND expires_at > $2")
                .bind(state_hash)
                .bind(ms(Utc::now()))
                .execute(self.pool())
                .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Saves a new sign-in, and forgets sign-ins that have ended.
    pub async fn insert_dashboard_session(
        &self,
        s: &DashboardSessionRecord,
    ) -> Result<(), StoreError> {
        let now = Utc::now();
        sqlx::query(
            "DELETE FROM dashboard_sessions WHERE expires_at <= $1 OR refresh_expires_at <= $1",
        )
        .bind(ms(now))
        .execute(self.pool())
        .await?;
        let id = s.id_hash.as_str();
        let t = &s.tokens;
        sqlx::query(&format!(
            "INSERT INTO dashboard_sessions ({COLUMNS}, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)"
        ))
        .bind(id)
        .bind(s.user_id.as_str())
        .bind(&s.username)
        .bind(&s.avatar_url)
        .bind(self.seal_token(id, "access_token", &t.access_token))
        .bind(self.seal_token(id, "refresh_token", &t.refresh_token))
        .bind(ms(t.access_expires_at))
        .bind(ms(t.refresh_expires_at))
        .bind(&s.csrf_token)
        .bind(&s.handle_key)
        .bind(ms(s.expires_at))
        .bind(ms(now))
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The sign-in behind a cookie hash, unless it has ended.
    pub async fn get_dashboard_session(
        &self,
        id_hash: &str,
    ) -> Result<Option<DashboardSessionRecord>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM dashboard_sessions WHERE id_hash = $1 AND expires_at > $2"
        ))
        .bind(id_hash)
        .bind(ms(Utc::now()))
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| self.dashboard_session(&row)).transpose()
    }

    /// Replaces the tokens after a refresh (Chaster rotates the refresh token).
    pub async fn update_dashboard_tokens(
        &self,
        id_hash: &str,
        t: &OAuthTokens,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE dashboard_sessions SET access_token_enc = $2, refresh_token_enc = $3, \
             access_expires_at = $4, refresh_expires_at = $5, updated_at = $6 WHERE id_hash = $1",
        )
        .bind(id_hash)
        .bind(self.seal_token(id_hash, "access_token", &t.access_token))
        .bind(self.seal_token(id_hash, "refresh_token", &t.refresh_token))
        .bind(ms(t.access_expires_at))
        .bind(ms(t.refresh_expires_at))
        .bind(ms(Utc::now()))
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Signs out; true if the sign-in existed.
    pub async fn delete_dashboard_session(&self, id_hash: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM dashboard_sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// How many sign-ins are stored (ended ones included until they are swept).
    pub async fn count_dashboard_sessions(&self) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM dashboard_sessions")
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get("n")?)
    }

    fn dashboard_session(&self, row: &AnyRow) -> Result<DashboardSessionRecord, StoreError> {
        let id_hash: String = row.try_get("id_hash")?;
        let access = row.try_get::<String, _>("access_token_enc")?;
        let refresh = row.try_get::<String, _>("refresh_token_enc")?;
        Ok(DashboardSessionRecord {
            user_id: UserId::new(row.try_get::<String, _>("user_id")?),
            username: row.try_get("username")?,
            avatar_url: row.try_get("avatar_url")?,
            tokens: OAuthTokens {
                access_token: self.open_token(&id_hash, "access_token", &access)?,
                refresh_token: self.open_token(&id_hash, "refresh_token", &refresh)?,
                access_expires_at: from_ms(row.try_get("access_expires_at")?)?,
                refresh_expires_at: from_ms(row.try_get("refresh_expires_at")?)?,
            },
            csrf_token: row.try_get("csrf_token")?,
            handle_key: row.try_get("handle_key")?,
            expires_at: from_ms(row.try_get("expires_at")?)?,
            id_hash,
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::crypto::SecretsKey;

    async fn store() -> Store {
        Store::connect("sqlite::memory:", SecretsKey::generate())
            .await
            .unwrap()
    }

    fn record(id_hash: &str) -> DashboardSessionRecord {
        let now = Utc::now();
        DashboardSessionRecord {
            id_hash: id_hash.into(),
            user_id: UserId::new("u1"),
            username: "kh".into(),
            avatar_url: None,
            tokens: OAuthTokens {
                access_token: SecretString::from("access-secret-value"),
                refresh_token: SecretString::from("refresh-secret-value"),
                access_expires_at: now + Duration::minutes(5),
                refresh_expires_at: now + Duration::minutes(30),
            },
            csrf_token: "csrf".into(),
            handle_key: "00".into(),
            expires_at: now + Duration::days(1),
        }
    }

    #[tokio::test]
    async fn tokens_are_encrypted_at_rest_and_round_trip() {
        let store = store().await;
        store.insert_dashboard_session(&record("h1")).await.unwrap();
        let row = sqlx::query("SELECT access_token_enc, refresh_token_enc FROM dashboard_sessions")
            .fetch_one(store.pool())
            .await
            .unwrap();
        for column in ["access_token_enc", "refresh_token_enc"] {
            let stored: String = row.try_get(column).unwrap();
            assert!(!stored.contains("secret-value"), "{column} is plaintext");
        }
        let back = store.get_dashboard_session("h1").await.unwrap().unwrap();
        assert_eq!(
            back.tokens.refresh_token.expose_secret(),
            "refresh-secret-value"
        );
    }

    #[tokio::test]
    async fn a_login_state_can_be_used_once() {
        let store = store().await;
        let later = Utc::now() + Duration::minutes(10);
        store.insert_login_state("s1", later).await.unwrap();
        assert!(store.take_login_state("s1").await.unwrap());
        assert!(!store.take_login_state("s1").await.unwrap());
        assert!(!store.take_login_state("never-issued").await.unwrap());
    }

    #[tokio::test]
    async fn an_ended_sign_in_is_not_returned() {
        let store = store().await;
        let mut r = record("h2");
        r.expires_at = Utc::now() - Duration::seconds(1);
        store.insert_dashboard_session(&r).await.unwrap();
        assert!(store.get_dashboard_session("h2").await.unwrap().is_none());
    }
}
