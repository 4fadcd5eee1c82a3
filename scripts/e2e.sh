#!/usr/bin/env bash
# Runs the Playwright specs once per project (E2E_PROJECTS, default: desktop and phone), each
# against a preview made for that run with its own database, removed afterwards, pass or
# fail. Arguments go to Playwright (a spec file, --grep …).
set -euo pipefail
cd "$(dirname "$0")/.."

root="$PWD"
projects="${E2E_PROJECTS:-desktop phone}"
results="$root/target/e2e-playwright.log"
rm -f "$results"
name=""
cleanup() {
  status=$?
  log="$root/target/previews/$name/server.log"
  if [ $status -ne 0 ] && [ -n "$name" ] && [ -f "$log" ]; then
    echo "e2e failed; the server's log follows (last 50 lines)" >&2
    tail -n 50 "$log" >&2 || true
    cp "$log" "$root/target/e2e-server.log" 2>/dev/null || true
  fi
  # Last, where a CI log's tail shows it: which specs failed and why.
  if [ $status -ne 0 ] && [ -f "$results" ]; then
    echo "e2e failed; Playwright's errors and summary:" >&2
    grep -E "^\s+(Error|Expected|Received|Timeout|Locator|[0-9]+ \|)|^\s+at .*\.spec\.ts" "$results" | tail -n 25 >&2 || true
    sed -n '/^  [0-9]\+ \(failed\|passed\)/,$p' "$results" >&2 || true
  fi
  [ -n "$name" ] && "$root/scripts/preview.sh" down "$name" >/dev/null 2>&1 || true
  exit $status
}
trap cleanup EXIT

for project in $projects; do
  # Workers run (media processing, email delivery); without SMTP_URL the emails are delivered
  # as files into the preview's mail folder, where the specs read them as a person would.
  # Playback tokens live 6 s, so every player in the specs renews its token several times.
  name="e2e_${project}_$$"
  base_url=$(PLAYBACK_TOKEN_SECS="${PLAYBACK_TOKEN_SECS:-6}" scripts/preview.sh up "$name")
  echo "e2e: $project against preview $name at $base_url"
  mail_dir="${PREVIEW_ROOT:-$root/target/previews}/$name/mail"
  (cd end2end && BASE_URL="$base_url" MAIL_DIR="$mail_dir" ./node_modules/.bin/playwright test --project="$project" "$@" 2>&1) | tee "$results"
  "$root/scripts/preview.sh" down "$name" >/dev/null 2>&1 || true
  name=""
done
