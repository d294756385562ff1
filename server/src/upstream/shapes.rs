//! The error bodies of each upstream API, read into one text.

use serde_json::Value;

/// Where an API puts its error text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorShape {
    /// Chaster (NestJS): `{"message": "…"}` or `{"message": ["…", "…"]}` (joined with "; ").
    Nest,
    /// An OAuth2 token endpoint (RFC 6749 §5.2): `{"error": "invalid_grant"}`.
    OAuth,
    /// CANDY HOUSE: `{error}` (v3, Web API), `{errorMessage}` (AWS Lambda), `{message}` (API
    /// Gateway), or a bare JSON string.
    CandyHouse,
}

impl ErrorShape {
    /// The error text of `body`, if it has one in this shape.
    pub fn text(self, body: &Value) -> Option<String> {
        match (self, body) {
            (ErrorShape::Nest, Value::Object(map)) => match map.get("message") {
                Some(Value::String(s)) => Some(s.clone()),
                Some(Value::Array(items)) => Some(
                    items
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
                _ => None,
            },
            (ErrorShape::OAuth, Value::Object(map)) => {
                map.get("error").and_then(Value::as_str).map(str::to_owned)
            }
            (ErrorShape::CandyHouse, Value::Object(map)) => ["error", "errorMessage", "message"]
                .iter()
                .find_map(|k| {
                    map.get(*k)
                        .and_then(Value::as_str)
                        .filter(|s| !s.trim().is_empty())
                })
                .map(str::to_owned),
            (ErrorShape::CandyHouse, Value::String(s)) => Some(s.clone()),
            _ => None,
        }
    }
}
