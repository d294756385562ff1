//! Replays every input the fuzzers ever crashed on (`fuzz/regressions/<target>/`), and the
//! seed inputs (`fuzz/seeds/<target>/`), through the same entry points as the fuzz targets in
//! `fuzz/fuzz_targets/`. A panic fails the test and names the file.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use chrono::Utc;
use server::opener::OpenerSettings;
use server::sesame::fuzzing;

fn inputs(target: &str) -> Vec<PathBuf> {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut files = Vec::new();
    for kind in ["regressions", "seeds"] {
        let dir = fuzz.join(kind).join(target);
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
    files.sort();
    files
}

/// Runs every input of `target` through `run`, then fails listing each file that panicked.
fn replay(target: &str, run: impl Fn(&[u8])) {
    let files = inputs(target);
    assert!(
        !files.is_empty(),
        "no seed or regression input for {target}"
    );
    let panicked: Vec<String> = files
        .iter()
        .filter(|path| {
            let data = std::fs::read(path).expect("a readable input");
            catch_unwind(AssertUnwindSafe(|| run(&data))).is_err()
        })
        .map(|path| path.display().to_string())
        .collect();
    assert!(panicked.is_empty(), "{target} panicked on {panicked:?}");
}

#[test]
fn every_saved_webhook_envelope_input_is_parsed_without_panicking() {
    let settings = OpenerSettings::default();
    replay("webhook_envelope", |data| {
        if let Ok(intake) = server::webhooks::intake(data, &settings, Utc::now()) {
            let _ = format!("{intake:?}");
        }
    });
}

#[test]
fn every_saved_sesame_answer_input_is_parsed_without_panicking() {
    replay("sesame_answer", fuzzing::sesame_answer);
}

#[test]
fn every_saved_device_secret_input_is_parsed_without_panicking() {
    replay("device_secret", fuzzing::device_secret);
}
