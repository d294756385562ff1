//! `/api/config` for the configuration page, with `Authorization: Bearer
//! <partnerConfigurationToken>` (not a mainToken):
//!
//! - `GET /config` → `ConfigView`: Chaster's stored config over the server defaults, read by the
//!   one policy reader (`domain::policy`) the box view and the jobs use too,
//! - `PUT /config` `ExtensionConfig` → `ConfigView`, or 422 `invalid` with a sentence for the form.
//!
//! The config is public (everyone who sees the lock can read it), so only the fields of
//! `ExtensionConfig` are ever written, never anything else.

use crate::auth::bearer_token;
use crate::chaster::PartnerConfiguration;
use crate::domain::policy::{Policy, BATTERY_RANGE, MAX_BOUND_HOURS, MAX_PENALTY_MINUTES};
use crate::domain::ConfigToken;
use crate::error::{AppError, Refused};
use crate::state::AppState;
use api_types::{ConfigView, ExtensionConfig, PenaltyKind, Role};
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/config", get(get_config).put(put_config))
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
    Ok(Json(view(&stored, &state.settings.opener.defaults)))
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
    Ok(Json(view(&saved, &state.settings.opener.defaults)))
}

/// What the page shows: the one policy reader's view, so the page shows what the jobs apply.
pub fn view(stored: &PartnerConfiguration, defaults: &Policy) -> ConfigView {
    ConfigView {
        config: Policy::read(&stored.config, defaults).view(),
        role: match stored.role.as_deref() {
            Some("wearer") => Role::Wearer,
            _ => Role::Keyholder,
        },
        editing_running_session: stored.session_id.as_deref().is_some_and(|s| !s.is_empty()),
    }
}

/// Checks what the form sent; penalty minutes only count for `AddTime` and are cleared otherwise.
pub fn validate(mut config: ExtensionConfig) -> Result<ExtensionConfig, AppError> {
    match config.penalty.kind {
        PenaltyKind::AddTime => {
            if !(1..=MAX_PENALTY_MINUTES).contains(&config.penalty.minutes) {
                return Err(AppError::Invalid(
                    Refused::new(
                        "penalty_minutes_out_of_range",
                        format!("The penalty must add between 1 minute and 7 days ({MAX_PENALTY_MINUTES} minutes)."),
                    )
                    .with("max", MAX_PENALTY_MINUTES.to_string()),
                ));
            }
        }
        PenaltyKind::None | PenaltyKind::Freeze | PenaltyKind::BlockUnlocking => {
            config.penalty.minutes = 0
        }
    }
    if !(1..=MAX_BOUND_HOURS).contains(&config.penalty.bound_hours) {
        return Err(AppError::Invalid(
            Refused::new(
                "penalty_bound_out_of_range",
                format!("A freeze or a block must end after between 1 hour and 7 days ({MAX_BOUND_HOURS} hours)."),
            )
            .with("max", MAX_BOUND_HOURS.to_string()),
        ));
    }
    if !BATTERY_RANGE.contains(&config.low_battery_percent) {
        return Err(AppError::Invalid(
            Refused::new(
                "battery_warning_out_of_range",
                format!(
                    "The low-battery warning must be between {} and {} percent.",
                    BATTERY_RANGE.start(),
                    BATTERY_RANGE.end()
                ),
            )
            .with("min", BATTERY_RANGE.start().to_string())
            .with("max", BATTERY_RANGE.end().to_string()),
        ));
    }
    Ok(config)
}

#[cfg(test)]
mod tests {
    use api_types::Penalty;
    use serde_json::json;

    use super::*;

    #[test]
    fn the_page_shows_the_server_defaults_where_the_stored_config_says_nothing() {
        let stored = PartnerConfiguration {
            config: json!({"lowBatteryPercent": "lots"}),
            role: None,
            session_id: None,
        };
        let defaults = Policy {
            penalty: crate::domain::policy::Penalty::Freeze,
            ..Policy::default()
        };
        let shown = view(&stored, &defaults).config;
        assert_eq!(shown.penalty.kind, PenaltyKind::Freeze);
        assert_eq!(shown.low_battery_percent, 30);
    }

    #[test]
    fn penalties_and_battery_levels_out_of_range_are_refused_with_a_sentence() {
        let mut c = ExtensionConfig {
            penalty: Penalty {
                kind: PenaltyKind::AddTime,
                minutes: 0,
                ..Penalty::default()
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

        let mut c = ExtensionConfig::default();
        c.penalty.bound_hours = 0;
        assert!(validate(c)
            .unwrap_err()
            .to_api_error()
            .message
            .contains("between 1 hour and 7 days"));
        c.penalty.bound_hours = MAX_BOUND_HOURS + 1;
        assert!(validate(c).is_err());
    }

    #[test]
    fn minutes_of_a_penalty_that_adds_no_time_are_cleared() {
        let c = ExtensionConfig {
            penalty: Penalty {
                kind: PenaltyKind::Freeze,
                minutes: 50,
                ..Penalty::default()
            },
            ..ExtensionConfig::default()
        };
        assert_eq!(validate(c).unwrap().penalty.minutes, 0);
    }
}
