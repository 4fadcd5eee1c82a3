#!/usr/bin/env bash
# Faults: the server is killed (SIGKILL) while Stripe's webhooks arrive. The Stripe
# stand-in runs as its own process, as Stripe does, and retries what failed: every payment
# must end in exactly one purchase, access and receipt.
source "$(dirname "$0")/lib.sh"

tmp=$(mktemp -d)
db="codex_webhook_kill_test_$$"
port=$(free_port)
standin_port=$(free_port)
standin_pid=""
cleanup() {
  [ -n "$standin_pid" ] && kill -TERM "$standin_pid" 2>/dev/null || true
  sleep 0.5
  drop_db "$db" || true
  rm -rf "$tmp"
}
trap cleanup EXIT

STANDIN_BIN="${STANDIN_BIN:-$PWD/target/debug/stripe-standin}"
# With the server's flags (Makefile) and features (`-p server`), so that its crates are reused.
[ -x "$STANDIN_BIN" ] ||
  RUSTFLAGS="${LEPTOS_DEBUG_RUSTFLAGS-}" cargo build -q -p server -p stripe-standin --bin stripe-standin
create_migrated_db "$db"

STANDIN_ADDR="127.0.0.1:$standin_port" STRIPE_WEBHOOK_URL="http://127.0.0.1:$port/webhooks/stripe" \
  STRIPE_WEBHOOK_SECRET=whsec_kill_test RUST_LOG=warn "$STANDIN_BIN" >"$tmp/standin.log" 2>&1 &
standin_pid=$!
for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$standin_port/" && break; sleep 0.1; done

DATABASE_URL="$PG_ADMIN_URL/$db" APP_ENV=preview LEPTOS_SITE_ADDR="127.0.0.1:$port" LEPTOS_SITE_ROOT="$SITE_ROOT" \
  PUBLIC_URL="http://127.0.0.1:$port" TRUSTED_PROXIES=127.0.0.1 RUN_WORKERS=false MEDIA_STORAGE="$tmp/media" \
  STRIPE_SECRET_KEY=sk_test_kill_test STRIPE_WEBHOOK_SECRET=whsec_kill_test \
  STRIPE_API_BASE="http://127.0.0.1:$standin_port/" \
  SERVER="http://127.0.0.1:$port" SERVER_BIN="$SERVER_BIN" DB_URL="$PG_ADMIN_URL/$db" LOG="$tmp/server.log" CUSTOMERS=30 \
  node tests/ops/webhook_kill_check.mjs || { tail -30 "$tmp/server.log" >&2; tail -20 "$tmp/standin.log" >&2; fail "webhook kill check"; }
