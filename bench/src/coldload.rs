//! Cold load in headless Chromium: from the navigation start of the host page (the simulated
//! Chaster page) to the moment `[data-testid=view-wearer]` is painted inside the iframe. Every
//! load gets a new browser with a new profile (cold HTTP cache, cold WASM code cache) and a new
//! mainToken (cold token cache on the server).
//!
//! Timing is read inside the browser, so WebDriver's round trips do not count. A watcher in the
//! iframe (DOM changes and animation frames) gives the animation frame in which the view was
//! first visible, when it gets there before the view does (WebDriver is often too slow for
//! that). Otherwise the paint time of the first Largest Contentful Paint entry of the iframe
//! whose element lies inside `view-wearer` is used (LCP entries are buffered, so they can be
//! read after the fact); the earlier of the two, as both are upper bounds.
//! `performance.timeOrigin` of the host page is its navigation start; both clocks are Chromium's
//! (two renderer processes, as the origins differ). The figure from the iframe's own navigation
//! start (one clock) and the one timed by WebDriver are printed as cross-checks.

use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use serde_json::{json, Value};
use sim::chaster::WEARER_TOKEN;

use crate::stats::{fmt_duration, Samples};
use crate::table::{Report, Row};
use crate::world::World;
use e2e::Browser;

const LOAD_TIMEOUT: Duration = Duration::from_secs(30);

/// Runs in the iframe (`arguments[0]`: the app's origin). Answers `{notYet}` while the frame
/// still holds its initial blank document; otherwise, once the view is visible, `{already,
/// observedAt, paintedAt, frameOrigin}` in epoch milliseconds (`paintedAt` may be null).
const WAITER: &str = r#"
const [appOrigin, done] = arguments;
if (location.origin !== appOrigin) { done({ notYet: true }); return; }
const view = () => document.querySelector('[data-testid="view-wearer"]');
const visible = () => {
  const e = view();
  if (!e) return false;
  return typeof e.checkVisibility === 'function'
    ? e.checkVisibility({ opacityProperty: true, visibilityProperty: true })
    : e.getClientRects().length > 0;
};
const now = () => performance.timeOrigin + performance.now();
const report = (already, observedAt) => {
  const entries = [];
  const po = new PerformanceObserver((list) => entries.push(...list.getEntries()));
  po.observe({ type: 'largest-contentful-paint', buffered: true });
  // LCP entries arrive after the paint they describe.
  setTimeout(() => {
    po.disconnect();
    const v = view();
    const times = entries
      .filter((e) => v && e.element && v.contains(e.element))
      .map((e) => e.renderTime || e.startTime);
    done({
      already, observedAt, frameOrigin: performance.timeOrigin, answeredAt: now(),
      paintedAt: times.length ? performance.timeOrigin + Math.min(...times) : null,
    });
  }, 200);
};
if (visible()) { report(true, now()); return; }
let finished = false, seen = false;
const finish = () => { if (!finished) { finished = true; observer.disconnect(); report(false, now()); } };
const check = () => { if (!seen && visible()) { seen = true; requestAnimationFrame(finish); } };
const observer = new MutationObserver(check);
observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
const tick = () => { if (!finished) { check(); requestAnimationFrame(tick); } };
requestAnimationFrame(tick);
setTimeout(() => { if (!finished) { finished = true; observer.disconnect(); done({ timeout: true }); } }, 20000);
"#;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Method {
    /// The watcher was in place and saw it appear.
    Observed,
    /// Already visible when the watcher arrived: the first LCP entry inside the view.
    Painted,
    /// Already visible and no LCP entry inside it: when the watcher saw it (an upper bound).
    Late,
}

struct Load {
    from_host: Duration,
    from_frame: Duration,
    webdriver: Duration,
    method: Method,
}

fn ms(value: f64) -> Duration {
    Duration::from_secs_f64(value.max(0.0) / 1e3)
}

async fn one_load(world: &World, chrome: &Browser) -> anyhow::Result<Load> {
    let client = &chrome.client;
    let token = world.fresh_token(WEARER_TOKEN);
    let mut url = url::Url::parse(&world.host_url)?;
    url.query_pairs_mut().append_pair("token", &token);
    let app_origin = world.app_url.clone();

    let start = Instant::now();
    // Returns at once: the page load strategy is `none`.
    client.goto(url.as_str()).await?;
    let seen: Value = loop {
        if start.elapsed() > LOAD_TIMEOUT {
            bail!("the iframe did not show view-wearer within {LOAD_TIMEOUT:?}");
        }
        // The host page has one frame; by index saves a round trip over finding it first.
        if client.enter_frame(0).await.is_ok() {
            match client.execute_async(WAITER, vec![json!(app_origin)]).await {
                Ok(v) if v["timeout"] == true => bail!("view-wearer never became visible"),
                Ok(v) if v["frameOrigin"].is_number() => break v,
                // Still the blank document, or it was replaced while we looked.
                _ => client.enter_parent_frame().await?,
            }
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    };
    // Less the time the watcher spent collecting LCP entries after it saw the view.
    let settle = seen["answeredAt"].as_f64().unwrap_or_default()
        - seen["observedAt"].as_f64().unwrap_or_default();
    let webdriver = start.elapsed().saturating_sub(ms(settle));
    client.enter_parent_frame().await?;
    let host_origin = client
        .execute("return performance.timeOrigin;", vec![])
        .await?
        .as_f64()
        .context("the host page has no performance.timeOrigin")?;
    // Both are upper bounds of the first moment the view was visible; the earlier one is closer.
    let observed = seen["observedAt"].as_f64().unwrap_or_default();
    let painted = seen["paintedAt"].as_f64().unwrap_or(f64::INFINITY);
    let (at, method) = if seen["already"] != true {
        (observed.min(painted), Method::Observed)
    } else if painted < observed {
        (painted, Method::Painted)
    } else {
        (observed, Method::Late)
    };
    let frame_origin = seen["frameOrigin"].as_f64().unwrap_or_default();
    Ok(Load {
        from_host: ms(at - host_origin),
        from_frame: ms(at - frame_origin),
        webdriver,
        method,
    })
}

/// `loads` measured loads after one discarded warm-up (it pays for reading Chromium from disk).
pub async fn report(report: &mut Report, world: &World, loads: usize) -> anyhow::Result<()> {
    let mut samples = Vec::with_capacity(loads);
    let mut failures = Vec::new();
    for i in 0..=loads {
        // A fresh profile per load (cold caches); page load strategy `none` lets the bench be
        // inside the iframe before the app shows anything.
        let mut caps = serde_json::Map::new();
        caps.insert("pageLoadStrategy".into(), serde_json::json!("none"));
        let chrome = Browser::launch_configured(&[], caps).await?;
        let load = one_load(world, &chrome).await;
        chrome.shutdown().await;
        match load {
            Ok(load) if i > 0 => samples.push(load),
            Ok(_) => {}
            Err(e) => failures.push(format!("{e:#}")),
        }
        if failures.len() > 3 {
            bail!("cold loads keep failing: {}", failures.join("; "));
        }
    }
    let pick = |f: fn(&Load) -> Duration| Samples::new(samples.iter().map(f).collect());
    let n = samples.len();
    for (what, s) in [
        (
            "host navigation start → `view-wearer` painted in the iframe",
            pick(|l| l.from_host),
        ),
        (
            "… from the iframe's own navigation start",
            pick(|l| l.from_frame),
        ),
        (
            "… timed by WebDriver: navigate command → view seen by the watcher (upper bound: round trips, late watcher)",
            pick(|l| l.webdriver),
        ),
    ] {
        report.row(Row::new(
            "cold load",
            format!("{what}, median / p90 (n={n})"),
            format!(
                "{} / {}",
                fmt_duration(s.median()),
                fmt_duration(s.percentile(90.0))
            ),
        ));
    }
    let count = |m: Method| samples.iter().filter(|l| l.method == m).count();
    report.note(format!(
        "cold load: a new headless Chromium with a fresh profile and a new mainToken for each \
         load, one warm-up load discarded. Timed by an in-frame watcher (animation frame in which \
         the view is first visible) in {} loads; it arrived after the view in {} loads, timed by \
         the iframe's first LCP entry inside `view-wearer` (its paint time); {} read late (upper \
         bounds). Method in `bench/src/coldload.rs`{}.",
        count(Method::Observed),
        count(Method::Painted),
        count(Method::Late),
        if failures.is_empty() {
            String::new()
        } else {
            format!("; {} loads failed: {}", failures.len(), failures.join("; "))
        }
    ));
    Ok(())
}
