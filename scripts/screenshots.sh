#!/usr/bin/env bash
# Remakes the README's screenshots (docs/screenshots/*.png): a preview of the current build
# with its own database, the first-run setup with the sample content, a customer who buys
# and watches, then the catalog, an item, the player, the library and the dashboard.
# The preview is removed afterwards. Needs `make deps-test` and a build (`cargo leptos build`).
set -euo pipefail
cd "$(dirname "$0")/.."

root="$PWD"
name="shots_$$"
trap 'scripts/preview.sh down "$name" >/dev/null 2>&1 || true' EXIT
base_url=$(scripts/preview.sh up "$name")
mkdir -p docs/screenshots
cd end2end
BASE_URL="$base_url" MAIL_DIR="${PREVIEW_ROOT:-$root/target/previews}/$name/mail" SHOTS_DIR="$root/docs/screenshots" \
  ./node_modules/.bin/playwright test --config screenshots.config.ts
ls -l "$root/docs/screenshots"
