#!/usr/bin/env bash
# Webhook throughput and the exactly-once check (see server/examples/webhook_bench.rs):
#   bench/webhooks.sh [M events=2000] [N in flight=32] [D deliveries of each=2]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH" SQLX_OFFLINE=true
scripts/ensure-postgres.sh >&2
cargo build --release -q -p server --example webhook_bench >&2
RUST_LOG=error DATABASE_URL="${PG_ADMIN_URL:-postgres://postgres:postgres@127.0.0.1:5432}/postgres" \
  "${CARGO_TARGET_DIR:-target}/release/examples/webhook_bench" "${1:-2000}" "${2:-32}" "${3:-2}"
