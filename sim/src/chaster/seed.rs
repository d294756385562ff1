//! The demo world every simulator starts with: sessions of our extension (A: timer visible with a
//! keyholder and Hygiene opening, B: timer hidden from the wearer, C: a frozen self-lock, D: another
//! keyholder's lock, E: a second lock of A's wearer, held by an accomplice), their mainTokens and
//! partner configuration tokens.

use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use super::render::date;
use super::state::{
    ConfigGrant, SimLock, SimLockStatus, SimRole, SimSession, SimState, SimUser, TokenGrant,
};
use super::{
    CONFIG_EDIT_TOKEN, CONFIG_EXPIRED_TOKEN, CONFIG_NEW_TOKEN, EXPIRED_TOKEN, FROZEN_TOKEN,
    HIDDEN_TIMER_TOKEN, KEYHOLDER_TOKEN, OTHER_KEYHOLDER_TOKEN, OTHER_WEARER_TOKEN,
    SECOND_LOCK_KEYHOLDER_TOKEN, SECOND_LOCK_WEARER_TOKEN, SLOW_TOKEN, WEARER_TOKEN,
};

pub const EXTENSION_SLUG: &str = "sesame-opener";
pub const EXTENSION_NAME: &str = "Sesame Opener";

pub const SESSION_A_ID: &str = "sA9xQ2mZp7WkLr4Tn6VbE";
pub const SESSION_B_ID: &str = "hB3tK8yPq1ZcXv5Rm2NdW";
pub const SESSION_C_ID: &str = "fC7uJ4wLs9QaEr2Yt8GkH";
/// The other keyholder's session: a keyholder dashboard must never show it to `demo-keyholder`.
pub const SESSION_D_ID: &str = "oD5kR1vNz8HsYp3Wq6JmT";
/// A second lock of A's wearer (one box, two locks), held by `accomplice-keyholder`.
pub const SESSION_E_ID: &str = "eE2wM6tPk4RdUx9Lq3ZnB";

pub const WEARER_A_ID: &str = "62340ce3abfd422e9dd80001";
pub const KEYHOLDER_ID: &str = "62340ce3abfd422e9dd80002";
pub const WEARER_B_ID: &str = "62340ce3abfd422e9dd80003";
pub const WEARER_C_ID: &str = "62340ce3abfd422e9dd80004";
pub const OTHER_KEYHOLDER_ID: &str = "62340ce3abfd422e9dd80005";
pub const WEARER_D_ID: &str = "62340ce3abfd422e9dd80006";
pub const ACCOMPLICE_ID: &str = "62340ce3abfd422e9dd80007";

pub const WEARER_USERNAME: &str = "demo-wearer";
pub const KEYHOLDER_USERNAME: &str = "demo-keyholder";
pub const OTHER_KEYHOLDER_USERNAME: &str = "other-keyholder";

/// Builds the seeded state, with dates relative to `now` so countdowns are always running.
/// `base_url` is the simulator's own address, which serves the avatars.
pub fn seed(developer_token: &str, base_url: &str, now: DateTime<Utc>) -> SimState {
    let mut state = SimState::new(developer_token, base_url);
    for (id, name, role) in [
        (WEARER_A_ID, WEARER_USERNAME, "wearer"),
        (KEYHOLDER_ID, KEYHOLDER_USERNAME, "keyholder"),
        (WEARER_B_ID, "hidden-timer-wearer", "wearer"),
        (WEARER_C_ID, "frozen-wearer", "switch"),
        (OTHER_KEYHOLDER_ID, OTHER_KEYHOLDER_USERNAME, "keyholder"),
        (WEARER_D_ID, "other-wearer", "wearer"),
        (ACCOMPLICE_ID, "accomplice-keyholder", "keyholder"),
    ] {
        let u = user(&state, id, name, role);
        state.users.insert(id.to_owned(), u);
    }

    // A: shared lock, timer visible, ends ~3 days from now, Hygiene opening enabled.
    let mut lock_a = lock(
        &mut state,
        "Demo lock with keyholder",
        WEARER_A_ID,
        Some(KEYHOLDER_ID),
        now - Duration::days(2),
        now + Duration::days(3),
    );
    lock_a.hygiene_party_id = Some(state.next_object_id());
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

    // D: another keyholder's wearer, Hygiene opening enabled.
    let mut lock_d = lock(
        &mut state,
        "Other keyholder's lock",
        WEARER_D_ID,
        Some(OTHER_KEYHOLDER_ID),
        now - Duration::days(3),
        now + Duration::days(5),
    );
    lock_d.hygiene_party_id = Some(state.next_object_id());
    add_session(&mut state, SESSION_D_ID, lock_d, now - Duration::days(3));

    // E: A's wearer also runs a lock with an accomplice (Hygiene opening enabled). One box
    // guards at most one of them.
    let mut lock_e = lock(
        &mut state,
        "Second lock of the demo wearer",
        WEARER_A_ID,
        Some(ACCOMPLICE_ID),
        now - Duration::days(1),
        now + Duration::hours(6),
    );
    lock_e.hygiene_party_id = Some(state.next_object_id());
    add_session(&mut state, SESSION_E_ID, lock_e, now - Duration::days(1));

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
        (
            OTHER_KEYHOLDER_TOKEN,
            SESSION_D_ID,
            SimRole::Keyholder,
            OTHER_KEYHOLDER_ID,
        ),
        (
            OTHER_WEARER_TOKEN,
            SESSION_D_ID,
            SimRole::Wearer,
            WEARER_D_ID,
        ),
        (
            SECOND_LOCK_WEARER_TOKEN,
            SESSION_E_ID,
            SimRole::Wearer,
            WEARER_A_ID,
        ),
        (
            SECOND_LOCK_KEYHOLDER_TOKEN,
            SESSION_E_ID,
            SimRole::Keyholder,
            ACCOMPLICE_ID,
        ),
    ] {
        let grant = TokenGrant {
            session_id: session_id.to_owned(),
            role,
            user_id: user_id.to_owned(),
        };
        state.tokens.insert(token.to_owned(), grant);
    }
    state.expired_tokens.insert(EXPIRED_TOKEN.to_owned());
    seed_config_tokens(&mut state, now);
    state
}

/// A keyholder creating a shared lock (no session yet), the keyholder of A editing it, and an
/// expired token.
fn seed_config_tokens(state: &mut SimState, now: DateTime<Utc>) {
    for (token, session_id) in [
        (CONFIG_NEW_TOKEN, None),
        (CONFIG_EDIT_TOKEN, Some(SESSION_A_ID)),
        (CONFIG_EXPIRED_TOKEN, None),
    ] {
        let grant = ConfigGrant {
            role: SimRole::Keyholder,
            user_id: KEYHOLDER_ID.to_owned(),
            session_id: session_id.map(str::to_owned),
            config: json!({}),
            created_at: now - Duration::minutes(1),
        };
        state.config_tokens.insert(token.to_owned(), grant);
    }
    state.expired_tokens.insert(CONFIG_EXPIRED_TOKEN.to_owned());
}

pub(crate) fn user(
    state: &SimState,
    id: &str,
    username: &str,
    profile_role: &'static str,
) -> SimUser {
    SimUser {
        id: id.to_owned(),
        username: username.to_owned(),
        avatar_url: state.avatar_url(username),
        profile_role,
        joined_at: "2022-03".to_owned(),
        is_premium: false,
        online: true,
        description: String::new(),
    }
}

pub(crate) fn lock(
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
        hygiene_party_id: None,
        hygiene_opened_at: None,
    }
}

/// Adds a session of our extension on `lock` and stores both, with the `locked` history entry
/// Chaster wrote when the lock started.
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
    let locked = json!({
        "_id": state.next_object_id(),
        "type": "locked",
        "prefix": "default",
        "payload": {},
        "lock": lock.id,
        "role": "user",
        "title": "%USER% started the lock",
        "description": "",
        "color": null,
        "icon": "fa-lock",
        "createdAt": date(lock.start_date),
        "user": state.users.get(&lock.wearer_id).map(super::render::user_json)
    });
    state
        .action_logs
        .insert(session_id.to_owned(), vec![locked]);
    state.locks.insert(lock.id.clone(), lock);
    state.sessions.insert(session_id.to_owned(), session);
}
