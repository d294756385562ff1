//! Leptos's `examples/counter`, kept as small as the original: the baseline a Leptos CSR page
//! cannot get below, for `scripts/bench.sh` to compare our page's WASM and JS sizes with.

use leptos::prelude::*;

/// A counter with buttons to clear, decrement and increment it.
#[component]
pub fn SimpleCounter(
    /// The value it starts at.
    initial_value: i32,
    /// How much one click adds or takes away.
    step: i32,
) -> impl IntoView {
    let (value, set_value) = signal(initial_value);
    view! {
        <div>
            <button on:click=move |_| set_value.set(0)>"Clear"</button>
            <button on:click=move |_| *set_value.write() -= step>"-1"</button>
            <span>"Value: " {value} "!"</span>
            <button on:click=move |_| set_value.update(|value| *value += step)>"+1"</button>
        </div>
    }
}
