//! The URL hash Chaster opens the page with: `frontend::hash::parse` must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // `location.hash` is always a string; lossy keeps invalid bytes as U+FFFD for the parser.
    let hash = String::from_utf8_lossy(data);
    let _ = frontend::hash::parse(&hash).map(|launch| format!("{launch:?}"));
    let _ = frontend::hash::decode_uri_component(&hash);
});
