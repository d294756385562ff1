use std::time::Duration;

use futures::future::join_all;
use sim::chaster::{FAULT_500_TOKEN, KEYHOLDER_TOKEN, SLOW_TOKEN, WEARER_TOKEN};

use crate::helpers::{spawn_app, spawn_app_with};

#[tokio::test]
async fn one_hundred_concurrent_requests_for_one_token_make_one_chaster_call() {
    let app = spawn_app().await;
    // Chaster answers this token slowly, so all requests arrive while the first lookup runs.
    app.chaster
        .with_state(|s| s.slow_delay = Duration::from_millis(500));
    let responses = join_all((0..100).map(|_| app.get_session(SLOW_TOKEN))).await;
    for response in responses {
        assert_eq!(response.status(), 200);
    }
    assert_eq!(app.chaster.auth_session_calls(), 1);
}

#[tokio::test]
async fn a_second_request_is_served_from_the_cache() {
    let app = spawn_app().await;
    app.session_json(WEARER_TOKEN).await;
    app.session_json(WEARER_TOKEN).await;
    assert_eq!(app.chaster.auth_session_calls(), 1);
}

#[tokio::test]
async fn different_tokens_are_resolved_separately() {
    let app = spawn_app().await;
    assert_eq!(app.session_json(WEARER_TOKEN).await["role"], "wearer");
    assert_eq!(app.session_json(KEYHOLDER_TOKEN).await["role"], "keyholder");
    assert_eq!(app.chaster.auth_session_calls(), 2);
}

#[tokio::test]
async fn chaster_is_asked_again_once_the_cache_entry_expired() {
    let app = spawn_app_with(|s| s.session_cache.ttl = Duration::ZERO).await;
    app.session_json(WEARER_TOKEN).await;
    app.session_json(WEARER_TOKEN).await;
    assert_eq!(app.chaster.auth_session_calls(), 2);
}

#[tokio::test]
async fn a_failed_lookup_is_not_cached() {
    let app = spawn_app().await;
    assert_eq!(app.get_session(FAULT_500_TOKEN).await.status(), 502);
    assert_eq!(app.get_session(FAULT_500_TOKEN).await.status(), 502);
    assert_eq!(app.chaster.auth_session_calls(), 2);
}

#[tokio::test]
async fn the_cache_holds_at_most_its_configured_number_of_tokens() {
    let app = spawn_app_with(|s| s.session_cache.max_entries = 1).await;
    app.session_json(WEARER_TOKEN).await;
    app.session_json(KEYHOLDER_TOKEN).await;
    assert_eq!(app.state.sessions.cached_tokens(), 1);
    // The wearer's entry was evicted to make room, so Chaster is asked again.
    app.session_json(WEARER_TOKEN).await;
    assert_eq!(app.chaster.auth_session_calls(), 3);
}

#[tokio::test]
async fn an_unknown_token_is_refused_from_the_cache_for_a_while() {
    let app = spawn_app().await;
    assert_eq!(app.get_session("no-such-token").await.status(), 401);
    assert_eq!(app.get_session("no-such-token").await.status(), 401);
    assert_eq!(
        app.chaster.auth_session_calls(),
        1,
        "the refusal was remembered"
    );
}

#[tokio::test]
async fn lookups_of_unknown_tokens_from_one_address_have_their_own_small_budget() {
    let app = spawn_app_with(|s| {
        s.session_cache.misses_per_ip = server::configuration::Rate {
            per_minute: 20,
            burst: 10,
        }
    })
    .await;
    let app = &app;
    let statuses = join_all((0..50).map(|i| async move {
        app.get_session(&format!("random-{i}"))
            .await
            .status()
            .as_u16()
    }))
    .await;
    let refused = statuses.iter().filter(|s| **s == 503).count();
    assert!(
        app.chaster.auth_session_calls() <= 11,
        "{} Chaster look-ups",
        app.chaster.auth_session_calls()
    );
    assert!(refused >= 39, "{refused} refused locally");
}
