//! Where the main page's WASM bytes go, by crate and by function, with `twiggy` (crates.io;
//! `scripts/bench.sh` installs it). The shipped file has no names (wasm-opt drops them), so the
//! breakdown reads trunk's wasm-bindgen output of the same build (names kept), put through
//! `wasm-opt -Oz -g` like the shipped one but keeping the names: the function sizes are then
//! close to the shipped ones. Without wasm-opt, the unoptimised file is read and the note says so.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context};
use serde_json::Value;

use crate::sizes::referenced_files;
use crate::stats::fmt_count;
use crate::table::{Report, Row};

const TOP_CRATES: usize = 12;
const TOP_ITEMS: usize = 12;

/// One item of `twiggy top`: a function, a data segment, a section…
struct Item {
    name: String,
    bytes: u64,
}

pub fn report(report: &mut Report, dist: &Path, target: &Path) -> anyhow::Result<()> {
    let html = std::fs::read_to_string(dist.join("index.html"))
        .with_context(|| format!("no trunk build at {}", dist.display()))?;
    let shipped = referenced_files(&html)
        .into_iter()
        .find(|n| n.ends_with(".wasm"))
        .context("index.html names no .wasm")?;
    let bin = bin_name(&shipped);
    let named = named_wasm(target, &bin)?;
    let scratch =
        std::env::temp_dir().join(format!("sesame-bench-{}-named.wasm", std::process::id()));
    let optimised = Command::new("wasm-opt")
        .arg(&named)
        .args([
            "-Oz",
            "-g",
            "--enable-bulk-memory",
            "--enable-nontrapping-float-to-int",
        ])
        .args([
            "--enable-sign-ext",
            "--enable-reference-types",
            "--enable-multivalue",
            "-o",
        ])
        .arg(&scratch)
        .output();
    let (input, how) = match optimised {
        Ok(out) if out.status.success() => (scratch.clone(), "`wasm-opt -Oz -g` of"),
        _ => (named.clone(), "unoptimised (wasm-opt failed)"),
    };
    let items = twiggy_top(&input);
    let _ = std::fs::remove_file(&scratch);
    // The names are there for this breakdown only; the shipped file has none.
    let items: Vec<Item> = items?
        .into_iter()
        .filter(|i| !i.name.ends_with("subsection"))
        .collect();
    let total: u64 = items.iter().map(|i| i.bytes).sum();
    let pct = |b: u64| 100.0 * b as f64 / total.max(1) as f64;

    let mut crates: HashMap<String, u64> = HashMap::new();
    for item in &items {
        *crates.entry(crate_of(&item.name)).or_default() += item.bytes;
    }
    let mut crates: Vec<(String, u64)> = crates.into_iter().collect();
    crates.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    for (name, bytes) in crates.iter().take(TOP_CRATES) {
        report.row(Row::new(
            "wasm by crate",
            format!("`{name}`"),
            format!("{} B ({:.1} %)", fmt_count(*bytes), pct(*bytes)),
        ));
    }
    let mut top: Vec<&Item> = items.iter().collect();
    top.sort_by(|a, b| b.bytes.cmp(&a.bytes).then(a.name.cmp(&b.name)));
    for item in top.into_iter().take(TOP_ITEMS) {
        report.row(Row::new(
            "wasm top items",
            format!("`{}`", shorten(&item.name, 100)),
            format!("{} B ({:.1} %)", fmt_count(item.bytes), pct(item.bytes)),
        ));
    }
    report.note(format!(
        "wasm breakdown: `twiggy top` of {how} `{}` (trunk's wasm-bindgen output of the shipped \
         `{shipped}`), {} B without its name section ({} items); crate = first path segment of the \
         demangled name (of the type in `<T as Trait>`, of the trait when T is a primitive); \
         `(data)` = data segments (string constants, tables), `(glue)` = names without a path \
         (allocator, memcpy, wasm-bindgen shims), `(sections)` = tables and the rest of the file.",
        named.display(),
        fmt_count(total),
        items.len()
    ));
    Ok(())
}

/// `frontend-0123456789abcdef_bg.wasm` → `frontend`.
fn bin_name(shipped: &str) -> String {
    let stem = shipped.trim_end_matches(".wasm").trim_end_matches("_bg");
    match stem.rsplit_once('-') {
        Some((bin, hash)) if hash.len() == 16 && hash.bytes().all(|c| c.is_ascii_hexdigit()) => {
            bin.to_owned()
        }
        _ => stem.to_owned(),
    }
}

/// The newest `target/wasm-bindgen/<profile>/<bin>_bg.wasm` (trunk writes one per build).
fn named_wasm(target: &Path, bin: &str) -> anyhow::Result<PathBuf> {
    let file = format!("{}_bg.wasm", bin.replace('-', "_"));
    let dir = target.join("wasm-bindgen");
    let mut found: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(&dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok())
        .map(|e| e.path().join(&file))
        .filter_map(|p| Some((std::fs::metadata(&p).ok()?.modified().ok()?, p)))
        .collect();
    found.sort();
    match found.pop() {
        Some((_, path)) => Ok(path),
        None => bail!("no {file} under {}", dir.display()),
    }
}

fn twiggy_top(wasm: &Path) -> anyhow::Result<Vec<Item>> {
    let out = Command::new("twiggy")
        .args(["top", "-n", "1000000", "-f", "json"])
        .arg(wasm)
        .output()
        .context("running twiggy (`cargo install twiggy`; scripts/bench.sh does)")?;
    if !out.status.success() {
        bail!(
            "twiggy top failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let json: Value = serde_json::from_slice(&out.stdout).context("twiggy's JSON")?;
    let items = json
        .as_array()
        .context("twiggy's JSON is not a list")?
        .iter()
        .filter_map(|i| {
            Some(Item {
                name: i["name"].as_str()?.to_owned(),
                bytes: i["shallow_size"].as_u64()?,
            })
        })
        .collect();
    Ok(items)
}

/// The crate an item's code comes from, as well as a name tells.
fn crate_of(name: &str) -> String {
    if name.starts_with("data[") || name.starts_with("data segment") {
        return "(data)".into();
    }
    if name.starts_with("code[") {
        return "(unnamed code)".into();
    }
    let path = name
        .trim_start_matches(['<', '&', '*'])
        .trim_start_matches("mut ");
    let path = path.trim_start_matches("dyn ").trim_start_matches("const ");
    // `<T as Trait>::f`: T's crate, unless T is a primitive or a generic, then the trait's.
    if name.starts_with('<') {
        if let Some((ty, rest)) = path.split_once(" as ") {
            if let Some((krate, _)) = ty.split_once("::") {
                return clean(krate);
            }
            if let Some((krate, _)) = rest.split_once("::") {
                return clean(krate);
            }
        }
    }
    match path.split_once("::") {
        Some((krate, _)) if !krate.contains([' ', '[', '(']) => clean(krate),
        _ if name.contains('[') || name.starts_with("custom section") || name.starts_with('"') => {
            "(sections)".into()
        }
        _ => "(glue)".into(),
    }
}

fn clean(krate: &str) -> String {
    krate
        .trim_start_matches(['<', '&', '*', '['])
        .trim_start_matches("mut ")
        .trim_start_matches("dyn ")
        .to_owned()
}

fn shorten(name: &str, max: usize) -> String {
    if name.chars().count() <= max {
        return name.to_owned();
    }
    let cut: String = name.chars().take(max).collect();
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_are_counted_to_the_crate_their_code_comes_from() {
        assert_eq!(crate_of("core::fmt::write::h0123456789abcdef"), "core");
        assert_eq!(
            crate_of("<leptos::view::View<T> as core::fmt::Debug>::fmt::h01"),
            "leptos"
        );
        assert_eq!(crate_of("<str as core::fmt::Display>::fmt::h02"), "core");
        assert_eq!(crate_of("<&T as core::fmt::Debug>::fmt"), "core");
        assert_eq!(crate_of("data[3]"), "(data)");
        assert_eq!(crate_of("data segment \".rodata.5\""), "(data)");
        assert_eq!(crate_of("code[4470]"), "(unnamed code)");
        assert_eq!(crate_of("elem[0]"), "(sections)");
        assert_eq!(crate_of("memcpy"), "(glue)");
        assert_eq!(crate_of("__wbindgen_malloc"), "(glue)");
        assert_eq!(
            crate_of("intounderlyingsource_pull externref shim"),
            "(glue)"
        );
        assert_eq!(crate_of("custom section '.debug_str'"), "(sections)");
    }

    #[test]
    fn the_bin_is_read_from_the_shipped_name() {
        assert_eq!(bin_name("frontend-0123456789abcdef_bg.wasm"), "frontend");
        assert_eq!(bin_name("main-page-0123456789abcdef_bg.wasm"), "main-page");
        assert_eq!(bin_name("plain_bg.wasm"), "plain");
    }
}
