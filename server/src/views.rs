//! Mapper from Chaster's data to our view models. It reads ONLY the viewer's role, one `Lock`
//! (the iframe's `lockForUser`; the dashboard's keyholder gets their session's `lock`) and the
//! extension's display name: never `sessionId` or `data`, so nothing the viewer may not see
//! can end up in a response.

use api_types::{HygieneOpeningView, LockStatus, LockView, Person, SessionView};
use chrono::{DateTime, SecondsFormat, Utc};

use crate::chaster::models::{self, Lock, User};
use crate::domain::Role;

pub fn session_view(role: Role, extension_name: &str, lock_for_user: &Lock) -> SessionView {
    SessionView {
        role: role.into(),
        extension_name: extension_name.to_owned(),
        lock: lock_view(role, lock_for_user),
        wearer: person(&lock_for_user.user),
        keyholder: lock_for_user.keyholder.as_ref().map(person),
    }
}

fn lock_view(role: Role, lock: &Lock) -> LockView {
    // Chaster nulls `endDate` when the timer is hidden; we also honour `isAllowedToViewTime`
    // (or, if absent, `displayRemainingTime` for the wearer) in case a date slips through.
    let allowed = lock
        .is_allowed_to_view_time
        .unwrap_or(role == Role::Keyholder || lock.display_remaining_time);
    let end_date = lock.end_date.filter(|_| allowed);
    LockView {
        title: lock.title.clone(),
        status: match lock.status {
            models::LockStatus::Locked => LockStatus::Locked,
            models::LockStatus::Unlocked => LockStatus::Unlocked,
            models::LockStatus::Deserted => LockStatus::Deserted,
            models::LockStatus::Unknown => LockStatus::Unknown,
        },
        start_date: rfc3339(lock.start_date),
        end_date: end_date.map(rfc3339),
        timer_visible: end_date.is_some(),
        frozen: lock.is_frozen,
        frozen_at: lock.frozen_at.filter(|_| lock.is_frozen).map(rfc3339),
        can_be_unlocked: lock.can_be_unlocked,
        max_limit_date: lock.max_limit_date.map(rfc3339),
        ended_at: lock
            .unlocked_at
            .filter(|_| lock.status == models::LockStatus::Unlocked)
            .map(rfc3339),
        hygiene_opening: lock
            .hygiene_opening()
            .filter(|_| lock.status == models::LockStatus::Locked)
            .map(|(opened_at, relock_by)| HygieneOpeningView {
                opened_at: rfc3339(opened_at),
                relock_by: relock_by.map(rfc3339),
            }),
    }
}

fn person(user: &User) -> Person {
    Person {
        username: user.username.clone(),
        // It becomes an <img src>: only web URLs, never `javascript:` or `data:`.
        avatar_url: user
            .avatar_url
            .clone()
            .filter(|u| u.starts_with("https://") || u.starts_with("http://")),
    }
}

fn rfc3339(d: DateTime<Utc>) -> String {
    d.to_rfc3339_opts(SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests;
