#!/usr/bin/env bash
# What an unauthenticated attacker's bursts cost the server (issue: hardening): bogus
# password resets, made-up HTTP methods, upload parts without a session, connections
# that never finish their headers, form bodies trickled to upload paths, and one signed-in
# customer's burst of 30 "Buy now" at once, each with the server's peak memory growth over its idle
# baseline, the answer codes and whether /health kept answering. Figures only: not part of
# `make test`. Runs the server built by `cargo build -p server` (BENCH_RELEASE=1: --release;
# BENCH_SERVER=path: another build, say an older release, to compare) on its own database,
# codex_abuse.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH" SQLX_OFFLINE=true

pg="postgres://postgres:postgres@127.0.0.1:5432"
port="${BENCH_PORT:-3410}"
work="$(mktemp -d)"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

scripts/ensure-postgres.sh >&2
if [ -n "${BENCH_SERVER:-}" ]; then
  server="$BENCH_SERVER"
elif [ -n "${BENCH_RELEASE:-}" ]; then
  cargo build --release -q -p server >&2
  server=target/release/server
else
  cargo build -q -p server >&2
  server=target/debug/server
fi
psql -q "$pg/postgres" -c "DROP DATABASE IF EXISTS codex_abuse WITH (FORCE)" >/dev/null
# Loopback is a trusted proxy so the bursts can come from many client addresses.
APP_ENV=development RUST_LOG=error DATABASE_URL="$pg/codex_abuse" \
  LEPTOS_SITE_ADDR="127.0.0.1:$port" MEDIA_STORAGE="$work/media" RUN_WORKERS=false \
  TRUSTED_PROXIES=127.0.0.1 "$server" serve >"$work/server.log" 2>&1 &
server_pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 150); do curl -fs "$base/ready" >/dev/null && break; sleep 0.2; done
curl -fs "$base/ready" >/dev/null || { tail -20 "$work/server.log" >&2; exit 1; }
echo "server: $server on $(nproc) cores"
python3 bench/abuse.py "$base" "$server_pid" "$pg/codex_abuse"
