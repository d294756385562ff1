//! The only module that talks to the network, and only to our own origin (`/api/...`).
//!
//! The iframe pages send Chaster's token as `Authorization: Bearer …`; the dashboard
//! ([`dashboard`]) relies on its session cookie instead. Every failure becomes an [`ApiError`].

pub mod dashboard;
mod early;
mod transport;

use crate::hash::MainToken;
use api_types::{
    ApiError, CommandResult, ConfigView, ConnectionTest, ControlResult, DeviceRegistration,
    DeviceSlot, DeviceView, ExtensionConfig, FreezeChange, HistoryPage, SessionView, TimeChange,
};
use gloo_net::http::Request;
use transport::{error_of, read_json, send, send_json, Abort, Auth};

pub use transport::error_from_answer;

/// A keyholder control, the same on the iframe page and on the dashboard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    /// Positive adds time, negative removes it.
    ChangeTime {
        seconds: i64,
    },
    SetFrozen(bool),
    HygieneOpening,
    /// Ends the open-box penalty (a block on unlocking, or our freeze) now.
    ClearPenalty,
}

/// `GET /api/session`; the first read takes the answer of the request index.html started.
pub async fn get_session(token: &MainToken) -> Result<SessionView, ApiError> {
    if let Some(early) = early::take_session(token).await {
        let response = early.map_err(|()| transport::unreachable_server())?;
        return read_json(response).await;
    }
    read_json(
        send(
            Request::get("/api/session"),
            Auth::Bearer(token),
            Abort::OnCleanup,
        )
        .await?,
    )
    .await
}

/// `GET /api/device`.
pub async fn get_device(token: &MainToken) -> Result<DeviceSlot, ApiError> {
    read_json(
        send(
            Request::get("/api/device"),
            Auth::Bearer(token),
            Abort::OnCleanup,
        )
        .await?,
    )
    .await
}

/// `POST /api/device/test`: checks the credentials against CANDY HOUSE and the box; nothing
/// is saved.
pub async fn test_device(
    token: &MainToken,
    registration: &DeviceRegistration,
) -> Result<ConnectionTest, ApiError> {
    let post = Request::post("/api/device/test");
    read_json(send_json(post, Auth::Bearer(token), registration).await?).await
}

/// `PUT /api/device`: connects (or replaces) the wearer's box.
pub async fn save_device(
    token: &MainToken,
    registration: &DeviceRegistration,
) -> Result<DeviceView, ApiError> {
    let put = Request::put("/api/device");
    read_json(send_json(put, Auth::Bearer(token), registration).await?).await
}

/// `DELETE /api/device`.
pub async fn remove_device(token: &MainToken) -> Result<(), ApiError> {
    let response = send(
        Request::delete("/api/device"),
        Auth::Bearer(token),
        Abort::Never,
    )
    .await?;
    if response.ok() {
        Ok(())
    } else {
        Err(error_of(response).await)
    }
}

/// `POST /api/device/open`.
pub async fn open_box(token: &MainToken) -> Result<CommandResult, ApiError> {
    let post = Request::post("/api/device/open");
    read_json(send(post, Auth::Bearer(token), Abort::Never).await?).await
}

/// `POST /api/device/quota/retry`: "Try again now" while the monthly quota is used up.
pub async fn retry_quota(token: &MainToken) -> Result<DeviceView, ApiError> {
    let post = Request::post("/api/device/quota/retry");
    read_json(send(post, Auth::Bearer(token), Abort::Never).await?).await
}

/// `POST /api/device/lock`.
pub async fn lock_box(token: &MainToken) -> Result<CommandResult, ApiError> {
    let post = Request::post("/api/device/lock");
    read_json(send(post, Auth::Bearer(token), Abort::Never).await?).await
}

/// `POST /api/controls/time|freeze|hygiene-opening` (keyholder only).
pub async fn control(token: &MainToken, control: Control) -> Result<ControlResult, ApiError> {
    send_control("/api/controls", Auth::Bearer(token), control).await
}

/// `GET /api/history?after=<cursor>`: the first page without a cursor. The first page is read
/// by a resource and aborted when it reloads; older pages are asked for by a button and are not.
pub async fn get_history(token: &MainToken, after: Option<&str>) -> Result<HistoryPage, ApiError> {
    let abort = if after.is_some() {
        Abort::Never
    } else {
        Abort::OnCleanup
    };
    let get = Request::get("/api/history").query(after.map(|cursor| ("after", cursor)));
    read_json(send(get, Auth::Bearer(token), abort).await?).await
}

/// `GET /api/config`, with the configuration page's `partnerConfigurationToken`.
pub async fn get_config(token: &MainToken) -> Result<ConfigView, ApiError> {
    read_json(
        send(
            Request::get("/api/config"),
            Auth::Bearer(token),
            Abort::OnCleanup,
        )
        .await?,
    )
    .await
}

/// `PUT /api/config`: the server checks the policy and stores it in Chaster.
pub async fn save_config(token: &MainToken, config: &ExtensionConfig) -> Result<(), ApiError> {
    let response = send_json(Request::put("/api/config"), Auth::Bearer(token), config).await?;
    if response.ok() {
        Ok(())
    } else {
        Err(error_of(response).await)
    }
}

/// A control under `base` (`/api/controls` or a dashboard session's path).
async fn send_control(
    base: &str,
    auth: Auth<'_>,
    control: Control,
) -> Result<ControlResult, ApiError> {
    let response = match control {
        Control::ChangeTime { seconds } => {
            let post = Request::post(&format!("{base}/time"));
            send_json(post, auth, &TimeChange { seconds }).await?
        }
        Control::SetFrozen(frozen) => {
            let post = Request::post(&format!("{base}/freeze"));
            send_json(post, auth, &FreezeChange { frozen }).await?
        }
        Control::HygieneOpening => {
            let post = Request::post(&format!("{base}/hygiene-opening"));
            send(post, auth, Abort::Never).await?
        }
        Control::ClearPenalty => {
            let post = Request::post(&format!("{base}/penalty/clear"));
            send(post, auth, Abort::Never).await?
        }
    };
    read_json(response).await
}
