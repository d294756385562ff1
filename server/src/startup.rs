//! Building and running the application: shared state, routes, listener, graceful shutdown.

use std::net::SocketAddr;

use anyhow::Context;
use axum::ServiceExt;
use tokio::net::TcpListener;

use crate::configuration::Settings;
use crate::opener::{Background, BackgroundParts};
use crate::routes;
pub use crate::state::AppState;
use crate::webhooks;

pub struct Application {
    address: SocketAddr,
    listener: TcpListener,
    app: routes::App,
    state: AppState,
}

impl Application {
    /// Binds `settings.bind_addr` (port 0 picks a free port, as tests do).
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        let bind_addr = settings.bind_addr;
        let state = AppState::build(settings).await?;
        // Chaster's webhooks sit outside `/api` and its limits.
        let webhooks = webhooks::router(&state).with_state(state.clone());
        let app = routes::app(state.clone(), webhooks)?;
        let listener = TcpListener::bind(bind_addr)
            .await
            .with_context(|| format!("cannot listen on {bind_addr}"))?;
        let address = listener.local_addr()?;
        Ok(Application {
            address,
            listener,
            app,
            state,
        })
    }

    pub fn port(&self) -> u16 {
        self.address.port()
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The shared state, e.g. to start background workers next to the server.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until SIGTERM or Ctrl-C, then lets in-flight requests finish. The job workers and
    /// periodic tasks run alongside and stop taking work at the same signal.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let shutdown = shutdown_signal()?;
        let state = &self.state;
        let background = Background::start(BackgroundParts {
            store: state.store.clone(),
            opener: state.opener.clone(),
            settings: state.settings.opener.clone(),
            signal: state.jobs.clone(),
            clock: state.clock.clone(),
            poll_releases: state.settings.chaster.webhook_auth.is_none(),
        });
        tracing::info!(address = %self.address, "listening");
        // The peer address is what the per-address request budget counts (`routes::limits`).
        let service = self.app.into_make_service_with_connect_info::<SocketAddr>();
        let served = axum::serve(self.listener, service)
            .with_graceful_shutdown(shutdown)
            .await;
        background
            .shutdown(self.state.settings.opener.jobs.shutdown_grace)
            .await;
        served
    }
}

/// Registers the handlers before serving, so a signal that arrives early is not lost (the
/// default action would kill the process without draining requests).
#[cfg(unix)]
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = terminate.recv() => {},
            _ = interrupt.recv() => {},
        }
        tracing::info!("shutting down");
    })
}

#[cfg(not(unix))]
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        if tokio::signal::ctrl_c().await.is_ok() {
            tracing::info!("shutting down");
        } else {
            std::future::pending::<()>().await;
        }
    })
}
