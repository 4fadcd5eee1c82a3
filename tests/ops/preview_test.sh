#!/usr/bin/env bash
# Two previews run side by side, each on its own database; `down` leaves no database and
# no process behind, and `prune 7` removes a preview started more than a week ago.
source "$(dirname "$0")/lib.sh"

a="ops_a_$$"
b="Ops-B/$$"
b_name=$(scripts/preview.sh name "$b")
trap 'scripts/preview.sh down "$a" >/dev/null 2>&1 || true; scripts/preview.sh down "$b" >/dev/null 2>&1 || true' EXIT

url_a=$(scripts/preview.sh up "$a")
url_b=$(scripts/preview.sh up "$b")
[ "$url_a" != "$url_b" ] || fail "two previews share $url_a"
[ "$(status_of "$url_a/ready")" = 200 ] || fail "preview a is not ready"
[ "$(status_of "$url_b/ready")" = 200 ] || fail "preview b is not ready"
db_exists "codex_preview_$a" || fail "database codex_preview_$a missing"
db_exists "codex_preview_$b_name" || fail "database codex_preview_$b_name missing"
# Read whole: `grep -q` would stop reading early, and the list, cut off, fail the pipe.
listed=$(scripts/preview.sh list)
grep -q "$b_name .*running" <<<"$listed" || fail "list does not show $b_name running"
[ "$(curl -s "$url_a/health" | node -pe 'JSON.parse(require("fs").readFileSync(0)).environment')" = preview ] \
  || fail "preview does not run with APP_ENV=preview"

pid_a=$(cat "target/previews/$a/pid")
scripts/preview.sh down "$a"
! kill -0 "$pid_a" 2>/dev/null || fail "preview a still runs"
! db_exists "codex_preview_$a" || fail "database of preview a still exists"
[ ! -d "target/previews/$a" ] || fail "preview a's folder is still there"
[ "$(status_of "$url_b/ready")" = 200 ] || fail "preview b went down with a"

# Previews older than a week are pruned; younger ones stay.
scripts/preview.sh prune 7 >/dev/null
[ "$(status_of "$url_b/ready")" = 200 ] || fail "prune removed a preview started just now"
touch -d '8 days ago' "target/previews/$b_name/url"
scripts/preview.sh prune 7 >/dev/null
! db_exists "codex_preview_$b_name" || fail "database of preview b still exists after prune"
[ ! -d "target/previews/$b_name" ] || fail "prune left preview b's folder"
long=$(scripts/preview.sh name "$(printf 'Branch%.0s' $(seq 1 20))")
[ $(( ${#long} + 14 )) -le 63 ] || fail "sanitised name too long for a database: $long"
echo "previews: side by side, isolated, removed without trace"
