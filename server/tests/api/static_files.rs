use serde_json::Value;

use crate::helpers::{spawn_app, spawn_app_with, INDEX_HTML};

#[tokio::test]
async fn the_index_is_served_at_the_root() {
    let app = spawn_app().await;
    let response = app.get("/").await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert_eq!(response.text().await.unwrap(), INDEX_HTML);
}

#[tokio::test]
async fn unknown_page_paths_fall_back_to_the_index() {
    let app = spawn_app().await;
    let response = app.get("/configuration/some/deep/link").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), INDEX_HTML);
}

#[tokio::test]
async fn the_connect_page_the_configuration_page_and_the_dashboard_are_served_from_their_own_builds(
) {
    let app = spawn_app().await;
    let dist = app.dir.path().join("dist");
    for page in ["connect", "configure", "dashboard"] {
        std::fs::create_dir_all(dist.join(page)).unwrap();
        std::fs::write(
            dist.join(page).join("index.html"),
            format!("the {page} page"),
        )
        .unwrap();
    }
    std::fs::write(
        dist.join("configure/config_page-0123456789abcdef.js"),
        "cfg",
    )
    .unwrap();
    std::fs::write(dist.join("connect/qr_worker_loader.js"), "worker").unwrap();
    for (path, body) in [
        ("/connect/", "the connect page"),
        ("/connect/qr_worker_loader.js", "worker"),
        ("/configure", "the configure page"),
        ("/configure/", "the configure page"),
        ("/dashboard", "the dashboard page"),
        ("/dashboard/some/link", "the dashboard page"),
        ("/configure/config_page-0123456789abcdef.js", "cfg"),
        ("/", INDEX_HTML),
        ("/configured", INDEX_HTML),
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.text().await.unwrap(), body, "{path}");
    }
}

#[tokio::test]
async fn a_build_of_the_main_page_alone_serves_it_for_every_page() {
    // `trunk serve` or an older build: no configure/ or dashboard/ directory.
    let app = spawn_app().await;
    for path in ["/configure", "/dashboard"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.text().await.unwrap(), INDEX_HTML, "{path}");
    }
}

#[tokio::test]
async fn built_assets_are_served_as_files() {
    let app = spawn_app().await;
    std::fs::write(app.dir.path().join("dist/app-1234.js"), "console.log(1)").unwrap();
    let response = app.get("/app-1234.js").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "console.log(1)");
}

#[tokio::test]
async fn unknown_api_paths_are_json_404s_not_the_index() {
    let app = spawn_app().await;
    for path in ["/api/unknown", "/api/session/extra", "/api"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 404, "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"], "not_found", "{path}");
    }
}

#[tokio::test]
async fn without_a_build_the_page_says_how_to_build_it() {
    let app = spawn_app_with(|s| s.dist_dir = s.dist_dir.join("missing")).await;
    let response = app.get("/").await;
    assert_eq!(response.status(), 503);
    assert!(response.text().await.unwrap().contains("trunk build"));
}

#[tokio::test]
async fn pages_may_be_framed_by_chaster_only_and_carry_the_security_headers() {
    let app = spawn_app_with(|s| {
        s.chaster.origins = vec!["https://chaster.app".into(), "http://127.0.0.1:9000".into()]
    })
    .await;
    // Pages may be framed by Chaster; JSON may not be framed at all (security_headers.rs has
    // the whole policies).
    for (path, framing) in [
        (
            "/",
            "frame-ancestors https://chaster.app http://127.0.0.1:9000",
        ),
        ("/api/session", "frame-ancestors 'none'"),
    ] {
        let response = app.get(path).await;
        let headers = response.headers();
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.split("; ").any(|directive| directive == framing),
            "{path}: {csp}"
        );
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["referrer-policy"], "no-referrer");
        assert!(headers.get("x-frame-options").is_none());
        assert!(headers.get("x-request-id").is_some());
    }
}

#[tokio::test]
async fn health_answers_ok() {
    let app = spawn_app().await;
    let response = app.get("/health").await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
}
