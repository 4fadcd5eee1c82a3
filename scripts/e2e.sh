#!/usr/bin/env bash
# Runs the Playwright specs against a fresh instance with its own database, which is
# removed afterwards, pass or fail.
set -euo pipefail
cd "$(dirname "$0")/.."

pg_admin="${PG_ADMIN_URL:-postgres://postgres:postgres@127.0.0.1:5432}"
db="codex_e2e_$$"
port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
base_url="http://127.0.0.1:${port}"
log_file="$PWD/target/e2e-server.log"

server_pid=""
cleanup() {
  status=$?
  if [ -n "$server_pid" ]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  psql "$pg_admin/postgres" -q -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  if [ $status -ne 0 ]; then
    echo "e2e failed; the server's log follows (last 50 lines)" >&2
    tail -n 50 "$log_file" >&2 || true
  fi
  exit $status
}
trap cleanup EXIT

# APP_ENV=preview: the server creates and migrates its database at start.
DATABASE_URL="$pg_admin/$db" \
APP_ENV=preview \
LEPTOS_SITE_ADDR="127.0.0.1:${port}" \
LEPTOS_SITE_ROOT=target/site \
PUBLIC_URL="$base_url" \
TRUSTED_PROXIES=127.0.0.1 \
RUN_WORKERS=false \
  ./target/debug/server serve >"$log_file" 2>&1 &
server_pid=$!

for _ in $(seq 1 60); do
  curl -fsS "$base_url/ready" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { echo "the server exited during start-up" >&2; exit 1; }
  sleep 1
done
curl -fsS "$base_url/ready" >/dev/null

echo "e2e: instance at $base_url, database $db"
cd end2end
BASE_URL="$base_url" ./node_modules/.bin/playwright test "$@"
