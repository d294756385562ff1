//! Timers for the views: a ticking "now" for countdowns and a periodic callback for refreshes.
//! Both stop when the component that started them is unmounted.

use leptos::prelude::*;
use std::time::Duration;

/// Milliseconds since the epoch, from the browser's clock.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Calls `on_tick` every `period` for as long as the calling component lives.
pub fn use_interval(period: Duration, on_tick: impl Fn() + 'static) {
    if let Ok(handle) = set_interval_with_handle(on_tick, period) {
        on_cleanup(move || handle.clear());
    }
}

/// The current time in milliseconds, updated every second.
pub fn use_clock() -> ReadSignal<f64> {
    let (now, set_now) = signal(now_ms());
    use_interval(Duration::from_secs(1), move || {
        set_now.try_set(now_ms());
    });
    now
}
