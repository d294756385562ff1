#!/usr/bin/env bash
# The one benchmark command: builds our page and Leptos's minimal counter with the same trunk
# profile (both precompressed), builds the server and the bench in release, installs twiggy
# from crates.io, and prints one markdown table: sizes (gzip -9 and brotli) and the WASM by
# crate and function; cold and warm page loads of ours and the counter in Chromium with the
# stages to the wearer view; /api/session throughput against bare axum; upstream calls, webhook
# → Sesame latency, server memory. Page-load and throughput ratios are medians of 3 runs with
# their spread. It prints numbers; it asserts nothing about time.
# Knobs: BENCH_LOADS, BENCH_CONCURRENCY, BENCH_LOAD_SECS, BENCH_MAX_REQUESTS, BENCH_VIEWERS,
# BENCH_RELEASES, BENCH_JOBS_WORKERS, BENCH_ONLY (see bench/src/main.rs); the table lists those
# set. BENCH_SKIP_BUILD=1 reuses builds.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1;34m[bench]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[bench] %s\033[0m\n' "$*" >&2; exit 1; }
start=$SECONDS

export PATH="$PWD/.tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
COUNTER_DIST="$PWD/target/bench-counter-dist"

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  bash scripts/setup.sh >&2
  say "building our page: trunk build --release"
  trunk build --release >&2 || die "trunk build --release failed"
  say "building the Leptos counter with the same profile"
  (cd bench/counter && trunk build --release) >&2 || die "building bench/counter failed"
  # Served by the same server as ours, so precompressed the same way.
  bash scripts/precompress.sh "$COUNTER_DIST" >&2 || die "precompressing the counter failed"
  say "building the server and the bench in release"
  cargo build --release -p server -p bench >&2 || die "cargo build --release failed"
fi
if ! command -v twiggy >/dev/null; then
  say "installing twiggy from crates.io (the WASM breakdown)"
  cargo install --locked twiggy >&2 || die "cargo install twiggy failed"
fi
[ -x target/release/sesame-opener ] || die "target/release/sesame-opener is missing"
[ -x target/release/bench ] || die "target/release/bench is missing"

say "running the bench ($((SECONDS - start)) s of setup and builds)"
DIST_DIR="$PWD/dist" COUNTER_DIST="$COUNTER_DIST" TARGET_DIR="$PWD/target" \
  SERVER_BIN="$PWD/target/release/sesame-opener" target/release/bench
say "done in $((SECONDS - start)) s"
