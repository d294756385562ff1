//! What a test does with the browser: open the app inside the simulated Chaster page, wait for
//! elements by `data-testid`, read them. Every wait polls until a deadline; none sleeps blindly.

use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use fantoccini::{elements::Element, Client, Locator};
use serde_json::{json, Value};

/// How long a test waits for something the page should show.
pub const WAIT: Duration = Duration::from_secs(15);
const POLL: Duration = Duration::from_millis(100);

/// The browser session of one test, with the addresses of the app and of the host page.
#[derive(Clone)]
pub struct Page {
    pub client: Client,
    /// The app's origin, `http://localhost:<port>`.
    pub app_url: String,
    /// The simulated Chaster page's origin, `http://127.0.0.1:<port>`.
    pub host_url: String,
}

impl Page {
    /// Opens the host page with `{"mainToken": token}` in the iframe's hash, as Chaster does, and
    /// switches into the iframe.
    pub async fn open_as(&self, main_token: &str) -> anyhow::Result<()> {
        self.open_in_host(Some(&json!({ "mainToken": main_token })))
            .await
    }

    /// Opens the host page with exactly `hash` (URI-encoded JSON) on the iframe, or no hash at
    /// all, and switches into the iframe.
    pub async fn open_in_host(&self, hash: Option<&Value>) -> anyhow::Result<()> {
        self.open_in_host_at(&self.host_url, hash).await
    }

    /// Like [`Page::open_in_host`], with the host page served from `host_url`.
    pub async fn open_in_host_at(
        &self,
        host_url: &str,
        hash: Option<&Value>,
    ) -> anyhow::Result<()> {
        let mut url = url::Url::parse(host_url)?;
        if let Some(hash) = hash {
            url.query_pairs_mut().append_pair("hash", &hash.to_string());
        }
        self.client.goto(url.as_str()).await?;
        let frame = self.wait_for_css("iframe#extension", WAIT).await?;
        frame
            .enter_frame()
            .await
            .context("could not switch into the iframe")?;
        Ok(())
    }

    /// Leaves the iframe for the host page.
    pub async fn enter_host_page(&self) -> anyhow::Result<()> {
        self.client.enter_parent_frame().await?;
        Ok(())
    }

    /// Waits until an element with this `data-testid` is displayed in the current frame.
    pub async fn wait_for_testid(&self, id: &str, timeout: Duration) -> anyhow::Result<Element> {
        self.wait_for_css(&format!("[data-testid='{id}']"), timeout)
            .await
    }

    /// The visible text of the element with this `data-testid`, once it is displayed.
    pub async fn text_of(&self, id: &str) -> anyhow::Result<String> {
        Ok(self.wait_for_testid(id, WAIT).await?.text().await?)
    }

    /// Waits until the text of `id` is no longer `old`, and returns the new text.
    pub async fn wait_for_text_change(
        &self,
        id: &str,
        old: &str,
        timeout: Duration,
    ) -> anyhow::Result<String> {
        let deadline = Instant::now() + timeout;
        loop {
            let now = self.text_of(id).await?;
            if now != old {
                return Ok(now);
            }
            if Instant::now() > deadline {
                bail!("[data-testid='{id}'] still reads {old:?} after {timeout:?}");
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Runs JavaScript in the current frame and returns its result.
    pub async fn eval(&self, script: &str) -> anyhow::Result<Value> {
        Ok(self.client.execute(script, vec![]).await?)
    }

    /// Waits until `css` matches a displayed element of the current frame.
    pub async fn wait_for_css(&self, css: &str, timeout: Duration) -> anyhow::Result<Element> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(element) = self.client.find(Locator::Css(css)).await {
                if element.is_displayed().await.unwrap_or(false) {
                    return Ok(element);
                }
            }
            if Instant::now() > deadline {
                // `e2e::run` adds what the frame showed to the failure.
                bail!("no displayed element matches {css} after {timeout:?}");
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// The browser's console messages since the last call, every frame's (CSP violations are
    /// logged there as "Refused to …" errors). Each entry has `level`, `message`, `source`.
    pub async fn browser_log(&self) -> anyhow::Result<Vec<Value>> {
        match self.client.issue_cmd(GetBrowserLog).await? {
            Value::Array(entries) => Ok(entries),
            other => bail!("ChromeDriver answered the log request with {other}"),
        }
    }

    /// What the current frame shows, for failure messages: its URL, the test ids present and the
    /// start of its visible text.
    pub async fn describe(&self) -> String {
        let script = r#"
            const ids = [...document.querySelectorAll('[data-testid]')].map(e => e.dataset.testid);
            const text = (document.body ? document.body.innerText : '').slice(0, 600);
            return { url: location.href, testids: ids, text };
        "#;
        match self.client.execute(script, vec![]).await {
            Ok(state) => state.to_string(),
            Err(e) => format!("(could not read the frame: {e})"),
        }
    }
}

/// ChromeDriver's `POST /session/{id}/se/log` (not part of W3C WebDriver, so not in fantoccini).
#[derive(Debug)]
struct GetBrowserLog;

impl fantoccini::wd::WebDriverCompatibleCommand for GetBrowserLog {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/se/log",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({ "type": "browser" }).to_string()),
        )
    }
}
