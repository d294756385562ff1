//! Signing in and out, the OAuth state check, and token refresh.

use std::time::Duration;

use serde_json::Value;
use sim::chaster::{KEYHOLDER_USERNAME, OAUTH_CLIENT_ID};

use super::browser::{
    sign_in, spawn_dashboard_app, start_sign_in, token_requests, urlencode, Browser,
    PUBLIC_BASE_URL, SESSION_COOKIE,
};

#[tokio::test]
async fn login_redirects_to_chasters_sign_in_with_a_state_bound_to_the_browser() {
    let app = spawn_dashboard_app().await;
    let mut browser = Browser::new(&app);
    let (location, q) = start_sign_in(&mut browser).await;
    let sso = format!(
        "{}/auth/realms/app/protocol/openid-connect/auth?",
        app.chaster.base_url()
    );
    assert!(location.starts_with(&sso), "{location}");
    assert!(location.contains("scope=profile%20keyholder"), "{location}");
    assert_eq!(q["client_id"], OAUTH_CLIENT_ID);
    assert_eq!(
        q["redirect_uri"],
        format!("{PUBLIC_BASE_URL}/auth/callback")
    );
    assert_eq!(q["response_type"], "code");
    assert!(q["state"].len() >= 32);
    let cookie = &browser.set_cookies[0];
    assert!(cookie.starts_with(&format!("__Host-opener_login={}", q["state"])));
    for attribute in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
    }
}

#[tokio::test]
async fn a_callback_whose_state_does_not_match_is_refused_and_no_code_is_exchanged() {
    let app = spawn_dashboard_app().await;
    let mut browser = Browser::new(&app);
    let (_, q) = start_sign_in(&mut browser).await;
    let code = app
        .chaster
        .authorize_as(KEYHOLDER_USERNAME, &q["redirect_uri"], &q["state"])
        .await;

    // A forged state, then the right state from a browser without the login cookie.
    let forged = browser
        .get(&format!(
            "/auth/callback?state=forged&code={}",
            urlencode(&code)
        ))
        .await;
    let mut stranger = Browser::new(&app);
    let replayed = stranger
        .get(&format!(
            "/auth/callback?state={}&code={}",
            urlencode(&q["state"]),
            urlencode(&code)
        ))
        .await;
    for response in [forged, replayed] {
        assert_eq!(response.status(), 400);
        let page = response.text().await.unwrap();
        assert!(
            page.contains("Sign-in failed: the request did not come from this site. Try again.")
        );
    }
    assert_eq!(
        token_requests(&app),
        0,
        "no code reached Chaster's token endpoint"
    );
    assert!(!browser.cookies.contains_key(SESSION_COOKIE));
    assert!(!stranger.cookies.contains_key(SESSION_COOKIE));
}

#[tokio::test]
async fn a_state_is_used_once() {
    let app = spawn_dashboard_app().await;
    let mut browser = Browser::new(&app);
    let (_, q) = start_sign_in(&mut browser).await;
    let login_cookie = browser.cookies["__Host-opener_login"].clone();
    let code = app
        .chaster
        .authorize_as(KEYHOLDER_USERNAME, &q["redirect_uri"], &q["state"])
        .await;
    let path = format!(
        "/auth/callback?state={}&code={}",
        urlencode(&q["state"]),
        urlencode(&code)
    );
    assert_eq!(browser.get(&path).await.status(), 302);
    // The same browser replays the callback with the old login cookie.
    browser
        .cookies
        .insert("__Host-opener_login".into(), login_cookie);
    assert_eq!(browser.get(&path).await.status(), 400);
    assert_eq!(token_requests(&app), 1);
}

#[tokio::test]
async fn tokens_are_refreshed_before_they_expire_and_the_rotated_refresh_token_is_kept() {
    let app = spawn_dashboard_app().await;
    // Shorter than the one-minute margin: every request must refresh first.
    app.chaster
        .set_oauth_lifetimes(Duration::from_secs(30), Duration::from_secs(1800));
    let mut browser = sign_in(&app, KEYHOLDER_USERNAME).await;
    assert_eq!(token_requests(&app), 1);
    for round in 1..=3 {
        let view = browser.dashboard().await;
        assert_eq!(
            view["keyholder"]["username"], KEYHOLDER_USERNAME,
            "round {round}"
        );
    }
    // Each refresh spends the previous refresh token in the simulator, so three successes in a
    // row mean each rotated token was stored and used.
    assert_eq!(token_requests(&app), 4);

    // Concurrent requests of one sign-in refresh one after the other, never with a spent token.
    let cookie = browser.cookie_header();
    let url = format!("{}/api/dashboard", app.address);
    let requests = (0..4).map(|_| app.client.get(&url).header("cookie", &cookie).send());
    for response in futures::future::join_all(requests).await {
        assert_eq!(response.unwrap().status(), 200);
    }
}

#[tokio::test]
async fn an_expired_refresh_token_ends_the_sign_in_with_401_session_expired() {
    let app = spawn_dashboard_app().await;
    app.chaster
        .set_oauth_lifetimes(Duration::from_secs(30), Duration::from_secs(1800));
    let mut browser = sign_in(&app, KEYHOLDER_USERNAME).await;
    assert_eq!(app.state.store.count_dashboard_sessions().await.unwrap(), 1);
    app.chaster.expire_oauth_refresh_tokens();

    let response = browser.get("/api/dashboard").await;
    assert_eq!(response.status(), 401);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "session_expired");
    assert_eq!(
        body["message"],
        "Your Chaster sign-in expired. Sign in again."
    );
    assert_eq!(
        app.state.store.count_dashboard_sessions().await.unwrap(),
        0,
        "the row is deleted"
    );
    assert_eq!(browser.get("/api/dashboard").await.status(), 401);
}

#[tokio::test]
async fn without_a_sign_in_the_dashboard_answers_401() {
    let app = spawn_dashboard_app().await;
    let mut browser = Browser::new(&app);
    let response = browser.get("/api/dashboard").await;
    assert_eq!(response.status(), 401);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "missing_token");
    browser
        .cookies
        .insert(SESSION_COOKIE.into(), "made-up".into());
    let body: Value = browser.get("/api/dashboard").await.json().await.unwrap();
    assert_eq!(body["code"], "session_expired");
}

#[tokio::test]
async fn logout_ends_the_sign_in_and_clears_the_cookie() {
    let app = spawn_dashboard_app().await;
    let mut browser = sign_in(&app, KEYHOLDER_USERNAME).await;
    let csrf = browser.dashboard().await["csrf_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let cookie = browser.cookies[SESSION_COOKIE].clone();
    assert_eq!(browser.post("/auth/logout", &[], None).await.status(), 403);
    let response = browser
        .post("/auth/logout", &[("x-csrf-token", &csrf)], None)
        .await;
    assert_eq!(response.status(), 204);
    assert!(!browser.cookies.contains_key(SESSION_COOKIE));
    assert_eq!(app.state.store.count_dashboard_sessions().await.unwrap(), 0);
    // The old cookie no longer opens anything.
    browser.cookies.insert(SESSION_COOKIE.into(), cookie);
    assert_eq!(browser.get("/api/dashboard").await.status(), 401);
}

#[tokio::test]
async fn without_oauth_settings_the_login_page_says_the_dashboard_is_not_set_up() {
    let app = crate::helpers::spawn_app().await;
    let mut browser = Browser::new(&app);
    let response = browser.get("/auth/login").await;
    assert_eq!(response.status(), 503);
    assert!(response.text().await.unwrap().contains("not set up"));
}
