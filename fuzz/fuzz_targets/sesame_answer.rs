//! A CANDY HOUSE answer (`STATUS\nRETRY-AFTER\nBODY`) through the v3 and Web API parsers.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| server::sesame::fuzzing::sesame_answer(data));
