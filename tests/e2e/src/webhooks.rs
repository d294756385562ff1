//! Tests where Chaster's webhooks reach the server at once, as in production, and the server
//! answers quickly: a page always sees Chaster's latest and job retries come fast.

use std::time::Duration;

use sim::chaster::WebhookConfig;

use crate::TestContext;

const HOOK_USER: &str = "e2e-hooks";
const HOOK_PASSWORD: &str = "e2e-hooks-password";

/// The server's settings for [`deliver_webhooks`]: webhook credentials, no session cache, no
/// budgets in the way, quick job retries.
pub const WEBHOOK_SETTINGS: &[(&str, &str)] = &[
    ("CHASTER_WEBHOOK_USERNAME", HOOK_USER),
    ("CHASTER_WEBHOOK_PASSWORD", HOOK_PASSWORD),
    ("SESSION_CACHE_TTL_SECS", "0"),
    ("RATE_LIMIT_PER_TOKEN_PER_MIN", "0"),
    ("CHASTER_MAX_REQUESTS_PER_MINUTE", "100000"),
    ("SESSION_MISSES_PER_IP_PER_MIN", "0"),
    ("JOBS_IDLE_POLL_MS", "50"),
    ("JOBS_RETRY_BASE_MS", "100"),
    ("JOBS_RETRY_MAX_MS", "500"),
    ("JOBS_OPEN_RETRY_MAX_SECS", "1"),
];

/// Points the simulated Chaster's webhooks at the server (run with [`WEBHOOK_SETTINGS`]).
pub fn deliver_webhooks(t: &TestContext) {
    let url = t.stack.app_url.replace("localhost", "127.0.0.1");
    t.stack.chaster.set_webhook(
        WebhookConfig::new(format!("{url}/webhooks/chaster"))
            .with_basic_auth(HOOK_USER, HOOK_PASSWORD)
            .with_retry_delays(vec![Duration::from_millis(200); 4]),
    );
}
