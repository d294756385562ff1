//! The one state every handler shares. Cheap to clone: everything inside is an `Arc` or a
//! handle. A new capability (store, devices, webhooks) becomes a new `pub` field, built in
//! [`AppState::build`]; handlers take `State<AppState>` or use `FromRef` for a part.

use std::sync::Arc;

use axum::extract::FromRef;

use crate::auth::TokenResolver;
use crate::chaster::ChasterClient;
use crate::configuration::Settings;

#[derive(Clone)]
pub struct AppState {
    pub settings: Arc<Settings>,
    /// The only Chaster client; `sessions` resolves tokens through a clone of it.
    pub chaster: ChasterClient,
    pub sessions: Arc<TokenResolver>,
}

impl AppState {
    /// Builds every shared service from the settings. Async so that services needing I/O at
    /// start (a database pool, migrations) fit without changing callers.
    pub async fn build(settings: Settings) -> anyhow::Result<AppState> {
        let chaster = ChasterClient::new(&settings.chaster)?;
        let sessions = Arc::new(TokenResolver::new(
            chaster.clone(),
            settings.session_cache.clone(),
        ));
        Ok(AppState {
            settings: Arc::new(settings),
            chaster,
            sessions,
        })
    }
}

impl FromRef<AppState> for Arc<Settings> {
    fn from_ref(state: &AppState) -> Self {
        state.settings.clone()
    }
}

impl FromRef<AppState> for ChasterClient {
    fn from_ref(state: &AppState) -> Self {
        state.chaster.clone()
    }
}
