//! The simulated Chaster page: `host/host.html` served from its own loopback origin, embedding
//! the app in an iframe the way Chaster's extension modal does.

use std::path::{Path, PathBuf};

use axum::{
    http::{header, StatusCode},
    response::{Html, IntoResponse, Response},
    routing::get,
    Router,
};
use sim::chaster::{
    EXPIRED_TOKEN, FROZEN_TOKEN, HIDDEN_TIMER_TOKEN, KEYHOLDER_TOKEN, WEARER_TOKEN,
};
use tokio::{net::TcpListener, task::JoinHandle};

const HOST_HTML: &str = include_str!("../host/host.html");
/// The iframe-resizer v4 parent script Chaster runs, where `scripts/setup.sh` installs it.
const RESIZER_PARENT_JS: &str = ".tools/node_modules/iframe-resizer/js/iframeResizer.js";

/// The host page with `app_url` (no trailing slash) in its iframe and a role switcher.
pub fn render(app_url: &str) -> String {
    let roles = [
        ("Wearer", WEARER_TOKEN),
        ("Keyholder", KEYHOLDER_TOKEN),
        ("Hidden timer", HIDDEN_TIMER_TOKEN),
        ("Frozen lock", FROZEN_TOKEN),
        ("Expired token", EXPIRED_TOKEN),
    ];
    // JSON is also a valid JavaScript literal, so the values arrive escaped.
    HOST_HTML
        .replace("\"{{APP_URL}}\"", &serde_json::json!(app_url).to_string())
        .replace("{{ROLES_JSON}}", &serde_json::json!(roles).to_string())
}

/// Serves the host page on `listener` until the returned task is aborted.
pub fn serve(listener: TcpListener, app_url: &str) -> JoinHandle<()> {
    let page = render(app_url);
    let router = Router::new()
        .route("/", get(move || async move { Html(page) }))
        .route("/iframeResizer.js", get(resizer_parent_script));
    tokio::spawn(async move {
        // Ends only when aborted; an I/O error here shows up as failing page loads.
        let _ = axum::serve(listener, router).await;
    })
}

/// `/iframeResizer.js`, read from the workspace's `.tools` (this file is also built into the
/// `sim` binary, so the workspace is looked up from either crate's directory and from the
/// current one).
async fn resizer_parent_script() -> Response {
    let found = resizer_parent_path().and_then(|path| std::fs::read_to_string(path).ok());
    match found {
        Some(js) => ([(header::CONTENT_TYPE, "text/javascript")], js).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            format!("{RESIZER_PARENT_JS} not found: run scripts/setup.sh"),
        )
            .into_response(),
    }
}

fn resizer_parent_path() -> Option<PathBuf> {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf();
    let current = std::env::current_dir().ok();
    [Some(crate_dir), current]
        .into_iter()
        .flatten()
        .flat_map(|start| start.ancestors().map(Path::to_path_buf).collect::<Vec<_>>())
        .map(|dir| dir.join(RESIZER_PARENT_JS))
        .find(|path| path.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rendered_host_page_embeds_the_app_url_and_every_role_token() {
        let html = render("http://localhost:1234");
        assert!(html.contains("const APP_URL = \"http://localhost:1234\";"));
        for token in [
            WEARER_TOKEN,
            KEYHOLDER_TOKEN,
            HIDDEN_TIMER_TOKEN,
            FROZEN_TOKEN,
        ] {
            assert!(
                html.contains(token),
                "{token} missing from the role switcher"
            );
        }
        assert!(!html.contains("{{"), "a placeholder was left unreplaced");
    }
}
