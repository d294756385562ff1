use super::*;

/// What `trunk build --release` writes for our root index.html (trunk 0.21).
const TRUNK_INDEX: &str = r#"<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Sesame opener</title>
    <link rel="stylesheet" href="/style-f1fc3513d762392a.css" integrity="sha384-KeGS"/>
    <!-- iframe-resizer child script: <script>not this</script> -->
    <script src="/iframeResizer.contentWindow-e662ac1390a95503.js" integrity="sha384-5x9t"></script>
    
<script type="module">
import init, * as bindings from '/frontend-ca78234881bb974d.js';
const wasm = await init({ module_or_path: '/frontend-ca78234881bb974d_bg.wasm' });


window.wasmBindings = bindings;


dispatchEvent(new CustomEvent("TrunkApplicationStarted", {detail: {wasm}}));

</script>
  <link rel="modulepreload" href="/frontend-ca78234881bb974d.js" crossorigin="anonymous"></head>
  <body></body>
</html>"#;

/// `printf '%s' "$script" | openssl sha256 -binary | base64` of the bootstrap above.
const BOOTSTRAP_HASH: &str = "'sha256-Sp/LgomGzZ2X8FUvgDC5wLMqU7ETBRfKiiS/lsUpX7E='";
/// The same for `console.log(1)`.
const CONSOLE_LOG_HASH: &str = "'sha256-CihokcEcBW4atb/CW/XWsvWwbTjqwQlE9nj9ii5ww5M='";

#[test]
fn the_trunk_bootstrap_is_the_one_inline_script_of_a_trunk_build() {
    assert_eq!(inline_script_hashes(TRUNK_INDEX), vec![BOOTSTRAP_HASH]);
}

#[test]
fn crlf_line_ends_are_hashed_as_the_browser_sees_them() {
    let windows = TRUNK_INDEX.replace('\n', "\r\n");
    assert_eq!(inline_script_hashes(&windows), vec![BOOTSTRAP_HASH]);
}

#[test]
fn scripts_with_src_comments_and_look_alike_tags_are_not_hashed() {
    let html = r#"<SCRIPT SRC="/a.js"></SCRIPT>
        <script data-src="x">console.log(1)</script>
        <scripts>console.log(2)</scripts>
        <!-- <script>console.log(3)</script> -->
        <script type='module' src = '/b.js' ></script>
        <script title="a > b">console.log(1)</Script>"#;
    assert_eq!(inline_script_hashes(html), vec![CONSOLE_LOG_HASH]);
}

#[test]
fn a_page_without_inline_scripts_needs_no_hash() {
    assert!(inline_script_hashes("<!doctype html><title>x</title>").is_empty());
    assert!(inline_script_hashes("<script src=/x.js></script>").is_empty());
    // Unterminated markup does not panic.
    assert!(inline_script_hashes("<script").is_empty());
    assert!(inline_script_hashes("<!-- <script>").is_empty());
    assert_eq!(inline_script_hashes("<script>").len(), 1);
}

#[test]
fn the_hashes_follow_the_file_when_it_is_rebuilt() {
    let dir = std::env::temp_dir().join(format!("csp-index-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("index.html");
    let scripts = IndexScripts::new(path.clone());
    assert!(scripts.hashes().is_empty(), "no file, no hash");

    std::fs::write(&path, "<script>console.log(1)</script>").unwrap();
    assert_eq!(scripts.hashes(), vec![CONSOLE_LOG_HASH]);
    // Another size is noticed even when the clock is too coarse to change the mtime.
    std::fs::write(&path, TRUNK_INDEX).unwrap();
    assert_eq!(scripts.hashes(), vec![BOOTSTRAP_HASH]);
    let _ = std::fs::remove_dir_all(&dir);
}
