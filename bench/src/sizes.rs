//! What a browser downloads to run the page: the `.wasm` and `.js` files the build's index.html
//! names (so other pages' bundles in the same `dist/` do not count), raw, as `gzip -9` and as
//! `brotli --best` (what the server sends precompressed) sends them, ours next to Leptos's
//! minimal counter built the same way.

use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context};

use crate::stats::{fmt_count, ratio};
use crate::table::{Report, Row};

/// Raw, gzip -9 and brotli bytes of one kind of file in a build.
#[derive(Clone, Copy, Debug, Default)]
pub struct Size {
    pub raw: u64,
    pub gzip: u64,
    pub brotli: u64,
}

impl std::ops::Add for Size {
    type Output = Size;
    fn add(self, other: Size) -> Size {
        Size {
            raw: self.raw + other.raw,
            gzip: self.gzip + other.gzip,
            brotli: self.brotli + other.brotli,
        }
    }
}

/// A trunk build's `.wasm` and `.js` (the wasm-bindgen glue and any other script).
#[derive(Debug)]
pub struct BuildSizes {
    pub wasm: Size,
    pub js: Size,
    pub js_files: Vec<String>,
}

pub fn measure(dist: &Path) -> anyhow::Result<BuildSizes> {
    let index = dist.join("index.html");
    let html = std::fs::read_to_string(&index)
        .with_context(|| format!("no trunk build at {}", dist.display()))?;
    let mut sizes = BuildSizes {
        wasm: Size::default(),
        js: Size::default(),
        js_files: Vec::new(),
    };
    for name in referenced_files(&html) {
        let path = dist.join(&name);
        if !path.is_file() {
            bail!(
                "{} names {name}, which is not in the build",
                index.display()
            );
        }
        if name.ends_with(".wasm") {
            sizes.wasm = sizes.wasm + size_of(&path)?;
        } else {
            sizes.js = sizes.js + size_of(&path)?;
            sizes.js_files.push(file_name(&path));
        }
    }
    if sizes.wasm.raw == 0 {
        bail!("{} names no .wasm file", index.display());
    }
    Ok(sizes)
}

/// The `.wasm` and `.js` files a page names in quotes (`href`, `src`, `import … from`), each
/// once, relative to the build's root.
pub fn referenced_files(html: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for token in html.split(['"', '\'']) {
        let name = token.trim_start_matches("./").trim_start_matches('/');
        let plain = !name.is_empty()
            && !name.contains(['<', '>', ' ', '\n', ':'])
            && (name.ends_with(".wasm") || name.ends_with(".js"));
        if plain && !names.iter().any(|n| n == name) {
            names.push(name.to_owned());
        }
    }
    names
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The file's length and the lengths of `gzip -9 -n` and `brotli --best` of it (the system
/// tools `scripts/precompress.sh` uses).
fn size_of(path: &Path) -> anyhow::Result<Size> {
    Ok(Size {
        raw: std::fs::metadata(path)?.len(),
        gzip: compressed_len(path, "gzip", &["-9", "-n", "-c"])?,
        brotli: compressed_len(path, "brotli", &["--best", "--stdout"])?,
    })
}

fn compressed_len(path: &Path, tool: &str, args: &[&str]) -> anyhow::Result<u64> {
    let out = Command::new(tool)
        .args(args)
        .arg(path)
        .output()
        .with_context(|| format!("running {tool} (scripts/setup.sh installs it)"))?;
    if !out.status.success() {
        bail!("{tool} {} failed", path.display());
    }
    Ok(out.stdout.len() as u64)
}

/// Adds the size rows: ours (`dist/`) against the counter (`counter_dist`).
pub fn report(report: &mut Report, ours_dist: &Path, counter_dist: &Path) -> anyhow::Result<()> {
    let ours = measure(ours_dist)?;
    let peer = measure(counter_dist)?;
    let rows = [
        ("`.wasm`", ours.wasm, peer.wasm),
        ("`.js`", ours.js, peer.js),
        ("`.wasm` + `.js`", ours.wasm + ours.js, peer.wasm + peer.js),
    ];
    for (what, o, p) in rows {
        report.row(
            Row::new("size", format!("{what} raw (bytes)"), fmt_count(o.raw))
                .vs(fmt_count(p.raw), ratio(o.raw as f64, p.raw as f64)),
        );
        report.row(
            Row::new("size", format!("{what} gzip -9 (bytes)"), fmt_count(o.gzip))
                .vs(fmt_count(p.gzip), ratio(o.gzip as f64, p.gzip as f64)),
        );
        report.row(
            Row::new(
                "size",
                format!("{what} brotli --best, as sent (bytes)"),
                fmt_count(o.brotli),
            )
            .vs(fmt_count(p.brotli), ratio(o.brotli as f64, p.brotli as f64)),
        );
    }
    report.note(format!(
        "size: the files each build's index.html names; peer = Leptos's minimal CSR counter \
         (`bench/counter`), same trunk profile (`wasm-release`: opt-level z, LTO, 1 codegen \
         unit, panic abort) and `data-wasm-opt=\"z\"`. Our `.js`: {}; the counter's: {}.",
        ours.js_files.join(", "),
        peer.js_files.join(", ")
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::referenced_files;

    #[test]
    fn only_the_scripts_and_wasm_a_page_names_count_each_once() {
        let html = r#"<link rel="modulepreload" href="/main-0123456789abcdef.js">
<link rel="preload" href="/main-0123456789abcdef_bg.wasm" as="fetch">
<link rel="stylesheet" href="/style-0123456789abcdef.css">
<script type="module">import init from '/main-0123456789abcdef.js';
await init({ module_or_path: '/main-0123456789abcdef_bg.wasm' });</script>
<script src="/iframeResizer.contentWindow-0123456789abcdef.js"></script>
<p>see "https://example.com/x.js" and "a b.js"</p>"#;
        assert_eq!(
            referenced_files(html),
            [
                "main-0123456789abcdef.js",
                "main-0123456789abcdef_bg.wasm",
                "iframeResizer.contentWindow-0123456789abcdef.js"
            ]
        );
    }
}
