//! What the browser downloads (every file of the trunk build, the WASM included) holds no secret
//! the demo and the tests configure, and not even the names of the server's secret settings or
//! of Chaster's `sessionId`: the frontend has no business knowing them.

use std::path::{Path, PathBuf};

use sim::chaster::{DEV_TOKEN, OAUTH_CLIENT_SECRET};
use sim::sesame::{DEMO_API_KEY, DEMO_SECRET_HEX};

/// Secret values used by the demo and the tests.
const SECRET_VALUES: [&str; 4] = [
    DEV_TOKEN,
    OAUTH_CLIENT_SECRET,
    DEMO_API_KEY,
    DEMO_SECRET_HEX,
];

/// Names that only server code or Chaster's wire format use.
const SECRET_NAMES: [&str; 6] = [
    "CHASTER_DEVELOPER_TOKEN",
    "developer_token",
    "x-api-key",
    "client_secret",
    "SECRETS_KEY",
    "sessionId",
];

/// Every file under `dir`, trunk's staging directory (`.stage`, gone after a build) excepted.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries.flatten() {
            let path = entry.path();
            let hidden = entry.file_name().to_string_lossy().starts_with('.');
            if path.is_dir() && !hidden {
                pending.push(path);
            } else if path.is_file() {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// Byte offsets of `needle` in `haystack`, ignoring ASCII case.
fn find_all(haystack: &[u8], needle: &str) -> Vec<usize> {
    let needle = needle.as_bytes();
    haystack
        .windows(needle.len())
        .enumerate()
        .filter(|(_, window)| window.eq_ignore_ascii_case(needle))
        .map(|(offset, _)| offset)
        .collect()
}

/// `file @ offset: what "needle"` for every occurrence in the build.
fn occurrences(dist: &Path, needles: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for file in files_under(dist) {
        // A file a concurrent rebuild just replaced is skipped, not a failure.
        let Ok(bytes) = std::fs::read(&file) else {
            continue;
        };
        for needle in needles {
            for offset in find_all(&bytes, needle) {
                found.push(format!("{} @ {offset}: {needle:?}", file.display()));
            }
        }
    }
    found
}

#[test]
fn the_build_holds_the_app_and_its_wasm() {
    let dist = e2e::dist_dir().expect("a trunk build");
    let files = files_under(&dist);
    assert!(files.iter().any(|f| f.ends_with("index.html")));
    assert!(
        files
            .iter()
            .any(|f| f.extension().is_some_and(|e| e == "wasm")),
        "no .wasm in {}: the scans below would see nothing",
        dist.display()
    );
}

/// `tool -dc file`: the decompressed bytes.
fn decompressed(tool: &str, file: &Path) -> Vec<u8> {
    let out = std::process::Command::new(tool)
        .arg("-dc")
        .arg(file)
        .output()
        .unwrap_or_else(|e| panic!("{tool} (scripts/setup.sh installs it): {e}"));
    assert!(out.status.success(), "{tool} -dc {}", file.display());
    out.stdout
}

#[test]
fn every_file_but_the_document_is_precompressed_as_brotli_and_gzip_of_itself() {
    let dist = e2e::dist_dir().expect("a trunk build");
    let originals: Vec<PathBuf> = files_under(&dist)
        .into_iter()
        .filter(|f| !f.ends_with("index.html"))
        .filter(|f| !f.extension().is_some_and(|e| e == "br" || e == "gz"))
        .collect();
    assert!(!originals.is_empty());
    for original in &originals {
        let bytes = std::fs::read(original).unwrap();
        for (tool, ext) in [("brotli", "br"), ("gzip", "gz")] {
            let mut name = original.clone().into_os_string();
            name.push(format!(".{ext}"));
            let copy = PathBuf::from(name);
            assert!(
                copy.is_file(),
                "{} is missing: trunk's post_build hook (scripts/precompress.sh) did not run",
                copy.display()
            );
            assert!(
                decompressed(tool, &copy) == bytes,
                "{} differs",
                copy.display()
            );
        }
    }
    assert!(
        !dist.join("index.html.br").exists(),
        "the document must not be precompressed"
    );
}

#[test]
fn no_file_of_the_build_contains_a_configured_secret_value() {
    let dist = e2e::dist_dir().expect("a trunk build");
    let found = occurrences(&dist, &SECRET_VALUES);
    assert!(
        found.is_empty(),
        "secret values in dist/:\n{}",
        found.join("\n")
    );
}

#[test]
fn no_file_of_the_build_names_a_server_secret_or_chasters_session_id() {
    let dist = e2e::dist_dir().expect("a trunk build");
    let found = occurrences(&dist, &SECRET_NAMES);
    assert!(
        found.is_empty(),
        "secret names in dist/:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_scan_finds_what_it_looks_for() {
    let dir = std::env::temp_dir().join(format!("dist-scan-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("nested")).unwrap();
    std::fs::write(dir.join("nested/app_bg.wasm"), b"\0asm\x01XX-API-KEY\0").unwrap();
    let found = occurrences(&dir, &["x-api-key"]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].ends_with("app_bg.wasm @ 6: \"x-api-key\""),
        "{found:?}"
    );
}
