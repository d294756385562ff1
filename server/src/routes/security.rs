//! Headers for every response. The page lives in Chaster's iframe, so framing is allowed to the
//! configured origins only, with CSP `frame-ancestors` (and no X-Frame-Options, which would
//! block the embed in older browsers).

use anyhow::Context;
use axum::http::{header, HeaderValue};
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;

pub fn headers(router: Router, frame_origins: &[String]) -> anyhow::Result<Router> {
    let csp = HeaderValue::from_str(&content_security_policy(frame_origins))
        .context("CHASTER_ORIGINS cannot go into a header")?;
    Ok(router
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            csp,
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        )))
}

pub fn content_security_policy(frame_origins: &[String]) -> String {
    if frame_origins.is_empty() {
        return "frame-ancestors 'none'".to_owned();
    }
    format!("frame-ancestors {}", frame_origins.join(" "))
}
