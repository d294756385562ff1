//! The opener's side of the harness ([`spawn`](crate::spawn)): short timings, Chaster's
//! webhooks pointed at us with Basic auth, and helpers to give wearers a box, post webhooks and
//! wait for the job queue.

use std::time::Duration;

use serde_json::Value;
use server::configuration::{Settings, WebhookAuth};
use server::domain::{SessionId, UserId};
use server::sesame::{DeviceCredentials, SesameSettings};
use server::startup::AppState;
use server::store::{NewDevice, Store};
use sim::chaster::{ChasterSim, NewSessionSpec};
use sim::sesame::{SesameSim, DEMO_API_KEY, DEMO_SECRET_HEX};

use crate::app::{start, TestApp};
use crate::wait::{rand_u64, wait_for};

pub const HOOK_USER: &str = "chaster-hooks";
pub const HOOK_PASSWORD: &str = "correct horse battery staple";

/// The opener tests' name for the one [`TestApp`].
pub type OpenerApp = TestApp;

/// A session of our extension whose wearer connected a Web API box.
#[derive(Clone, Debug)]
pub struct Wearer {
    pub session_id: String,
    pub user_id: String,
    pub uuid: String,
    /// The mainTokens of the wearer and of the keyholder.
    pub wearer_token: String,
    pub keyholder_token: String,
}

pub fn fast_sesame_settings(sim: &SesameSim) -> SesameSettings {
    fast_sesame_settings_from(SesameSettings::for_tests(sim.v3_base_url(), sim.base_url()))
}

fn fast_sesame_settings_from(settings: SesameSettings) -> SesameSettings {
    SesameSettings {
        status_ttl: Duration::from_millis(20),
        // A plan so large the monthly budget never slows the fast tamper checks of these tests;
        // `quota.rs` tests the budget with the real defaults.
        quota: server::sesame::QuotaSettings {
            monthly_quota: 1_000_000_000_000,
            ..Default::default()
        },
        ..settings
    }
}

/// The opener's settings: Chaster's webhooks with Basic auth, short job timings, a Chaster
/// budget the tests never reach, tamper checks only where a test asks for them.
pub fn opener_settings(settings: &mut Settings) {
    settings.chaster.webhook_auth = Some(WebhookAuth {
        username: HOOK_USER.into(),
        password: HOOK_PASSWORD.to_owned().into(),
    });
    settings.chaster.max_requests_per_minute = 10_000;
    settings.sesame = fast_sesame_settings_from(settings.sesame.clone());
    let jobs = &mut settings.opener.jobs;
    jobs.workers = 4;
    jobs.idle_poll = Duration::from_millis(50);
    jobs.lease = Duration::from_secs(5);
    jobs.deadline = Duration::from_secs(20);
    jobs.retry_base = Duration::from_millis(100);
    jobs.retry_max = Duration::from_millis(500);
    // Tamper checks only where a test asks for them.
    settings.opener.tamper.scan_interval = Duration::from_secs(3600);
}

/// A fresh SESAME 5 (locked) at the simulator, with the demo key and secret: its UUID and the
/// credentials a wearer gives us.
pub fn new_box(sesame: &SesameSim) -> (String, DeviceCredentials) {
    let uuid = format!(
        "5E5A3E05-0000-4000-8000-{:012X}",
        rand_u64() & 0xFFFF_FFFF_FFFF
    );
    sesame.add_webapi_device(&uuid, DEMO_SECRET_HEX, DEMO_API_KEY);
    let credentials = DeviceCredentials::WebApi {
        uuid: uuid.as_str().into(),
        api_key: server::sesame::ApiKey::parse(DEMO_API_KEY).expect("the demo key parses"),
        secret: server::sesame::DeviceSecret::parse(DEMO_SECRET_HEX)
            .expect("the demo secret parses")
            .secret,
    };
    (uuid, credentials)
}

/// A new locked session in `chaster` whose wearer has a fresh SESAME 5 (locked) in `sesame`,
/// saved in `store` as that wearer's box. Custody is the caller's business.
pub async fn session_with_box(
    chaster: &ChasterSim,
    sesame: &SesameSim,
    store: &Store,
    spec: NewSessionSpec,
) -> Wearer {
    let (session_id, wearer_token, keyholder_token) = chaster.create_session(spec).await;
    let user_id = chaster.with_state(|s| {
        s.lock_of_session(&session_id)
            .expect("the session has a lock")
            .wearer_id
            .clone()
    });
    let (uuid, credentials) = new_box(sesame);
    store
        .upsert_device(&NewDevice {
            user_id: UserId::new(user_id.as_str()),
            nickname: "Key box".into(),
            model: "SESAME 5".into(),
            credentials,
        })
        .await
        .expect("the device is saved");
    Wearer {
        session_id,
        user_id,
        uuid,
        wearer_token,
        keyholder_token,
    }
}

impl TestApp {
    /// A new locked session whose wearer has a fresh SESAME 5 (locked) registered with us.
    pub async fn wearer_with_box(&self, spec: NewSessionSpec) -> Wearer {
        let wearer = session_with_box(&self.chaster, &self.sesame, &self.state.store, spec).await;
        let session_id = wearer.session_id.clone();
        // As when the server first sees the lock running with a box (the session's own sync may
        // have run before the box was saved): the lock takes custody of the box.
        self.take_custody(&session_id).await;
        wearer
    }

    /// The start job the first sight of a running lock enqueues, then waits for it.
    pub async fn take_custody(&self, session_id: &str) {
        let job = self.state.custody.start_job(
            &SessionId::new(session_id),
            format!("start:{session_id}:seen"),
        );
        self.state.store.enqueue(&[job]).await.unwrap();
        self.state.jobs.wake();
        // Not `settle`: with fast tamper checks the queue is rarely empty.
        // Later box jobs of the session queue behind the start job (same lane).
        wait_for(
            "the lock to take custody",
            Duration::from_secs(60),
            || async {
                let period = self
                    .state
                    .store
                    .last_custody_of_session(&SessionId::new(session_id))
                    .await;
                period.unwrap().is_some()
            },
        )
        .await;
    }

    /// A second server on the same database, as after a restart (with a clock of its own).
    pub async fn restart(&self) -> AppState {
        let mut settings = self.settings.clone();
        settings.bind_addr = "127.0.0.1:0".parse().unwrap();
        start(settings).await.1
    }

    /// POSTs a body to the webhook endpoint, with the right credentials unless told otherwise.
    pub async fn post_webhook(
        &self,
        body: &Value,
        auth: Option<(&str, &str)>,
    ) -> reqwest::Response {
        let mut request = self
            .client
            .post(format!("{}/webhooks/chaster", self.address))
            .json(body);
        if let Some((user, password)) = auth {
            request = request.basic_auth(user, Some(password));
        }
        request.send().await.expect("the app answers")
    }

    /// History lines of a session whose title starts with `prefix`: the ones Chaster took, then
    /// the ones it refused (the lock had ended) that we kept, marked `"kept": true`.
    pub async fn logs_starting(&self, session_id: &str, prefix: &str) -> Vec<Value> {
        let kept = self
            .state
            .store
            .kept_history(&SessionId::new(session_id))
            .await
            .unwrap();
        self.chaster
            .custom_logs(session_id)
            .into_iter()
            .chain(kept.into_iter().rev().map(|l| {
                serde_json::json!({"title": l.title, "description": l.description,
                    "role": l.role, "kept": true})
            }))
            .filter(|l| l["title"].as_str().is_some_and(|t| t.starts_with(prefix)))
            .collect()
    }

    /// `GET /api/device` as the page does it, with the viewer's mainToken.
    pub async fn view_device(&self, token: &str) -> Value {
        self.client
            .get(format!("{}/api/device", self.address))
            .bearer_auth(token)
            .send()
            .await
            .expect("the app answers")
            .json()
            .await
            .expect("a JSON answer")
    }

    /// Waits until no job is queued and due or running (webhooks delivered first); jobs
    /// waiting for a later time of the clock do not count.
    pub async fn settle_due(&self) {
        self.chaster.wait_deliveries_idle().await;
        self.state.jobs.wake();
        wait_for("due jobs to finish", Duration::from_secs(60), || async {
            self.state
                .store
                .due_job_count(self.state.settings.clock.now())
                .await
                .unwrap()
                == 0
        })
        .await;
    }

    /// Waits until no job is due or running (webhooks delivered first).
    pub async fn settle(&self) {
        self.chaster.wait_deliveries_idle().await;
        wait_for(
            "the job queue to drain",
            Duration::from_secs(60),
            || async {
                // A penalty's bound, hours away, is not work in progress; a retry is.
                let soon = self.state.clock.now() + chrono::Duration::minutes(10);
                self.state.store.due_job_count(soon).await.unwrap() == 0
            },
        )
        .await;
    }
}

/// A webhook envelope as Chaster sends it.
pub fn envelope(event: &str, data: Value) -> Value {
    serde_json::json!({
        "event": event,
        "sentAt": chrono::Utc::now().to_rfc3339(),
        "requestId": format!("req-{}", rand_u64()),
        "data": data,
    })
}

/// `action_log.created` for a history entry of prefix `default`.
pub fn action_log_event(session_id: &str, log_id: &str, kind: &str) -> Value {
    envelope(
        "action_log.created",
        serde_json::json!({"sessionId": session_id, "actionLog": {
            "_id": log_id, "type": kind, "prefix": "default", "payload": {}, "role": "user",
            "title": "%USER% did something", "description": "", "createdAt": chrono::Utc::now().to_rfc3339()
        }}),
    )
}
