#!/usr/bin/env bash
# Faults: the database goes away under load (a proxy between the server and PostgreSQL is
# cut, as a restart or a network failure would) and comes back. /ready must say 503
# meanwhile, /health keep answering, no request hang past the request timeout, and the
# server recover without a restart.
source "$(dirname "$0")/lib.sh"

tmp=$(mktemp -d)
db="codex_faults_test_$$"
port=$(free_port)
proxy_port=$(free_port)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  sleep 1
  drop_db "$db" || true
  rm -rf "$tmp"
}
trap cleanup EXIT

create_migrated_db "$db"
echo "Faults1pass" | DATABASE_URL="$PG_ADMIN_URL/$db" "$SERVER_BIN" create-owner --email faults@codex.test --name Faults >/dev/null

node tests/ops/db_proxy.mjs "$proxy_port" 5432 >"$tmp/proxy.log" 2>&1 &
proxy_pid=$!
pids+=("$proxy_pid")
for _ in $(seq 1 50); do grep -q "^proxy" "$tmp/proxy.log" && break; sleep 0.1; done
proxied_url="postgres://postgres:postgres@127.0.0.1:$proxy_port/$db"
timeout=8
DATABASE_URL="$proxied_url" APP_ENV=preview LEPTOS_SITE_ADDR="127.0.0.1:$port" LEPTOS_SITE_ROOT="$SITE_ROOT" \
  TRUSTED_PROXIES=127.0.0.1 RUN_WORKERS=false REQUEST_TIMEOUT_SECS=$timeout MEDIA_STORAGE="$tmp/media" \
  "$SERVER_BIN" serve >"$tmp/server.log" 2>&1 &
pids+=($!)
wait_ready "http://127.0.0.1:$port" || { head -30 "$tmp/server.log" >&2; fail "the server did not start"; }

SERVER="http://127.0.0.1:$port" PROXY_PID="$proxy_pid" REQUEST_TIMEOUT_SECS=$timeout \
  node tests/ops/faults_check.mjs || { tail -30 "$tmp/server.log" >&2; fail "faults check"; }
