//! The keyholder's lock actions: the use-cases the iframe controls (`/api/controls/…`) and the
//! dashboard (`/api/dashboard/sessions/{handle}/…`) both call, after their own checks of who may
//! act on which session. Each action that Chaster logs as the extension's also writes a history
//! line with role `keyholder` naming who did it (through the job queue).

use crate::chaster::ChasterError;
use crate::chaster::{CustomLog, HygieneActor, LockAction, LogRole};
use crate::domain::SessionId;
use crate::error::{AppError, Refused, Said};
use crate::state::AppState;
use crate::store::Lift;

/// The largest single time change: a year.
pub const MAX_TIME_CHANGE_SECS: i64 = 365 * 24 * 3600;

pub const HYGIENE_NOT_ENABLED: &str = "This lock has no hygiene opening enabled. Add the Hygiene opening extension to the lock in Chaster first.";

/// A keyholder acting on one of their sessions, already checked by the caller.
pub struct KeyholderAct<'a> {
    pub state: &'a AppState,
    pub session_id: &'a SessionId,
    /// The keyholder's Chaster username, named in the history line.
    pub username: &'a str,
}

impl KeyholderAct<'_> {
    /// Chaster names the extension for our `/action` calls; this line names the keyholder.
    async fn history(&self, title: String, icon: &str) {
        let log = CustomLog {
            title,
            description: "From the Sesame opener.".to_owned(),
            role: None,
            icon: Some(icon.to_owned()),
            color: None,
        };
        let job = crate::opener::history_job(self.session_id, LogRole::Keyholder, &log);
        match self.state.store.enqueue(&[job]).await {
            Ok(_) => self.state.jobs.wake(),
            Err(e) => tracing::error!(error = %e, "cannot queue the keyholder's history line"),
        }
    }

    fn who(&self) -> &str {
        if self.username.trim().is_empty() {
            "The keyholder"
        } else {
            self.username
        }
    }
}

/// Adds (`seconds > 0`) or removes (`seconds < 0`) time. Answers a sentence saying what was done.
pub async fn change_time(k: &KeyholderAct<'_>, seconds: i64) -> Result<Said, AppError> {
    let action = time_action(seconds)?;
    k.state
        .chaster
        .do_action(k.session_id, &action)
        .await
        .map_err(refused)?;
    let amount = human_duration(seconds.unsigned_abs());
    let (line, message) = match action {
        LockAction::RemoveTime(_) => (
            format!("{} removed {amount}", k.who()),
            Said::new("time_removed", format!("Removed {amount} from the lock.")),
        ),
        _ => (
            format!("{} added {amount}", k.who()),
            Said::new("time_added", format!("Added {amount} to the lock.")),
        ),
    };
    k.history(line, "clock").await;
    // The page words the amount from `amount_secs` in the reader's language.
    Ok(message.with("amount_secs", seconds.unsigned_abs().to_string()))
}

/// Freezes or unfreezes the lock's timer. Unfreezing also ends a freeze we applied as a penalty.
pub async fn set_frozen(k: &KeyholderAct<'_>, frozen: bool) -> Result<Said, AppError> {
    let action = if frozen {
        LockAction::Freeze
    } else {
        LockAction::Unfreeze
    };
    k.state
        .chaster
        .do_action(k.session_id, &action)
        .await
        .map_err(refused)?;
    if frozen {
        k.history(format!("{} froze the lock", k.who()), "snowflake")
            .await;
        Ok(Said::fixed(
            "lock_frozen",
            "The lock is frozen: its timer stands still and it cannot be unlocked.",
        ))
    } else {
        k.history(format!("{} unfroze the lock", k.who()), "snowflake")
            .await;
        Ok(Said::fixed(
            "lock_unfrozen",
            "The lock is unfrozen: its timer runs again.",
        ))
    }
}

/// Starts a hygiene opening as the keyholder (Chaster logs it as the keyholder's). The lock needs
/// Chaster's Hygiene opening extension.
pub async fn open_for_hygiene(k: &KeyholderAct<'_>) -> Result<Said, AppError> {
    k.state
        .chaster
        .open_temporary_opening(k.session_id, HygieneActor::Keyholder)
        .await
        .map_err(refused)?;
    Ok(Said::fixed(
        "hygiene_started",
        "The hygiene opening has started: the wearer may open the lock now.",
    ))
}

/// Ends every penalty that holds the lock (a block on unlocking, our freeze) now.
pub async fn clear_penalty(k: &KeyholderAct<'_>) -> Result<Said, AppError> {
    let why = format!("{} cleared it", k.who());
    let lifted = crate::opener::lift_holds(
        &k.state.store,
        k.session_id,
        Lift::All,
        &why,
        chrono::Utc::now(),
    )
    .await?;
    if lifted.is_empty() {
        return Ok(Said::fixed(
            "no_penalty_holds",
            "No penalty holds this lock right now.",
        ));
    }
    k.state.jobs.wake();
    k.history(format!("{} ended the open-box penalty", k.who()), "unlock")
        .await;
    Ok(Said::fixed(
        "penalty_ended",
        "The open-box penalty is ended: the wearer can unlock again once Chaster allows it.",
    ))
}

/// Checks a time change: not zero, at most a year either way.
pub fn time_action(seconds: i64) -> Result<LockAction, AppError> {
    if seconds == 0 {
        return Err(AppError::Invalid(Refused::new(
            "time_change_zero",
            "Choose an amount of time to add or remove.",
        )));
    }
    if seconds.unsigned_abs() > MAX_TIME_CHANGE_SECS.unsigned_abs() {
        return Err(AppError::Invalid(Refused::new(
            "time_change_too_large",
            "A single change can add or remove at most one year.",
        )));
    }
    Ok(if seconds > 0 {
        LockAction::AddTime(seconds.unsigned_abs())
    } else {
        LockAction::RemoveTime(seconds.unsigned_abs())
    })
}

/// Chaster's refusals of an action become sentences for the keyholder; other failures keep the
/// usual mapping (expired, rate limited, unavailable).
pub fn refused(e: ChasterError) -> AppError {
    let ChasterError::Rejected { status, message } = &e else {
        if e == ChasterError::NotFound {
            return AppError::Missing(Refused::new(
                "session_unknown_to_chaster",
                "Chaster no longer knows this session.",
            ));
        }
        return AppError::from(e);
    };
    let lower = message.to_ascii_lowercase();
    let refused = if lower.contains("not enabled") || lower.contains("not installed") {
        Refused::new("hygiene_not_enabled", HYGIENE_NOT_ENABLED)
    } else if lower.contains("already in progress") {
        Refused::new(
            "hygiene_in_progress",
            "A hygiene opening is already in progress.",
        )
    } else if lower.contains("unlocked lock") || lower.contains("not locked") {
        Refused::new(
            "lock_not_locked",
            "This lock is no longer locked, so it cannot be changed.",
        )
    } else if lower.contains("no keyholder") {
        Refused::new("lock_without_keyholder", "This lock has no keyholder.")
    } else if message.trim().is_empty() {
        Refused::new(
            "chaster_refused",
            format!("Chaster refused this change ({status})."),
        )
        .with("status", status.to_string())
    } else {
        // Chaster's own words, in English: the page quotes them.
        Refused::new(
            "chaster_refused_saying",
            format!("Chaster refused this change: {}", message.trim()),
        )
        .with("detail", message.trim())
    };
    AppError::Invalid(refused)
}

/// `1 day 2 h 5 min`, leaving out zero parts; seconds only under a minute.
pub fn human_duration(secs: u64) -> String {
    if secs < 60 {
        return if secs == 1 {
            "1 second".into()
        } else {
            format!("{secs} seconds")
        };
    }
    let (days, hours, minutes) = (secs / 86_400, secs % 86_400 / 3_600, secs % 3_600 / 60);
    let mut parts = Vec::new();
    match days {
        0 => {}
        1 => parts.push("1 day".to_owned()),
        d => parts.push(format!("{d} days")),
    }
    if hours > 0 {
        parts.push(format!("{hours} h"));
    }
    if minutes > 0 {
        parts.push(format!("{minutes} min"));
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_and_more_than_a_year_are_refused() {
        assert!(matches!(time_action(0), Err(AppError::Invalid(_))));
        assert!(matches!(
            time_action(MAX_TIME_CHANGE_SECS + 1),
            Err(AppError::Invalid(_))
        ));
        assert!(matches!(
            time_action(-MAX_TIME_CHANGE_SECS - 1),
            Err(AppError::Invalid(_))
        ));
        assert!(matches!(time_action(i64::MIN), Err(AppError::Invalid(_))));
        assert_eq!(time_action(3600).unwrap(), LockAction::AddTime(3600));
        assert_eq!(time_action(-60).unwrap(), LockAction::RemoveTime(60));
        assert_eq!(
            time_action(MAX_TIME_CHANGE_SECS).unwrap(),
            LockAction::AddTime(MAX_TIME_CHANGE_SECS as u64)
        );
    }

    #[test]
    fn durations_read_like_a_person_wrote_them() {
        assert_eq!(human_duration(45), "45 seconds");
        assert_eq!(human_duration(3600), "1 h");
        assert_eq!(human_duration(90_000 + 300), "1 day 1 h 5 min");
        assert_eq!(human_duration(7 * 86_400), "7 days");
    }

    #[test]
    fn a_missing_hygiene_opening_says_how_to_add_it() {
        let e = refused(ChasterError::Rejected {
            status: 400,
            message: "The Hygiene opening extension is not enabled on this lock.".into(),
        });
        assert_eq!(e.status().as_u16(), 422);
        assert_eq!(e.to_api_error().message, HYGIENE_NOT_ENABLED);
    }

    #[test]
    fn other_refusals_keep_chasters_reason_and_outages_stay_outages() {
        let e = refused(ChasterError::Rejected {
            status: 400,
            message: "You cannot modify an unlocked lock.".into(),
        });
        assert!(e.to_api_error().message.contains("no longer locked"));
        let e = refused(ChasterError::Timeout);
        assert_eq!(e.status().as_u16(), 502);
    }
}
