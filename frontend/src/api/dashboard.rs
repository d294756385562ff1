//! The keyholder dashboard, outside Chaster's iframe: it is signed in with a session cookie of
//! our own origin (never a mainToken), and every state-changing request carries the CSRF token
//! that `GET /api/dashboard` handed out.

use super::transport::{error_of, read_json, send, Abort, Auth};
use super::{send_control, Control};
use api_types::{ApiError, CommandResult, ControlResult, DashboardView};
use gloo_net::http::Request;

/// Where the "Sign in with Chaster" link goes; the server redirects to Chaster's sign-in.
pub const LOGIN_PATH: &str = "/auth/login";

/// A session on the dashboard: its opaque handle and the CSRF token to send with commands.
#[derive(Clone, Copy, Debug)]
pub struct Target<'a> {
    pub handle: &'a str,
    pub csrf: &'a str,
}

/// `GET /api/dashboard`; a 401 `session_expired` means "not signed in".
pub async fn get_dashboard() -> Result<DashboardView, ApiError> {
    let get = Request::get("/api/dashboard");
    read_json(send(get, Auth::Cookie { csrf: None }, Abort::OnCleanup).await?).await
}

/// `POST /api/dashboard/sessions/{handle}/time|freeze|hygiene-opening`.
pub async fn control(target: Target<'_>, control: Control) -> Result<ControlResult, ApiError> {
    let auth = Auth::Cookie {
        csrf: Some(target.csrf),
    };
    send_control(&session_path(target.handle), auth, control).await
}

/// `POST /api/dashboard/sessions/{handle}/open-box|lock-box`.
pub async fn box_command(target: Target<'_>, open: bool) -> Result<CommandResult, ApiError> {
    let action = if open { "open-box" } else { "lock-box" };
    let post = Request::post(&format!("{}/{action}", session_path(target.handle)));
    let auth = Auth::Cookie {
        csrf: Some(target.csrf),
    };
    read_json(send(post, auth, Abort::Never).await?).await
}

/// `POST /auth/logout`.
pub async fn sign_out(csrf: &str) -> Result<(), ApiError> {
    let post = Request::post("/auth/logout");
    let response = send(post, Auth::Cookie { csrf: Some(csrf) }, Abort::Never).await?;
    if response.ok() {
        Ok(())
    } else {
        Err(error_of(response).await)
    }
}

/// The handle is minted by our server, but it still goes into a path: anything but the
/// unreserved characters is percent-encoded, so it can never climb out of its segment.
fn session_path(handle: &str) -> String {
    let mut path = String::from("/api/dashboard/sessions/");
    for byte in handle.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            path.push(char::from(byte));
        } else {
            path.push_str(&format!("%{byte:02X}"));
        }
    }
    path
}

#[cfg(test)]
mod tests {
    use super::session_path;

    #[test]
    fn a_handle_stays_inside_its_path_segment() {
        assert_eq!(session_path("h_1-a.b~"), "/api/dashboard/sessions/h_1-a.b~");
        assert_eq!(
            session_path("../x/y?z"),
            "/api/dashboard/sessions/..%2Fx%2Fy%3Fz"
        );
    }
}
