//! Cold load in headless Chromium: from the navigation start of the host page (the simulated
//! Chaster page) to the moment `[data-testid=view-wearer]` is visible inside the iframe. Every
//! load gets a new browser with a new profile (cold HTTP cache, cold WASM code cache) and a new
//! mainToken (cold token cache on the server).
//!
//! Timing is taken inside the browser: a script in the iframe watches for the element (after
//! every DOM change and every animation frame) and reads the clock in the next animation frame
//! callback, just before that frame is painted. `performance.timeOrigin` of the host page is
//! its navigation start; both pages' clocks are Chromium's (two renderer processes, as the
//! origins differ). The same figure from the iframe's own navigation start (one clock) and from
//! the WebDriver side (navigate command → script answered) are printed as cross-checks.

use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use fantoccini::Locator;
use serde_json::{json, Value};
use sim::chaster::WEARER_TOKEN;

use crate::chrome::Chrome;
use crate::stats::{fmt_duration, Samples};
use crate::table::{Report, Row};
use crate::world::World;

const LOAD_TIMEOUT: Duration = Duration::from_secs(30);

/// Runs in the iframe (`arguments[0]`: the app's origin). Answers `{notYet}` while the frame
/// still holds its initial blank document.
const WAITER: &str = r#"
const [appOrigin, done] = arguments;
if (location.origin !== appOrigin) { done({ notYet: true }); return; }
const visible = () => {
  const e = document.querySelector('[data-testid="view-wearer"]');
  if (!e) return false;
  return typeof e.checkVisibility === 'function'
    ? e.checkVisibility({ opacityProperty: true, visibilityProperty: true })
    : e.getClientRects().length > 0;
};
const result = (already) => ({
  already, at: performance.timeOrigin + performance.now(), frameOrigin: performance.timeOrigin,
});
if (visible()) { done(result(true)); return; }
let finished = false, seen = false;
const finish = (value) => { if (!finished) { finished = true; observer.disconnect(); done(value); } };
const check = () => {
  if (!seen && visible()) { seen = true; requestAnimationFrame(() => finish(result(false))); }
};
const observer = new MutationObserver(check);
observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
const tick = () => { if (!finished) { check(); requestAnimationFrame(tick); } };
requestAnimationFrame(tick);
setTimeout(() => finish({ timeout: true }), 20000);
"#;

struct Load {
    from_host: Duration,
    from_frame: Duration,
    webdriver: Duration,
    already: bool,
}

fn ms(value: f64) -> Duration {
    Duration::from_secs_f64(value.max(0.0) / 1e3)
}

async fn one_load(world: &World, chrome: &Chrome) -> anyhow::Result<Load> {
    let client = &chrome.client;
    let token = world.fresh_token(WEARER_TOKEN);
    let mut url = url::Url::parse(&world.host_url)?;
    url.query_pairs_mut().append_pair("token", &token);
    let app_origin = world.app_url.clone();

    let start = Instant::now();
    client.goto(url.as_str()).await?;
    let seen: Value = loop {
        if start.elapsed() > LOAD_TIMEOUT {
            bail!("the iframe did not show view-wearer within {LOAD_TIMEOUT:?}");
        }
        let found = client.find(Locator::Css("iframe#extension")).await;
        if std::env::var_os("BENCH_DEBUG").is_some() {
            eprintln!("{:?} find {:?}", start.elapsed(), found.as_ref().err());
        }
        if let Ok(frame) = found {
            let entered = frame.enter_frame().await;
            if std::env::var_os("BENCH_DEBUG").is_some() {
                eprintln!("{:?} enter {:?}", start.elapsed(), entered.as_ref().err());
            }
            if entered.is_ok() {
                let answer = client.execute_async(WAITER, vec![json!(app_origin)]).await;
                if std::env::var_os("BENCH_DEBUG").is_some() {
                    eprintln!("{:?} {:?}", start.elapsed(), answer);
                }
                match answer {
                    Ok(v) if v["timeout"] == true => bail!("view-wearer never became visible"),
                    Ok(v) if v["at"].is_number() => break v,
                    // Still the blank document, or it was replaced while we looked.
                    _ => client.enter_parent_frame().await?,
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    };
    let webdriver = start.elapsed();
    if std::env::var_os("BENCH_DEBUG").is_some() {
        let probe = r#"
const done = arguments[arguments.length - 1];
const view = document.querySelector('[data-testid="view-wearer"]');
const out = { origin: performance.timeOrigin, lcp: [], paint: [], res: [] };
for (const e of performance.getEntriesByType('paint')) out.paint.push([e.name, e.startTime]);
for (const e of performance.getEntriesByType('resource')) out.res.push([e.name.slice(-40), e.startTime, e.responseEnd]);
new PerformanceObserver((l) => {
  for (const e of l.getEntries()) out.lcp.push([e.renderTime, e.startTime, e.size, e.element ? e.element.outerHTML.slice(0, 80) : null, !!(view && e.element && view.contains(e.element))]);
}).observe({ type: 'largest-contentful-paint', buffered: true });
setTimeout(() => done(out), 200);
"#;
        eprintln!("{:#}", client.execute_async(probe, vec![]).await?);
    }
    client.enter_parent_frame().await?;
    let host_origin = client
        .execute("return performance.timeOrigin;", vec![])
        .await?
        .as_f64()
        .context("the host page has no performance.timeOrigin")?;
    let at = seen["at"].as_f64().unwrap_or_default();
    let frame_origin = seen["frameOrigin"].as_f64().unwrap_or_default();
    Ok(Load {
        from_host: ms(at - host_origin),
        from_frame: ms(at - frame_origin),
        webdriver,
        already: seen["already"] == true,
    })
}

/// `loads` measured loads after one discarded warm-up (it pays for reading Chromium from disk).
pub async fn report(report: &mut Report, world: &World, loads: usize) -> anyhow::Result<()> {
    let mut samples = Vec::with_capacity(loads);
    let mut failures = Vec::new();
    for i in 0..=loads {
        let chrome = Chrome::launch().await?;
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
            "host navigation start → `view-wearer` visible in the iframe",
            pick(|l| l.from_host),
        ),
        (
            "… from the iframe's own navigation start",
            pick(|l| l.from_frame),
        ),
        (
            "… timed by WebDriver (navigate command → waiter answered)",
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
    let already = samples.iter().filter(|l| l.already).count();
    report.note(format!(
        "cold load: a new Chromium (headless, fresh profile) and a new mainToken for each load, \
         one warm-up load discarded; timed in the browser (see `bench/src/coldload.rs`). \
         {already} of {n} loads showed the view before the watcher was in place (those read \
         late, so they overstate the time){}.",
        if failures.is_empty() {
            String::new()
        } else {
            format!("; {} loads failed: {}", failures.len(), failures.join("; "))
        }
    ));
    Ok(())
}
