//! A Chaster webhook body (after Basic auth): `server::webhooks::intake` must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use server::opener::OpenerSettings;

fuzz_target!(|data: &[u8]| {
    let settings = OpenerSettings::default();
    if let Ok(intake) = server::webhooks::intake(data, &settings, chrono::Utc::now()) {
        let _ = format!("{intake:?}");
    }
});
