//! Signing in and out, the OAuth state check, PKCE, and a sign-in that outlives Chaster's tokens.

use std::time::Duration;

use serde_json::Value;
use sim::chaster::{KEYHOLDER_USERNAME, OAUTH_CLIENT_ID};
use sqlx::Row;

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
    assert_eq!(
        q["scope"], "profile",
        "the profile only, no keyholder scope"
    );
    assert_eq!(q["code_challenge_method"], "S256");
    let challenge = &q["code_challenge"];
    assert_eq!(challenge.len(), 43, "BASE64URL(SHA-256) without padding");
    assert!(challenge
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
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
    let code = app.chaster.authorize_request(KEYHOLDER_USERNAME, &q).await;

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
    let code = app.chaster.authorize_request(KEYHOLDER_USERNAME, &q).await;
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
async fn a_sign_in_still_works_after_chasters_refresh_token_has_expired() {
    let app = spawn_dashboard_app().await;
    // Chaster's documented lifetimes are 300 s and 1800 s; shorter ones make the point sooner.
    app.chaster
        .set_oauth_lifetimes(Duration::from_secs(30), Duration::from_secs(60));
    let mut browser = sign_in(&app, KEYHOLDER_USERNAME).await;
    app.chaster.expire_oauth_access_tokens();
    app.chaster.expire_oauth_refresh_tokens();

    for round in 1..=3 {
        let view = browser.dashboard().await;
        assert_eq!(
            view["keyholder"]["username"], KEYHOLDER_USERNAME,
            "round {round}"
        );
    }
    assert_eq!(
        token_requests(&app),
        1,
        "the code exchange only: no token is refreshed"
    );
}

#[tokio::test]
async fn a_sign_in_keeps_no_chaster_token() {
    let app = spawn_dashboard_app().await;
    let _browser = sign_in(&app, KEYHOLDER_USERNAME).await;
    let columns: Vec<String> = sqlx::query("SELECT * FROM dashboard_sessions")
        .fetch_one(app.state.store.pool())
        .await
        .unwrap()
        .columns()
        .iter()
        .map(|c| sqlx::Column::name(c).to_owned())
        .collect();
    assert!(
        !columns.iter().any(|c| c.contains("token_enc")),
        "{columns:?}"
    );
    assert_eq!(app.chaster.granted_scopes(), vec!["profile".to_owned()]);
}

#[tokio::test]
async fn a_code_issued_for_another_browsers_challenge_is_refused() {
    let app = spawn_dashboard_app().await;
    let mut victim = Browser::new(&app);
    let (_, victim_query) = start_sign_in(&mut victim).await;
    let mut attacker = Browser::new(&app);
    let (_, attacker_query) = start_sign_in(&mut attacker).await;
    // A code obtained on the attacker's sign-in, slipped into the victim's callback.
    let code = app
        .chaster
        .authorize_request(KEYHOLDER_USERNAME, &attacker_query)
        .await;
    let response = victim
        .get(&format!(
            "/auth/callback?state={}&code={}",
            urlencode(&victim_query["state"]),
            urlencode(&code)
        ))
        .await;
    assert_eq!(response.status(), 400);
    let page = response.text().await.unwrap();
    assert!(
        page.contains("Chaster no longer accepts this sign-in"),
        "{page}"
    );
    assert!(!victim.cookies.contains_key(SESSION_COOKIE));
    assert_eq!(app.state.store.count_dashboard_sessions().await.unwrap(), 0);
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
