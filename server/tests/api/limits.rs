//! Request budgets per page (mainToken) and per address, and the body size limit: refusals are
//! JSON errors the page can show, and Chaster's webhooks are not counted.

use axum::http::HeaderName;
use serde_json::Value;
use server::configuration::{Rate, RateLimitSettings, WebhookAuth};
use sim::chaster::seed::WEARER_A_ID;
use sim::chaster::{HIDDEN_TIMER_TOKEN, KEYHOLDER_TOKEN, WEARER_TOKEN};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{spawn_app_with, TestApp};
use server::domain::UserId;

fn per_token(per_minute: u32, burst: u32) -> RateLimitSettings {
    RateLimitSettings {
        per_token: Rate { per_minute, burst },
        ..RateLimitSettings::off()
    }
}

fn per_ip(per_minute: u32, burst: u32) -> RateLimitSettings {
    RateLimitSettings {
        per_ip: Rate { per_minute, burst },
        ..RateLimitSettings::off()
    }
}

/// Asserts a 429 with the page's message and the same wait in body and header; returns the wait.
async fn assert_rate_limited(response: reqwest::Response) -> u64 {
    assert_eq!(response.status(), 429);
    let header: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "rate_limited");
    assert_eq!(body["retry_after_secs"], header);
    assert_eq!(
        body["message"],
        format!("Too many requests from this page. Wait {header} s and try again.")
    );
    header
}

#[tokio::test]
async fn a_page_over_its_budget_gets_429_with_the_wait_in_body_and_header() {
    // 6 a minute: one request every 10 s after a burst of 3.
    let app = spawn_app_with(|s| s.rate_limits = per_token(6, 3)).await;
    for _ in 0..3 {
        assert_eq!(app.get_session(WEARER_TOKEN).await.status(), 200);
    }
    let wait = assert_rate_limited(app.get_session(WEARER_TOKEN).await).await;
    assert!((1..=10).contains(&wait), "wait {wait} s");
}

#[tokio::test]
async fn different_pages_have_independent_budgets() {
    let app = spawn_app_with(|s| s.rate_limits = per_token(6, 2)).await;
    for _ in 0..2 {
        assert_eq!(app.get_session(WEARER_TOKEN).await.status(), 200);
    }
    assert_rate_limited(app.get_session(WEARER_TOKEN).await).await;
    for _ in 0..2 {
        assert_eq!(app.get_session(KEYHOLDER_TOKEN).await.status(), 200);
    }
    assert_rate_limited(app.get_session(KEYHOLDER_TOKEN).await).await;
}

#[tokio::test]
async fn one_address_cannot_dodge_the_limit_by_switching_tokens() {
    let app = spawn_app_with(|s| s.rate_limits = per_ip(6, 2)).await;
    assert_eq!(app.get_session(WEARER_TOKEN).await.status(), 200);
    assert_eq!(app.get_session(KEYHOLDER_TOKEN).await.status(), 200);
    assert_rate_limited(app.get_session(HIDDEN_TIMER_TOKEN).await).await;
    // Requests without a usable token count against the address too.
    let response = app.get("/api/session").await;
    assert_eq!(response.status(), 429);
}

#[tokio::test]
async fn behind_a_proxy_its_client_address_header_is_what_counts() {
    let app = spawn_app_with(|s| {
        s.rate_limits = RateLimitSettings {
            client_ip_header: Some(HeaderName::from_static("x-forwarded-for")),
            ..per_ip(6, 1)
        }
    })
    .await;
    let from = |app: &TestApp, chain: &str| {
        app.client
            .get(format!("{}/api/session", app.address))
            .bearer_auth(WEARER_TOKEN)
            .header("x-forwarded-for", chain.to_owned())
            .send()
    };
    // The proxy appends the real client; what the client wrote before it does not matter.
    assert_eq!(from(&app, "203.0.113.1").await.unwrap().status(), 200);
    let spoofed = from(&app, "198.51.100.9, 203.0.113.1").await.unwrap();
    assert_rate_limited(spoofed).await;
    assert_eq!(from(&app, "203.0.113.2").await.unwrap().status(), 200);
}

#[tokio::test]
async fn sign_in_pages_count_against_the_address() {
    let app = spawn_app_with(|s| s.rate_limits = per_ip(6, 1)).await;
    assert_ne!(app.get("/auth/login").await.status(), 429);
    assert_rate_limited(app.get("/auth/login").await).await;
}

#[tokio::test]
async fn chasters_webhooks_are_never_rate_limited() {
    let app = spawn_app_with(|s| {
        s.rate_limits = RateLimitSettings {
            per_token: Rate {
                per_minute: 1,
                burst: 1,
            },
            per_ip: Rate {
                per_minute: 1,
                burst: 1,
            },
            client_ip_header: None,
        };
        s.chaster.webhook_auth = Some(WebhookAuth {
            username: "chaster".into(),
            password: "hook-secret".into(),
        });
    })
    .await;
    for _ in 0..5 {
        let response = app
            .client
            .post(format!("{}/webhooks/chaster", app.address))
            .basic_auth("chaster", Some("hook-secret"))
            .header("content-type", "application/json")
            .body("{\"not\": \"an envelope\"}")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "reached the webhook handler");
    }
}

async fn small_body_app() -> TestApp {
    spawn_app_with(|s| s.api_body_limit_bytes = 1024).await
}

fn big_registration() -> String {
    format!(
        "{{\"api\":\"web_api\",\"nickname\":\"{}\",\"api_key\":\"k\",\"device_id\":\"d\",\"secret\":null}}",
        "x".repeat(4096)
    )
}

#[tokio::test]
async fn a_declared_body_over_the_limit_is_a_413_json_error() {
    let app = small_body_app().await;
    let response = app
        .client
        .put(format!("{}/api/device", app.address))
        .bearer_auth(WEARER_TOKEN)
        .header("content-type", "application/json")
        .body(big_registration())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "invalid");
    assert!(body["message"].as_str().unwrap().contains("too large"));
    let stored = app
        .state
        .store
        .get_device(&UserId::new(WEARER_A_ID))
        .await
        .unwrap();
    assert!(stored.is_none(), "nothing was saved");
}

#[tokio::test]
async fn a_streamed_body_over_the_limit_is_a_413_json_error_too() {
    let app = small_body_app().await;
    // Chunked, so no Content-Length announces the size: the JSON extractor stops reading.
    let body = big_registration();
    let request = format!(
        "PUT /api/device HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {WEARER_TOKEN}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n\
         {:x}\r\n{body}\r\n0\r\n\r\n",
        body.len()
    );
    let address = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("\"code\":\"invalid\""), "{answer}");
}
