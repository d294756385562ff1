//! Webhook delivery as Chaster does it: a JSON envelope `{event, sentAt, requestId, data}` POSTed
//! to the configured URL, optional HTTP Basic auth, a 10 s timeout, and up to four retries after
//! growing delays, each attempt with a NEW `requestId`. Every attempt is recorded.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{json, Value};

use super::render::date;
use super::state::SimState;
use super::{nanoid, Hub};

/// Where and how the simulator delivers webhooks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookConfig {
    pub url: String,
    /// HTTP Basic `(username, password)`, when the extension configured one.
    pub basic_auth: Option<(String, String)>,
    /// No answer within this counts as a failure (Chaster: 10 s).
    pub timeout: Duration,
    /// The wait before each retry; its length is the number of retries (Chaster: 1, 2, 3, 4 min).
    pub retry_delays: Vec<Duration>,
}

impl WebhookConfig {
    /// Chaster's defaults: no Basic auth, 10 s timeout, retries after 60, 120, 180 and 240 s.
    pub fn new(url: impl Into<String>) -> Self {
        WebhookConfig {
            url: url.into(),
            basic_auth: None,
            timeout: Duration::from_secs(10),
            retry_delays: [60, 120, 180, 240].map(Duration::from_secs).to_vec(),
        }
    }

    pub fn with_basic_auth(mut self, user: impl Into<String>, password: impl Into<String>) -> Self {
        self.basic_auth = Some((user.into(), password.into()));
        self
    }

    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Tests pass millisecond delays to see the whole schedule quickly.
    pub fn with_retry_delays(mut self, delays: Vec<Duration>) -> Self {
        self.retry_delays = delays;
        self
    }
}

/// One delivery attempt, as the simulator saw it end.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    pub event: String,
    pub request_id: String,
    pub session_id: String,
    /// `actionLog._id` for `action_log.created`.
    pub action_log_id: Option<String>,
    /// 1 for the first try, 2… for the retries.
    pub attempt: u32,
    /// The HTTP status the receiver answered, if it answered in time.
    pub status: Option<u16>,
    /// Why no status: connection refused, timeout…
    pub error: Option<String>,
    /// When the attempt started.
    pub at: DateTime<Utc>,
    /// The exact JSON envelope that was sent.
    pub body: Value,
}

impl Delivery {
    /// A 2xx answer in time: Chaster stops retrying.
    pub fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// Something Chaster tells the extension about, with its data captured when it happened.
#[derive(Clone, Debug)]
pub(crate) struct Event {
    pub name: &'static str,
    pub session_id: String,
    pub action_log_id: Option<String>,
    pub data: Value,
}

impl Event {
    pub fn action_log(session_id: &str, log: &Value) -> Event {
        Event {
            name: "action_log.created",
            session_id: session_id.to_owned(),
            action_log_id: log["_id"].as_str().map(str::to_owned),
            data: json!({"sessionId": session_id, "actionLog": log}),
        }
    }

    /// `extension_session.created|updated|deleted` with `{session, extension: {slug}}`.
    pub fn session(name: &'static str, session_id: &str, session: Value, slug: &str) -> Event {
        Event {
            name,
            session_id: session_id.to_owned(),
            action_log_id: None,
            data: json!({"session": session, "extension": {"slug": slug}}),
        }
    }
}

/// `action_log.created` for an existing history entry (Chaster's or a custom log), by `_id`.
pub(crate) fn action_log_event(s: &SimState, action_log_id: &str) -> Option<Event> {
    let logs = s.action_logs.iter().chain(s.custom_logs.iter());
    logs.flat_map(|(sid, logs)| logs.iter().map(move |l| (sid, l)))
        .find(|(_, l)| l["_id"] == action_log_id)
        .map(|(sid, l)| Event::action_log(sid, l))
}

/// Schedules the delivery of `event` (first attempt and retries) in the background; does
/// nothing when no webhook is configured.
pub(crate) fn dispatch(hub: &Arc<Hub>, event: Event) {
    dispatch_copies(hub, event, 1, true);
}

/// Schedules `copies` independent deliveries of the same event, all at once or one after the
/// other (each finished, retries included, before the next starts).
pub(crate) fn dispatch_copies(hub: &Arc<Hub>, event: Event, copies: usize, concurrent: bool) {
    let Some(config) = hub.lock().webhook.clone() else {
        return;
    };
    if copies == 0 {
        return;
    }
    hub.pending.send_modify(|n| *n += copies);
    if concurrent {
        for _ in 0..copies {
            let (h, config, event) = (hub.clone(), config.clone(), event.clone());
            hub.spawn(async move { deliver(&h, &config, &event).await });
        }
    } else {
        let h = hub.clone();
        hub.spawn(async move {
            for _ in 0..copies {
                deliver(&h, &config, &event).await;
            }
        });
    }
}

/// One delivery: the first attempt, then a retry after each delay until one succeeds.
async fn deliver(hub: &Hub, config: &WebhookConfig, event: &Event) {
    let attempts = 1 + config.retry_delays.len();
    for attempt in 1..=attempts {
        let delivery = attempt_once(hub, config, event, attempt as u32).await;
        let succeeded = delivery.succeeded();
        if !succeeded {
            tracing::info!(event = event.name, attempt, status = ?delivery.status, error = ?delivery.error, "webhook attempt failed");
        }
        hub.lock().deliveries.push(delivery);
        if succeeded {
            break;
        }
        if let Some(delay) = config.retry_delays.get(attempt - 1) {
            tokio::time::sleep(*delay).await;
        }
    }
    hub.pending.send_modify(|n| *n -= 1);
}

async fn attempt_once(hub: &Hub, config: &WebhookConfig, event: &Event, attempt: u32) -> Delivery {
    let at = Utc::now();
    let request_id = nanoid();
    let body = json!({
        "event": event.name,
        "sentAt": date(at),
        "requestId": request_id,
        "data": event.data,
    });
    let mut request = hub
        .http
        .post(&config.url)
        .timeout(config.timeout)
        .json(&body);
    if let Some((user, password)) = &config.basic_auth {
        request = request.basic_auth(user, Some(password));
    }
    let (status, error) = match request.send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            // Read the body so a slow body also counts against the timeout, as a real client's would.
            match response.bytes().await {
                Ok(_) => (Some(status), None),
                Err(e) => (None, Some(describe(&e))),
            }
        }
        Err(e) => (None, Some(describe(&e))),
    };
    Delivery {
        event: event.name.to_owned(),
        request_id,
        session_id: event.session_id.clone(),
        action_log_id: event.action_log_id.clone(),
        attempt,
        status,
        error,
        at,
        body,
    }
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timeout".to_owned()
    } else if e.is_connect() {
        format!("connection failed: {e}")
    } else {
        e.to_string()
    }
}
