#!/usr/bin/env bash
# Fuzzes every parser of untrusted input (fuzz/README.md), one target after another, and prints
# a table: executions, exec/s, time, crashes, corpus size. Exits non-zero when a target crashed
# or ran fewer executions than asked.
#
#   scripts/fuzz.sh                     # every target, 1,000,000 executions each
#   FUZZ_RUNS=200000 scripts/fuzz.sh sesame_answer device_secret
#
# Only stable Rust is needed: RUSTC_BOOTSTRAP=1 lets it accept the nightly flags cargo-fuzz passes.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

CARGO_FUZZ_VERSION=0.13.2
RUNS="${FUZZ_RUNS:-1000000}"
ALL_TARGETS=(frontend_hash webhook_envelope sesame_answer device_secret)
TARGETS=("$@")
[ "$#" -gt 0 ] || TARGETS=("${ALL_TARGETS[@]}")

say() { printf '\033[1;34m[fuzz]\033[0m %s\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PATH"
export RUSTC_BOOTSTRAP=1

if [ "$(cargo fuzz --version 2>/dev/null || true)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]; then
  say "installing cargo-fuzz $CARGO_FUZZ_VERSION from crates.io"
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked ||
    cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION"
fi

# Builds every target once (own workspace, own target dir: fuzz/target).
say "building the fuzz targets (release, debug assertions, AddressSanitizer)"
cargo fuzz build --fuzz-dir "$ROOT/fuzz"

LOGS="$ROOT/fuzz/target/logs"
mkdir -p "$LOGS"
rows=()
status=0
for target in "${TARGETS[@]}"; do
  corpus="$ROOT/fuzz/corpus/$target"
  artifacts="$ROOT/fuzz/artifacts/$target"
  mkdir -p "$corpus" "$artifacts" "$ROOT/fuzz/regressions/$target"
  crashes_before=$(find "$artifacts" -type f | wc -l)
  say "$target: $RUNS executions"
  # -jobs=1 runs one worker that logs to fuzz-0.log in the current directory, hence the cd.
  # Seeds and saved crash inputs are read too; new inputs go to the first directory only.
  (cd "$LOGS" && rm -f fuzz-0.log &&
    cargo fuzz run --fuzz-dir "$ROOT/fuzz" "$target" \
      "$corpus" "$ROOT/fuzz/seeds/$target" "$ROOT/fuzz/regressions/$target" -- \
      -runs="$RUNS" -jobs=1 -print_final_stats=1 -dict="$ROOT/fuzz/dicts/$target.dict" \
      >"$LOGS/$target.run.log" 2>&1) || true
  log="$LOGS/$target.log"
  cat "$LOGS/fuzz-0.log" >"$log" 2>/dev/null || cp "$LOGS/$target.run.log" "$log"
  stat_of() { sed -n "s/^stat::$1: *//p" "$log" | tail -1; }
  execs=$(stat_of number_of_executed_units)
  speed=$(stat_of average_exec_per_sec)
  # libFuzzer's own clock: fuzzing only, without the build cargo-fuzz may do first.
  elapsed=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
  crashes=$(($(find "$artifacts" -type f | wc -l) - crashes_before))
  size=$(find "$corpus" -type f | wc -l)
  rows+=("$(printf '%-18s %12s %10s %9s %8s %12s' "$target" "${execs:-?}" "${speed:-?}" "${elapsed:-?}" "$crashes" "$size")")
  if [ "$crashes" -gt 0 ] || [ "${execs:-0}" -lt "$RUNS" ]; then
    status=1
    say "$target: stopped early or crashed; see $log and $artifacts"
    grep -m1 -A12 -E "panicked|ERROR: (libFuzzer|AddressSanitizer)" "$log" || tail -20 "$log"
  fi
done

echo
printf '%-18s %12s %10s %9s %8s %12s\n' target executions exec/s "time (s)" crashes "corpus size"
printf '%s\n' "${rows[@]}"
exit "$status"
