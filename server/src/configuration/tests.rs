use std::collections::HashMap;
use std::time::Duration;

use secrecy::ExposeSecret;

use super::*;

fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name| map.get(name).cloned()
}

const REQUIRED: [(&str, &str); 2] = [
    ("CHASTER_DEVELOPER_TOKEN", "dev-token-123"),
    ("CHASTER_CLIENT_ID", "client-1"),
];

#[test]
fn defaults_match_the_architecture_table() {
    let s = Settings::from_lookup(lookup(&REQUIRED)).unwrap();
    assert_eq!(s.bind_addr.to_string(), "127.0.0.1:3000");
    assert_eq!(s.dist_dir, PathBuf::from("dist"));
    assert_eq!(s.chaster.base_url, "https://api.chaster.app");
    assert_eq!(s.chaster.origins, vec!["https://chaster.app"]);
    assert_eq!(s.chaster.timeout, Duration::from_secs(10));
    assert_eq!(s.sesame.v3_base_url, "https://api.candyhouse.co/public");
    assert_eq!(s.sesame.webapi_base_url, "https://app.candyhouse.co");
    assert_eq!(
        s.database_url.expose_secret(),
        "sqlite://.data/opener.db?mode=rwc"
    );
    assert_eq!(s.secrets_key_file, PathBuf::from(".data/secrets.key"));
    assert_eq!(s.session_cache.ttl, Duration::from_secs(45));
}

#[test]
fn the_developer_token_and_client_id_are_required() {
    let err = Settings::from_lookup(lookup(&REQUIRED[1..])).unwrap_err();
    assert!(matches!(
        err,
        ConfigError::Missing("CHASTER_DEVELOPER_TOKEN")
    ));
    let err = Settings::from_lookup(lookup(&REQUIRED[..1])).unwrap_err();
    assert!(matches!(err, ConfigError::Missing("CHASTER_CLIENT_ID")));
}

#[test]
fn debug_output_never_prints_secrets() {
    let mut pairs = REQUIRED.to_vec();
    pairs.push(("DATABASE_URL", "postgres://u:db-password-9@h/db"));
    pairs.push(("CHASTER_WEBHOOK_USERNAME", "chaster"));
    pairs.push(("CHASTER_WEBHOOK_PASSWORD", "hook-password-7"));
    let s = Settings::from_lookup(lookup(&pairs)).unwrap();
    let printed = format!("{s:?}");
    for secret in ["dev-token-123", "db-password-9", "hook-password-7"] {
        assert!(!printed.contains(secret), "{secret} leaked: {printed}");
    }
}

#[test]
fn values_are_read_and_base_urls_lose_their_trailing_slash() {
    let mut pairs = REQUIRED.to_vec();
    pairs.extend([
        ("BIND_ADDR", "0.0.0.0:8080"),
        ("CHASTER_BASE_URL", "http://127.0.0.1:9999/"),
        (
            "CHASTER_ORIGINS",
            "https://chaster.app, https://*.chaster.app/",
        ),
        ("CHASTER_TIMEOUT_MS", "300"),
        ("SESAME_WEBAPI_BASE_URL", "http://127.0.0.1:9998"),
    ]);
    let s = Settings::from_lookup(lookup(&pairs)).unwrap();
    assert_eq!(s.bind_addr.port(), 8080);
    assert_eq!(s.chaster.base_url, "http://127.0.0.1:9999");
    assert_eq!(
        s.chaster.origins,
        vec!["https://chaster.app", "https://*.chaster.app"]
    );
    assert_eq!(s.chaster.timeout, Duration::from_millis(300));
    assert_eq!(s.sesame.webapi_base_url, "http://127.0.0.1:9998");
}

#[test]
fn origins_that_could_break_the_csp_header_are_refused() {
    for bad in [
        "chaster.app",
        "https://chaster.app; script-src *",
        "https://a b",
        "https://x/path",
    ] {
        let mut pairs = REQUIRED.to_vec();
        pairs.push(("CHASTER_ORIGINS", bad));
        let err = Settings::from_lookup(lookup(&pairs)).unwrap_err();
        assert!(
            matches!(
                err,
                ConfigError::Invalid {
                    name: "CHASTER_ORIGINS",
                    ..
                }
            ),
            "{bad}"
        );
    }
}

#[test]
fn bad_numbers_and_urls_are_reported_by_name() {
    let mut pairs = REQUIRED.to_vec();
    pairs.push(("CHASTER_TIMEOUT_MS", "soon"));
    let err = Settings::from_lookup(lookup(&pairs)).unwrap_err();
    assert!(err.to_string().contains("CHASTER_TIMEOUT_MS"));
    let mut pairs = REQUIRED.to_vec();
    pairs.push(("CHASTER_BASE_URL", "ftp://x"));
    let err = Settings::from_lookup(lookup(&pairs)).unwrap_err();
    assert!(err.to_string().contains("CHASTER_BASE_URL"));
}

#[test]
fn a_toml_file_supplies_lower_case_keys_and_arrays() {
    let table: toml::Table = r#"
        chaster_developer_token = "from-file"
        chaster_client_id = "file-client"
        chaster_origins = ["https://chaster.app", "http://127.0.0.1:9000"]
        chaster_timeout_ms = 2500
    "#
    .parse()
    .unwrap();
    let env = lookup(&[("CHASTER_CLIENT_ID", "env-client")]);
    let s = Settings::from_lookup(|n| env(n).or_else(|| source::toml_value(&table, n))).unwrap();
    assert_eq!(s.chaster.developer_token.expose_secret(), "from-file");
    assert_eq!(s.chaster.client_id, "env-client", "the environment wins");
    assert_eq!(s.chaster.origins.len(), 2);
    assert_eq!(s.chaster.timeout, Duration::from_millis(2500));
}
