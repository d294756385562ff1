//! Signing in to the dashboard with Chaster (OAuth2 authorization code flow):
//!
//! - `GET /auth/login` → 302 to Chaster's sign-in (scope `profile`, PKCE S256), with a random
//!   `state` stored (hashed, single use, 10 min, with the PKCE verifier encrypted beside it) AND
//!   set in a short-lived cookie, so the callback can tell that the browser coming back is the
//!   one that left;
//! - `GET /auth/callback?code&state` → checks both, exchanges the code with the verifier, reads
//!   the profile once, forgets the access token, stores our own sign-in, sets the session
//!   cookie and sends the browser to `/dashboard`; any mismatch is a 400 page and no code is
//!   exchanged;
//! - `POST /auth/logout` → deletes the sign-in and the cookie (204).

use std::collections::HashMap;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{Duration, Utc};

use super::secure::{
    check_request_origin, cookie, new_csrf_token, new_handle_key, random_token, same_secret,
    set_cookie, sha256_hex, LOGIN_COOKIE, SESSION_COOKIE,
};
use crate::chaster::{OAuthError, Pkce};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::DashboardSessionRecord;

const NOT_SET_UP: &str = "The keyholder dashboard is not set up on this server.";
const NOT_FROM_HERE: &str = "Sign-in failed: the request did not come from this site. Try again.";
const CANCELLED: &str = "Sign-in was cancelled or refused by Chaster. Try again.";
const CODE_REFUSED: &str =
    "Sign-in failed: Chaster no longer accepts this sign-in (it was already used or took too long). Try again.";
const CHASTER_DOWN: &str =
    "Chaster's sign-in is not answering right now. Try again in a few seconds.";
const OUR_FAULT: &str = "Something went wrong on our side. Try again.";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/login", get(login))
        .route("/auth/callback", get(callback))
        .route("/auth/logout", post(logout))
}

/// A small page for the person whose sign-in did not work, with a way to try again.
fn page(status: StatusCode, message: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Sesame opener: sign-in</title></head>\
         <body>\
         <h1>Keyholder dashboard</h1><p>{message}</p>\
         <p><a href=\"/auth/login\">Sign in with Chaster</a></p></body></html>"
    );
    let mut response = (status, Html(html)).into_response();
    no_store(&mut response);
    response
}

fn no_store(response: &mut Response) {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

fn redirect(location: &str, cookie: HeaderValue) -> Response {
    let mut response = StatusCode::FOUND.into_response();
    let headers = response.headers_mut();
    match HeaderValue::from_str(location) {
        Ok(v) => headers.insert(header::LOCATION, v),
        Err(_) => return page(StatusCode::INTERNAL_SERVER_ERROR, OUR_FAULT),
    };
    headers.append(header::SET_COOKIE, cookie);
    no_store(&mut response);
    response
}

async fn login(State(state): State<AppState>) -> Response {
    let dashboard = &state.dashboard;
    let Some(oauth) = &dashboard.oauth else {
        return page(StatusCode::SERVICE_UNAVAILABLE, NOT_SET_UP);
    };
    let login_state = random_token();
    let pkce = Pkce::generate();
    let timeout = dashboard.settings.login_timeout;
    let expires = Utc::now() + Duration::from_std(timeout).unwrap_or(Duration::minutes(10));
    if let Err(e) = state
        .store
        .insert_login_state(&sha256_hex(&login_state), &pkce.verifier, expires)
        .await
    {
        tracing::error!(error = %e, "cannot store a sign-in state");
        return page(StatusCode::INTERNAL_SERVER_ERROR, OUR_FAULT);
    }
    let cookie = set_cookie(LOGIN_COOKIE, &login_state, timeout.as_secs());
    redirect(&oauth.authorize_url(&login_state, &pkce.challenge), cookie)
}

async fn callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Response {
    let query = query.map(|Query(q)| q).unwrap_or_default();
    let mut response = complete_sign_in(&state, &headers, &query).await;
    // The pending sign-in is over either way.
    response
        .headers_mut()
        .append(header::SET_COOKIE, set_cookie(LOGIN_COOKIE, "", 0));
    response
}

async fn complete_sign_in(
    state: &AppState,
    headers: &HeaderMap,
    query: &HashMap<String, String>,
) -> Response {
    let dashboard = &state.dashboard;
    let Some(oauth) = &dashboard.oauth else {
        return page(StatusCode::SERVICE_UNAVAILABLE, NOT_SET_UP);
    };
    let returned = query.get("state").filter(|s| !s.is_empty());
    let ours = cookie(headers, LOGIN_COOKIE);
    let Some(login_state) = returned.filter(|s| ours.is_some_and(|o| same_secret(s, &o))) else {
        tracing::info!("sign-in callback refused: state and cookie do not match");
        return page(StatusCode::BAD_REQUEST, NOT_FROM_HERE);
    };
    let verifier = match state.store.take_login_state(&sha256_hex(login_state)).await {
        Ok(Some(verifier)) => verifier,
        Ok(None) => {
            tracing::info!("sign-in callback refused: unknown, used or expired state");
            return page(StatusCode::BAD_REQUEST, NOT_FROM_HERE);
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot read a sign-in state");
            return page(StatusCode::INTERNAL_SERVER_ERROR, OUR_FAULT);
        }
    };
    let code = query.get("code").filter(|c| !c.is_empty());
    let Some(code) = code.filter(|_| !query.contains_key("error")) else {
        return page(StatusCode::BAD_REQUEST, CANCELLED);
    };
    let tokens = match oauth.exchange_code(code, &verifier).await {
        Ok(tokens) => tokens,
        Err(OAuthError::InvalidGrant) => return page(StatusCode::BAD_REQUEST, CODE_REFUSED),
        Err(e) => {
            tracing::warn!(error = %e, "cannot exchange the sign-in code");
            return page(StatusCode::BAD_GATEWAY, CHASTER_DOWN);
        }
    };
    // The access token is used for this one read and dropped: nothing of Chaster's is kept.
    let user = match state.chaster.get_profile(&tokens.access_token).await {
        Ok(user) => user,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the signed-in user's profile");
            return page(StatusCode::BAD_GATEWAY, CHASTER_DOWN);
        }
    };
    let now = Utc::now();
    let max_age = dashboard.settings.max_session_age;
    let expires_at = now + Duration::from_std(max_age).unwrap_or(Duration::days(30));
    let session_id = random_token();
    let record = DashboardSessionRecord {
        id_hash: sha256_hex(&session_id),
        user_id: user.id,
        username: user.username,
        avatar_url: user.avatar_url,
        csrf_token: new_csrf_token(),
        handle_key: new_handle_key(),
        expires_at,
    };
    if let Err(e) = state.store.insert_dashboard_session(&record).await {
        tracing::error!(error = %e, "cannot store a dashboard sign-in");
        return page(StatusCode::INTERNAL_SERVER_ERROR, OUR_FAULT);
    }
    tracing::info!(user = %record.username, "keyholder signed in to the dashboard");
    let cookie = set_cookie(SESSION_COOKIE, &session_id, max_age.as_secs());
    redirect("/dashboard", cookie)
}

/// Signs out: the sign-in is deleted (when the request comes from our page) and the cookie
/// cleared. Without a valid sign-in there is nothing to protect, so only the cookie goes.
async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(id) = cookie(&headers, SESSION_COOKIE) {
        let id_hash = sha256_hex(&id);
        match state.store.get_dashboard_session(&id_hash).await {
            Ok(Some(record)) => {
                let origin = state.dashboard.public_origin.as_deref();
                if let Err(e) = check_request_origin(&headers, origin, &record.csrf_token) {
                    return e.into_response();
                }
                if let Err(e) = state.store.delete_dashboard_session(&id_hash).await {
                    return AppError::from(e).into_response();
                }
                tracing::info!(user = %record.username, "keyholder signed out of the dashboard");
            }
            Ok(None) => {}
            Err(e) => return AppError::from(e).into_response(),
        }
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, "", 0));
    no_store(&mut response);
    response
}
