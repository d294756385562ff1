//! A browser for the dashboard tests: redirects followed by hand, cookies kept by a tiny jar,
//! and the whole sign-in with the simulated Chaster SSO.

use std::collections::HashMap;

use reqwest::header::{HeaderMap, LOCATION, SET_COOKIE};
use reqwest::redirect::Policy;
use serde_json::Value;
use sim::chaster::{EXTENSION_SLUG, OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET};

use crate::helpers::{spawn_app_with, TestApp};

/// Where the tests pretend browsers reach the server (only the redirect URI and the `Origin`
/// check use it; requests go to the real address).
pub const PUBLIC_BASE_URL: &str = "http://opener.test";
pub const SESSION_COOKIE: &str = "__Host-opener_session";
pub const TOKEN_PATH: &str = "/auth/realms/app/protocol/openid-connect/token";

pub async fn spawn_dashboard_app() -> TestApp {
    spawn_app_with(|s| {
        s.dashboard.sso_base_url = s.chaster.base_url.clone();
        s.dashboard.oauth_client_id = Some(OAUTH_CLIENT_ID.into());
        s.dashboard.oauth_client_secret = Some(OAUTH_CLIENT_SECRET.into());
        s.dashboard.public_base_url = Some(PUBLIC_BASE_URL.into());
        s.dashboard.extension_slug = Some(EXTENSION_SLUG.into());
    })
    .await
}

/// A browser that does not follow redirects and keeps cookies by name.
pub struct Browser {
    http: reqwest::Client,
    base: String,
    pub cookies: HashMap<String, String>,
    /// The raw `Set-Cookie` headers seen, in order.
    pub set_cookies: Vec<String>,
}

impl Browser {
    pub fn new(app: &TestApp) -> Browser {
        Browser {
            http: reqwest::Client::builder()
                .redirect(Policy::none())
                .build()
                .unwrap(),
            base: app.address.clone(),
            cookies: HashMap::new(),
            set_cookies: Vec::new(),
        }
    }

    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep_cookies(&mut self, headers: &HeaderMap) {
        for raw in headers.get_all(SET_COOKIE) {
            let raw = raw.to_str().unwrap().to_owned();
            let (pair, attributes) = raw.split_once(';').unwrap_or((&raw, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if attributes.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
            self.set_cookies.push(raw.clone());
        }
    }

    pub async fn get(&mut self, path: &str) -> reqwest::Response {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .unwrap();
        self.keep_cookies(response.headers());
        response
    }

    /// A POST with the cookies and the given extra headers.
    pub async fn post(
        &mut self,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Value>,
    ) -> reqwest::Response {
        let mut request = self
            .http
            .post(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header());
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        self.keep_cookies(response.headers());
        response
    }

    pub async fn dashboard(&mut self) -> Value {
        let response = self.get("/api/dashboard").await;
        assert_eq!(response.status(), 200, "GET /api/dashboard");
        response.json().await.unwrap()
    }

    /// A dashboard control sent as the page sends it (with its CSRF token).
    pub async fn control(
        &mut self,
        handle: &str,
        action: &str,
        body: Option<Value>,
    ) -> reqwest::Response {
        let csrf = self.dashboard().await["csrf_token"]
            .as_str()
            .unwrap()
            .to_owned();
        let path = format!("/api/dashboard/sessions/{handle}/{action}");
        self.post(&path, &[("x-csrf-token", &csrf)], body).await
    }
}

/// The query of a URL as a map.
fn query(url: &str) -> HashMap<String, String> {
    reqwest::Url::parse(url)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

/// `/auth/login` → the SSO URL and its `state` (the login cookie is now in the jar).
pub async fn start_sign_in(browser: &mut Browser) -> (String, HashMap<String, String>) {
    let response = browser.get("/auth/login").await;
    assert_eq!(response.status(), 302);
    let location = response.headers()[LOCATION].to_str().unwrap().to_owned();
    let q = query(&location);
    (location, q)
}

/// The whole sign-in as `username`: login, the SSO's code, the callback.
pub async fn sign_in(app: &TestApp, username: &str) -> Browser {
    let mut browser = Browser::new(app);
    let (_, q) = start_sign_in(&mut browser).await;
    let code = app.chaster.authorize_request(username, &q).await;
    let callback = format!(
        "/auth/callback?state={}&code={}",
        urlencode(&q["state"]),
        urlencode(&code)
    );
    let response = browser.get(&callback).await;
    assert_eq!(response.status(), 302, "the callback signs in");
    assert_eq!(response.headers()[LOCATION], "/dashboard");
    assert!(browser.cookies.contains_key(SESSION_COOKIE));
    browser
}

pub fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

pub fn token_requests(app: &TestApp) -> usize {
    app.chaster
        .recorded_requests()
        .iter()
        .filter(|r| r.path == TOKEN_PATH)
        .count()
}

pub fn handle_of(view: &Value, title: &str) -> String {
    view["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["session"]["lock"]["title"] == title)
        .unwrap_or_else(|| panic!("no session {title} in {view}"))["handle"]
        .as_str()
        .unwrap()
        .to_owned()
}

pub fn titles(view: &Value) -> Vec<String> {
    let mut t: Vec<String> = view["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["session"]["lock"]["title"].as_str().unwrap().to_owned())
        .collect();
    t.sort();
    t
}
