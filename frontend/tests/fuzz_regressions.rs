//! Replays every input the fuzzer ever crashed on (`fuzz/regressions/frontend_hash/`), and the
//! seed inputs (`fuzz/seeds/frontend_hash/`), exactly as `fuzz/fuzz_targets/frontend_hash.rs`
//! does. A panic fails the test and names the file.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

fn run(data: &[u8]) {
    let hash = String::from_utf8_lossy(data);
    let _ = frontend::hash::parse(&hash).map(|launch| format!("{launch:?}"));
    let _ = frontend::hash::decode_uri_component(&hash);
}

#[test]
fn every_saved_hash_input_is_parsed_without_panicking() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut files = Vec::new();
    for kind in ["regressions", "seeds"] {
        let dir = fuzz.join(kind).join("frontend_hash");
        // Git keeps no empty folder: a target that never crashed has no regressions folder.
        if kind == "regressions" && !dir.exists() {
            continue;
        }
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("a directory entry").path();
            let hidden = path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'));
            if path.is_file() && !hidden {
                files.push(path);
            }
        }
    }
    assert!(!files.is_empty(), "no seed or regression input");
    let panicked: Vec<String> = files
        .iter()
        .filter(|path| {
            let data = std::fs::read(path).expect("a readable input");
            catch_unwind(AssertUnwindSafe(|| run(&data))).is_err()
        })
        .map(|path| path.display().to_string())
        .collect();
    assert!(
        panicked.is_empty(),
        "the hash parser panicked on {panicked:?}"
    );
}
