//! The simulated Chaster page: `host/host.html` served from its own loopback origin, embedding
//! the app in an iframe the way Chaster's extension modal does.

use axum::{response::Html, routing::get, Router};
use sim::chaster::{
    EXPIRED_TOKEN, FROZEN_TOKEN, HIDDEN_TIMER_TOKEN, KEYHOLDER_TOKEN, WEARER_TOKEN,
};
use tokio::{net::TcpListener, task::JoinHandle};

const HOST_HTML: &str = include_str!("../host/host.html");

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
    let router = Router::new().route("/", get(move || async move { Html(page) }));
    tokio::spawn(async move {
        // Ends only when aborted; an I/O error here shows up as failing page loads.
        let _ = axum::serve(listener, router).await;
    })
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
