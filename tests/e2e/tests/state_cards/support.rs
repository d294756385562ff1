//! What the state-card tests share: opening the page as a person and reading the card, the
//! box's latch in the simulator, and a running lock that holds the demo box.

use std::time::Duration;

use anyhow::{ensure, Context};
use e2e::webhooks::deliver_webhooks;
use e2e::{eventually, TestContext};
use serde_json::Value;
use sim::chaster::{SESSION_A_ID, WEARER_TOKEN};
use sim::sesame::DEMO_WEBAPI_UUID;

/// Server jobs (openings after a webhook) may take a few rounds.
pub const SLOW: Duration = Duration::from_secs(30);

pub const KEY_ANYWAY: [&str; 2] = ["Sesame app over Bluetooth", "backup key"];

/// Opens the page as `token` and waits for the state card in `state`; returns its title.
pub async fn card(t: &TestContext, token: &str, state: &str) -> anyhow::Result<String> {
    t.page.open_as(token).await?;
    let css = format!("[data-testid='state-card'][data-state='{state}']");
    t.page
        .wait_for_css(&css, SLOW)
        .await
        .with_context(|| format!("the state card in state {state:?}"))?;
    t.page.text_of("state-title").await
}

/// Like [`card`], reloading as a person would until the card says `title`: what the server knows
/// of the box changes once its opening job has tried it.
pub async fn card_saying(
    t: &TestContext,
    token: &str,
    state: &str,
    title: &str,
) -> anyhow::Result<()> {
    eventually(&format!("the card to say {title:?}"), SLOW, || async move {
        let seen = card(t, token, state).await?;
        Ok(if seen == title { Ok(()) } else { Err(seen) })
    })
    .await
}

pub async fn card_text(t: &TestContext) -> anyhow::Result<String> {
    t.page.text_of("state-card").await
}

/// The `role` of the card's title: `alert` only where the card must be heard at once.
pub async fn title_role(t: &TestContext) -> anyhow::Result<Option<String>> {
    let title = t.page.wait_for_testid("state-title", e2e::WAIT).await?;
    Ok(title.attr("role").await?)
}

pub async fn says_how_to_get_the_key(t: &TestContext) -> anyhow::Result<()> {
    let text = t.page.text_of("state-key-anyway").await?;
    for words in KEY_ANYWAY {
        ensure!(
            text.contains(words),
            "the way to the key {text:?} lacks {words:?}"
        );
    }
    Ok(())
}

pub async fn wait_box(t: &TestContext, uuid: &str, locked: bool) -> anyhow::Result<()> {
    let sesame = &t.stack.sesame;
    eventually("the box to move", SLOW, || async move {
        Ok(if sesame.latch_locked(uuid) == locked {
            Ok(())
        } else {
            Err(format!("locked: {}", !locked))
        })
    })
    .await
}

/// `GET /api/device` as `token`, straight from the server.
pub async fn device(t: &TestContext, token: &str) -> anyhow::Result<Value> {
    let slot: Value = reqwest::Client::new()
        .get(format!("{}/api/device", t.stack.app_url))
        .bearer_auth(token)
        .send()
        .await?
        .json()
        .await?;
    Ok(slot["device"].clone())
}

/// Session A once the demo wearer connected their box: the running lock holds it.
/// Returns `(sessionId, wearer token)`.
pub async fn lock_holding_the_box(t: &TestContext) -> anyhow::Result<(String, String)> {
    deliver_webhooks(t);
    t.stack.connect_box(WEARER_TOKEN, DEMO_WEBAPI_UUID).await?;
    eventually("the running lock to hold the box", SLOW, || async move {
        let device = device(t, WEARER_TOKEN).await?;
        Ok(if device["holds_box"] == true {
            Ok(())
        } else {
            Err(format!("{device}"))
        })
    })
    .await?;
    Ok((SESSION_A_ID.to_owned(), WEARER_TOKEN.to_owned()))
}
