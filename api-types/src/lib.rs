//! The wire types of our own `/api`, shared by the server and the WASM frontend.
//!
//! Architecture invariant: nothing here mirrors Chaster's or CANDY HOUSE's wire formats, and no
//! type here has a field that could carry a secret, a Chaster `sessionId`, a token or a device
//! credential. The server builds these view models from `role` and `lockForUser` only; the
//! frontend renders them as they are. Device registration is the one request that carries
//! credentials *into* the server; no response type carries them back out.
//!
//! Dates travel as RFC 3339 strings so this crate needs no date library on the WASM side.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The slug of the one entry the server keeps on the wearer's Chaster lock page (the key box).
/// Chaster opens our page with it in the hash when the wearer clicks the entry; the page then
/// brings the wearer to the box.
pub const BOX_HOME_ACTION_SLUG: &str = "sesame-key-box";

/// Who is looking at the page, as Chaster says for the mainToken.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Wearer,
    Keyholder,
}

/// The Chaster lock's status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LockStatus {
    Locked,
    Unlocked,
    Deserted,
    /// Chaster sent a status this server does not know; treated as not running.
    Unknown,
}

/// A Chaster user as shown on the page: a public name and avatar, nothing else.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub username: String,
    pub avatar_url: Option<String>,
}

/// The lock as the viewer may see it (built from `lockForUser`, never from `session.lock`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockView {
    pub title: String,
    pub status: LockStatus,
    pub start_date: String,
    /// `None` when the viewer may not see the timer.
    pub end_date: Option<String>,
    /// False when Chaster hides the remaining time from this viewer.
    pub timer_visible: bool,
    pub frozen: bool,
    /// When the lock was frozen; the countdown stands still from this instant.
    pub frozen_at: Option<String>,
    pub can_be_unlocked: bool,
    /// Chaster's guaranteed latest release (`maxLimitDate`), when the lock has one.
    #[serde(default)]
    pub max_limit_date: Option<String>,
    /// When Chaster ended the lock (`unlockedAt`), once it has.
    #[serde(default)]
    pub ended_at: Option<String>,
    /// The hygiene opening running now (`lock.extensions` `temporary-opening`), if any.
    #[serde(default)]
    pub hygiene_opening: Option<HygieneOpeningView>,
}

/// A hygiene opening in progress, as Chaster's Hygiene opening extension runs it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HygieneOpeningView {
    /// `userData.openedAt`.
    pub opened_at: String,
    /// `openedAt + config.openingTime`: after this the wearer is late.
    pub relock_by: Option<String>,
}

/// `GET /api/session`: everything the main page shows about the Chaster session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    pub role: Role,
    /// The extension's display name, as configured in Chaster.
    pub extension_name: String,
    pub lock: LockView,
    pub wearer: Person,
    /// `None` for a self-lock.
    pub keyholder: Option<Person>,
}

/// The body of every non-2xx answer from `/api`: a message written for the person in front of
/// the page, plus a stable code the frontend may branch on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub code: ErrorCode,
    /// English, the fallback when the page has no wording for `reason`.
    pub message: String,
    /// Seconds to wait before trying again, when the server knows.
    pub retry_after_secs: Option<u64>,
    /// A stable name of this exact failure (`box_offline`), which the page words in the reader's
    /// language (message `error-box-offline` of its message files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The values that wording names, by name. Names ending in `_at` are RFC 3339 times, which the
    /// page shows in the reader's time zone; never a secret or an internal detail.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, String>,
}

impl ApiError {
    /// An error without a reason of its own: the page shows `message` as it is.
    pub fn new(code: ErrorCode, message: impl Into<String>, retry_after_secs: Option<u64>) -> Self {
        Self {
            code,
            message: message.into(),
            retry_after_secs,
            reason: None,
            params: BTreeMap::new(),
        }
    }

    /// Names the failure for the page's wording, with the values it needs.
    pub fn because(mut self, reason: &str, params: &[(&str, String)]) -> Self {
        self.reason = Some(reason.to_owned());
        self.params = params
            .iter()
            .map(|(name, value)| ((*name).to_owned(), value.clone()))
            .collect();
        self
    }
}

/// A sentence of the server that the page words in the reader's language: `reason` names it
/// (message `<prefix>-<reason>` of the page's message files, the prefix given by the field that
/// carries it) with the values in `params`, named as for [`ApiError`]; `message` is the English
/// fallback. Never a secret or an internal detail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sentence {
    /// English, shown when the page has no wording for `reason`.
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, String>,
}

impl Sentence {
    /// A sentence with its stable `reason` and the values its wording names.
    pub fn new(reason: &str, message: impl Into<String>, params: &[(&str, String)]) -> Self {
        Self {
            message: message.into(),
            reason: Some(reason.to_owned()),
            params: params
                .iter()
                .map(|(name, value)| ((*name).to_owned(), value.clone()))
                .collect(),
        }
    }
}

/// Stable error codes of our `/api`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// No or malformed `Authorization: Bearer <mainToken>`.
    MissingToken,
    /// Chaster no longer knows the token: reopen the extension.
    SessionExpired,
    /// The caller's role may not do this.
    Forbidden,
    NotFound,
    /// The request was understood but its content is not acceptable.
    Invalid,
    /// Chaster or CANDY HOUSE failed or timed out; trying again may help.
    UpstreamUnavailable,
    /// Too many requests, ours or an upstream's.
    RateLimited,
    /// The Sesame refused or failed the command (busy, low battery, offline, …).
    DeviceError,
    /// Not possible in the lock's current state (e.g. the lock has ended, or holds the box).
    Conflict,
    Internal,
}

// ---------------------------------------------------------------------------------------------
// The Sesame box (issue 4).
// ---------------------------------------------------------------------------------------------

/// Which CANDY HOUSE API drives the box.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceApi {
    /// SESAME 3, 4 and 5 through the Web API (`x-api-key`, signed commands).
    WebApi,
    /// The original Sesame through the legacy v3 API (`task_id` polling).
    LegacyV3,
}

/// The latch position as last reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LatchState {
    Locked,
    Unlocked,
    /// Between the locked and the unlocked range (CANDY HOUSE's `moved`): jammed or half-turned.
    Jammed,
    Unknown,
}

/// Live status of a box.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BoxStatus {
    pub latch: LatchState,
    pub battery_percent: Option<u8>,
    /// True when battery_percent is at or below the warning threshold.
    pub battery_low: bool,
    /// False when the hub or the lock did not answer, or the status is stale.
    pub reachable: bool,
    /// When the device last reported this status (RFC 3339), if known.
    pub last_update: Option<String>,
}

/// A connected box as both roles may see it. Never carries a credential.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeviceView {
    pub nickname: String,
    pub api: DeviceApi,
    /// Human model name, e.g. "SESAME 5" or "Sesame (original)".
    pub model: String,
    /// `None` when the status could not be read; `status_error` says why. Also set when the
    /// status is only the last one an offline box reported.
    pub status: Option<BoxStatus>,
    /// Worded by the page as message `error-<reason>`.
    pub status_error: Option<Sentence>,
    /// Requests made with this box's API key this month (the Web API's free tier is ~3,000).
    pub requests_this_month: u64,
    /// What the viewer may do with the box right now (custody decides: e.g. the wearer may
    /// open it once Chaster has ended the lock that held it).
    pub can_open: bool,
    pub can_lock: bool,
    /// Whether the viewer's lock holds the box (nothing about the wearer's other locks).
    pub holds_box: bool,
    /// A sentence about what this box can do, e.g. that it cannot be locked remotely; worded by
    /// the page as message `notice-<reason>`.
    #[serde(default)]
    pub notice: Option<Sentence>,
    /// The CANDY HOUSE request budget (Web API boxes; the legacy API is not metered).
    #[serde(default)]
    pub budget: Option<RequestBudget>,
    /// Set while the box is open because this lock's keyholder opened it: since when.
    #[serde(default)]
    pub opened_by_keyholder_at: Option<String>,
    /// A deserted lock's box opens by itself at this time (Chaster's 7-day wait).
    #[serde(default)]
    pub opens_at: Option<String>,
    /// This lock holds the box and its settings open it when Chaster ends the lock.
    #[serde(default)]
    pub opens_on_release: bool,
}

/// The box's share of its API key's monthly CANDY HOUSE requests, as the page shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RequestBudget {
    /// Requests the plan allows a month (the free tier: 3,000).
    pub monthly_quota: u64,
    /// Requests kept for openings: the tamper watch and page views never spend them.
    pub reserve: u64,
    /// How old the status shown is, in seconds: page views share the last reading.
    pub reading_age_secs: Option<u64>,
    /// Set while the month's quota is used up: what to tell the person (message
    /// `error-<reason>`).
    pub quota_message: Option<Sentence>,
    /// The viewer may ask for a try now (the wearer, while the quota is used up).
    pub can_retry_now: bool,
}

/// `GET /api/device`: the box bound to this session's wearer, if any.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeviceSlot {
    pub device: Option<DeviceView>,
    /// True when the viewer may connect, replace or remove the box now (the wearer, unless a
    /// running lock holds it).
    pub can_manage: bool,
}

/// `POST /api/device/test` and `PUT /api/device`: the wearer connects their own box.
/// The only request that carries credentials; none of them is ever sent back, and its `Debug`
/// shows neither the API key nor the secret (a logged request must not leak them).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceRegistration {
    pub api: DeviceApi,
    pub nickname: String,
    pub api_key: String,
    /// Web API: the device UUID. Legacy v3: the `device_id`.
    pub device_id: String,
    /// Web API only: 32 hex characters, or the text of the owner's key-share QR code.
    pub secret: Option<String>,
    /// Web API with a hex secret: the model the wearer picked (a QR code names its own), one of
    /// [`SESAME_MODELS`]. `None`: a SESAME lock.
    #[serde(default)]
    pub model: Option<String>,
}

impl std::fmt::Debug for DeviceRegistration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const REDACTED: &str = "[REDACTED]";
        f.debug_struct("DeviceRegistration")
            .field("api", &self.api)
            .field("nickname", &self.nickname)
            .field("api_key", &REDACTED)
            .field("device_id", &self.device_id)
            .field("secret", &self.secret.as_ref().map(|_| REDACTED))
            .field("model", &self.model)
            .finish()
    }
}

/// What "Test connection" found: the box's reading after the test and how control was proven.
/// Nothing is saved.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConnectionTest {
    /// The model as it would be saved (from the QR code, the model picked, or CANDY HOUSE).
    pub model: String,
    /// The reading after the test command (the box should now be locked).
    pub status: BoxStatus,
    pub proof: ConnectionProof,
}

/// How the test proved that these credentials move this box.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionProof {
    /// Web API: our lock command, with a one-time tag, is in the box's own history.
    TaggedLockInHistory,
    /// Original Sesame: CANDY HOUSE reported our lock task completed.
    LockTaskCompleted,
    /// An unlock-only box (SESAME Bike) cannot be sent a lock: control is proven at its first
    /// opening.
    AtFirstOpening,
}

/// The models the connect form offers for a hex secret; the server judges each (only locks
/// are accepted, a SESAME Bike as unlock-only).
pub const SESAME_MODELS: &[&str] = &[
    "SESAME 3",
    "SESAME 4",
    "SESAME 5",
    "SESAME 5 Pro",
    "SESAME 5 US",
    "SESAME 6",
    "SESAME 6 Pro",
    "SESAME 6 Pro sliding door",
    "SESAME MIWA",
    "SESAME Bike",
    "SESAME Bike 2",
    "SESAME Bike 3",
    "SESAME Bot 2",
    "SESAME Touch",
    "SESAME Touch 2 Pro",
    "SESAME Remote",
    "SESAME Open Sensor",
    "SESAME Face",
    "Hub 3",
];

/// The honest outcome of a box command after re-reading the status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommandOutcome {
    /// The box reports the requested position.
    Confirmed,
    /// The command was accepted but the status did not change in time.
    NotConfirmed,
    /// The box reports the opposite position.
    Mismatch,
    /// The box reports a position between locked and unlocked, even after one resend.
    Jammed,
}

/// `POST /api/device/open` and `POST /api/device/lock`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CommandResult {
    pub outcome: CommandOutcome,
    /// A sentence for the person who pressed the button (English, the fallback).
    pub message: String,
    /// The stable name of `message` (`box_reports_locked`), which the page words in the reader's
    /// language (message `result-…`); `params` as for [`ApiError`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, String>,
    pub status: Option<BoxStatus>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_and_states_use_snake_case_on_the_wire() {
        assert_eq!(
            serde_json::to_string(&Role::Keyholder).unwrap(),
            "\"keyholder\""
        );
        assert_eq!(
            serde_json::to_string(&DeviceApi::LegacyV3).unwrap(),
            "\"legacy_v3\""
        );
        assert_eq!(
            serde_json::to_string(&ErrorCode::SessionExpired).unwrap(),
            "\"session_expired\""
        );
    }

    #[test]
    fn a_registration_prints_neither_the_api_key_nor_the_secret_and_keeps_its_wire_format() {
        let r = DeviceRegistration {
            api: DeviceApi::WebApi,
            nickname: "Box".into(),
            api_key: "key-0123456789".into(),
            device_id: "U-1".into(),
            secret: Some("0b3e5f1665e143b59180c915fa4b06d9".into()),
            model: None,
        };
        let printed = format!("{r:?}");
        assert!(
            printed.contains("U-1") && printed.contains("Box"),
            "{printed}"
        );
        assert!(
            !printed.contains("key-0123456789") && !printed.contains("0b3e5f"),
            "{printed}"
        );
        let wire = serde_json::to_value(&r).unwrap();
        assert_eq!(wire["api_key"], "key-0123456789");
        assert_eq!(wire["secret"], "0b3e5f1665e143b59180c915fa4b06d9");
    }
}

// ---------------------------------------------------------------------------------------------
// Keyholder controls, configuration page, history, dashboard (issue 6).
// ---------------------------------------------------------------------------------------------

/// What to do when the box is found open during the session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum PenaltyKind {
    #[default]
    None,
    AddTime,
    /// Only with a keyholder at the time of the incident; on a self-lock it blocks unlocking.
    Freeze,
    /// The wearer cannot unlock while the box is open (or until the bound passes).
    BlockUnlocking,
}

/// How long a penalty that holds the lock (freeze, block unlocking) lasts at most by default.
pub const DEFAULT_PENALTY_BOUND_HOURS: u32 = 24;

/// The penalty for a box found open; `minutes` only counts for `AddTime`, `bound_hours` for
/// `Freeze` and `BlockUnlocking` (lifted when the box is locked again, or after this long).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Penalty {
    pub kind: PenaltyKind,
    #[serde(default)]
    pub minutes: u32,
    #[serde(default = "default_bound_hours", rename = "boundHours")]
    pub bound_hours: u32,
}

fn default_bound_hours() -> u32 {
    DEFAULT_PENALTY_BOUND_HOURS
}

impl Default for Penalty {
    fn default() -> Self {
        Penalty {
            kind: PenaltyKind::None,
            minutes: 0,
            bound_hours: DEFAULT_PENALTY_BOUND_HOURS,
        }
    }
}

/// The keyholder's policy, stored as the extension's Chaster `config`, which everyone who can see
/// the lock can read: it must never hold a secret. The camelCase names are the keys in `config`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ExtensionConfig {
    /// Open the box when the lock is released (keyholder unlock or timer end).
    pub open_on_release: bool,
    /// Open the box for hygiene openings and lock it again afterwards.
    pub open_for_hygiene: bool,
    /// Open the box when the session is deserted.
    pub open_on_deserted: bool,
    pub penalty: Penalty,
    /// The wearer may lock the box themselves.
    pub wearer_may_lock: bool,
    /// Warn at or below this battery level (percent).
    pub low_battery_percent: u8,
}

impl Default for ExtensionConfig {
    fn default() -> Self {
        Self {
            open_on_release: true,
            open_for_hygiene: true,
            open_on_deserted: true,
            penalty: Penalty::default(),
            wearer_may_lock: true,
            low_battery_percent: 30,
        }
    }
}

/// `GET /api/config` (Bearer partnerConfigurationToken): the current policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigView {
    pub config: ExtensionConfig,
    pub role: Role,
    /// True when a keyholder edits a running session rather than creating a lock.
    pub editing_running_session: bool,
}

/// `POST /api/controls/time`: positive adds time, negative removes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeChange {
    pub seconds: i64,
}

/// `POST /api/controls/freeze`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FreezeChange {
    pub frozen: bool,
}

/// The answer to a keyholder control: what happened, and the session as it is now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControlResult {
    /// What happened (English, the fallback).
    pub message: String,
    /// The stable name of `message` (`box_reports_locked`), which the page words in the reader's
    /// language (message `result-…`); `params` as for [`ApiError`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, String>,
    pub session: SessionView,
}

/// One entry of the lock's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub title: String,
    pub description: String,
    pub created_at: String,
    /// FontAwesome name without the `fa-` prefix, when Chaster gives one.
    pub icon: Option<String>,
    /// True for entries this extension wrote.
    pub by_this_extension: bool,
    /// Who acted, by name, when the entry says (a person, the extension or Chaster).
    #[serde(default)]
    pub actor: Option<String>,
}

/// `GET /api/history?after=<cursor>`: newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryPage {
    pub entries: Vec<HistoryEntry>,
    /// Pass as `after` to get the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}

/// One wearer session on the keyholder dashboard. `handle` is an opaque id minted by our server,
/// never Chaster's `sessionId`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DashboardSession {
    pub handle: String,
    pub session: SessionView,
    pub device: DeviceSlot,
    /// When Chaster released the lock (RFC 3339); `None` while it runs. A released lock stays
    /// on the dashboard for a week, without controls.
    #[serde(default)]
    pub ended_at: Option<String>,
}

/// `GET /api/dashboard` (session cookie): the signed-in keyholder's sessions using this extension.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DashboardView {
    pub keyholder: Person,
    pub sessions: Vec<DashboardSession>,
    /// Send back as `X-CSRF-Token` on every state-changing dashboard request.
    pub csrf_token: String,
}
