//! Upstream calls per burst of viewers: what 100 simultaneous page requests cost Chaster and
//! CANDY HOUSE, counted by the simulators. The server caches and coalesces both token
//! resolutions (per token) and box status reads (per box).

use futures::future::join_all;

use crate::table::{Report, Row};
use crate::world::{Wearer, World};

/// `viewers` concurrent GETs of `path`, token `i` for request `i`; returns how many were not 200.
async fn burst(world: &World, path: &str, tokens: &[String]) -> usize {
    let requests = tokens.iter().map(|token| {
        world
            .http
            .get(format!("{}{path}", world.server.url))
            .bearer_auth(token)
            .send()
    });
    join_all(requests)
        .await
        .into_iter()
        .filter(|r| !matches!(r, Ok(r) if r.status() == reqwest::StatusCode::OK))
        .count()
}

fn failures(n: usize) -> String {
    if n == 0 {
        String::new()
    } else {
        format!(" ({n} answers were not 200)")
    }
}

/// `w` must have connected its box more than the status cache's lifetime (10 s) ago, so the
/// device burst starts with a cold status cache.
pub async fn report(report: &mut Report, world: &World, w: &Wearer, viewers: usize) {
    let chaster = &world.chaster;

    // The same page asked `viewers` times at once (one fresh token, never resolved before).
    let token = world.fresh_token(&w.wearer_token);
    let before = chaster.auth_session_calls();
    let bad = burst(world, "/api/session", &vec![token; viewers]).await;
    let calls = chaster.auth_session_calls() - before;
    report.row(Row::new(
        "upstream",
        format!("Chaster token resolutions for {viewers} concurrent `GET /api/session`, one fresh token{}", failures(bad)),
        calls.to_string(),
    ));

    // `viewers` people opening the lock's page at once: each iframe has its own token.
    let tokens: Vec<String> = (0..viewers)
        .map(|i| {
            let like = if i % 2 == 0 {
                &w.wearer_token
            } else {
                &w.keyholder_token
            };
            world.fresh_token(like)
        })
        .collect();
    let before = chaster.auth_session_calls();
    let bad = burst(world, "/api/session", &tokens).await;
    let calls = chaster.auth_session_calls() - before;
    report.row(Row::new(
        "upstream",
        format!("Chaster token resolutions for {viewers} concurrent `GET /api/session`, {viewers} fresh tokens (half wearer, half keyholder){}", failures(bad)),
        calls.to_string(),
    ));

    // The same viewers (tokens now cached) ask for the box at once; its status is not cached.
    let (reads, requests) = (
        world.sesame.status_reads(&w.uuid),
        world.sesame.requests_for_key(&w.api_key),
    );
    let before = chaster.auth_session_calls();
    let bad = burst(world, "/api/device", &tokens).await;
    let chaster_calls = chaster.auth_session_calls() - before;
    let reads = world.sesame.status_reads(&w.uuid) - reads;
    let requests = world.sesame.requests_for_key(&w.api_key) - requests;
    report.row(Row::new(
        "upstream",
        format!("Sesame status reads for {viewers} concurrent `GET /api/device` of one box, cold status cache{}", failures(bad)),
        reads.to_string(),
    ));
    report.row(Row::new(
        "upstream",
        "… all CANDY HOUSE requests with that box's API key / Chaster token resolutions during that burst",
        format!("{requests} / {chaster_calls}"),
    ));
}
