#!/usr/bin/env bash
# The one test command: installs what is missing, checks the format, the module cycles and
# clippy (fast, before anything long), builds the page, runs every test (unit, integration, the
# Postgres tests and the browser end-to-end tests). Needs no input; CI runs it as .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1;34m[test]\033[0m %s\n' "$*"; }
die() { printf '\033[1;31m[test] %s\033[0m\n' "$*" >&2; exit 1; }
elapsed() { local s=$((SECONDS - start)); printf '%dm%02ds' $((s / 60)) $((s % 60)); }
start=$SECONDS

bash scripts/setup.sh
export PATH="$PWD/.tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# A one-off run gains nothing from incremental state; it only costs disk (gigabytes).
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
mkdir -p "$target_dir"
disk() { df -h --output=avail "$target_dir" | tail -1 | tr -d ' '; }
# A cold run writes about 4.3 GB under target/; say so early rather than die of a full disk later.
free_kb=$(df --output=avail "$target_dir" 2>/dev/null | tail -1 | tr -d ' ' || true)
if [[ "$free_kb" =~ ^[0-9]+$ ]] && [ "$free_kb" -lt $((6 * 1024 * 1024)) ]; then
  printf '\033[1;33m[test] warning: only %s free for %s; a cold run needs about 4.5 GB\033[0m\n' \
    "$(disk)" "$target_dir" >&2
fi

# Habits first: each takes seconds to a few minutes and fails before the long tests do.
say "checking the format: cargo fmt --all --check ($(elapsed) so far)"
cargo fmt --all --check || die "the code is not formatted: run \`cargo fmt --all\` and commit the result"

say "checking for module cycles: scripts/module_cycles.py ($(elapsed) so far)"
command -v python3 >/dev/null || die "python3 not found (Debian package python3)"
python3 scripts/module_cycles.py --self-test >/dev/null || die "scripts/module_cycles.py --self-test failed"
python3 scripts/module_cycles.py server/src \
  || die "an import cycle between server modules (listed above): move the code one edge names"

say "running clippy: cargo clippy --workspace --all-targets -- -D warnings ($(elapsed) so far)"
cargo clippy --workspace --all-targets -- -D warnings \
  || die "clippy found warnings (listed above); fix them, they fail the build"

# The Postgres and browser tests fail rather than skip without their tools; say why up front.
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null \
  || die "Postgres not found under /usr/lib/postgresql (scripts/setup.sh installs Debian's postgresql)"
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
[ -x "$CHROMIUM" ] || die "chromium not found at $CHROMIUM (scripts/setup.sh installs it from Debian)"
[ -x "$CHROMEDRIVER" ] || die "chromedriver not found at $CHROMEDRIVER (Debian package chromium-driver)"

say "building the page: trunk build --release ($(elapsed) so far)"
trunk build --release || die "trunk build --release failed (see above); no test was run"
export DIST_DIR="$PWD/dist"

say "running cargo test --workspace --no-fail-fast ($(elapsed) so far)"
status=0
cargo test --workspace --no-fail-fast || status=$?

say "target directory: $(du -sh "$target_dir" 2>/dev/null | cut -f1), $(disk) still free"
if [ "$status" -eq 0 ]; then
  say "all tests passed in $(elapsed)"
else
  printf '\033[1;31m[test] tests failed (exit %s) after %s\033[0m\n' "$status" "$(elapsed)" >&2
fi
exit "$status"
