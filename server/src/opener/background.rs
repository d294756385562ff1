//! Everything that runs next to the HTTP server: the job workers, the tamper schedule, the
//! polling fallback and the clean-up of old rows. Stopped together on shutdown.

use std::time::Duration;

use chrono::Utc;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::{chrono_duration, Opener, OpenerSettings};
use crate::clock::Clock;
use crate::jobs::{JobSignal, Worker};
use crate::store::Store;

const PRUNE_EVERY: Duration = Duration::from_secs(3600);

pub struct Background {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

/// What the background tasks run on.
pub struct BackgroundParts {
    /// The job queue, and the rows the clean-up prunes.
    pub store: Store,
    /// The jobs' handler, the tamper schedule and the polling fallback.
    pub opener: Opener,
    pub settings: OpenerSettings,
    /// Wakes the workers when work was stored.
    pub signal: JobSignal,
    /// The one server clock: when delayed jobs are due.
    pub clock: Clock,
    /// No webhook credentials: poll Chaster for releases instead.
    pub poll_releases: bool,
}

impl Background {
    /// Starts the workers (after `JOBS_START_DELAY_MS`) and the periodic tasks.
    pub fn start(parts: BackgroundParts) -> Background {
        let BackgroundParts {
            store,
            opener,
            settings,
            signal,
            clock,
            poll_releases,
        } = parts;
        let (stop, stopped) = watch::channel(false);
        let mut tasks = Vec::new();
        for _ in 0..settings.jobs.workers.max(1) {
            let worker = Worker {
                queue: store.clone(),
                handler: opener.clone(),
                settings: settings.jobs.clone(),
                signal: signal.clone(),
                clock: clock.clone(),
            };
            let stopped = stopped.clone();
            let delay = settings.jobs.start_delay;
            tasks.push(tokio::spawn(async move {
                if !delay.is_zero() {
                    tracing::info!(
                        delay_ms = delay.as_millis() as u64,
                        "job workers start later"
                    );
                    let mut s = stopped.clone();
                    tokio::select! {
                        _ = tokio::time::sleep(delay) => {}
                        _ = s.changed() => return,
                    }
                }
                worker.supervise(stopped).await
            }));
        }
        let tamper = opener.tamper_watch().clone();
        let tamper_settings = settings.tamper.clone();
        tasks.push(every(
            settings.tamper.scan_interval,
            stopped.clone(),
            move || {
                let (tamper, s) = (tamper.clone(), tamper_settings.clone());
                async move {
                    if let Err(e) = tamper.schedule_checks(&s).await {
                        tracing::warn!(error = %e, "cannot schedule tamper checks");
                    }
                }
            },
        ));
        if poll_releases {
            tasks.push(poller(&opener, settings.poll.interval, stopped.clone()));
        }
        let retention = chrono_duration(settings.jobs.retention);
        tasks.push(every(PRUNE_EVERY, stopped, move || {
            let store = store.clone();
            async move {
                match store
                    .prune_jobs(Utc::now().checked_sub_signed(retention).unwrap_or_default())
                    .await
                {
                    Ok(n) if n > 0 => {
                        tracing::info!(rows = n, "pruned old jobs and webhook events")
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "cannot prune old jobs"),
                }
            }
        }));
        Background { stop, tasks }
    }

    /// Stops taking work and waits up to `grace` for running jobs; a job still running after
    /// that is dropped and its lease expires, so another start runs it again.
    pub async fn shutdown(self, grace: Duration) {
        let _ = self.stop.send(true);
        let all = futures::future::join_all(self.tasks);
        if tokio::time::timeout(grace, all).await.is_err() {
            tracing::warn!(
                "jobs still running at shutdown; they will be retried after their lease"
            );
        }
    }
}

fn poller(opener: &Opener, interval: Duration, stopped: watch::Receiver<bool>) -> JoinHandle<()> {
    if opener.settings.poll.extension_slug.is_none() {
        tracing::error!(
            "no webhook credentials and no CHASTER_EXTENSION_SLUG: releases cannot be noticed; \
             set CHASTER_WEBHOOK_USERNAME/PASSWORD or CHASTER_EXTENSION_SLUG"
        );
        return tokio::spawn(async {});
    }
    tracing::info!(
        every_secs = interval.as_secs(),
        "no webhook credentials: polling Chaster for releases"
    );
    let opener = opener.clone();
    every(interval, stopped, move || {
        let opener = opener.clone();
        async move {
            if let Err(e) = opener.poll_releases().await {
                tracing::warn!(error = %e, "polling Chaster for releases failed");
            }
        }
    })
}

/// Runs `f` now and then every `period` until stopped.
fn every<F, Fut>(period: Duration, mut stopped: watch::Receiver<bool>, f: F) -> JoinHandle<()>
where
    F: Fn() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(period.max(Duration::from_millis(10)));
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = ticks.tick() => f().await,
                _ = stopped.changed() => return,
            }
        }
    })
}
