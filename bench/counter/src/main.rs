//! Mounts the counter, like Leptos's example.

use bench_counter::SimpleCounter;
use leptos::prelude::*;

fn main() {
    console_error_panic_hook::set_once();
    mount_to_body(|| view! { <SimpleCounter initial_value=0 step=1 /> })
}
