#!/usr/bin/env bash
# Audience analytics at scale (see server/examples/analytics_bench.rs): viewing reports per
# second over HTTP, a rollup pass over a day of raw reports, the analytics page's data with
# two years of rollups, and raw-table growth per 1,000 viewer hours.
#   bench/analytics.sh [V viewers=400] [N in flight=32] [R raw reports=1000000]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH" SQLX_OFFLINE=true
scripts/ensure-postgres.sh >&2
cargo build --release -q -p server --example analytics_bench >&2
RUST_LOG=error DATABASE_URL="${PG_ADMIN_URL:-postgres://postgres:postgres@127.0.0.1:5432}/postgres" \
  "${CARGO_TARGET_DIR:-target}/release/examples/analytics_bench" "${1:-400}" "${2:-32}" "${3:-1000000}"
