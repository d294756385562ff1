//! Every visit works: the document carries its headers on a 304 too (Chromium merges a 304's
//! headers into the page it cached), it is revalidated on every visit, trunk's hashed files are
//! cached for a year, and files go out precompressed when the build left a compressed copy.

use reqwest::header::{
    ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_SECURITY_POLICY, IF_MODIFIED_SINCE,
    LAST_MODIFIED, VARY,
};
use reqwest::{Response, StatusCode};

use crate::helpers::{spawn_app_with, TestApp, INDEX_HTML};

const NON_PAGE_POLICY: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
const HASHED_WASM: &str = "/frontend-ca78234881bb974d_bg.wasm";

async fn framed_app() -> TestApp {
    spawn_app_with(|s| s.chaster.origins = vec!["http://127.0.0.1:9000".into()]).await
}

fn header(response: &Response, name: impl reqwest::header::AsHeaderName) -> &str {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap())
        .unwrap_or("")
}

async fn get_with(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> Response {
    let mut request = app.client.get(format!("{}{path}", app.address));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.expect("the app answers")
}

fn assert_page_headers(response: &Response, what: &str) {
    let csp = header(response, CONTENT_SECURITY_POLICY);
    assert!(
        csp.starts_with("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'"),
        "{what}: {csp}"
    );
    assert!(
        csp.ends_with("; frame-ancestors http://127.0.0.1:9000"),
        "{what}: {csp}"
    );
    assert_eq!(header(response, CACHE_CONTROL), "no-cache", "{what}");
    assert_eq!(header(response, "x-content-type-options"), "nosniff");
    assert_eq!(header(response, "referrer-policy"), "no-referrer");
}

#[tokio::test]
async fn a_conditional_get_of_the_page_is_a_304_with_the_page_policy_and_no_cache() {
    let app = framed_app().await;
    for path in ["/", "/dashboard", "/configuration/some/deep/link"] {
        let first = app.get(path).await;
        assert_eq!(first.status(), 200, "{path}");
        assert_page_headers(&first, path);
        let last_modified = header(&first, LAST_MODIFIED).to_owned();
        assert!(!last_modified.is_empty(), "{path}: no Last-Modified");

        let again = get_with(&app, path, &[(IF_MODIFIED_SINCE.as_str(), &last_modified)]).await;
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{path}");
        // The 304 has no Content-Type; the headers still come from the route.
        assert_page_headers(&again, &format!("{path} (304)"));
    }
}

#[tokio::test]
async fn hashed_files_are_cached_for_a_year_and_other_files_are_revalidated() {
    let app = framed_app().await;
    let dist = app.dir.path().join("dist");
    std::fs::write(dist.join(&HASHED_WASM[1..]), b"\0asm").unwrap();
    std::fs::write(dist.join("robots.txt"), "User-agent: *").unwrap();

    let hashed = app.get(HASHED_WASM).await;
    assert_eq!(hashed.status(), 200);
    assert_eq!(
        header(&hashed, CACHE_CONTROL),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(header(&hashed, CONTENT_SECURITY_POLICY), NON_PAGE_POLICY);
    assert_eq!(header(&hashed, VARY), "accept-encoding");
    assert_eq!(header(&hashed, "content-type"), "application/wasm");
    let last_modified = header(&hashed, LAST_MODIFIED).to_owned();
    let revalidated = get_with(
        &app,
        HASHED_WASM,
        &[(IF_MODIFIED_SINCE.as_str(), &last_modified)],
    )
    .await;
    assert_eq!(revalidated.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(
        header(&revalidated, CONTENT_SECURITY_POLICY),
        NON_PAGE_POLICY
    );

    let plain = app.get("/robots.txt").await;
    assert_eq!(plain.status(), 200);
    assert_eq!(header(&plain, CACHE_CONTROL), "no-cache");

    // JSON keeps `no-store`: its answers depend on the bearer token.
    let api = app.get("/api/session").await;
    assert_eq!(header(&api, CACHE_CONTROL), "no-store");
    assert_eq!(header(&api, CONTENT_SECURITY_POLICY), NON_PAGE_POLICY);
}

#[tokio::test]
async fn files_go_out_precompressed_when_the_build_left_a_copy_and_plain_otherwise() {
    let app = framed_app().await;
    let dist = app.dir.path().join("dist");
    let js = "/frontend-ca78234881bb974d.js";
    std::fs::write(dist.join(&js[1..]), "plain").unwrap();
    std::fs::write(dist.join(format!("{}.br", &js[1..])), "brotli bytes").unwrap();
    std::fs::write(dist.join(format!("{}.gz", &js[1..])), "gzip bytes").unwrap();
    std::fs::write(dist.join(&HASHED_WASM[1..]), "only plain").unwrap();

    for (accepts, encoding, body) in [
        ("br, gzip", "br", "brotli bytes"),
        ("gzip", "gzip", "gzip bytes"),
        ("identity", "", "plain"),
    ] {
        let response = get_with(&app, js, &[(ACCEPT_ENCODING.as_str(), accepts)]).await;
        assert_eq!(response.status(), 200, "{accepts}");
        assert_eq!(header(&response, CONTENT_ENCODING), encoding, "{accepts}");
        assert_eq!(header(&response, "content-type"), "text/javascript");
        assert_eq!(response.text().await.unwrap(), body, "{accepts}");
    }
    // No compressed copy: the file as it is.
    let response = get_with(&app, HASHED_WASM, &[(ACCEPT_ENCODING.as_str(), "br, gzip")]).await;
    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, CONTENT_ENCODING), "");
    assert_eq!(response.text().await.unwrap(), "only plain");
}

#[tokio::test]
async fn the_document_is_never_sent_from_a_compressed_copy_that_may_be_stale() {
    let app = framed_app().await;
    let dist = app.dir.path().join("dist");
    std::fs::write(dist.join("index.html.br"), "an older build").unwrap();
    let response = get_with(&app, "/", &[(ACCEPT_ENCODING.as_str(), "br")]).await;
    assert_eq!(header(&response, CONTENT_ENCODING), "");
    assert_page_headers(&response, "/");
    assert_eq!(response.text().await.unwrap(), INDEX_HTML);
}

#[tokio::test]
async fn every_answer_on_a_page_route_carries_the_page_headers() {
    let app = framed_app().await;
    // A form posted at the page, or a missing build: still the page's route.
    let posted = app
        .client
        .post(format!("{}/dashboard", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_page_headers(&posted, "POST /dashboard");

    std::fs::remove_file(app.dir.path().join("dist/index.html")).unwrap();
    let missing = app.get("/").await;
    assert_eq!(missing.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_page_headers(&missing, "/ without a build");
}
