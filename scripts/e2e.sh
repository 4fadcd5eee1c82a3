#!/usr/bin/env bash
# Runs the Playwright specs against a preview made for this run, removed afterwards, pass
# or fail.
set -euo pipefail
cd "$(dirname "$0")/.."

name="e2e_$$"
root="$PWD"
cleanup() {
  status=$?
  log="$root/target/previews/$name/server.log"
  if [ $status -ne 0 ] && [ -f "$log" ]; then
    echo "e2e failed; the server's log follows (last 50 lines)" >&2
    tail -n 50 "$log" >&2 || true
    cp "$log" "$root/target/e2e-server.log" 2>/dev/null || true
  fi
  "$root/scripts/preview.sh" down "$name" >/dev/null 2>&1 || true
  exit $status
}
trap cleanup EXIT

# Workers run (media processing, email delivery); without SMTP_URL the emails are delivered
# as files into the preview's mail folder, where the specs read them as a person would.
base_url=$(scripts/preview.sh up "$name")
echo "e2e: preview $name at $base_url"
mail_dir="${PREVIEW_ROOT:-$root/target/previews}/$name/mail"
cd end2end
BASE_URL="$base_url" MAIL_DIR="$mail_dir" ./node_modules/.bin/playwright test "$@"
