//! Performance marks the bench reads (`scripts/bench.sh`): `sesame:wasm-start` when the main
//! page's WASM starts, `sesame:view` once the wearer's or keyholder's view has painted.

/// `performance.mark(name)`; a browser without the User Timing API is simply not measured.
pub fn mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(name);
    }
}
