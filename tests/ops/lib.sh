# Shared helpers of the operations tests.
set -euo pipefail
PG_ADMIN_URL="${PG_ADMIN_URL:-postgres://postgres:postgres@127.0.0.1:5432}"
SERVER_BIN="${SERVER_BIN:-$PWD/target/debug/server}"
SITE_ROOT="${SITE_ROOT:-$PWD/target/site}"

fail() { echo "assertion failed: $*" >&2; exit 1; }
free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
db_exists() { [ "$(psql "$PG_ADMIN_URL/postgres" -tAc "SELECT count(*) FROM pg_database WHERE datname = '$1'")" = "1" ]; }
# A new database with the migrations applied, as a deploy leaves it.
create_migrated_db() {
  psql "$PG_ADMIN_URL/postgres" -q -c "CREATE DATABASE \"$1\"" >/dev/null
  DATABASE_URL="$PG_ADMIN_URL/$1" "$SERVER_BIN" migrate >/dev/null
}
drop_db() { psql "$PG_ADMIN_URL/postgres" -q -c "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" >/dev/null; }
status_of() { curl -s -o /dev/null -w '%{http_code}' -m 5 "$1" || true; }
wait_ready() {
  for _ in $(seq 1 60); do
    [ "$(status_of "$1/ready")" = "200" ] && return 0
    sleep 0.5
  done
  return 1
}
