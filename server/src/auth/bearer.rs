//! The extractor every `/api` handler uses: `Authorization: Bearer <mainToken>`, resolved with
//! Chaster. The token is accepted from this header only, never from a URL.

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::HeaderMap;

use super::{ResolvedSession, TokenResolver};
use crate::domain::MainToken;
use crate::error::AppError;

/// What the limits layer learnt of an `/api` request, left in its extensions for this
/// extractor: the client's address (behind a proxy: from `CLIENT_IP_HEADER`), and the bearer
/// token when it parsed it for the page budget, so it is not parsed and hashed twice.
#[derive(Clone, Debug, Default)]
pub struct Admitted {
    pub client: Option<std::net::IpAddr>,
    pub token: Option<MainToken>,
}

/// The viewer of the current request, as Chaster says for their mainToken.
pub struct CurrentSession {
    pub token: MainToken,
    pub session: Arc<ResolvedSession>,
}

/// Takes only the token resolver from the state, so `auth` does not depend on `AppState`.
impl<S> FromRequestParts<S> for CurrentSession
where
    Arc<TokenResolver>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let admitted = parts.extensions.remove::<Admitted>().unwrap_or_default();
        let token = match admitted.token {
            Some(token) => token,
            None => bearer_token(&parts.headers)?,
        };
        let client = admitted.client;
        let sessions = Arc::<TokenResolver>::from_ref(state);
        let session = sessions.resolve_from(&token, client).await?;
        Ok(CurrentSession { token, session })
    }
}

/// The mainToken of an `Authorization: Bearer …` header.
pub fn bearer_token(headers: &HeaderMap) -> Result<MainToken, AppError> {
    let value = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or(AppError::MissingToken)?;
    let (scheme, token) = value.trim().split_once(' ').ok_or(AppError::MissingToken)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(AppError::MissingToken);
    }
    MainToken::parse(token.trim()).map_err(|_| AppError::MissingToken)
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn a_bearer_header_yields_its_token() {
        let token = bearer_token(&headers("Bearer abc.def-1")).unwrap();
        assert_eq!(token.expose(), "abc.def-1");
        assert_eq!(
            bearer_token(&headers("bearer  xyz")).unwrap().expose(),
            "xyz"
        );
    }

    #[test]
    fn missing_or_malformed_headers_are_missing_tokens() {
        assert!(matches!(
            bearer_token(&HeaderMap::new()),
            Err(AppError::MissingToken)
        ));
        for bad in ["Bearer", "Bearer ", "Basic abc", "abc", "Bearer a b"] {
            assert!(
                matches!(bearer_token(&headers(bad)), Err(AppError::MissingToken)),
                "{bad}"
            );
        }
    }
}
