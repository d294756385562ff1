//! The headers of pages and of everything else: the page CSP allows trunk's inline bootstrap by
//! hash (following a rebuild), Chaster's framing, avatars and nothing inline; other responses get
//! a policy that allows nothing.

use base64::Engine;
use sha2::{Digest, Sha256};
use sim::chaster::WEARER_TOKEN;

use crate::helpers::{spawn_app_with, TestApp};

const NON_PAGE_POLICY: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

fn hash_of(script: &str) -> String {
    let digest = Sha256::digest(script.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

fn write_index(app: &TestApp, script: &str) {
    let html = format!(
        "<!doctype html><html><head><script src=\"/resizer.js\"></script>\
         <script type=\"module\">{script}</script></head><body></body></html>"
    );
    std::fs::write(app.dir.path().join("dist/index.html"), html).unwrap();
}

async fn csp_of(app: &TestApp, path: &str) -> String {
    let response = app.get(path).await;
    assert!(
        response.headers().get("x-frame-options").is_none(),
        "{path}: X-Frame-Options would stop Chaster's iframe"
    );
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned()
}

async fn chaster_framed_app() -> TestApp {
    spawn_app_with(|s| s.chaster.origins = vec!["http://127.0.0.1:9000".into()]).await
}

#[tokio::test]
async fn the_page_policy_allows_the_served_bootstrap_by_hash_and_nothing_inline() {
    let app = chaster_framed_app().await;
    let bootstrap = "import init from '/frontend-1.js'; await init();";
    write_index(&app, bootstrap);
    let chaster = app.chaster.base_url();
    let expected = format!(
        "default-src 'self'; \
         script-src 'self' 'wasm-unsafe-eval' {}; \
         style-src 'self'; \
         img-src 'self' data: https://*.chaster.app {chaster}; \
         connect-src 'self'; \
         object-src 'none'; \
         base-uri 'none'; \
         form-action 'self' https://sso.chaster.app; \
         frame-ancestors http://127.0.0.1:9000",
        hash_of(bootstrap)
    );
    for path in ["/", "/some/deep/link"] {
        let csp = csp_of(&app, path).await;
        assert_eq!(csp, expected, "{path}");
        assert!(!csp.contains("unsafe-inline"));
    }
}

#[tokio::test]
async fn every_pages_bootstrap_is_allowed_on_every_page() {
    let app = chaster_framed_app().await;
    write_index(&app, "import init from '/main_page-1.js';");
    let dist = app.dir.path().join("dist");
    for page in ["connect", "configure", "dashboard"] {
        std::fs::create_dir_all(dist.join(page)).unwrap();
        let html = format!("<!doctype html><script type=\"module\">{page}();</script>");
        std::fs::write(dist.join(page).join("index.html"), html).unwrap();
    }
    for path in ["/", "/connect/", "/configure", "/dashboard"] {
        let csp = csp_of(&app, path).await;
        for script in [
            "import init from '/main_page-1.js';",
            "connect();",
            "configure();",
            "dashboard();",
        ] {
            assert!(csp.contains(&hash_of(script)), "{path}: {script} in {csp}");
        }
    }
}

#[tokio::test]
async fn a_rebuilt_index_is_allowed_without_a_restart() {
    let app = chaster_framed_app().await;
    write_index(&app, "console.log('build 1')");
    assert!(csp_of(&app, "/")
        .await
        .contains(&hash_of("console.log('build 1')")));

    // A rebuild while the server runs (another length, so even a coarse mtime shows it).
    write_index(&app, "console.log('build two')");
    let csp = csp_of(&app, "/").await;
    assert!(csp.contains(&hash_of("console.log('build two')")), "{csp}");
    assert!(!csp.contains(&hash_of("console.log('build 1')")), "{csp}");
}

#[tokio::test]
async fn json_files_and_errors_get_a_policy_that_allows_nothing() {
    let app = chaster_framed_app().await;
    std::fs::write(app.dir.path().join("dist/app.js"), "console.log(1)").unwrap();
    for path in ["/api/session", "/api/nothing-here", "/health", "/app.js"] {
        assert_eq!(csp_of(&app, path).await, NON_PAGE_POLICY, "{path}");
    }
    let with_token = app.get_session(WEARER_TOKEN).await;
    assert_eq!(with_token.status(), 200);
    assert_eq!(
        with_token.headers()["content-security-policy"],
        NON_PAGE_POLICY
    );
}

#[tokio::test]
async fn server_rendered_pages_get_the_page_policy_too() {
    let app = chaster_framed_app().await;
    // The dashboard is not set up: /auth/login answers with a small HTML page.
    let csp = csp_of(&app, "/auth/login").await;
    assert!(
        csp.starts_with("default-src 'self'; script-src 'self'"),
        "{csp}"
    );
    assert!(
        csp.ends_with("frame-ancestors http://127.0.0.1:9000"),
        "{csp}"
    );
}

#[tokio::test]
async fn the_qr_workers_entry_script_may_load_its_glue_and_wasm_from_our_origin_only() {
    let app = chaster_framed_app().await;
    // Built with the connect page, into its directory.
    let dist = app.dir.path().join("dist").join("connect");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(dist.join("index.html"), "the connect page").unwrap();
    std::fs::write(
        dist.join("qr_worker_loader.js"),
        "importScripts(\"./qr_worker.js\");wasm_bindgen(\"./qr_worker_bg.wasm\");",
    )
    .unwrap();
    std::fs::write(dist.join("qr_worker.js"), "let wasm_bindgen;").unwrap();
    assert_eq!(
        csp_of(&app, "/connect/qr_worker_loader.js").await,
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; \
         frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    );
    let loader = app.get("/connect/qr_worker_loader.js").await;
    assert_eq!(loader.headers()["cache-control"], "no-cache");
    // The glue it imports is an ordinary file: a worker's policy is its entry script's.
    assert_eq!(csp_of(&app, "/connect/qr_worker.js").await, NON_PAGE_POLICY);
}
