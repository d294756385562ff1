//! What a test does to the page besides reading it: click, type, choose, run scripts in the
//! frame, switch between the host page and the frame, and read what the host page received.
//! Every wait polls until a deadline; none sleeps blindly.

use std::future::Future;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use fantoccini::Locator;
use serde_json::Value;

use crate::{Page, WAIT};

const POLL: Duration = Duration::from_millis(100);

/// Polls `check` until it returns `Some`, or fails after `timeout` saying what was awaited and
/// what the last check saw.
pub async fn eventually<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> anyhow::Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = anyhow::Result<Result<T, String>>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        let seen = match check().await? {
            Ok(value) => return Ok(value),
            Err(seen) => seen,
        };
        if Instant::now() > deadline {
            bail!("{what} did not happen within {timeout:?}; last seen: {seen}");
        }
        tokio::time::sleep(POLL).await;
    }
}

impl Page {
    /// Like [`Page::open_in_host`], with extra query parameters for the host page (e.g.
    /// `resize=1`), and switches into the iframe.
    pub async fn open_in_host_with(
        &self,
        hash: Option<&Value>,
        query: &[(&str, &str)],
    ) -> anyhow::Result<()> {
        let mut url = url::Url::parse(&self.host_url)?;
        {
            let mut pairs = url.query_pairs_mut();
            if let Some(hash) = hash {
                pairs.append_pair("hash", &hash.to_string());
            }
            for (key, value) in query {
                pairs.append_pair(key, value);
            }
        }
        self.client.goto(url.as_str()).await?;
        self.enter_app_frame().await
    }

    /// Opens the configuration page at `/configure`, as Chaster does with the configuration URL
    /// of its developer portal, with exactly `hash`, and switches into the iframe.
    pub async fn open_configuration_in_host(&self, hash: &Value) -> anyhow::Result<()> {
        self.open_in_host_with(Some(hash), &[("path", "configure")])
            .await
    }

    /// Switches from wherever the session is into the app's iframe of the host page.
    pub async fn enter_app_frame(&self) -> anyhow::Result<()> {
        self.client.enter_parent_frame().await?;
        let frame = self.wait_for_css("iframe#extension", WAIT).await?;
        frame
            .enter_frame()
            .await
            .context("could not switch into the iframe")
    }

    /// Clicks the element with this `data-testid` once it is displayed and enabled.
    pub async fn click_testid(&self, id: &str) -> anyhow::Result<()> {
        let css = format!("[data-testid='{id}']:not([disabled])");
        let element = self.wait_for_css(&css, WAIT).await?;
        element
            .click()
            .await
            .with_context(|| format!("could not click [data-testid='{id}']"))
    }

    /// Replaces the text of the input with this `data-testid` by `text`, typed key by key so the
    /// page sees the same input events as from a person.
    pub async fn type_into_testid(&self, id: &str, text: &str) -> anyhow::Result<()> {
        let element = self.wait_for_testid(id, WAIT).await?;
        element.clear().await?;
        element
            .send_keys(text)
            .await
            .with_context(|| format!("could not type into [data-testid='{id}']"))?;
        let now = element.prop("value").await?.unwrap_or_default();
        if now != text {
            bail!("[data-testid='{id}'] holds {now:?} after typing {text:?}");
        }
        Ok(())
    }

    /// Chooses the option with this `value` in the `<select>` with this `data-testid`.
    pub async fn select_option(&self, id: &str, value: &str) -> anyhow::Result<()> {
        let element = self.wait_for_testid(id, WAIT).await?;
        element
            .select_by_value(value)
            .await
            .with_context(|| format!("[data-testid='{id}'] has no option {value:?}"))?;
        Ok(())
    }

    /// Whether an element with this `data-testid` is in the current frame right now, shown or not.
    pub async fn has_testid(&self, id: &str) -> anyhow::Result<bool> {
        let css = format!("[data-testid='{id}']");
        Ok(!self.client.find_all(Locator::Css(&css)).await?.is_empty())
    }

    /// The `class` attribute of the element with this `data-testid`, once it is displayed.
    pub async fn class_of(&self, id: &str) -> anyhow::Result<String> {
        let element = self.wait_for_testid(id, WAIT).await?;
        Ok(element.attr("class").await?.unwrap_or_default())
    }

    /// Waits until the text of `id` satisfies `accept`, and returns it.
    pub async fn wait_for_text(
        &self,
        id: &str,
        what: &str,
        accept: impl Fn(&str) -> bool,
    ) -> anyhow::Result<String> {
        let accept = &accept;
        eventually(what, WAIT, move || async move {
            let text = self.text_of(id).await?;
            Ok(if accept(&text) {
                Ok(text)
            } else {
                Err(format!("{text:?}"))
            })
        })
        .await
    }

    /// Runs asynchronous JavaScript in the current frame: the script calls `done(result)`.
    pub async fn eval_async(&self, body: &str) -> anyhow::Result<Value> {
        let script = format!("const done = arguments[arguments.length - 1];\n{body}");
        Ok(self.client.execute_async(&script, vec![]).await?)
    }

    /// Every message the host page received so far, oldest first, as `{origin, data}`; the
    /// session is back in the app's iframe afterwards.
    pub async fn host_received(&self) -> anyhow::Result<Vec<Value>> {
        self.enter_host_page().await?;
        let received = self.eval("return window.received || null").await;
        self.enter_app_frame().await?;
        match received? {
            Value::Array(messages) => Ok(messages),
            other => bail!("the host page keeps no message log: {other}"),
        }
    }

    /// The `event`s of the `partner_configuration` messages the host page received from the
    /// app's origin, oldest first.
    pub async fn partner_events(&self) -> anyhow::Result<Vec<String>> {
        let received = self.host_received().await?;
        Ok(received
            .iter()
            .filter(|m| m["origin"] == Value::String(self.app_url.clone()))
            .filter_map(|m| m["data"].as_str())
            .filter_map(|data| serde_json::from_str::<Value>(data).ok())
            .filter(|message| message["type"] == "partner_configuration")
            .filter_map(|message| message["event"].as_str().map(str::to_owned))
            .collect())
    }
}
