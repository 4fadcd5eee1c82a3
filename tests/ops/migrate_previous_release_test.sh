#!/usr/bin/env bash
# Migrations against real shapes: a database as the previous release left it, with its rows
# (tests/ops/fixtures/previous_release.sql, remade by make_previous_release.sh), is migrated
# by `server migrate` to the current schema; nothing is lost, and the site serves what it
# held: branding, the catalog, a customer's library and the owner's customers.
source "$(dirname "$0")/lib.sh"

tmp=$(mktemp -d)
db="codex_migrate_previous_test_$$"
port=$(free_port)
base="http://127.0.0.1:$port"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  sleep 0.5
  drop_db "$db" || true
  rm -rf "$tmp"
}
trap cleanup EXIT
sql() { psql "$PG_ADMIN_URL/$db" -tAq -c "$1"; }

psql "$PG_ADMIN_URL/postgres" -q -c "CREATE DATABASE \"$db\"" >/dev/null
psql "$PG_ADMIN_URL/$db" -q -v ON_ERROR_STOP=1 -f tests/ops/fixtures/previous_release.sql >/dev/null
counts="SELECT (SELECT count(*) FROM users) || ' ' || (SELECT count(*) FROM content) || ' ' ||
  (SELECT count(*) FROM purchases) || ' ' || (SELECT count(*) FROM access) || ' ' ||
  (SELECT count(*) FROM playback_progress) || ' ' || (SELECT count(*) FROM chapters)"
before=$(sql "$counts")
applied=$(sql "SELECT count(*) FROM _sqlx_migrations")

DATABASE_URL="$PG_ADMIN_URL/$db" "$SERVER_BIN" migrate >/dev/null 2>"$tmp/migrate.log" \
  || { cat "$tmp/migrate.log" >&2; fail "server migrate failed on the previous release's database"; }
expected=$(ls migrations/*.sql | wc -l)
[ "$(sql "SELECT count(*) FROM _sqlx_migrations WHERE success")" = "$expected" ] \
  || fail "not every migration is recorded after migrate"
[ "$applied" -lt "$expected" ] || fail "the fixture already holds every migration: remake it from the last release"
[ "$(sql "$counts")" = "$before" ] || fail "rows changed: $before before, $(sql "$counts") after"
echo "migrated from $applied to $expected migrations, rows kept ($before)"

DATABASE_URL="$PG_ADMIN_URL/$db" APP_ENV=preview LEPTOS_SITE_ADDR="127.0.0.1:$port" LEPTOS_SITE_ROOT="$SITE_ROOT" \
  MEDIA_STORAGE="$tmp/media" MAIL_FOLDER="$tmp/mail" RUN_WORKERS=false \
  "$SERVER_BIN" serve >"$tmp/server.log" 2>&1 &
server_pid=$!
wait_ready "$base" || { tail -20 "$tmp/server.log" >&2; fail "the server did not start on the migrated database"; }

catalog=$(curl -fs "$base/")
grep -q "Fixture Films" <<<"$catalog" || fail "the platform name is gone"
grep -q "Evening lecture" <<<"$catalog" || fail "the catalog lost its item"
item=$(curl -fs "$base/content/evening-lecture")
grep -q "Main part" <<<"$item" || fail "the item page lost its chapters"

login() {
  curl -fs -o /dev/null -c "$tmp/$1.jar" -X POST \
    --data-urlencode "email=$1@fixture.test" --data-urlencode "password=Fixture-pass-1" "$base/api/login" \
    || fail "$1 cannot log in with the password set before the upgrade"
}
login ada
library=$(curl -fs -b "$tmp/ada.jar" "$base/library")
grep -q "Evening lecture" <<<"$library" && grep -q "Open rehearsal" <<<"$library" \
  || fail "the customer's library lost an item"
login owner
customers=$(curl -fs -b "$tmp/owner.jar" "$base/admin/customers")
grep -q "ada@fixture.test" <<<"$customers" || fail "the owner's customers lost Ada"
echo "migrate from the previous release: the site serves what it held"
