//! A Keycloak-like OAuth2 server (`/auth/realms/app/protocol/openid-connect/…`) and the Public
//! API's `GET /auth/profile`. The sign-in page lets you pick a seeded user instead of a password.

use std::collections::HashMap;

use axum::extract::rejection::FormRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Json, Router};
use base64::Engine;
use chrono::Utc;
use serde_json::json;

use super::esc;
use crate::chaster::oauth::{
    Challenge, OAuthError, DEFAULT_SCOPE, OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET,
};
use crate::chaster::render::user_json;
use crate::chaster::seed::{KEYHOLDER_ID, OTHER_KEYHOLDER_ID, WEARER_A_ID};
use crate::chaster::{nest, Shared};

const AUTH_PATH: &str = "/auth/realms/app/protocol/openid-connect/auth";
const TOKEN_PATH: &str = "/auth/realms/app/protocol/openid-connect/token";

type Fields = HashMap<String, String>;

pub fn router() -> Router<Shared> {
    Router::new()
        .route(AUTH_PATH, get(sign_in_page).post(sign_in))
        .route(TOKEN_PATH, axum::routing::post(token))
        .route("/auth/profile", get(profile))
}

fn field<'a>(fields: &'a Fields, name: &str) -> &'a str {
    fields.get(name).map_or("", String::as_str)
}

/// Keycloak's refusal of a bad authorize request: an error page, no redirect.
fn bad_authorize_request(fields: &Fields) -> Option<Response> {
    let problem = if field(fields, "client_id") != OAUTH_CLIENT_ID {
        "Client not found."
    } else if reqwest::Url::parse(field(fields, "redirect_uri")).is_err() {
        "Invalid parameter: redirect_uri"
    } else if field(fields, "response_type") != "code" {
        "Invalid parameter: response_type"
    } else if !matches!(
        field(fields, "code_challenge_method"),
        "" | "S256" | "plain"
    ) {
        "Invalid parameter: code challenge method is not matching the configured one"
    } else {
        return None;
    };
    let page =
        format!("<!doctype html><title>Error</title><h1>We are sorry...</h1><p>{problem}</p>");
    Some((StatusCode::BAD_REQUEST, Html(page)).into_response())
}

/// `GET …/auth?client_id&redirect_uri&response_type=code&scope&state`: one button per user.
async fn sign_in_page(State(hub): State<Shared>, Query(q): Query<Fields>) -> Response {
    if let Some(r) = bad_authorize_request(&q) {
        return r;
    }
    let s = hub.lock();
    let choices = [
        (KEYHOLDER_ID, "keyholder of the demo sessions A and B"),
        (OTHER_KEYHOLDER_ID, "another keyholder (session D)"),
        (WEARER_A_ID, "a wearer"),
    ];
    let hidden: String = [
        "client_id",
        "redirect_uri",
        "scope",
        "state",
        "code_challenge",
        "code_challenge_method",
    ]
    .iter()
    .map(|k| {
        format!(
            r#"<input type="hidden" name="{k}" value="{}">"#,
            esc(field(&q, k))
        )
    })
    .collect();
    let buttons: String = choices
        .iter()
        .filter_map(|(id, what)| Some((s.users.get(*id)?, what)))
        .map(|(u, what)| {
            format!(
                r#"<form method="post" action="{AUTH_PATH}">{hidden}<input type="hidden" name="user_id" value="{id}"><button type="submit">Sign in as {name}</button> <small>{what}</small></form>"#,
                id = esc(&u.id),
                name = esc(&u.username),
            )
        })
        .collect();
    Html(format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Sign in to Chaster (simulated)</title>\
         <style>body{{font-family:sans-serif;max-width:32rem;margin:3rem auto}}form{{margin:.8rem 0}}button{{padding:.5rem 1rem}}</style></head>\
         <body><h1>Sign in to Chaster (simulated)</h1><p>Choose who you are:</p>{buttons}</body></html>"
    ))
    .into_response()
}

/// The button: a single-use code, then back to the client with `code` and `state`.
async fn sign_in(State(hub): State<Shared>, form: Result<Form<Fields>, FormRejection>) -> Response {
    let Ok(Form(f)) = form else {
        return (StatusCode::BAD_REQUEST, "expected a form").into_response();
    };
    let mut f = f;
    f.insert("response_type".into(), "code".into());
    if let Some(r) = bad_authorize_request(&f) {
        return r;
    }
    let mut s = hub.lock();
    let user_id = field(&f, "user_id");
    if !s.users.contains_key(user_id) {
        return (StatusCode::BAD_REQUEST, "unknown user").into_response();
    }
    let scope = Some(field(&f, "scope"))
        .filter(|x| !x.is_empty())
        .unwrap_or(DEFAULT_SCOPE);
    let redirect_uri = field(&f, "redirect_uri");
    let code = s.oauth.issue_code(
        user_id,
        OAUTH_CLIENT_ID,
        redirect_uri,
        scope,
        Challenge::from_query(&f),
        Utc::now(),
    );
    let mut url = reqwest::Url::parse(redirect_uri).expect("validated above");
    url.query_pairs_mut()
        .append_pair("state", field(&f, "state"))
        .append_pair("code", &code);
    Redirect::to(url.as_str()).into_response()
}

fn oauth_error(e: OAuthError) -> Response {
    let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST);
    (status, Json(e.body())).into_response()
}

/// Client credentials from the form, or from HTTP Basic as Keycloak also accepts them.
fn client_credentials(headers: &HeaderMap, f: &Fields) -> (String, String) {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|b| b.split_once(':').map(|(u, p)| (u.to_owned(), p.to_owned())));
    basic.unwrap_or_else(|| {
        (
            field(f, "client_id").to_owned(),
            field(f, "client_secret").to_owned(),
        )
    })
}

/// `POST …/token` (form): `authorization_code` or `refresh_token`. Both need the client's
/// credentials, as a confidential Keycloak client does.
async fn token(
    State(hub): State<Shared>,
    headers: HeaderMap,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    let Ok(Form(f)) = form else {
        let body = json!({"error": "invalid_request", "error_description": "Expected a form body"});
        return (StatusCode::BAD_REQUEST, Json(body)).into_response();
    };
    let (client_id, secret) = client_credentials(&headers, &f);
    if client_id != OAUTH_CLIENT_ID || secret != OAUTH_CLIENT_SECRET {
        return oauth_error(OAuthError::invalid_client());
    }
    let now = Utc::now();
    let mut s = hub.lock();
    let result = match field(&f, "grant_type") {
        "authorization_code" => s.oauth.exchange_code(
            field(&f, "code"),
            &client_id,
            field(&f, "redirect_uri"),
            f.get("code_verifier").map(String::as_str),
            now,
        ),
        "refresh_token" => s.oauth.refresh(field(&f, "refresh_token"), now),
        _ => {
            let body = json!({"error": "unsupported_grant_type", "error_description": "Unsupported grant_type"});
            return (StatusCode::BAD_REQUEST, Json(body)).into_response();
        }
    };
    match result {
        Ok(body) => Json(body).into_response(),
        Err(e) => oauth_error(e),
    }
}

/// `GET /auth/profile` with `Authorization: Bearer <access token>` → `UserForPublic`.
async fn profile(State(hub): State<Shared>, headers: HeaderMap) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let s = hub.lock();
    let user = token
        .and_then(|t| s.oauth.user_of_access_token(t, Utc::now()))
        .and_then(|id| s.users.get(id));
    match user {
        Some(u) => Json(user_json(u)).into_response(),
        None => nest::unauthorized(),
    }
}
