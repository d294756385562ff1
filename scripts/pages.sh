#!/usr/bin/env bash
# trunk's post_build hook (Trunk.toml). Every page has its own WASM bundle, and trunk builds one
# HTML page per run and empties its dist first; so a release build of the main page
# (`trunk build --release`, index.html) also builds the connect page (connect.html, with the QR
# reader's worker), the configuration page (configure.html) and the dashboard (dashboard.html)
# into `connect/`, `configure/` and `dashboard/` of its own staging directory, with their public
# URLs, where the server serves them. Then everything is
# precompressed (scripts/precompress.sh). Debug builds (`trunk serve`) build one page each:
# `trunk serve configure.html`.
set -euo pipefail

stage="${TRUNK_STAGING_DIR:?trunk sets TRUNK_STAGING_DIR for its hooks}"
page="$(basename "${TRUNK_HTML_FILE:-index.html}")"

if [ "${SESAME_PAGE_OF_BUILD:-}" = 1 ]; then
  # One of the pages below: the outer build precompresses them with its own files.
  exit 0
fi
if [ "${TRUNK_PROFILE:-release}" = release ] && [ "$page" = index.html ]; then
  for other in connect configure dashboard; do
    echo "pages: building $other.html into $stage/$other" >&2
    SESAME_PAGE_OF_BUILD=1 trunk build "$other.html" --release \
      --dist "$stage/$other" --public-url "/$other/"
  done
fi
bash scripts/precompress.sh "$stage"
