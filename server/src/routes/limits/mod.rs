//! Limits in front of the handlers: request budgets per page (mainToken fingerprint) and per
//! client address, and the body size, checked before a body is read. Refusals are the ordinary
//! JSON errors (429 with `Retry-After`, 413).
//!
//! Chaster's webhooks are not behind these: they carry no mainToken, come from Chaster's few
//! addresses, and a refused delivery would only be retried.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request};
use axum::http::{header, HeaderMap};

mod layer;

pub use layer::{LimitsLayer, LimitsService};

use crate::auth::{bearer_token, Admitted};
use crate::bucket::KeyedBucket;
use crate::configuration::{RateLimitSettings, Settings};
use crate::domain::MainToken;
use crate::error::AppError;

/// The budgets and the body limit, shared by every request.
pub struct Limits {
    /// Set once the "behind a proxy without CLIENT_IP_HEADER" warning was logged.
    proxy_warned: std::sync::atomic::AtomicBool,
    per_token: KeyedBucket<[u8; 32]>,
    per_ip: KeyedBucket<IpAddr>,
    client_ip_header: Option<header::HeaderName>,
    body_limit_bytes: usize,
}

impl Limits {
    pub fn new(settings: &Settings) -> Arc<Limits> {
        let RateLimitSettings {
            per_token,
            per_ip,
            client_ip_header,
        } = settings.rate_limits.clone();
        Arc::new(Limits {
            proxy_warned: std::sync::atomic::AtomicBool::new(false),
            per_token: KeyedBucket::new(per_token),
            per_ip: KeyedBucket::new(per_ip),
            client_ip_header,
            body_limit_bytes: settings.api_body_limit_bytes,
        })
    }

    /// The client's address: the last entry of the proxy's header when one is configured,
    /// else the peer. IPv6 counts per /64.
    fn client_ip(&self, request: &Request) -> Option<IpAddr> {
        if self.client_ip_header.is_none() {
            self.warn_if_proxied(request.headers());
        }
        let forwarded = self.client_ip_header.as_ref().and_then(|name| {
            let value = request.headers().get_all(name).iter().next_back()?;
            value.to_str().ok()?.rsplit(',').next()?.trim().parse().ok()
        });
        let peer = || {
            request
                .extensions()
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(addr)| addr.ip())
        };
        forwarded.or_else(peer).map(network_of)
    }

    /// Forwarded headers but no `CLIENT_IP_HEADER`: every visitor would share the proxy's
    /// address budget (and its Chaster look-ups). Said once, at the first such request.
    fn warn_if_proxied(&self, headers: &HeaderMap) {
        use std::sync::atomic::Ordering;
        let proxied = ["x-forwarded-for", "forwarded", "x-real-ip"]
            .iter()
            .any(|h| headers.contains_key(*h));
        if proxied && !self.proxy_warned.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                "requests arrive through a proxy (forwarded headers present) but CLIENT_IP_HEADER \
                 is not set: all visitors share one address budget; set CLIENT_IP_HEADER to the \
                 header your proxy writes (e.g. x-forwarded-for)"
            );
        }
    }

    /// Whether the proxy warning was given (tests).
    pub fn proxy_warning_given(&self) -> bool {
        self.proxy_warned.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The address and page budgets; the bearer token, when the page budget parsed it.
    fn check_rate(
        &self,
        request: &Request,
        ip: Option<IpAddr>,
    ) -> Result<Option<MainToken>, AppError> {
        let now = Instant::now();
        if let Some(ip) = ip {
            self.per_ip.check(&ip, now).map_err(too_many)?;
        }
        // A malformed token is refused later (401); the address budget covers it. No token
        // hashing when the page budget is off.
        if !self.per_token.is_on() {
            return Ok(None);
        }
        let token = bearer_token(request.headers()).ok();
        if let Some(token) = &token {
            self.per_token
                .check(&token.fingerprint(), now)
                .map_err(too_many)?;
        }
        Ok(token)
    }

    /// Refuses a declared body over the limit before it is read. Streamed bodies without a
    /// length are cut by `DefaultBodyLimit` in the extractors (also a 413, see `AppError`).
    fn check_length(&self, headers: &HeaderMap) -> Result<(), AppError> {
        let declared = headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        match declared {
            Some(n) if n > self.body_limit_bytes as u64 => Err(AppError::TooLarge),
            _ => Ok(()),
        }
    }
}

impl Limits {
    /// `/api`: body size, then the address and page budgets. The client's address (and the
    /// token, once parsed) go into the request for the token resolver, which charges cache
    /// misses to the address.
    fn admit_api(&self, request: &mut Request) -> Result<(), AppError> {
        let ip = self.client_ip(request);
        self.check_length(request.headers())?;
        let token = self.check_rate(request, ip)?;
        if ip.is_some() || token.is_some() {
            let admitted = Admitted { client: ip, token };
            request.extensions_mut().insert(admitted);
        }
        Ok(())
    }

    /// Pages that write on every visit (`/auth/login` stores a sign-in state): the address
    /// budget.
    fn admit_address(&self, request: &Request) -> Result<(), AppError> {
        match self.client_ip(request) {
            Some(ip) => self.per_ip.check(&ip, Instant::now()).map_err(too_many),
            None => Ok(()),
        }
    }
}

fn too_many(wait: Duration) -> AppError {
    // Whole seconds, rounded up: waiting that long is always enough.
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    AppError::TooManyRequests {
        retry_after_secs: secs.max(1),
    }
}

/// IPv4 as is (also when mapped into IPv6); IPv6 reduced to its /64.
fn network_of(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_clients_count_per_64_and_mapped_ipv4_as_ipv4() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(network_of(a), network_of(b));
        assert_ne!(network_of(a), network_of(c));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(network_of(mapped), "192.0.2.7".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn forwarded_headers_without_client_ip_header_give_one_warning() {
        let settings = Settings::new(crate::configuration::ChasterSettings::new(
            "http://chaster.invalid",
            "token",
            "client",
        ));
        let limits = Limits::new(&settings);
        let plain = Request::builder().body(axum::body::Body::empty()).unwrap();
        limits.client_ip(&plain);
        assert!(!limits.proxy_warning_given());
        let proxied = Request::builder()
            .header("x-forwarded-for", "203.0.113.9")
            .body(axum::body::Body::empty())
            .unwrap();
        limits.client_ip(&proxied);
        assert!(limits.proxy_warning_given());
    }

    #[test]
    fn waits_are_rounded_up_to_whole_seconds() {
        let secs = |d| match too_many(d) {
            AppError::TooManyRequests { retry_after_secs } => retry_after_secs,
            _ => unreachable!(),
        };
        assert_eq!(secs(Duration::from_millis(1500)), 2);
        assert_eq!(secs(Duration::from_secs(2)), 2);
        assert_eq!(secs(Duration::from_millis(1)), 1);
    }
}
