//! The one state every handler shares. Cheap to clone: one `Arc` around the services. A new capability (store, devices, webhooks) becomes a new `pub` field, built in
//! [`AppState::build`]; handlers take `State<AppState>` or use `FromRef` for a part.

use std::sync::Arc;

use axum::extract::FromRef;
use secrecy::ExposeSecret;

use crate::auth::TokenResolver;
use crate::chaster::ChasterClient;
use crate::clock::Clock;
use crate::configuration::Settings;
use crate::crypto::SecretsKey;
use crate::custody::Custody;
use crate::jobs::JobSignal;
use crate::opener::{Opener, TamperWatch};
use crate::routes::dashboard::Dashboard;
use crate::sesame::tags::TagKey;
use crate::sesame::SesameHub;
use crate::store::Store;
use crate::webhooks::IngestQueue;

/// axum clones the state for every request it routes, so it is one `Arc` around the services
/// (whose own clones would cost dozens of reference counts each time).
#[derive(Clone)]
pub struct AppState(Arc<Services>);

impl std::ops::Deref for AppState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.0
    }
}

pub struct Services {
    pub settings: Arc<Settings>,
    /// The only Chaster client; `sessions` resolves tokens through a clone of it.
    pub chaster: ChasterClient,
    pub sessions: Arc<TokenResolver>,
    /// The database; device credentials are encrypted with the secrets key inside it.
    pub store: Store,
    /// The only way to reach a Sesame.
    pub hub: SesameHub,
    /// Wakes the job workers when work was stored.
    pub jobs: JobSignal,
    /// Carries out jobs (the background workers run it).
    pub opener: Opener,
    /// Device routes call `tamper.observe(…, status)` after reading a box's status.
    pub tamper: TamperWatch,
    /// Stores webhook deliveries (group commit).
    pub webhook_intake: IngestQueue,
    /// The keyholder dashboard's sign-in (OAuth client, session handles).
    pub dashboard: Arc<Dashboard>,
    /// The only code that decides and performs box movements.
    pub custody: Custody,
    /// The one clock (`settings.clock`): job claims, penalty bounds, the desertion wait, quota
    /// months; tests move it forward.
    pub clock: Clock,
}

impl AppState {
    /// Builds every shared service from the settings. Async so that services needing I/O at
    /// start (a database pool, migrations) fit without changing callers.
    pub async fn build(mut settings: Settings) -> anyhow::Result<AppState> {
        // One clock for everything that schedules (tests move a manual one).
        settings.opener.clock = settings.clock.clone();
        settings.sesame.clock = settings.clock.clone();
        let chaster = ChasterClient::new(&settings.chaster)?;
        let sessions = Arc::new(TokenResolver::new(
            chaster.clone(),
            settings.session_cache.clone(),
        ));
        let key = SecretsKey::load_or_create(&settings.secrets_key_file)?;
        let mut sesame = settings.sesame.clone();
        // Our history tags must still be recognised after a restart.
        sesame.tag_key = TagKey::from_bytes(key.derive("sesame history tags"));
        let store = Store::connect(settings.database_url.expose_secret(), key).await?;
        let hub = SesameHub::new(sesame, Some(Arc::new(store.clone())));
        let jobs = JobSignal::default();
        let clock = settings.clock.clone();
        let custody = Custody::new(
            store.clone(),
            hub.clone(),
            clock.clone(),
            jobs.clone(),
            settings.opener.jobs.deadline,
        );
        let opener = Opener::new(
            store.clone(),
            &chaster,
            hub.clone(),
            custody.clone(),
            Arc::new(settings.opener.clone()),
            jobs.clone(),
            clock.clone(),
        );
        let tamper = opener.tamper_watch().clone();
        let webhook_intake = IngestQueue::start(store.clone());
        let dashboard = Arc::new(Dashboard::new(&chaster, &settings.dashboard));
        Ok(AppState(Arc::new(Services {
            settings: Arc::new(settings),
            chaster,
            sessions,
            store,
            hub,
            jobs,
            opener,
            tamper,
            webhook_intake,
            dashboard,
            custody,
            clock,
        })))
    }
}

impl FromRef<AppState> for Arc<Settings> {
    fn from_ref(state: &AppState) -> Self {
        state.settings.clone()
    }
}

impl FromRef<AppState> for Arc<TokenResolver> {
    fn from_ref(state: &AppState) -> Self {
        state.sessions.clone()
    }
}

impl FromRef<AppState> for ChasterClient {
    fn from_ref(state: &AppState) -> Self {
        state.chaster.clone()
    }
}
