#!/usr/bin/env bash
# What a browser downloads before a page's buttons work: the site's WebAssembly and its
# JavaScript glue, raw and gzipped (-9, as a CDN would). One bundle serves every route
# today, so each route's figure is the same line.
#   scripts/wasm-size.sh [site folder, default target/release-bundle/site]
set -euo pipefail
site="${1:-target/release-bundle/site}"
for file in "$site"/pkg/*.wasm "$site"/pkg/*.js; do
  [ -f "$file" ] || continue
  raw=$(stat -c %s "$file")
  gz=$(gzip -9 -c "$file" | wc -c)
  printf '%-28s %9d bytes  %9d gzipped\n' "${file#"$site"/}" "$raw" "$gz"
done
