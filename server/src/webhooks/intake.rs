//! From a webhook body to the rows stored before it is acknowledged: the raw event, and the
//! jobs it asks for. Jobs are keyed on what happened, not on the delivery: `requestId` changes
//! on every retry, so an action log is keyed on `(actionLog._id, type)` and a session event on
//! its content.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::domain::SessionId;
use crate::jobs::JobKind;
use crate::opener::{chrono_duration, OpenerSettings};
use crate::store::{NewJob, NewWebhookEvent, Supersede};

/// What a delivery leads to.
#[derive(Debug)]
pub struct Intake {
    pub event: NewWebhookEvent,
    pub jobs: Vec<NewJob>,
    pub supersede: Option<Supersede>,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum IntakeError {
    #[error("the body is not JSON")]
    NotJson,
    #[error("the body has no `event`")]
    NoEvent,
}

/// Parses Chaster's envelope `{event, sentAt, requestId, data}`, also when wrapped as
/// `{payload: envelope}`, and derives the jobs.
pub fn intake(
    body: &[u8],
    settings: &OpenerSettings,
    now: DateTime<Utc>,
) -> Result<Intake, IntakeError> {
    let raw: Value = serde_json::from_slice(body).map_err(|_| IntakeError::NotJson)?;
    let envelope = match raw.get("event") {
        Some(_) => &raw,
        None => raw
            .get("payload")
            .filter(|p| p.get("event").is_some())
            .ok_or(IntakeError::NoEvent)?,
    };
    let event = envelope["event"]
        .as_str()
        .ok_or(IntakeError::NoEvent)?
        .to_owned();
    let data = envelope.get("data").unwrap_or(&Value::Null);
    let text = |v: &Value| v.as_str().filter(|s| !s.is_empty()).map(str::to_owned);
    let mut out = Intake {
        event: NewWebhookEvent {
            event: event.clone(),
            request_id: envelope.get("requestId").and_then(text),
            session_id: None,
            action_log_id: None,
            body: String::from_utf8_lossy(body).into_owned(),
        },
        jobs: Vec::new(),
        supersede: None,
    };
    let box_deadline = now + chrono_duration(settings.jobs.deadline);
    match event.as_str() {
        "action_log.created" => {
            let session_id = data.get("sessionId").and_then(text);
            let log = data.get("actionLog").unwrap_or(&Value::Null);
            let log_id = log.get("_id").and_then(text);
            out.event.session_id = session_id.clone();
            out.event.action_log_id = log_id.clone();
            let (Some(sid), Some(log_id)) = (session_id.map(SessionId::new), log_id) else {
                return Ok(out);
            };
            if log.get("prefix").and_then(Value::as_str) != Some("default") {
                return Ok(out);
            }
            let log_type = log.get("type").and_then(Value::as_str).unwrap_or_default();
            let (kind, payload) = match log_type {
                "locked" => (JobKind::CustodyStart, json!({})),
                "unlocked" => (JobKind::OpenRelease, json!({})),
                "deserted" => (JobKind::OpenDeserted, json!({})),
                "temporary_opening_opened" => (JobKind::OpenHygiene, json!({})),
                "temporary_opening_locked" => (JobKind::LockHygiene, json!({"late": false})),
                "temporary_opening_locked_late" => (JobKind::LockHygiene, json!({"late": true})),
                _ => return Ok(out),
            };
            let mut payload = payload;
            payload["actionLogId"] = Value::String(log_id.clone());
            if kind == JobKind::LockHygiene {
                // An opening still waiting to be retried is pointless once the opening is over.
                out.supersede = Some(Supersede {
                    session_id: sid.clone(),
                    kind: JobKind::OpenHygiene,
                    reason: "superseded: the hygiene opening ended".into(),
                });
            }
            out.jobs.push(kind.job(
                &sid,
                format!("alog:{log_id}:{log_type}"),
                payload,
                now,
                box_deadline,
            ));
        }
        "extension_session.created" | "extension_session.updated" | "extension_session.deleted" => {
            let Some(sid) = data
                .pointer("/session/sessionId")
                .and_then(text)
                .map(SessionId::new)
            else {
                return Ok(out);
            };
            out.event.session_id = Some(sid.to_string());
            let digest = hex::encode(&Sha256::digest(data.to_string().as_bytes())[..12]);
            out.jobs.push(JobKind::SyncSession.job(
                &sid,
                format!("session:{event}:{sid}:{digest}"),
                json!({ "event": event }),
                now,
                now + chrono_duration(settings.jobs.chaster_deadline),
            ));
        }
        _ => {}
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn action_log(id: &str, kind: &str, prefix: &str) -> Value {
        json!({"event": "action_log.created", "sentAt": "2025-06-01T10:00:00.000Z", "requestId": "r1",
               "data": {"sessionId": "S1", "actionLog": {"_id": id, "type": kind, "prefix": prefix}}})
    }

    fn run(v: &Value) -> Intake {
        intake(
            v.to_string().as_bytes(),
            &OpenerSettings::default(),
            Utc::now(),
        )
        .unwrap()
    }

    #[test]
    fn a_release_becomes_one_open_job_keyed_on_the_action_log() {
        let i = run(&action_log("L1", "unlocked", "default"));
        assert_eq!(i.jobs.len(), 1);
        assert_eq!(i.jobs[0].kind, JobKind::OpenRelease);
        assert_eq!(i.jobs[0].dedupe_key, "alog:L1:unlocked");
        assert_eq!(i.jobs[0].session_id, Some(SessionId::new("S1")));
        assert_eq!(i.event.request_id.as_deref(), Some("r1"));
    }

    #[test]
    fn a_lock_that_starts_becomes_a_custody_start_job() {
        let i = run(&action_log("L0", "locked", "default"));
        assert_eq!(i.jobs[0].kind, JobKind::CustodyStart);
        assert_eq!(i.jobs[0].dedupe_key, "alog:L0:locked");
    }

    #[test]
    fn a_retried_delivery_gets_the_same_key_despite_a_new_request_id() {
        let mut second = action_log("L1", "unlocked", "default");
        second["requestId"] = json!("r2");
        second["sentAt"] = json!("2025-06-01T10:01:00.000Z");
        assert_eq!(
            run(&second).jobs[0].dedupe_key,
            run(&action_log("L1", "unlocked", "default")).jobs[0].dedupe_key
        );
    }

    #[test]
    fn the_wrapped_envelope_is_understood() {
        let i =
            run(&json!({"payload": action_log("L2", "temporary_opening_locked_late", "default")}));
        assert_eq!(i.jobs[0].kind, JobKind::LockHygiene);
        assert_eq!(i.jobs[0].payload["late"], json!(true));
        assert!(i.supersede.is_some());
    }

    #[test]
    fn other_logs_prefixes_and_events_create_no_job() {
        assert!(run(&action_log("L3", "time_changed", "default"))
            .jobs
            .is_empty());
        assert!(run(&action_log("L4", "unlocked", "some-extension"))
            .jobs
            .is_empty());
        assert!(
            run(&json!({"event": "peer_verification.ended", "data": {}}))
                .jobs
                .is_empty()
        );
        assert!(run(&json!({"event": "action_log.created", "data": {}}))
            .jobs
            .is_empty());
    }

    #[test]
    fn session_events_refresh_the_session() {
        let body = json!({"event": "extension_session.updated", "requestId": "x",
                          "data": {"session": {"sessionId": "S9", "config": {}}}});
        let i = run(&body);
        assert_eq!(i.jobs[0].kind, JobKind::SyncSession);
        assert!(i.jobs[0]
            .dedupe_key
            .starts_with("session:extension_session.updated:S9:"));
    }

    #[test]
    fn garbage_is_refused() {
        let s = OpenerSettings::default();
        assert_eq!(
            intake(b"not json", &s, Utc::now()).unwrap_err(),
            IntakeError::NotJson
        );
        assert_eq!(
            intake(b"{\"data\":{}}", &s, Utc::now()).unwrap_err(),
            IntakeError::NoEvent
        );
        assert_eq!(
            intake(b"[1,2]", &s, Utc::now()).unwrap_err(),
            IntakeError::NoEvent
        );
    }
}
