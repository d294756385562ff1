//! The device secret a wearer pastes (hex or key-sharing QR text): `DeviceSecret::parse`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| server::sesame::fuzzing::device_secret(data));
