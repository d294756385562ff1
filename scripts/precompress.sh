#!/usr/bin/env bash
# Writes `<file>.br` (brotli) and `<file>.gz` (gzip) next to every file of a trunk build except
# index.html, so the server sends them precompressed (tower-http ServeDir) to browsers that accept
# them. trunk runs it after each build (Trunk.toml, post_build hook, on the staging directory);
# `scripts/precompress.sh DIR` runs it by hand. Debug builds (`trunk serve`) are left as they are.
# brotli comes from Debian (scripts/setup.sh); gzip is everywhere.
set -euo pipefail

dir="${1:-${TRUNK_STAGING_DIR:-dist}}"
if [ "${TRUNK_PROFILE:-release}" = debug ]; then
  exit 0
fi
command -v brotli >/dev/null || {
  echo "precompress: brotli is missing (Debian package brotli; scripts/setup.sh installs it)" >&2
  exit 1
}
[ -d "$dir" ] || { echo "precompress: no directory $dir" >&2; exit 1; }

count=0
while IFS= read -r -d '' file; do
  brotli --force --keep --best --output="$file.br" -- "$file"
  gzip --force --keep --best --no-name -- "$file"
  count=$((count + 1))
done < <(find "$dir" -type f ! -name index.html ! -name '*.br' ! -name '*.gz' -print0)
echo "precompress: $count files of $dir written as .br and .gz" >&2
