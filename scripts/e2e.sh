#!/usr/bin/env bash
# Runs the Playwright specs once per project (E2E_PROJECTS, default: desktop and phone), each
# against a preview made for that run with its own database, removed afterwards, pass or
# fail. The projects run side by side (E2E_PARALLEL=0: one after the other); each writes
# its own log (target/e2e-<project>.log), results and report (end2end/test-results/<project>,
# end2end/playwright-report/<project>).
# Arguments go to Playwright (a spec file, --grep …).
set -euo pipefail
cd "$(dirname "$0")/.."

root="$PWD"
projects="${E2E_PROJECTS:-desktop phone}"
parallel="${E2E_PARALLEL:-1}"
previews="${PREVIEW_ROOT:-$root/target/previews}"
names=()
pids=()

preview_name() { echo "e2e_${1}_$$"; }

cleanup() {
  for project in $projects; do
    "$root/scripts/preview.sh" down "$(preview_name "$project")" >/dev/null 2>&1 || true
  done
}
trap cleanup EXIT

# One project's run, its output in target/e2e-<project>.log; its exit status.
run_project() {
  local project=$1 name base_url mail_dir status
  shift
  name=$(preview_name "$project")
  # Workers run (media processing, email delivery); without SMTP_URL the emails are delivered
  # as files into the preview's mail folder, where the specs read them as a person would.
  # Playback tokens live 6 s, so every player in the specs renews its token several times.
  base_url=$(PLAYBACK_TOKEN_SECS="${PLAYBACK_TOKEN_SECS:-6}" scripts/preview.sh up "$name")
  echo "e2e: $project against preview $name at $base_url"
  mail_dir="$previews/$name/mail"
  set +e
  (cd end2end && BASE_URL="$base_url" MAIL_DIR="$mail_dir" \
    E2E_OUTPUT_DIR="test-results/$project" E2E_REPORT_DIR="playwright-report/$project" \
    ./node_modules/.bin/playwright test --project="$project" "$@" 2>&1)
  status=$?
  set -e
  if [ $status -ne 0 ]; then
    local log="$previews/$name/server.log"
    if [ -f "$log" ]; then
      echo "e2e $project failed; the server's log follows (last 50 lines)"
      tail -n 50 "$log" || true
      cp "$log" "$root/target/e2e-$project-server.log" 2>/dev/null || true
    fi
  fi
  "$root/scripts/preview.sh" down "$name" >/dev/null 2>&1 || true
  return $status
}

# Last, where a CI log's tail shows it: which specs of a failed project failed and why.
summarise_failure() {
  local results="$root/target/e2e-$1.log"
  echo "e2e $1 failed; Playwright's errors and summary:" >&2
  grep -E "^\s+(Error|Expected|Received|Timeout|Locator|[0-9]+ \|)|^\s+at .*\.spec\.ts" "$results" | tail -n 25 >&2 || true
  sed -n '/^  [0-9]\+ \(failed\|passed\)/,$p' "$results" >&2 || true
}

failed=()
if [ "$parallel" = "1" ]; then
  for project in $projects; do
    run_project "$project" "$@" >"$root/target/e2e-$project.log" 2>&1 &
    pids+=($!)
    names+=("$project")
  done
  for i in "${!pids[@]}"; do
    status=0
    wait "${pids[$i]}" || status=$?
    echo "== e2e ${names[$i]} (exit $status)"
    cat "$root/target/e2e-${names[$i]}.log"
    [ $status -eq 0 ] || failed+=("${names[$i]}")
  done
else
  for project in $projects; do
    status=0
    run_project "$project" "$@" 2>&1 | tee "$root/target/e2e-$project.log" || status=$?
    [ $status -eq 0 ] || failed+=("$project")
  done
fi

for project in "${failed[@]}"; do
  summarise_failure "$project"
done
[ ${#failed[@]} -eq 0 ]
