//! The keyholder dashboard: a page outside Chaster's iframe (`/dashboard`) where a keyholder
//! signs in with Chaster (OAuth2) and sees and controls the sessions they hold.
//!
//! - `login`: `GET /auth/login`, `GET /auth/callback`, `POST /auth/logout` (HTML and redirects),
//! - `signin`: the session cookie → the signed-in keyholder,
//! - `api`: `GET /api/dashboard` and `POST /api/dashboard/sessions/{handle}/…`,
//! - `secure`: random tokens, handles, cookies, the CSRF check.
//!
//! Sign-in asks Chaster for `profile` only, with PKCE, reads the profile once and keeps no Chaster
//! token: the sign-in is ours and lasts `DASHBOARD_SESSION_DAYS`. The browser only holds a random
//! cookie.

mod api;
mod lists;
mod login;
mod secure;
mod signin;

use std::collections::HashMap;
use std::sync::Mutex;

use axum::Router;

pub use signin::SignedIn;

use crate::chaster::{ChasterClient, OAuthClient};
use crate::configuration::DashboardSettings;
use crate::domain::SessionId;
use crate::state::AppState;

/// The dashboard's shared part of the application state.
pub struct Dashboard {
    /// `None` when the OAuth client, the public address or the extension slug is not configured.
    oauth: Option<OAuthClient>,
    settings: DashboardSettings,
    public_origin: Option<String>,
    /// handle → sessionId of the sessions a list showed, so an action reads ONE session from
    /// Chaster (and checks it is still the keyholder's and locked) instead of listing up to
    /// `max_pages` search pages per click.
    handles: Mutex<HashMap<String, SessionId>>,
}

impl Dashboard {
    pub fn new(chaster: &ChasterClient, settings: &DashboardSettings) -> Dashboard {
        let oauth = settings
            .oauth_app()
            .filter(|_| settings.extension_slug.is_some())
            .map(|app| chaster.oauth(app));
        if oauth.is_none() {
            tracing::info!("keyholder dashboard off: set CHASTER_OAUTH_CLIENT_ID, CHASTER_OAUTH_CLIENT_SECRET, PUBLIC_BASE_URL and CHASTER_EXTENSION_SLUG to enable it");
        }
        Dashboard {
            oauth,
            public_origin: settings.public_origin(),
            settings: settings.clone(),
            handles: Mutex::new(HashMap::new()),
        }
    }

    /// Remembers which session a handle names (bounded: the map is cleared when it is full).
    pub(crate) fn remember_handle(&self, handle: String, session_id: SessionId) {
        let mut handles = self.handles.lock().unwrap_or_else(|p| p.into_inner());
        if handles.len() >= 10_000 {
            handles.clear();
        }
        handles.insert(handle, session_id);
    }

    pub(crate) fn session_of_handle(&self, handle: &str) -> Option<SessionId> {
        self.handles
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(handle)
            .cloned()
    }
}

/// `/auth/…`: outside `/api`, answered with pages and redirects.
pub fn auth_router() -> Router<AppState> {
    login::router()
}

/// `/dashboard…` routes of `/api`.
pub fn api_router() -> Router<AppState> {
    api::router()
}
