//! The CSP hashes of trunk's inline bootstrap: every `<script>` without `src` in `index.html`,
//! as `'sha256-<base64>'`. Read again whenever the file changes on disk (a `trunk build` while
//! the server runs), so the policy always allows the bootstrap that is actually served.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::SystemTime;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use sha2::{Digest, Sha256};

/// `'sha256-…'` source expressions for the inline scripts of `html`, in document order, without
/// duplicates. Scripts inside comments never run and are skipped.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    // The browser hashes the text after the HTML parser's newline normalisation.
    let html = html.replace("\r\n", "\n").replace('\r', "\n");
    let mut hashes = Vec::new();
    for body in inline_scripts(&html) {
        let hash = format!("'sha256-{}'", B64.encode(Sha256::digest(body.as_bytes())));
        if !hashes.contains(&hash) {
            hashes.push(hash);
        }
    }
    hashes
}

/// The text of each `<script>` element that has no `src` attribute.
fn inline_scripts(html: &str) -> Vec<&str> {
    let lower = html.to_ascii_lowercase();
    let mut scripts = Vec::new();
    let mut at = 0;
    while let Some(offset) = lower[at..].find('<') {
        let start = at + offset;
        let rest = &lower[start..];
        if rest.starts_with("<!--") {
            let Some(end) = rest.find("-->") else { break };
            at = start + end + 3;
            continue;
        }
        let is_script = rest.starts_with("<script")
            && rest[7..].starts_with(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/');
        if !is_script {
            at = start + 1;
            continue;
        }
        let Some(tag_len) = tag_length(&rest[7..]) else {
            break;
        };
        let attributes = &html[start + 7..start + 7 + tag_len - 1];
        let body_start = start + 7 + tag_len;
        // A script's text ends at the first `</script`, whatever it contains.
        let body_end = lower[body_start..]
            .find("</script")
            .map_or(html.len(), |e| body_start + e);
        if !has_attribute(attributes, "src") {
            scripts.push(&html[body_start..body_end]);
        }
        at = body_end;
    }
    scripts
}

/// Length of the rest of a start tag up to and including its `>`, skipping quoted values.
fn tag_length(rest: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in rest.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// Whether a start tag's attribute text has an attribute called `name` (case-insensitive).
fn has_attribute(attributes: &str, name: &str) -> bool {
    let chars: Vec<char> = attributes.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        while i < chars.len() && (chars[i].is_whitespace() || chars[i] == '/') {
            i += 1;
        }
        let start = i;
        while i < chars.len() && !chars[i].is_whitespace() && !"=/>".contains(chars[i]) {
            i += 1;
        }
        let attribute: String = chars[start..i].iter().collect();
        if attribute.eq_ignore_ascii_case(name) {
            return true;
        }
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        if i < chars.len() && chars[i] == '=' {
            i += 1;
            while i < chars.len() && chars[i].is_whitespace() {
                i += 1;
            }
            match chars.get(i) {
                Some(&q @ ('"' | '\'')) => {
                    i += 1;
                    while i < chars.len() && chars[i] != q {
                        i += 1;
                    }
                    i += 1;
                }
                _ => {
                    while i < chars.len() && !chars[i].is_whitespace() {
                        i += 1;
                    }
                }
            }
        } else if start == i {
            i += 1;
        }
    }
    false
}

/// The hashes of one `index.html`, recomputed when its modification time or size changes.
pub struct IndexScripts {
    path: PathBuf,
    cached: Mutex<Option<Cached>>,
}

struct Cached {
    modified: Option<SystemTime>,
    len: u64,
    hashes: Vec<String>,
}

impl IndexScripts {
    pub fn new(path: PathBuf) -> IndexScripts {
        IndexScripts {
            path,
            cached: Mutex::new(None),
        }
    }

    /// The current hashes; none when there is no index.html (nothing inline is served then).
    pub fn hashes(&self) -> Vec<String> {
        let Ok(meta) = std::fs::metadata(&self.path) else {
            return Vec::new();
        };
        let modified = meta.modified().ok();
        let mut cached = self.cached.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = cached.as_ref() {
            if c.modified == modified && c.len == meta.len() {
                return c.hashes.clone();
            }
        }
        let Ok(html) = std::fs::read_to_string(&self.path) else {
            return Vec::new();
        };
        let hashes = inline_script_hashes(&html);
        tracing::info!(path = %self.path.display(), scripts = hashes.len(), "inline script hashes computed for the CSP");
        *cached = Some(Cached {
            modified,
            len: meta.len(),
            hashes: hashes.clone(),
        });
        hashes
    }
}

#[cfg(test)]
#[path = "inline_scripts_tests.rs"]
mod tests;
