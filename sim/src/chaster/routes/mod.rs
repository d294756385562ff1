//! The simulator's HTTP surface, one module per area. The Extensions API sits behind the guard
//! (developer token, faults); OAuth and the profile are recorded but checked by their own rules;
//! the control page and avatars are open.

mod actions;
mod config;
mod control;
mod control_page;
mod oauth;
mod sessions;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::{middleware, Router};
use serde_json::{json, Map, Value};

use super::nest::Rejection;
use super::{guard, nest, Shared};

pub fn router(state: Shared) -> Router {
    let extensions_api = Router::new()
        .merge(sessions::router())
        .merge(actions::router())
        .merge(config::router())
        .fallback(fallback)
        .layer(middleware::from_fn_with_state(state.clone(), guard::guard));
    let recorded = extensions_api
        .merge(oauth::router())
        .layer(middleware::from_fn_with_state(state.clone(), guard::record));
    recorded
        .merge(control::router())
        .merge(control_page::router())
        .with_state(state)
}

async fn fallback(method: Method, uri: Uri) -> Response {
    nest::not_found(&format!("Cannot {method} {}", uri.path()))
}

/// The JSON object body of a request; anything else is refused with the 400 NestJS answers,
/// before the handler runs (as Nest's validation pipe does).
pub(super) struct Dto(pub Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for Dto {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        let body = Bytes::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        match serde_json::from_slice(&body) {
            Ok(Value::Object(map)) => Ok(Dto(map)),
            _ => Err(Rejection::new(
                StatusCode::BAD_REQUEST,
                json!(["body must be a JSON object"]),
            )
            .into_response()),
        }
    }
}

/// class-validator checks of optional fields, collected as NestJS lists them.
#[derive(Default)]
pub(super) struct Problems(Vec<String>);

impl Problems {
    pub fn string(&mut self, dto: &Map<String, Value>, field: &str, required: bool) {
        match dto.get(field) {
            None | Some(Value::Null) if !required => {}
            Some(Value::String(_)) => {}
            _ => self.0.push(format!("{field} must be a string")),
        }
    }

    pub fn one_of(
        &mut self,
        dto: &Map<String, Value>,
        field: &str,
        values: &[&str],
        required: bool,
    ) {
        match dto.get(field) {
            None | Some(Value::Null) if !required => {}
            Some(Value::String(v)) if values.contains(&v.as_str()) => {}
            _ => self.0.push(format!(
                "{field} must be one of the following values: {}",
                values.join(", ")
            )),
        }
    }

    /// An optional integer in `1..=max`; returns it or `default`.
    pub fn limit(
        &mut self,
        dto: &Map<String, Value>,
        field: &str,
        default: usize,
        max: usize,
    ) -> usize {
        match dto.get(field) {
            None | Some(Value::Null) => default,
            Some(v) => match v.as_u64() {
                Some(n) if n >= 1 && n as usize <= max => n as usize,
                Some(n) if n as usize > max => {
                    self.0
                        .push(format!("{field} must not be greater than {max}"));
                    default
                }
                _ => {
                    self.0.push(format!("{field} must be a positive integer"));
                    default
                }
            },
        }
    }

    pub fn push(&mut self, message: String) {
        self.0.push(message);
    }

    pub fn boolean(&mut self, dto: &Map<String, Value>, field: &str) -> bool {
        match dto.get(field) {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                self.0.push(format!("{field} must be a boolean value"));
                false
            }
        }
    }

    /// `Err(400)` listing the problems, if any.
    pub fn check(self) -> Result<(), Rejection> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Rejection::new(StatusCode::BAD_REQUEST, json!(self.0)))
        }
    }
}

/// The string value of an optional field that passed validation.
pub(super) fn opt_str<'a>(dto: &'a Map<String, Value>, field: &str) -> Option<&'a str> {
    dto.get(field).and_then(Value::as_str)
}

/// Escapes text for HTML element content and quoted attribute values.
pub(super) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
