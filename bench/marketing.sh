#!/usr/bin/env bash
# Marketing email at scale (see server/examples/marketing_bench.rs): queueing a broadcast to
# C consenting customers, then sending M of them at R a minute through a local SMTP sink,
# with the sender killed halfway and restarted.
#   bench/marketing.sh [C customers=50000] [M mailed=2000] [R per minute=30000]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH" SQLX_OFFLINE=true
scripts/ensure-postgres.sh >&2
cargo build --release -q -p server --example marketing_bench >&2
RUST_LOG=error DATABASE_URL="${PG_ADMIN_URL:-postgres://postgres:postgres@127.0.0.1:5432}/postgres" \
  "${CARGO_TARGET_DIR:-target}/release/examples/marketing_bench" "${1:-50000}" "${2:-2000}" "${3:-30000}"
