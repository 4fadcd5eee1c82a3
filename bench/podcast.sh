#!/usr/bin/env bash
# A private podcast feed of E episodes fetched over HTTP (see server/examples/podcast_bench.rs):
# its latency one at a time and its rate with N in flight.
#   bench/podcast.sh [E episodes=200] [R requests=500] [N in flight=8]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH" SQLX_OFFLINE=true
scripts/ensure-postgres.sh >&2
cargo build --release -q -p server --example podcast_bench >&2
RUST_LOG=error DATABASE_URL="${PG_ADMIN_URL:-postgres://postgres:postgres@127.0.0.1:5432}/postgres" \
  "${CARGO_TARGET_DIR:-target}/release/examples/podcast_bench" "${1:-200}" "${2:-500}" "${3:-8}"
