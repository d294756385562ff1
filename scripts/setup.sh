#!/usr/bin/env bash
# Installs every tool the build and the tests need, from crates.io, Debian and npm only.
# Each step is skipped when the right version is already there, so a second run takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
WASM_BINDGEN_VERSION=0.2.130 # must equal the `wasm-bindgen = "=…"` pin in frontend/Cargo.toml
BINARYEN_VERSION=132         # Debian's binaryen 108 emits a WASM that crashes at load
IFRAME_RESIZER_VERSION=4.3.9 # MIT (v5 is not); its child script tells Chaster the page height
AXE_CORE_VERSION=4.11.0      # MPL-2.0; tests/e2e/tests/accessibility.rs injects it into the page
TOOLS_DIR="$PWD/.tools"

say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

export PATH="$HOME/.cargo/bin:$PATH"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# scripts/test.sh checks the format and runs clippy before the tests.
for component in rustfmt clippy; do
  if ! rustup component list --installed | grep -q "^$component"; then
    say "adding the $component component"
    rustup component add "$component"
  fi
done

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  say "installing chromium and chromium-driver from Debian"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
fi

# brotli precompresses the build (scripts/precompress.sh, run by trunk after each release build).
if ! command -v brotli >/dev/null; then
  say "installing brotli from Debian (precompressed page files)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq brotli >/dev/null
fi

# The Postgres tests (server/tests/postgres) run a throwaway cluster with initdb and pg_ctl,
# which Debian keeps in /usr/lib/postgresql/<version>/bin, off the PATH.
if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null && ! command -v initdb >/dev/null; then
  say "installing postgresql from Debian (tests of several instances on one database)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
fi

if [ "$(trunk --version 2>/dev/null || true)" != "trunk $TRUNK_VERSION" ]; then
  say "building trunk $TRUNK_VERSION (about 6 minutes on 2 cores)"
  cargo install --locked trunk --version "$TRUNK_VERSION"
fi

if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  say "building wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  # Not --locked: its lock file pins a webpki-roots release the registry no longer serves.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

if [ "$("$TOOLS_DIR/node_modules/.bin/wasm-opt" --version 2>/dev/null | awk '{print $3}')" != "$BINARYEN_VERSION" ]; then
  say "installing wasm-opt from npm binaryen@$BINARYEN_VERSION"
  mkdir -p "$TOOLS_DIR"
  (cd "$TOOLS_DIR" && { [ -f package.json ] || echo '{"private":true}' > package.json; } \
    && npm install --no-audit --no-fund --silent "binaryen@$BINARYEN_VERSION")
fi

if [ "$(node -p "require('$TOOLS_DIR/node_modules/iframe-resizer/package.json').version" 2>/dev/null || true)" != "$IFRAME_RESIZER_VERSION" ]; then
  say "installing iframe-resizer@$IFRAME_RESIZER_VERSION from npm (index.html bundles its child script)"
  mkdir -p "$TOOLS_DIR"
  (cd "$TOOLS_DIR" && { [ -f package.json ] || echo '{"private":true}' > package.json; } \
    && npm install --no-audit --no-fund --silent --save-exact "iframe-resizer@$IFRAME_RESIZER_VERSION")
fi

if [ "$(node -p "require('$TOOLS_DIR/node_modules/axe-core/package.json').version" 2>/dev/null || true)" != "$AXE_CORE_VERSION" ]; then
  say "installing axe-core@$AXE_CORE_VERSION from npm (the browser tests' accessibility audit)"
  mkdir -p "$TOOLS_DIR"
  (cd "$TOOLS_DIR" && { [ -f package.json ] || echo '{"private":true}' > package.json; } \
    && npm install --no-audit --no-fund --silent --save-exact "axe-core@$AXE_CORE_VERSION")
fi

say "tools ready: $(trunk --version), $(wasm-bindgen --version), wasm-opt $("$TOOLS_DIR/node_modules/.bin/wasm-opt" --version | awk '{print $3}'), $(chromium --version 2>/dev/null | head -1)"
