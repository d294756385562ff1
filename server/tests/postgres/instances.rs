//! Two instances of the server on one Postgres, as behind a load balancer: the same
//! `DATABASE_URL`, secrets key files with the same content, the simulators of Chaster and Sesame,
//! and a round-robin balancer (`balancer`) in front of both for Chaster's webhooks.

use std::time::Duration;

use server::configuration::{RateLimitSettings, Settings};
use server::startup::AppState;
use sim::chaster::{ChasterSim, NewSessionSpec, WebhookConfig};
use sim::sesame::{SesameSim, SesameSimConfig};

use crate::balancer::Balancer;
use crate::helpers::{
    base_settings, init_test_logging, opener_settings, session_with_box, wait_for, TempDir,
    HOOK_PASSWORD, HOOK_USER,
};

/// One running server.
pub struct Instance {
    pub address: String,
    pub state: AppState,
}

pub struct Instances {
    pub a: Instance,
    pub b: Instance,
    pub chaster: ChasterSim,
    pub sesame: SesameSim,
    /// Chaster's webhooks go here; it forwards them to A and B in turn.
    pub balancer: Balancer,
    pub client: reqwest::Client,
    _dir: TempDir,
}

/// A session of our extension whose wearer connected a SESAME 5.
#[derive(Clone, Debug)]
pub struct Wearer {
    pub session_id: String,
    pub uuid: String,
}

/// Starts A, runs `after_migrations` (the schema exists then, no job yet), then starts B.
/// `database_url` is the same for both but for `application_name`, which tells Postgres which
/// instance a connection belongs to (`instance-a`, `instance-b`).
pub async fn spawn_two(
    database_url: &str,
    configure: impl Fn(&mut Settings),
    after_migrations: impl std::future::Future<Output = ()>,
) -> Instances {
    init_test_logging();
    let chaster = ChasterSim::spawn()
        .await
        .expect("the Chaster simulator starts");
    // These tests count lines in Chaster's history after releases.
    chaster.accept_logs_on_ended_locks(true);
    let sesame = SesameSim::spawn(SesameSimConfig::fast())
        .await
        .expect("the Sesame simulator starts");
    let dir = TempDir::new();

    // The opener tests' settings, with the budgets off (every request comes from 127.0.0.1).
    let settings = |name: &str| {
        let mut s = base_settings(&chaster, &sesame, &dir);
        opener_settings(&mut s);
        s.database_url = format!("{database_url}?application_name={name}").into();
        s.secrets_key_file = dir.path().join(format!("{name}.key"));
        s.rate_limits = RateLimitSettings::off();
        s.session_cache.misses_per_ip = server::configuration::Rate::OFF;
        s.opener.jobs.deadline = Duration::from_secs(30);
        configure(&mut s);
        s
    };
    let a = start(settings("instance-a")).await;
    after_migrations.await;
    // Every instance needs the same key to read the credentials the others stored.
    std::fs::copy(
        dir.path().join("instance-a.key"),
        dir.path().join("instance-b.key"),
    )
    .expect("the secrets key is copied to instance B");
    let b = start(settings("instance-b")).await;

    let balancer = Balancer::spawn(vec![a.address.clone(), b.address.clone()]).await;
    chaster.set_webhook(
        WebhookConfig::new(format!("{}/webhooks/chaster", balancer.address))
            .with_basic_auth(HOOK_USER, HOOK_PASSWORD)
            .with_retry_delays(vec![Duration::from_millis(200); 4]),
    );
    Instances {
        a,
        b,
        chaster,
        sesame,
        balancer,
        client: reqwest::Client::new(),
        _dir: dir,
    }
}

async fn start(settings: Settings) -> Instance {
    let (address, state) = crate::helpers::start(settings).await;
    Instance { address, state }
}

impl Instances {
    /// A new locked session whose wearer has a fresh SESAME 5, saved through `via`.
    pub async fn wearer_with_box(&self, via: &Instance) -> Wearer {
        let spec = NewSessionSpec::default();
        let w = session_with_box(&self.chaster, &self.sesame, &via.state.store, spec).await;
        Wearer {
            session_id: w.session_id,
            uuid: w.uuid,
        }
    }

    /// POSTs a webhook body to one instance with the right credentials; returns the status.
    pub async fn post_webhook(&self, to: &Instance, body: &serde_json::Value) -> u16 {
        self.client
            .post(format!("{}/webhooks/chaster", to.address))
            .basic_auth(HOOK_USER, Some(HOOK_PASSWORD))
            .json(body)
            .send()
            .await
            .expect("the instance answers")
            .status()
            .as_u16()
    }

    /// `GET /api/session` on one instance with a mainToken: status and body.
    pub async fn session(&self, on: &Instance, token: &str) -> (u16, serde_json::Value) {
        let response = self
            .client
            .get(format!("{}/api/session", on.address))
            .bearer_auth(token)
            .send()
            .await
            .expect("the instance answers");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or_default())
    }

    /// Waits until every webhook was delivered and no job is queued or running (the queue is
    /// shared, so either instance's store sees all of it).
    pub async fn settle(&self) {
        self.chaster.wait_deliveries_idle().await;
        wait_for(
            "the shared job queue to drain",
            Duration::from_secs(90),
            || async {
                let [queued, running, _, _] = self.a.state.store.job_counts().await.unwrap();
                queued + running == 0
            },
        )
        .await;
    }
}
