use std::time::Duration;

use serde_json::Value;

use super::*;

const REDIRECT: &str = "http://127.0.0.1:3000/keyholder/callback";
const TOKEN_PATH: &str = "/auth/realms/app/protocol/openid-connect/token";

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn token(sim: &ChasterSim, form: &[(&str, &str)]) -> (u16, Value) {
    let url = format!("{}{TOKEN_PATH}", sim.base_url());
    let r = client().post(url).form(form).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

async fn exchange(sim: &ChasterSim, code: &str) -> (u16, Value) {
    token(
        sim,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", OAUTH_CLIENT_ID),
            ("client_secret", OAUTH_CLIENT_SECRET),
            ("code", code),
            ("redirect_uri", REDIRECT),
        ],
    )
    .await
}

async fn refresh(sim: &ChasterSim, refresh_token: &str) -> (u16, Value) {
    token(
        sim,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", OAUTH_CLIENT_ID),
            ("client_secret", OAUTH_CLIENT_SECRET),
            ("refresh_token", refresh_token),
        ],
    )
    .await
}

async fn profile(sim: &ChasterSim, access_token: &str) -> (u16, Value) {
    let url = format!("{}/auth/profile", sim.base_url());
    let r = client()
        .get(url)
        .bearer_auth(access_token)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_sign_in_page_offers_the_seeded_users_and_redirects_with_a_code() {
    let sim = ChasterSim::spawn().await.unwrap();
    let auth = format!(
        "{}/auth/realms/app/protocol/openid-connect/auth",
        sim.base_url()
    );
    let query = [
        ("client_id", OAUTH_CLIENT_ID),
        ("redirect_uri", REDIRECT),
        ("response_type", "code"),
        ("scope", "profile keyholder"),
        ("state", "xyz 1"),
    ];
    let page = client().get(&auth).query(&query).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Sign in to Chaster (simulated)"));
    for name in [
        KEYHOLDER_USERNAME,
        OTHER_KEYHOLDER_USERNAME,
        WEARER_USERNAME,
    ] {
        assert!(
            html.contains(&format!("Sign in as {name}")),
            "no button for {name}"
        );
    }

    let choice = [
        ("client_id", OAUTH_CLIENT_ID),
        ("redirect_uri", REDIRECT),
        ("scope", "profile keyholder"),
        ("state", "xyz 1"),
        ("user_id", KEYHOLDER_ID),
    ];
    let r = client().post(&auth).form(&choice).send().await.unwrap();
    assert!(r.status().is_redirection());
    let location = reqwest::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    assert!(location.as_str().starts_with(REDIRECT));
    let pairs: Vec<(String, String)> = location.query_pairs().into_owned().collect();
    assert!(pairs.contains(&("state".into(), "xyz 1".into())));
    let code = pairs.iter().find(|(k, _)| k == "code").unwrap().1.clone();

    let (status, tokens) = exchange(&sim, &code).await;
    assert_eq!(status, 200);
    assert_eq!(tokens["scope"], "profile keyholder");
    let (_, me) = profile(&sim, tokens["access_token"].as_str().unwrap()).await;
    assert_eq!(me["_id"], KEYHOLDER_ID);
}

#[tokio::test]
async fn a_bad_client_id_gets_an_error_page() {
    let sim = ChasterSim::spawn().await.unwrap();
    let auth = format!(
        "{}/auth/realms/app/protocol/openid-connect/auth",
        sim.base_url()
    );
    let query = [
        ("client_id", "intruder"),
        ("redirect_uri", REDIRECT),
        ("response_type", "code"),
    ];
    let r = client().get(&auth).query(&query).send().await.unwrap();
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn a_code_gives_the_documented_token_response_once() {
    let sim = ChasterSim::spawn().await.unwrap();
    let code = sim.authorize_as(KEYHOLDER_USERNAME, REDIRECT, "s").await;
    let (status, tokens) = exchange(&sim, &code).await;
    assert_eq!(status, 200);
    assert!(tokens["access_token"].is_string() && tokens["refresh_token"].is_string());
    assert_eq!(tokens["expires_in"], 300);
    assert_eq!(tokens["refresh_expires_in"], 1800);
    assert_eq!(tokens["token_type"], "bearer");
    assert_eq!(tokens["not-before-policy"], 0);
    assert!(tokens["scope"].is_string());

    let (status, body) = exchange(&sim, &code).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_grant");
    assert!(body["error_description"].is_string());
}

#[tokio::test]
async fn a_code_needs_the_same_redirect_uri_and_the_client_secret() {
    let sim = ChasterSim::spawn().await.unwrap();
    let code = sim
        .authorize_as(KEYHOLDER_USERNAME, "http://127.0.0.1:9/other", "s")
        .await;
    let (status, body) = exchange(&sim, &code).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );

    let code = sim.authorize_as(KEYHOLDER_USERNAME, REDIRECT, "s").await;
    let form = [
        ("grant_type", "authorization_code"),
        ("client_id", OAUTH_CLIENT_ID),
        ("client_secret", "wrong"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
    ];
    let (status, body) = token(&sim, &form).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );
    let (status, body) = token(&sim, &[("grant_type", "password")]).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );
}

#[tokio::test]
async fn refreshing_rotates_the_refresh_token() {
    let sim = ChasterSim::spawn().await.unwrap();
    let code = sim
        .authorize_as(OTHER_KEYHOLDER_USERNAME, REDIRECT, "s")
        .await;
    let (_, first) = exchange(&sim, &code).await;
    let old = first["refresh_token"].as_str().unwrap();
    let (status, second) = refresh(&sim, old).await;
    assert_eq!(status, 200);
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    assert_ne!(second["access_token"], first["access_token"]);
    let (status, body) = refresh(&sim, old).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    let (status, third) = refresh(&sim, second["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    let (_, me) = profile(&sim, third["access_token"].as_str().unwrap()).await;
    assert_eq!(me["username"], OTHER_KEYHOLDER_USERNAME);
}

#[tokio::test]
async fn an_expired_refresh_token_is_an_invalid_grant() {
    let sim = ChasterSim::spawn().await.unwrap();
    sim.set_oauth_lifetimes(Duration::ZERO, Duration::ZERO);
    let code = sim.authorize_as(KEYHOLDER_USERNAME, REDIRECT, "s").await;
    let (_, tokens) = exchange(&sim, &code).await;
    assert_eq!(tokens["expires_in"], 0);
    let (status, body) = refresh(&sim, tokens["refresh_token"].as_str().unwrap()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
}

#[tokio::test]
async fn the_profile_is_the_token_owners_and_needs_a_live_access_token() {
    let sim = ChasterSim::spawn().await.unwrap();
    let code = sim.authorize_as(KEYHOLDER_USERNAME, REDIRECT, "s").await;
    let (_, tokens) = exchange(&sim, &code).await;
    let access = tokens["access_token"].as_str().unwrap();
    let (status, me) = profile(&sim, access).await;
    assert_eq!(status, 200);
    assert_eq!(me["_id"], KEYHOLDER_ID);
    assert_eq!(me["username"], KEYHOLDER_USERNAME);
    assert!(me["avatarUrl"]
        .as_str()
        .unwrap()
        .starts_with(&sim.base_url()));

    sim.expire_oauth_access_tokens();
    let (status, body) = profile(&sim, access).await;
    assert_eq!(status, 401);
    assert_eq!(body["statusCode"], 401);
    assert_eq!(profile(&sim, "made-up").await.0, 401);
    let (status, _) = refresh(&sim, tokens["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, 200, "the refresh token still works");
}

async fn exchange_with_verifier(sim: &ChasterSim, code: &str, verifier: &str) -> (u16, Value) {
    token(
        sim,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", OAUTH_CLIENT_ID),
            ("client_secret", OAUTH_CLIENT_SECRET),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", verifier),
        ],
    )
    .await
}

fn pkce_query(challenge: &str) -> std::collections::HashMap<String, String> {
    [
        ("redirect_uri", REDIRECT),
        ("state", "s"),
        ("scope", "profile"),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

#[tokio::test]
async fn a_code_bound_to_a_pkce_challenge_needs_its_verifier() {
    use base64::Engine;
    use sha2::{Digest, Sha256};
    let sim = ChasterSim::spawn().await.unwrap();
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let challenge =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier));
    // RFC 7636, appendix B.
    assert_eq!(challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");

    let code = sim
        .authorize_request(KEYHOLDER_USERNAME, &pkce_query(&challenge))
        .await;
    let (status, body) = exchange(&sim, &code).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );

    let code = sim
        .authorize_request(KEYHOLDER_USERNAME, &pkce_query(&challenge))
        .await;
    let (status, body) = exchange_with_verifier(&sim, &code, "another-verifier").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );

    let code = sim
        .authorize_request(KEYHOLDER_USERNAME, &pkce_query(&challenge))
        .await;
    let (status, tokens) = exchange_with_verifier(&sim, &code, verifier).await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(tokens["scope"], "profile");
    assert_eq!(sim.granted_scopes(), vec!["profile".to_owned()]);
}

#[tokio::test]
async fn a_verifier_for_a_code_issued_without_a_challenge_is_refused() {
    let sim = ChasterSim::spawn().await.unwrap();
    let code = sim.authorize_as(KEYHOLDER_USERNAME, REDIRECT, "s").await;
    let (status, body) = exchange_with_verifier(&sim, &code, "unasked-verifier").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
}
