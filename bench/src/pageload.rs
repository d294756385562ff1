//! Page loads in headless Chromium, ours and Leptos's counter under the same conditions in the
//! same run: both served by a `sesame-opener` release binary (same static file serving,
//! precompression, headers), both framed by the simulated Chaster page on another origin, the
//! loads interleaved. Each browser gets a fresh profile and loads one page twice: cold (new
//! profile: cold HTTP cache and WASM code cache) and warm (a second navigation in the same
//! profile). Every load gets a new mainToken (Chaster gives each iframe its own), so the server
//! asks Chaster once per load, as in production.
//!
//! Timing is read inside the browser, so WebDriver's round trips do not count. A watcher in the
//! iframe (DOM changes and animation frames) gives the animation frame in which the view was
//! first visible, when it gets there before the view does. Otherwise the paint time of the first
//! Largest Contentful Paint entry inside the view is used (LCP entries are buffered); the earlier
//! of the two, as both are upper bounds. The end-to-end figure runs from the host page's
//! navigation start (`performance.timeOrigin`, Chromium's clock in both renderers); the stages
//! are read in the iframe from its own navigation start: Navigation Timing (document), Resource
//! Timing (`.wasm`, `/api/session`) and the page's marks (`sesame:wasm-start`).

use std::time::{Duration, Instant};

use anyhow::bail;
use serde_json::{json, Value};
use sim::chaster::WEARER_TOKEN;

use crate::stats::{fmt_duration, fmt_ratio_spread, median_f64};
use crate::table::{Report, Row};
use crate::world::{Framed, World};
use e2e::Browser;

const LOAD_TIMEOUT: Duration = Duration::from_secs(30);
/// How many runs each ratio is the median of.
pub const RUNS: usize = 3;

/// Runs in the iframe (`arguments`: the page's origin, the view's selector, the epoch ms before
/// which a document is an older one). Answers `{notYet}` while the frame holds another
/// document; otherwise, once the view is visible, the times in epoch ms and the stages in ms
/// from the iframe's navigation start (null when absent).
const WAITER: &str = r#"
const [appOrigin, selector, notBefore, done] = arguments;
if (location.origin !== appOrigin || performance.timeOrigin < notBefore) { done({ notYet: true }); return; }
const view = () => document.querySelector(selector);
const visible = () => {
  const e = view();
  if (!e) return false;
  return typeof e.checkVisibility === 'function'
    ? e.checkVisibility({ opacityProperty: true, visibilityProperty: true })
    : e.getClientRects().length > 0;
};
const now = () => performance.timeOrigin + performance.now();
const stages = () => {
  const nav = performance.getEntriesByType('navigation')[0];
  const res = performance.getEntriesByType('resource');
  const path = (e) => { try { return new URL(e.name).pathname; } catch (_) { return ''; } };
  const wasm = res.find((e) => path(e).endsWith('.wasm'));
  const session = res.find((e) => path(e) === '/api/session');
  const mark = performance.getEntriesByName('sesame:wasm-start', 'mark')[0];
  return {
    document: nav ? nav.responseEnd : null,
    wasm: wasm ? wasm.responseEnd : null,
    wasmStart: mark ? mark.startTime : null,
    session: session ? session.responseEnd : null,
  };
};
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
      stages: stages(),
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

/// What one page load measured, in ms.
#[derive(Clone, Debug)]
struct Load {
    /// Host navigation start → view painted in the iframe.
    total: f64,
    /// Host navigation start → the iframe's navigation start.
    frame_start: f64,
    /// From the iframe's navigation start.
    document: Option<f64>,
    wasm: Option<f64>,
    wasm_start: Option<f64>,
    session: Option<f64>,
    view: f64,
    /// The watcher saw it appear (else: an LCP entry or a late look, both upper bounds).
    observed: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Temp {
    Cold,
    Warm,
}

impl Temp {
    fn name(self) -> &'static str {
        match self {
            Temp::Cold => "cold",
            Temp::Warm => "warm",
        }
    }
}

/// Loads per page, per temperature, per run.
#[derive(Default)]
struct Runs {
    /// `[run][temp]` → loads.
    ours: Vec<[Vec<Load>; 2]>,
    counter: Vec<[Vec<Load>; 2]>,
}

fn opt(v: &Value) -> Option<f64> {
    v.as_f64()
}

async fn one_load(
    world: &World,
    page: &Framed,
    chrome: &Browser,
    not_before: f64,
) -> anyhow::Result<Load> {
    let client = &chrome.client;
    let token = world.fresh_token(WEARER_TOKEN);
    let mut url = url::Url::parse(&page.host_url)?;
    url.query_pairs_mut().append_pair("token", &token);

    let start = Instant::now();
    // Returns at once: the page load strategy is `none`.
    client.goto(url.as_str()).await?;
    let seen: Value = loop {
        if start.elapsed() > LOAD_TIMEOUT {
            bail!(
                "the iframe did not show {} within {LOAD_TIMEOUT:?}",
                page.selector
            );
        }
        // The host page has one frame; by index saves a round trip over finding it first.
        if client.enter_frame(0).await.is_ok() {
            let args = vec![json!(page.app_url), json!(page.selector), json!(not_before)];
            match client.execute_async(WAITER, args).await {
                Ok(v) if v["timeout"] == true => bail!("{} never became visible", page.selector),
                Ok(v) if v["frameOrigin"].is_number() => break v,
                // Still another document, or it was replaced while we looked.
                _ => client.enter_parent_frame().await?,
            }
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    };
    client.enter_parent_frame().await?;
    let host_origin = client
        .execute("return performance.timeOrigin;", vec![])
        .await?
        .as_f64()
        .unwrap_or_default();
    // Both are upper bounds of the first moment the view was visible; the earlier one is closer.
    let observed = seen["observedAt"].as_f64().unwrap_or_default();
    let painted = seen["paintedAt"].as_f64().unwrap_or(f64::INFINITY);
    let at = observed.min(painted);
    let frame_origin = seen["frameOrigin"].as_f64().unwrap_or_default();
    let stages = &seen["stages"];
    Ok(Load {
        total: at - host_origin,
        frame_start: frame_origin - host_origin,
        document: opt(&stages["document"]),
        wasm: opt(&stages["wasm"]),
        wasm_start: opt(&stages["wasmStart"]),
        session: opt(&stages["session"]),
        view: at - frame_origin,
        observed: seen["already"] != true,
    })
}

/// A fresh profile, a cold load, then a warm one in the same profile.
async fn cold_and_warm(world: &World, page: &Framed) -> anyhow::Result<[Load; 2]> {
    // Page load strategy `none` lets the bench be inside the iframe before the page shows
    // anything.
    let mut caps = serde_json::Map::new();
    caps.insert("pageLoadStrategy".into(), json!("none"));
    let chrome = Browser::launch_configured(&[], caps).await?;
    let loads = async {
        let cold = one_load(world, page, &chrome, 0.0).await?;
        // A blank page between the two, so the second is a new navigation of the host page.
        chrome.client.goto("about:blank").await?;
        let not_before = epoch_ms(&chrome).await?;
        let warm = one_load(world, page, &chrome, not_before).await?;
        anyhow::Ok([cold, warm])
    }
    .await;
    chrome.shutdown().await;
    loads
}

async fn epoch_ms(chrome: &Browser) -> anyhow::Result<f64> {
    Ok(chrome
        .client
        .execute("return Date.now();", vec![])
        .await?
        .as_f64()
        .unwrap_or_default())
}

/// `RUNS` runs of `loads` browsers per page, the pages alternating, after one discarded browser
/// (it pays for reading Chromium from disk).
pub async fn report(report: &mut Report, world: &World, loads: usize) -> anyhow::Result<()> {
    let loads = loads.max(1);
    let (ours, counter) = (world.ours_framed(), world.counter_framed());
    let _ = cold_and_warm(world, &counter).await;
    let mut runs = Runs::default();
    let mut failures = Vec::new();
    for run in 0..RUNS {
        runs.ours.push(Default::default());
        runs.counter.push(Default::default());
        for i in 0..loads {
            // Alternate which page goes first, so drift in the machine's load hits both.
            let order = if (run + i) % 2 == 0 {
                [(&ours, true), (&counter, false)]
            } else {
                [(&counter, false), (&ours, true)]
            };
            for (page, is_ours) in order {
                match cold_and_warm(world, page).await {
                    Ok([cold, warm]) => {
                        let slot = if is_ours {
                            &mut runs.ours[run]
                        } else {
                            &mut runs.counter[run]
                        };
                        slot[0].push(cold);
                        slot[1].push(warm);
                    }
                    Err(e) => failures.push(format!("{e:#}")),
                }
                if failures.len() > 3 {
                    bail!("page loads keep failing: {}", failures.join("; "));
                }
            }
        }
    }
    for temp in [Temp::Cold, Temp::Warm] {
        rows(report, &runs, temp, loads);
    }
    let all: Vec<&Load> = runs
        .ours
        .iter()
        .chain(&runs.counter)
        .flat_map(|r| r.iter().flatten())
        .collect();
    let late = all.iter().filter(|l| !l.observed).count();
    report.note(format!(
        "page load: ours = our main page as the wearer (view `[data-testid=view-wearer]`); peer = \
         Leptos's counter (view: its `span`), served by a second `sesame-opener` with \
         `DIST_DIR` = the counter's build (precompressed the same way), framed by the same \
         simulated Chaster page. {RUNS} runs × {loads} fresh Chromium profiles per page, each \
         loading its page cold then warm (second navigation, same profile), a new mainToken per \
         load, pages interleaved, one browser discarded first. The ours/peer cells are the \
         median of the {RUNS} per-run medians; the ratio is the median of the {RUNS} per-run \
         ratios (min–max in brackets). Stages: medians of all loads, in ms from the iframe's \
         navigation start; n/a = the page has no such step or mark. {} of {} loads were seen by \
         the watcher late and timed by LCP or the late look (upper bounds){}.",
        late,
        all.len(),
        if failures.is_empty() {
            String::new()
        } else {
            format!("; {} loads failed: {}", failures.len(), failures.join("; "))
        }
    ));
    Ok(())
}

/// Reads one stage of a load, in ms.
type Stage = fn(&Load) -> Option<f64>;

fn rows(report: &mut Report, runs: &Runs, temp: Temp, loads: usize) {
    let t = temp as usize;
    let run_median = |r: &[Vec<Load>; 2]| median_f64(r[t].iter().map(|l| l.total));
    let ours: Vec<Option<f64>> = runs.ours.iter().map(run_median).collect();
    let peer: Vec<Option<f64>> = runs.counter.iter().map(run_median).collect();
    let ratios: Vec<f64> = ours
        .iter()
        .zip(&peer)
        .filter_map(|(o, p)| Some(o.as_ref()? / p.as_ref()?))
        .collect();
    let med = |v: &[Option<f64>]| median_f64(v.iter().flatten().copied());
    report.row(
        Row::new(
            "page load",
            format!(
                "{}: host navigation start → view painted in the iframe (median; {RUNS} runs × \
                 {loads} loads)",
                temp.name()
            ),
            fmt_ms(med(&ours)),
        )
        .vs(fmt_ms(med(&peer)), fmt_ratio_spread(&ratios)),
    );
    let pooled = |loads: &[[Vec<Load>; 2]], f: Stage| {
        median_f64(loads.iter().flat_map(|r| r[t].iter().filter_map(f)))
    };
    let stages: [(&str, Stage); 6] = [
        (
            "host navigation start → iframe navigation start (host page, same for both)",
            |l| Some(l.frame_start),
        ),
        (
            "… document received (Navigation Timing responseEnd)",
            |l| l.document,
        ),
        ("… `.wasm` fetched (Resource Timing responseEnd)", |l| {
            l.wasm
        }),
        ("… WASM instantiated (mark `sesame:wasm-start`)", |l| {
            l.wasm_start
        }),
        (
            "… `/api/session` answered (Resource Timing responseEnd)",
            |l| l.session,
        ),
        ("… view painted", |l| Some(l.view)),
    ];
    for (what, f) in stages {
        let (o, p) = (pooled(&runs.ours, f), pooled(&runs.counter, f));
        let ratio = match (o, p) {
            (Some(o), Some(p)) if p > 0.0 => format!("×{:.2}", o / p),
            _ => String::new(),
        };
        report.row(
            Row::new(
                "page load stages",
                format!("{}: {what}", temp.name()),
                fmt_ms(o),
            )
            .vs(fmt_ms(p), ratio),
        );
    }
}

fn fmt_ms(ms: Option<f64>) -> String {
    match ms {
        Some(ms) => fmt_duration(Some(Duration::from_secs_f64(ms.max(0.0) / 1e3))),
        None => "n/a".into(),
    }
}
