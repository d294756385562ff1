//! The keyholder dashboard's sign-ins: pending OAuth `state`s with their PKCE verifier
//! (encrypted at rest, bound to their row), and signed-in sessions. No Chaster token is kept:
//! the profile is read once at sign-in.

use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use sqlx::any::AnyRow;
use sqlx::Row;

use super::time::{from_ms, ms};
use super::{Store, StoreError};
use crate::domain::{CsrfToken, HandleKey, UserId};

/// A signed-in keyholder as stored; `Debug` never shows the CSRF token or the key.
#[derive(Clone, Debug)]
pub struct DashboardSessionRecord {
    /// SHA-256 (hex) of the session cookie.
    pub id_hash: String,
    pub user_id: UserId,
    pub username: String,
    pub avatar_url: Option<String>,
    /// Sent by the page as `X-CSRF-Token`.
    pub csrf_token: CsrfToken,
    /// Hex key of the page's session handles.
    pub handle_key: HandleKey,
    /// The sign-in ends then.
    pub expires_at: DateTime<Utc>,
}

const COLUMNS: &str = "id_hash, user_id, username, avatar_url, csrf_token, handle_key, expires_at";

/// The column a pending sign-in's verifier is sealed for (bound to its `state_hash` too).
const VERIFIER: &str = "oauth_code_verifier";

impl Store {
    /// Remembers a sign-in sent to Chaster, with its PKCE verifier, until `expires_at`; forgets
    /// stale ones.
    pub async fn insert_login_state(
        &self,
        state_hash: &str,
        verifier: &SecretString,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM oauth_login_states WHERE expires_at <= $1")
            .bind(ms(Utc::now()))
            .execute(self.writer())
            .await?;
        sqlx::query(
            "INSERT INTO oauth_login_states (state_hash, verifier_enc, expires_at) \
             VALUES ($1, $2, $3)",
        )
        .bind(state_hash)
        .bind(self.seal(state_hash, VERIFIER, verifier.expose_secret().as_bytes()))
        .bind(ms(expires_at))
        .execute(self.writer())
        .await?;
        Ok(())
    }

    /// Uses up a pending sign-in: its PKCE verifier if it existed and had not expired.
    pub async fn take_login_state(
        &self,
        state_hash: &str,
    ) -> Result<Option<SecretString>, StoreError> {
        let row = sqlx::query(
            "DELETE FROM oauth_login_states WHERE state_hash = $1 AND expires_at > $2 \
             RETURNING verifier_enc",
        )
        .bind(state_hash)
        .bind(ms(Utc::now()))
        .fetch_optional(self.writer())
        .await?;
        row.map(|row| {
            let sealed: String = row.try_get("verifier_enc")?;
            let plain = self.open(state_hash, VERIFIER, &sealed)?;
            let text = std::str::from_utf8(&plain)
                .map_err(|_| StoreError::Corrupt("the PKCE verifier is not text".into()))?;
            Ok(SecretString::from(text.to_owned()))
        })
        .transpose()
    }

    /// Saves a new sign-in, and forgets sign-ins that have ended.
    pub async fn insert_dashboard_session(
        &self,
        s: &DashboardSessionRecord,
    ) -> Result<(), StoreError> {
        let now = Utc::now();
        sqlx::query("DELETE FROM dashboard_sessions WHERE expires_at <= $1")
            .bind(ms(now))
            .execute(self.writer())
            .await?;
        sqlx::query(&format!(
            "INSERT INTO dashboard_sessions ({COLUMNS}, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        ))
        .bind(&s.id_hash)
        .bind(s.user_id.as_str())
        .bind(&s.username)
        .bind(&s.avatar_url)
        .bind(s.csrf_token.expose())
        .bind(s.handle_key.expose())
        .bind(ms(s.expires_at))
        .bind(ms(now))
        .execute(self.writer())
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
        row.map(|row| dashboard_session(&row)).transpose()
    }

    /// Signs out; true if the sign-in existed.
    pub async fn delete_dashboard_session(&self, id_hash: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM dashboard_sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(self.writer())
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
}

fn dashboard_session(row: &AnyRow) -> Result<DashboardSessionRecord, StoreError> {
    Ok(DashboardSessionRecord {
        id_hash: row.try_get("id_hash")?,
        user_id: UserId::new(row.try_get::<String, _>("user_id")?),
        username: row.try_get("username")?,
        avatar_url: row.try_get("avatar_url")?,
        csrf_token: CsrfToken::new(row.try_get::<String, _>("csrf_token")?),
        handle_key: HandleKey::new(row.try_get::<String, _>("handle_key")?),
        expires_at: from_ms(row.try_get("expires_at")?)?,
    })
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
        DashboardSessionRecord {
            id_hash: id_hash.into(),
            user_id: UserId::new("u1"),
            username: "kh".into(),
            avatar_url: None,
            csrf_token: CsrfToken::new("csrf-value-1234"),
            handle_key: HandleKey::new("00ff00ff"),
            expires_at: Utc::now() + Duration::days(1),
        }
    }

    #[tokio::test]
    async fn a_pkce_verifier_is_encrypted_at_rest_and_comes_back_once() {
        let store = store().await;
        let later = Utc::now() + Duration::minutes(10);
        let verifier = SecretString::from("verifier-secret-value");
        store
            .insert_login_state("s1", &verifier, later)
            .await
            .unwrap();
        let row = sqlx::query("SELECT verifier_enc FROM oauth_login_states")
            .fetch_one(store.pool())
            .await
            .unwrap();
        let stored: String = row.try_get("verifier_enc").unwrap();
        assert!(
            !stored.contains("secret-value"),
            "the verifier is plaintext"
        );
        let back = store.take_login_state("s1").await.unwrap().unwrap();
        assert_eq!(back.expose_secret(), "verifier-secret-value");
        assert!(store.take_login_state("s1").await.unwrap().is_none());
        assert!(store
            .take_login_state("never-issued")
            .await
            .unwrap()
            .is_none());
    }

    #[tokio::test]
    async fn an_expired_login_state_is_refused() {
        let store = store().await;
        let past = Utc::now() - Duration::seconds(1);
        let verifier = SecretString::from("v");
        store
            .insert_login_state("s2", &verifier, past)
            .await
            .unwrap();
        assert!(store.take_login_state("s2").await.unwrap().is_none());
    }

    #[tokio::test]
    async fn a_sign_in_prints_no_csrf_token_or_handle_key() {
        let store = store().await;
        store.insert_dashboard_session(&record("h3")).await.unwrap();
        let back = store.get_dashboard_session("h3").await.unwrap().unwrap();
        assert_eq!(back.csrf_token.expose(), "csrf-value-1234");
        assert_eq!(back.handle_key.expose(), "00ff00ff");
        let printed = format!("{back:?}");
        for secret in ["csrf-value-1234", "00ff00ff"] {
            assert!(!printed.contains(secret), "{secret} in {printed}");
        }
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
