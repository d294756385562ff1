//! What a browser downloads to run the page: the `.wasm` and `.js` files of a trunk build, raw
//! and as `gzip -9` sends them, ours next to Leptos's minimal counter built the same way.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context};

use crate::stats::{fmt_count, ratio};
use crate::table::{Report, Row};

/// Raw and gzip -9 bytes of one kind of file in a build.
#[derive(Clone, Copy, Debug, Default)]
pub struct Size {
    pub raw: u64,
    pub gzip: u64,
}

impl std::ops::Add for Size {
    type Output = Size;
    fn add(self, other: Size) -> Size {
        Size {
            raw: self.raw + other.raw,
            gzip: self.gzip + other.gzip,
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
    if !dist.join("index.html").is_file() {
        bail!("no trunk build at {}", dist.display());
    }
    let mut sizes = BuildSizes {
        wasm: Size::default(),
        js: Size::default(),
        js_files: Vec::new(),
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dist)
        .with_context(|| format!("reading {}", dist.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    for path in files {
        match path.extension().and_then(|e| e.to_str()) {
            Some("wasm") => sizes.wasm = sizes.wasm + size_of(&path)?,
            Some("js") => {
                sizes.js = sizes.js + size_of(&path)?;
                sizes.js_files.push(file_name(&path));
            }
            _ => {}
        }
    }
    if sizes.wasm.raw == 0 {
        bail!("{} holds no .wasm file", dist.display());
    }
    Ok(sizes)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The file's length and the length of `gzip -9 -n` of it (the system gzip, as a web server's
/// precompression would use).
fn size_of(path: &Path) -> anyhow::Result<Size> {
    let raw = std::fs::metadata(path)?.len();
    let out = Command::new("gzip")
        .args(["-9", "-n", "-c"])
        .arg(path)
        .output()
        .context("running gzip")?;
    if !out.status.success() {
        bail!("gzip -9 {} failed", path.display());
    }
    Ok(Size {
        raw,
        gzip: out.stdout.len() as u64,
    })
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
    }
    report.note(format!(
        "size: peer = Leptos's minimal CSR counter (`bench/counter`), same trunk profile \
         (`wasm-release`: opt-level z, LTO, 1 codegen unit, panic abort) and `data-wasm-opt=\"z\"`. \
         Our `.js`: {}; the counter's: {}.",
        ours.js_files.join(", "),
        peer.js_files.join(", ")
    ));
    Ok(())
}
