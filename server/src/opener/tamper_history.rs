//! The tamper watch, from the box's own history: openings between two checks (or while the hub
//! was unplugged, uploaded when it is back) are found even if the box is locked again by the
//! next look. Also a jammed latch and a hub offline for too long, as incidents without penalty.
//!
//! The history is read only when the box's status timestamp changed since the last check: a box
//! that reported nothing new has nothing new in its history, and the read costs quota.

use api_types::{BoxStatus, LatchState};
use chrono::{DateTime, Utc};
use serde_json::json;

use super::messages;
use super::{chrono_duration, note, Opener, Verdict};
use crate::domain::SessionId;
use crate::jobs::JobKind;
use crate::sesame::webapi::HistoryEntry;
use crate::sesame::Device;
use crate::store::incidents::kinds;
use crate::store::{BoxWatch, Completion, NewJob, PointIncident, SessionRecord};

/// A mechanical entry this close after a command entry belongs to that command.
const FOLLOW_WINDOW_MS: i64 = 10_000;
/// Our tag must be recorded within this long of the time it names (else it is a copy).
const TAG_TOLERANCE_SECS: i64 = 120;

// CANDY HOUSE history types (`sesame-api.md` §3.3).
const BLE_UNLOCK: i64 = 2;
const MANUAL_UNLOCKED: i64 = 8;
const DRIVE_UNLOCKED: i64 = 11;
const WM2_UNLOCK: i64 = 15;
const WEB_UNLOCK: i64 = 17;
/// Entries that are a command from somewhere (app, hub, Web API), each tagged by its sender.
const COMMANDS: [i64; 7] = [1, 2, 14, 15, 16, 17, 18];
/// The motor's own entries that follow a command.
const MECHANICAL: [i64; 3] = [10, 11, 12];

/// An unlock in the history that was not ours.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForeignUnlock {
    pub at: DateTime<Utc>,
    /// Counts the entry once across checks.
    pub source_ref: String,
    /// How it was opened, for people.
    pub how: String,
}

/// The unlocks at or after `since` that were not ours. `entries` may come in any order and may
/// start before `since` (context for the mechanical entries); `ours(tag)` gives the send time
/// our tag names, if it is ours.
pub fn foreign_unlocks(
    entries: &[HistoryEntry],
    since: DateTime<Utc>,
    ours: impl Fn(&str) -> Option<DateTime<Utc>>,
) -> Vec<ForeignUnlock> {
    let mut timed: Vec<(&HistoryEntry, DateTime<Utc>)> =
        entries.iter().filter_map(|e| Some((e, e.at?))).collect();
    timed.sort_by_key(|(e, at)| (*at, e.record_id));
    let mut last_command: Option<DateTime<Utc>> = None;
    let mut found = Vec::new();
    for (entry, at) in timed {
        let is_ours = || {
            entry
                .tag
                .as_deref()
                .and_then(&ours)
                .is_some_and(|sent| (at - sent).num_seconds().abs() <= TAG_TOLERANCE_SECS)
        };
        let follows_command =
            last_command.is_some_and(|c| (at - c).num_milliseconds() <= FOLLOW_WINDOW_MS);
        if COMMANDS.contains(&entry.kind) {
            last_command = Some(at);
        }
        let how = match entry.kind {
            MANUAL_UNLOCKED => "turned by hand".to_owned(),
            BLE_UNLOCK | WM2_UNLOCK | WEB_UNLOCK if is_ours() => continue,
            BLE_UNLOCK => format!("with the Sesame app{}", by(entry)),
            WM2_UNLOCK | WEB_UNLOCK => format!("remotely through CANDY HOUSE{}", by(entry)),
            // The motor after a command already judged (ours or not): not a second opening.
            DRIVE_UNLOCKED if follows_command => continue,
            DRIVE_UNLOCKED => "by its motor, without a command in the history".to_owned(),
            _ => continue,
        };
        if at < since {
            continue;
        }
        found.push(ForeignUnlock {
            at,
            source_ref: format!(
                "history:{}:{}",
                entry.record_id.unwrap_or_default(),
                at.timestamp_millis()
            ),
            how,
        });
    }
    found
}

fn by(entry: &HistoryEntry) -> String {
    match entry.tag.as_deref().map(str::trim) {
        Some(t) if !t.is_empty() && !MECHANICAL.contains(&entry.kind) => {
            let t: String = t.chars().filter(|c| !c.is_control()).take(30).collect();
            format!(" (\"{t}\")")
        }
        _ => String::new(),
    }
}

pub(super) fn status_time(status: &BoxStatus) -> Option<DateTime<Utc>> {
    status
        .last_update
        .as_deref()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc))
}

fn when(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

impl Opener {
    /// The session is not watched now (hygiene opening): whatever the box does meanwhile is
    /// not judged; the next watched check reads the history from here.
    pub(super) async fn pause_history_watch(&self, sid: &SessionId) -> anyhow::Result<()> {
        let w = BoxWatch {
            checked_at: Some(Utc::now()),
            ..BoxWatch::default()
        };
        self.store.put_box_watch(sid, &w).await?;
        Ok(())
    }

    /// One scheduled look beyond the latch: the history since the last check (only when the
    /// status timestamp moved), a jam, a hub offline too long. `verdict` is what the status
    /// itself meant, so an opening already counted as "found open" is not counted twice.
    pub(super) async fn watch_history(
        &self,
        row: &SessionRecord,
        device: &Device,
        status: &BoxStatus,
        verdict: &Verdict,
    ) -> anyhow::Result<Completion> {
        let sid = &row.session_id;
        let now = Utc::now();
        let prev = self.store.box_watch(sid).await?;
        let mut next = BoxWatch {
            status_at: status_time(status),
            checked_at: Some(now),
            offline_since: None,
            jammed_since: None,
        };
        let mut notes = Vec::new();
        // Unreachable: measured from our first look that found the hub offline.
        if !status.reachable {
            let since = prev.as_ref().and_then(|p| p.offline_since).unwrap_or(now);
            next.offline_since = Some(since);
            // Stale: the history cannot have anything newer; read it when the hub is back.
            next.status_at = prev.as_ref().and_then(|p| p.status_at);
            let limit = self.settings.tamper.unreachable_after;
            if now - since >= chrono_duration(limit) {
                let minutes = limit.as_secs() / 60;
                let detail = format!(
                    "The Sesame's hub has been offline since {} (more than {minutes} minutes) during the session: the box cannot be watched or opened remotely until it is back. Check the hub's power and Wi-Fi. No penalty.",
                    when(since)
                );
                let log = messages::log("Box unreachable", detail.clone(), "wifi");
                self.point_incident(
                    row,
                    kinds::UNREACHABLE,
                    format!("unreachable:{}", since.timestamp_millis()),
                    now,
                    detail,
                    &log,
                )
                .await?;
                notes.push("unreachable");
            }
        }
        // Jammed: one incident per jam, from the first look that found it.
        if status.reachable && status.latch == LatchState::Jammed {
            let first = prev.as_ref().and_then(|p| p.jammed_since);
            next.jammed_since = Some(first.unwrap_or(now));
            if first.is_none() {
                let detail = "The Sesame reports its latch between locked and unlocked (jammed or half-turned) during the session: the box may not be properly closed. The wearer should check the box and lock it again. No penalty.".to_owned();
                let log = messages::log("Box jammed", detail.clone(), "exclamation-triangle");
                self.point_incident(
                    row,
                    kinds::JAMMED,
                    format!("jammed:{}", now.timestamp_millis()),
                    now,
                    detail,
                    &log,
                )
                .await?;
                notes.push("jammed");
            }
        }
        // The history, only when the box reported something new since the last check.
        if let Some(prev) = prev.as_ref().filter(|_| status.reachable) {
            let changed = prev.status_at.is_none() || prev.status_at != next.status_at;
            if changed {
                // What happened in the second of the last reading was in that reading.
                let since = match prev.status_at {
                    Some(t) => t + chrono::Duration::seconds(1),
                    None => prev.checked_at.unwrap_or(now),
                };
                let read_from = since - chrono::Duration::milliseconds(FOLLOW_WINDOW_MS);
                match device.history_since(read_from).await {
                    Ok(entries) => {
                        let mut unlocks =
                            foreign_unlocks(&entries, since, |t| device.our_tag_sent_at(t));
                        // The box is open now and counted as found open: its latest opening
                        // is that same incident.
                        if matches!(verdict, Verdict::Incident { .. }) {
                            unlocks.pop();
                        }
                        for u in &unlocks {
                            self.history_incident(row, u).await?;
                        }
                        notes.push(if unlocks.is_empty() {
                            "history clean"
                        } else {
                            "opened in history"
                        });
                    }
                    Err(e) => {
                        // Read again next time: keep the old mark.
                        next.status_at = prev.status_at;
                        notes.push("history unreadable");
                        tracing::info!(error = %e, "cannot read the Sesame history");
                    }
                }
            }
        }
        self.store.put_box_watch(sid, &next).await?;
        Ok(note(format!("{verdict:?}; {}", notes.join(", "))))
    }

    /// An opening from the history: penalised like a box found open (the penalty job writes it).
    async fn history_incident(&self, row: &SessionRecord, u: &ForeignUnlock) -> anyhow::Result<()> {
        let sid = &row.session_id;
        let detail = format!(
            "The Sesame's own history shows it was unlocked at {} {}, not by this extension.",
            when(u.at),
            u.how
        );
        let incident = PointIncident {
            session_id: sid.to_owned(),
            kind: kinds::OPENED_IN_HISTORY,
            source_ref: u.source_ref.clone(),
            at: u.at,
            detail,
            penalty: None,
        };
        let now = Utc::now();
        let created = self
            .store
            .record_point_incident(&incident, |id| {
                vec![JobKind::TamperPenalty.job(
                    sid,
                    format!("penalty:{id}"),
                    json!({ "incidentId": id }),
                    now,
                    now + chrono::Duration::hours(6),
                )]
            })
            .await?;
        if created.is_some() {
            tracing::warn!(
                session = %sid,
                "the box history shows an opening that was not ours"
            );
            self.signal.wake();
        }
        Ok(())
    }

    /// A jam or an unreachable hub: recorded, no penalty, shown in the history.
    async fn point_incident(
        &self,
        row: &SessionRecord,
        kind_name: &'static str,
        source_ref: String,
        at: DateTime<Utc>,
        detail: String,
        log: &crate::chaster::CustomLog,
    ) -> anyhow::Result<()> {
        let sid = &row.session_id;
        let incident = PointIncident {
            session_id: sid.to_owned(),
            kind: kind_name,
            source_ref: source_ref.clone(),
            at,
            detail,
            penalty: Some("none".into()),
        };
        let log_job: NewJob = self.log_job(sid, format!("log:{source_ref}"), log);
        if self
            .store
            .record_point_incident(&incident, |_| vec![log_job])
            .await?
            .is_some()
        {
            self.signal.wake();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
