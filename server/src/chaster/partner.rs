//! Partner calls of the keyholder controls, the history and the configuration page: the lock
//! history search, the hygiene opening, and the configuration token's config.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{decode, ChasterClient, ChasterError};
use crate::domain::{ConfigToken, SessionId};

/// `GetPartnerLogsDto`: the body of `POST /api/extensions/sessions/{id}/logs/search`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogSearch {
    /// `keyholder`, `wearer` or `visitor`: Chaster hides what that role may not see.
    pub role: &'static str,
    pub limit: u32,
    /// The `_id` of the last entry of the previous page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_id: Option<String>,
}

/// `GetHistoryRepDto`, newest first.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogPage {
    #[serde(default)]
    pub results: Vec<ActionLog>,
    #[serde(default)]
    pub has_more: Option<bool>,
}

/// `ActionLogForPublic`, as far as the history shows it.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionLog {
    #[serde(rename = "_id")]
    pub id: String,
    /// `unlocked`, `temporary_opening_opened`, … (compare together with `prefix`).
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    /// `default` for Chaster's own entries; a partner's slug for theirs.
    #[serde(default)]
    pub prefix: Option<String>,
    /// `user` (the wearer), `keyholder`, `extension` or `admin`.
    #[serde(default)]
    pub role: Option<String>,
    /// The slug of the extension that caused it.
    #[serde(default)]
    pub extension: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// FontAwesome, with the `fa-` prefix.
    #[serde(default)]
    pub icon: Option<String>,
    pub created_at: DateTime<Utc>,
    #[serde(default)]
    pub user: Option<LogUser>,
}

/// The `user` of a history entry, reduced to its name (the rest of `UserForPublic` is not shown).
#[derive(Clone, Debug, Deserialize)]
pub struct LogUser {
    #[serde(default)]
    pub username: Option<String>,
}

/// Who starts a hygiene opening (`temporary-opening/open`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HygieneActor {
    Wearer,
    Keyholder,
    Extension,
}

/// `PartnerConfigurationForPublic`: what a configuration token opens.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartnerConfiguration {
    /// Public: every viewer of the lock can read it.
    #[serde(default)]
    pub config: Value,
    /// `wearer` or `keyholder`; missing in the docs' example.
    #[serde(default)]
    pub role: Option<String>,
    /// Null while a lock is being created; set when a keyholder edits a running session.
    #[serde(default)]
    pub session_id: Option<String>,
}

impl ChasterClient {
    /// `POST /api/extensions/sessions/{sessionId}/logs/search`: one page of the lock's history.
    pub async fn search_logs(
        &self,
        id: &SessionId,
        query: &LogSearch,
    ) -> Result<LogPage, ChasterError> {
        let url = self.url(&[
            "api",
            "extensions",
            "sessions",
            id.as_str(),
            "logs",
            "search",
        ]);
        let response = self
            .send("logs/search", self.transport.post(url).json(query))
            .await?;
        decode(&response)
    }

    /// `POST /api/extensions/sessions/{sessionId}/temporary-opening/open`. Chaster answers 400
    /// when the lock has no Hygiene opening extension.
    pub async fn open_temporary_opening(
        &self,
        id: &SessionId,
        actor: HygieneActor,
    ) -> Result<(), ChasterError> {
        let url = self.url(&[
            "api",
            "extensions",
            "sessions",
            id.as_str(),
            "temporary-opening",
            "open",
        ]);
        let body = serde_json::json!({ "actor": actor });
        self.send(
            "temporary-opening/open",
            self.transport.post(url).json(&body),
        )
        .await?;
        Ok(())
    }

    /// `GET /api/extensions/configurations/{token}`.
    pub async fn get_configuration(
        &self,
        token: &ConfigToken,
    ) -> Result<PartnerConfiguration, ChasterError> {
        let url = self.url(&["api", "extensions", "configurations", token.expose()]);
        let response = self
            .send("configurations/get", self.transport.get(url))
            .await?;
        decode(&response)
    }

    /// `PUT /api/extensions/configurations/{token}` with `{config}`. `config` is public: the
    /// caller puts nothing secret in it. Any 2xx is saved, whatever its body (Chaster's own app
    /// ignores it); the body is returned only when it reads as a configuration.
    pub async fn put_configuration(
        &self,
        token: &ConfigToken,
        config: &Value,
    ) -> Result<Option<PartnerConfiguration>, ChasterError> {
        let url = self.url(&["api", "extensions", "configurations", token.expose()]);
        let body = serde_json::json!({ "config": config });
        let response = self
            .send("configurations/put", self.transport.put(url).json(&body))
            .await?;
        Ok(response
            .json::<PartnerConfiguration>()
            .ok()
            .filter(|c| c.config.is_object()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_search_omits_an_absent_cursor() {
        let q = LogSearch {
            role: "wearer",
            limit: 20,
            last_id: None,
        };
        assert_eq!(
            serde_json::to_value(&q).unwrap(),
            serde_json::json!({"role": "wearer", "limit": 20})
        );
    }

    #[test]
    fn history_entries_tolerate_missing_fields() {
        let log: ActionLog = serde_json::from_value(serde_json::json!({
            "_id": "a1", "createdAt": "2025-02-19T18:54:54.000Z", "title": null, "icon": null
        }))
        .unwrap();
        assert_eq!(log.id, "a1");
        assert!(log.title.is_none() && log.user.is_none());
    }
}
