//! The demo world every simulator starts with: three sessions of our extension (A: timer visible
//! with a keyholder, B: timer hidden from the wearer, C: a frozen self-lock) and their tokens.

use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use super::state::{SimLock, SimLockStatus, SimRole, SimSession, SimState, SimUser, TokenGrant};
use super::{
    EXPIRED_TOKEN, FROZEN_TOKEN, HIDDEN_TIMER_TOKEN, KEYHOLDER_TOKEN, SLOW_TOKEN, WEARER_TOKEN,
};

pub const EXTENSION_SLUG: &str = "sesame-opener";
pub const EXTENSION_NAME: &str = "Sesame Opener";

pub const SESSION_A_ID: &str = "sA9xQ2mZp7WkLr4Tn6VbE";
pub const SESSION_B_ID: &str = "hB3tK8yPq1ZcXv5Rm2NdW";
pub const SESSION_C_ID: &str = "fC7uJ4wLs9QaEr2Yt8GkH";

pub const WEARER_A_ID: &str = "62340ce3abfd422e9dd80001";
pub const KEYHOLDER_ID: &str = "62340ce3abfd422e9dd80002";
pub const WEARER_B_ID: &str = "62340ce3abfd422e9dd80003";
pub const WEARER_C_ID: &str = "62340ce3abfd422e9dd80004";

/// Builds the seeded state, with dates relative to `now` so countdowns are always running.
pub fn seed(developer_token: &str, now: DateTime<Utc>) -> SimState {
    let mut state = SimState::new(developer_token);
    for (id, name, role) in [
        (WEARER_A_ID, "demo-wearer", "wearer"),
        (KEYHOLDER_ID, "demo-keyholder", "keyholder"),
        (WEARER_B_ID, "hidden-timer-wearer", "wearer"),
        (WEARER_C_ID, "frozen-wearer", "switch"),
    ] {
        state.users.insert(id.to_owned(), user(id, name, role));
    }

    // A: shared lock, timer visible, ends ~3 days from now.
    let lock_a = lock(
        &mut state,
        "Demo lock with keyholder",
        WEARER_A_ID,
        Some(KEYHOLDER_ID),
        now - Duration::days(2),
        now + Duration::days(3),
    );
    add_session(&mut state, SESSION_A_ID, lock_a, now - Duration::days(2));

    // B: the keyholder hides the timer from the wearer.
    let mut lock_b = lock(
        &mut state,
        "Demo lock with a hidden timer",
        WEARER_B_ID,
        Some(KEYHOLDER_ID),
        now - Duration::days(1),
        now + Duration::days(2),
    );
    lock_b.display_remaining_time = false;
    add_session(&mut state, SESSION_B_ID, lock_b, now - Duration::days(1));

    // C: a frozen self-lock.
    let mut lock_c = lock(
        &mut state,
        "Frozen self-lock",
        WEARER_C_ID,
        None,
        now - Duration::days(4),
        now + Duration::days(1),
    );
    lock_c.is_frozen = true;
    lock_c.frozen_at = Some(now - Duration::hours(6));
    add_session(&mut state, SESSION_C_ID, lock_c, now - Duration::days(4));

    for (token, session_id, role, user_id) in [
        (WEARER_TOKEN, SESSION_A_ID, SimRole::Wearer, WEARER_A_ID),
        (
            KEYHOLDER_TOKEN,
            SESSION_A_ID,
            SimRole::Keyholder,
            KEYHOLDER_ID,
        ),
        (
            HIDDEN_TIMER_TOKEN,
            SESSION_B_ID,
            SimRole::Wearer,
            WEARER_B_ID,
        ),
        (FROZEN_TOKEN, SESSION_C_ID, SimRole::Wearer, WEARER_C_ID),
        // Answers like the wearer of A, but only after `slow_delay`.
        (SLOW_TOKEN, SESSION_A_ID, SimRole::Wearer, WEARER_A_ID),
    ] {
        let grant = TokenGrant {
            session_id: session_id.to_owned(),
            role,
            user_id: user_id.to_owned(),
        };
        state.tokens.insert(token.to_owned(), grant);
    }
    state.expired_tokens.insert(EXPIRED_TOKEN.to_owned());
    state
}

fn user(id: &str, username: &str, profile_role: &'static str) -> SimUser {
    SimUser {
        id: id.to_owned(),
        username: username.to_owned(),
        avatar_url: format!("https://api.dicebear.com/9.x/thumbs/png?seed={username}"),
        profile_role,
        joined_at: "2022-03".to_owned(),
        is_premium: false,
        online: true,
        description: String::new(),
    }
}

fn lock(
    state: &mut SimState,
    title: &str,
    wearer_id: &str,
    keyholder_id: Option<&str>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> SimLock {
    SimLock {
        id: state.next_object_id(),
        title: title.to_owned(),
        status: SimLockStatus::Locked,
        wearer_id: wearer_id.to_owned(),
        keyholder_id: keyholder_id.map(str::to_owned),
        start_date: start,
        end_date: end,
        min_date: end - Duration::hours(12),
        max_date: end + Duration::hours(12),
        max_limit_date: None,
        display_remaining_time: true,
        is_frozen: false,
        frozen_at: None,
        combination_id: state.next_object_id(),
        created_at: start,
        updated_at: start,
        unlocked_at: None,
        is_test_lock: true,
        hide_time_logs: false,
        trusted: false,
    }
}

/// Adds a session of our extension on `lock` and stores both.
pub fn add_session(
    state: &mut SimState,
    session_id: &str,
    lock: SimLock,
    created_at: DateTime<Utc>,
) {
    let session = SimSession {
        object_id: state.next_object_id(),
        session_id: session_id.to_owned(),
        lock_id: lock.id.clone(),
        slug: EXTENSION_SLUG.to_owned(),
        display_name: EXTENSION_NAME.to_owned(),
        config: json!({}),
        data: json!({}),
        metadata: json!({"reasonsPreventingUnlocking": [], "homeActions": [], "penalties": []}),
        created_at,
        updated_at: created_at,
    };
    state.locks.insert(lock.id.clone(), lock);
    state.sessions.insert(session_id.to_owned(), session);
}
