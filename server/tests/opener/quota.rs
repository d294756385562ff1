//! The monthly CANDY HOUSE quota as a resource: `Limit Exceeded`, the daily probe, "Try again
//! now", the openings' reserve, and a month of page views and tamper checks within budget.

use std::time::Duration;

use serde_json::Value;
use server::clock::Clock;
use sim::chaster::{NewSessionSpec, Release};
use sim::sesame::{CommandKind, Fault, DEMO_API_KEY};

use crate::helpers::*;

/// Schedules the tamper checks due at the clock's time and runs them.
async fn tamper_scan(app: &OpenerApp) {
    let created = app
        .state
        .tamper
        .schedule_checks(&app.state.settings.opener.tamper)
        .await
        .unwrap();
    if created > 0 {
        app.settle_due().await;
    }
}

fn requests(app: &OpenerApp) -> usize {
    app.sesame.requests_for_key(DEMO_API_KEY)
}

fn budget(view: &Value) -> &Value {
    &view["device"]["budget"]
}

#[tokio::test]
async fn a_used_up_quota_is_shown_and_only_a_daily_probe_goes_out_until_the_month_turns() {
    let clock = Clock::manual();
    let app = spawn_with(|s| {
        s.clock = clock.clone();
        s.rate_limits = server::configuration::RateLimitSettings::off();
        s.sesame.quota = Default::default();
    })
    .await;
    let w = app.wearer_with_box(NewSessionSpec::default()).await;
    let view = app.view_device(&w.wearer_token).await;
    assert_eq!(budget(&view)["monthly_quota"], 3000);
    assert_eq!(budget(&view)["reserve"], 100);
    assert!(budget(&view)["quota_message"].is_null());

    app.sesame.set_fault(&w.uuid, Some(Fault::QuotaExceeded));
    clock.advance(Duration::from_secs(3600));
    let view = app.view_device(&w.wearer_token).await;
    assert_eq!(
        budget(&view)["quota_message"]["reason"],
        "quota_used_up",
        "{view}"
    );
    let message = budget(&view)["quota_message"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(message.contains("monthly CANDY HOUSE quota"), "{view}");
    assert!(message.contains("Bluetooth") && message.contains("backup key"));
    assert_eq!(
        budget(&view)["can_retry_now"],
        true,
        "the wearer may try again"
    );
    assert!(
        !view.to_string().contains("60 s"),
        "not shown as a one-minute throttle: {view}"
    );
    app.settle_due().await;
    assert_eq!(
        app.logs_starting(
            &w.session_id,
            "Box unreachable: monthly CANDY HOUSE quota used up"
        )
        .await
        .len(),
        1,
        "one history line for the keyholder"
    );

    // A day of page views and tamper checks: nothing goes out but the probe after 24 hours.
    let after_refusal = requests(&app);
    for _ in 0..(23 * 3) {
        clock.advance(Duration::from_secs(20 * 60));
        app.view_device(&w.wearer_token).await;
        tamper_scan(&app).await;
    }
    assert_eq!(requests(&app), after_refusal, "no request during the day");
    clock.advance(Duration::from_secs(3600));
    app.view_device(&w.wearer_token).await;
    tamper_scan(&app).await;
    app.view_device(&w.wearer_token).await;
    assert_eq!(requests(&app), after_refusal + 1, "one probe a day");

    // The wearer bought a paid plan: "Try again now" checks at once.
    app.sesame.set_fault(&w.uuid, None);
    let retried: Value = app
        .client
        .post(format!("{}/api/device/quota/retry", app.address))
        .bearer_auth(&w.wearer_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(requests(&app), after_refusal + 2);
    assert!(retried["budget"]["quota_message"].is_null(), "{retried}");
    assert_eq!(
        app.logs_starting(&w.session_id, "Box unreachable")
            .await
            .len(),
        1,
        "still one line this month"
    );
}

#[tokio::test]
async fn a_new_month_ends_the_quota_stop() {
    let clock = Clock::manual();
    let app = spawn_with(|s| {
        s.clock = clock.clone();
        s.sesame.quota = Default::default();
    })
    .await;
    let w = app.wearer_with_box(NewSessionSpec::default()).await;
    app.view_device(&w.wearer_token).await;
    app.sesame.set_fault(&w.uuid, Some(Fault::QuotaExceeded));
    clock.advance(Duration::from_secs(3600));
    app.view_device(&w.wearer_token).await;
    app.sesame.set_fault(&w.uuid, None);
    let refused = requests(&app);
    // Past the end of any month (and before a day's probe would be due in a 31-day one, the
    // probe is what brings it back otherwise): the next reading goes out at once.
    clock.advance(Duration::from_secs(31 * 24 * 3600 + 60));
    let view = app.view_device(&w.wearer_token).await;
    assert!(requests(&app) > refused);
    assert!(budget(&view)["quota_message"].is_null(), "{view}");
}

#[tokio::test]
async fn the_tamper_watch_and_page_views_never_spend_the_openings_reserve() {
    let clock = Clock::manual();
    let app = spawn_with(|s| {
        s.clock = clock.clone();
        s.sesame.quota = server::sesame::QuotaSettings {
            monthly_quota: 130,
            routine_share_percent: 100,
            ..Default::default()
        };
        s.rate_limits = server::configuration::RateLimitSettings::off();
    })
    .await;
    let w = app.wearer_with_box(NewSessionSpec::default()).await;
    let start = requests(&app);
    for _ in 0..(3 * 24 * 6) {
        clock.advance(Duration::from_secs(10 * 60));
        app.view_device(&w.wearer_token).await;
        tamper_scan(&app).await;
    }
    let routine = requests(&app) - start;
    assert!(
        routine <= 30,
        "{routine} routine reads; only 30 are not reserved"
    );
    // The reserve is there for the opening.
    app.chaster
        .release_lock(&w.session_id, Release::TimerEnded)
        .await;
    app.settle().await;
    assert!(!app.sesame.latch_locked(&w.uuid));
    assert_eq!(
        app.sesame.commands_received(&w.uuid, CommandKind::Unlock),
        1
    );
}

/// The bench's budget scenario (also in `bench/src/budget.rs`): `days` of a locked session with
/// the tamper watch on and `views_per_day` page views, each open for 2 minutes and refreshing
/// every 20 s as the page does. Returns the Sesame requests counted by the simulator.
pub async fn budget_scenario(
    app: &OpenerApp,
    clock: &Clock,
    days: u32,
    views_per_day: u32,
) -> usize {
    let w = app.wearer_with_box(NewSessionSpec::default()).await;
    let start = requests(app);
    let gap = Duration::from_secs(86_400 / u64::from(views_per_day.max(1)));
    let refresh = Duration::from_secs(20);
    for _ in 0..(days * views_per_day) {
        for _ in 0..6 {
            app.view_device(&w.wearer_token).await;
            clock.advance(refresh);
        }
        // The rest of the gap: the tamper schedule runs as its scan would.
        let mut left = gap.saturating_sub(refresh * 6);
        while !left.is_zero() {
            let step = left.min(Duration::from_secs(10 * 60));
            clock.advance(step);
            left -= step;
            tamper_scan(app).await;
        }
    }
    requests(app) - start
}

#[tokio::test]
async fn thirty_days_of_tamper_watch_and_fifty_page_views_a_day_cost_at_most_1500_requests() {
    let clock = Clock::manual();
    let app = spawn_with(|s| {
        s.clock = clock.clone();
        s.rate_limits = server::configuration::RateLimitSettings::off();
        s.opener.tamper.scan_interval = Duration::from_secs(3600);
        s.sesame.quota = Default::default();
    })
    .await;
    let spent = budget_scenario(&app, &clock, 30, 50).await;
    eprintln!("30 days, 50 views a day, tamper watch on: {spent} Sesame requests");
    assert!(spent <= 1_500, "{spent} requests");
    assert!(spent > 0);
}
