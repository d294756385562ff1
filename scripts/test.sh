#!/usr/bin/env bash
# The one test command: installs what is missing, builds the page, runs every test
# (unit, integration and the browser end-to-end tests). Needs no input; CI runs it as .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1;34m[test]\033[0m %s\n' "$*"; }
die() { printf '\033[1;31m[test] %s\033[0m\n' "$*" >&2; exit 1; }
elapsed() { local s=$((SECONDS - start)); printf '%dm%02ds' $((s / 60)) $((s % 60)); }
start=$SECONDS

bash scripts/setup.sh
export PATH="$PWD/.tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"

# The browser tests fail rather than skip without a browser; say why up front.
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

if [ "$status" -eq 0 ]; then
  say "all tests passed in $(elapsed)"
else
  printf '\033[1;31m[test] tests failed (exit %s) after %s\033[0m\n' "$status" "$(elapsed)" >&2
fi
exit "$status"
