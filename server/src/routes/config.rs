//! `/api/config` for the configuration page, with `Authorization: Bearer
//! <partnerConfigurationToken>` (not a mainToken):
//!
//! - `GET /config` → `ConfigView`: Chaster's stored config over the defaults,
//! - `PUT /config` `ExtensionConfig` → `ConfigView`, or 422 `invalid` with a sentence for the form.
//!
//! The config is public (everyone who sees the lock can read it), so only the fields of
//! `ExtensionConfig` are ever written, never anything else.

use api_types::{ConfigView, ExtensionConfig, PenaltyKind, Role};
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::Value;

use crate::auth::bearer_token;
use crate::chaster::PartnerConfiguration;
use crate::domain::ConfigToken;
use crate::error::AppError;
use crate::state::AppState;

/// A penalty adds at most a week.
const MAX_PENALTY_MINUTES: u32 = 7 * 24 * 60;
const BATTERY_RANGE: std::ops::RangeInclusive<u8> = 5..=80;

pub fn router() -> Router<AppState> {
    Router::new().route("/config", get(get_config).put(put_config))
}

fn config_token(headers: &HeaderMap) -> Result<ConfigToken, AppError> {
    bearer_token(headers).map(ConfigToken::from)
}

async fn get_config(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<ConfigView>, AppError> {
    let token = config_token(&headers)?;
    let stored = state.chaster.get_configuration(&token).await?;
    Ok(Json(view(&stored)))
}

async fn put_config(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Json<ExtensionConfig>, JsonRejection>,
) -> Result<Json<ConfigView>, AppError> {
    let token = config_token(&headers)?;
    let Json(config) = body?;
    let config = validate(config)?;
    let value = serde_json::to_value(config).map_err(anyhow::Error::from)?;
    let saved = match state.chaster.put_configuration(&token, &value).await? {
        Some(saved) => saved,
        // Saved (a 2xx), but the answer is not a configuration: ask for it, and if that fails
        // show what was saved (the role and session only word the page).
        None => state
            .chaster
            .get_configuration(&token)
            .await
            .unwrap_or_else(|e| {
                tracing::info!(error = %e, "configuration saved; re-reading it failed");
                PartnerConfiguration {
                    config: value,
                    role: None,
                    session_id: None,
                }
            }),
    };
    Ok(Json(view(&saved)))
}

fn view(stored: &PartnerConfiguration) -> ConfigView {
    ConfigView {
        config: merge(&stored.config),
        role: match stored.role.as_deref() {
            Some("wearer") => Role::Wearer,
            _ => Role::Keyholder,
        },
        editing_running_session: stored.session_id.as_deref().is_some_and(|s| !s.is_empty()),
    }
}

/// The stored config over the defaults, key by key: unknown keys are ignored, and a value of the
/// wrong shape keeps that key's default instead of failing the page.
pub fn merge(stored: &Value) -> ExtensionConfig {
    let defaults = ExtensionConfig::default();
    let (Some(stored), Ok(Value::Object(mut merged))) =
        (stored.as_object(), serde_json::to_value(defaults))
    else {
        return defaults;
    };
    let keys: Vec<String> = merged.keys().cloned().collect();
    for key in keys {
        let Some(value) = stored.get(&key) else {
            continue;
        };
        let mut candidate = merged.clone();
        candidate.insert(key, value.clone());
        if serde_json::from_value::<ExtensionConfig>(Value::Object(candidate.clone())).is_ok() {
            merged = candidate;
        }
    }
    serde_json::from_value(Value::Object(merged)).unwrap_or(defaults)
}

/// Checks what the form sent; penalty minutes only count for `AddTime` and are cleared otherwise.
pub fn validate(mut config: ExtensionConfig) -> Result<ExtensionConfig, AppError> {
    match config.penalty.kind {
        PenaltyKind::AddTime => {
            if !(1..=MAX_PENALTY_MINUTES).contains(&config.penalty.minutes) {
                return Err(AppError::Invalid(format!(
                    "The penalty must add between 1 minute and 7 days ({MAX_PENALTY_MINUTES} minutes)."
                )));
            }
        }
        PenaltyKind::None | PenaltyKind::Freeze => config.penalty.minutes = 0,
    }
    if !BATTERY_RANGE.contains(&config.low_battery_percent) {
        return Err(AppError::Invalid(format!(
            "The low-battery warning must be between {} and {} percent.",
            BATTERY_RANGE.start(),
            BATTERY_RANGE.end()
        )));
    }
    Ok(config)
}

#[cfg(test)]
mod tests {
    use api_types::Penalty;
    use serde_json::json;

    use super::*;

    #[test]
    fn an_empty_config_is_the_defaults() {
        assert_eq!(merge(&json!({})), ExtensionConfig::default());
        assert_eq!(merge(&Value::Null), ExtensionConfig::default());
    }

    #[test]
    fn stored_keys_win_unknown_keys_are_ignored_and_bad_values_keep_the_default() {
        let c = merge(&json!({
            "openOnRelease": false,
            "penalty": {"kind": "add_time", "minutes": 90},
            "lowBatteryPercent": "lots",
            "extensionId": "legacy-uuid"
        }));
        assert!(!c.open_on_release);
        assert_eq!(
            c.penalty,
            Penalty {
                kind: PenaltyKind::AddTime,
                minutes: 90
            }
        );
        assert_eq!(c.low_battery_percent, 30);
        let c = merge(&json!({"penalty": {"kind": "explode"}}));
        assert_eq!(c.penalty, Penalty::default());
    }

    #[test]
    fn penalties_and_battery_levels_out_of_range_are_refused_with_a_sentence() {
        let mut c = ExtensionConfig {
            penalty: Penalty {
                kind: PenaltyKind::AddTime,
                minutes: 0,
            },
            ..ExtensionConfig::default()
        };
        let e = validate(c).unwrap_err();
        assert!(e
            .to_api_error()
            .message
            .contains("between 1 minute and 7 days"));
        c.penalty.minutes = MAX_PENALTY_MINUTES + 1;
        assert!(validate(c).is_err());
        c.penalty.minutes = MAX_PENALTY_MINUTES;
        assert!(validate(c).is_ok());

        let mut c = ExtensionConfig {
            low_battery_percent: 4,
            ..ExtensionConfig::default()
        };
        assert!(validate(c)
            .unwrap_err()
            .to_api_error()
            .message
            .contains("percent"));
        c.low_battery_percent = 81;
        assert!(validate(c).is_err());
    }

    #[test]
    fn minutes_of_a_penalty_that_adds_no_time_are_cleared() {
        let c = ExtensionConfig {
            penalty: Penalty {
                kind: PenaltyKind::Freeze,
                minutes: 50,
            },
            ..ExtensionConfig::default()
        };
        assert_eq!(validate(c).unwrap().penalty.minutes, 0);
    }
}
