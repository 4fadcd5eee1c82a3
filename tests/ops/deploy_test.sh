#!/usr/bin/env bash
# The rolling deploy: a good release goes live on both app servers; a release whose
# /ready never turns 200 is rolled back and the previous release keeps serving.
source "$(dirname "$0")/lib.sh"

root=$(mktemp -d)
db="codex_deploy_test_$$"
port_a=$(free_port)
port_b=$(free_port)
while [ "$port_b" = "$port_a" ]; do port_b=$(free_port); done
export DEPLOY_ROOT="$root" DEPLOY_PORTS="$port_a $port_b" DEPLOY_READY_TIMEOUT=15

cleanup() {
  for pidfile in "$root"/slots/*/pid; do
    [ -f "$pidfile" ] && kill -TERM "$(cat "$pidfile")" 2>/dev/null || true
  done
  sleep 1
  drop_db "$db" || true
  rm -rf "$root"
}
trap cleanup EXIT

psql "$PG_ADMIN_URL/postgres" -q -c "CREATE DATABASE \"$db\"" >/dev/null
cat >"$root/env" <<ENV
APP_ENV=production
DATABASE_URL=$PG_ADMIN_URL/$db
PUBLIC_URL=https://codex.example.com
SESSION_SECRET=$(head -c 48 /dev/urandom | base64 | tr -d '\n')
SMTP_URL=smtp://127.0.0.1:1
STRIPE_SECRET_KEY=sk_test_deploy_check
STRIPE_ALLOW_TEST_KEYS=true
STRIPE_WEBHOOK_SECRET=whsec_deploy_check
RUN_WORKERS=false
ENV

good="$root/build-good"
mkdir -p "$good"
cp "$SERVER_BIN" "$good/server"
cp -r "$SITE_ROOT" "$good/site"

scripts/deploy.sh "$good" v1 || fail "the first deploy failed"
for port in $port_a $port_b; do
  [ "$(status_of "http://127.0.0.1:$port/ready")" = 200 ] || fail "port $port not ready after v1"
  [ "$(basename "$(readlink "$root/slots/$port/release")")" = v1 ] || fail "port $port is not on v1"
done
[ "$(basename "$(readlink "$root/current")")" = v1 ] || fail "current is not v1"
[ "$(psql "$PG_ADMIN_URL/$db" -tAc "SELECT count(*) FROM _sqlx_migrations")" -ge 1 ] || fail "deploy did not migrate"

# A build whose server never becomes ready: its migrations work, but it serves against a
# database that does not answer.
bad="$root/build-bad"
mkdir -p "$bad"
cp -r "$SITE_ROOT" "$bad/site"
cp "$SERVER_BIN" "$bad/server-real"
cat >"$bad/server" <<'SH'
#!/usr/bin/env bash
here=$(dirname "$0")
if [ "${1:-}" = "migrate" ]; then exec "$here/server-real" "$@"; fi
DATABASE_URL=postgres://postgres:postgres@127.0.0.1:1/none exec "$here/server-real" "$@"
SH
chmod +x "$bad/server"

if scripts/deploy.sh "$bad" v2-broken >"$root/bad-deploy.log" 2>&1; then
  cat "$root/bad-deploy.log"
  fail "the deploy of a release that never becomes ready succeeded"
fi
cat "$root/bad-deploy.log"
grep -q "rolling back $port_a to release v1" "$root/bad-deploy.log" || fail "the rollback path was not taken"
for port in $port_a $port_b; do
  [ "$(status_of "http://127.0.0.1:$port/ready")" = 200 ] || fail "port $port not serving after the rollback"
  [ "$(basename "$(readlink "$root/slots/$port/release")")" = v1 ] || fail "port $port is not back on v1"
done
[ "$(basename "$(readlink "$root/current")")" = v1 ] || fail "current moved away from v1"

# A later good release still deploys over the rolled-back state.
scripts/deploy.sh "$good" v3 || fail "deploy after a rollback failed"
for port in $port_a $port_b; do
  [ "$(basename "$(readlink "$root/slots/$port/release")")" = v3 ] || fail "port $port is not on v3"
done
echo "deploy: good release live, broken release rolled back, previous version serving"
