#!/usr/bin/env bash
# Previews people can open: with PREVIEW_HOST_PATTERN, `preview.sh up` writes an nginx
# server block for pr-<name>.<domain> behind basic auth and gives the preview its own
# session secret. Through nginx (loopback only) the preview answers with the password, is
# refused without it or with a wrong one, signs in a user, and is gone after `down`.
source "$(dirname "$0")/lib.sh"
command -v nginx >/dev/null || fail "nginx is not installed (scripts/install-deps.sh test installs it)"

tmp=$(mktemp -d)
name="proxy_$$"
port=$(free_port)
host="pr-proxy-$$.preview.codex.test"
export PREVIEW_HOST_PATTERN="pr-{name}.preview.codex.test" PREVIEW_PUBLIC_SCHEME=http \
  PREVIEW_BASIC_AUTH="reviewer:Preview-pass-$$" PREVIEW_NGINX_DIR="$tmp/sites" \
  PREVIEW_NGINX_LISTEN="127.0.0.1:$port" PREVIEW_NGINX_RELOAD="nginx -p $tmp -c $tmp/nginx.conf -s reload"
cleanup() {
  scripts/preview.sh down "$name" >/dev/null 2>&1 || true
  [ -f "$tmp/nginx.pid" ] && kill -TERM "$(cat "$tmp/nginx.pid")" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

mkdir -p "$tmp/nginx" "$tmp/sites"
cat >"$tmp/nginx.conf" <<CONF
worker_processes 1;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path $tmp/nginx/body;
  proxy_temp_path $tmp/nginx/proxy;
  fastcgi_temp_path $tmp/nginx/fastcgi;
  uwsgi_temp_path $tmp/nginx/uwsgi;
  scgi_temp_path $tmp/nginx/scgi;
  server {
    listen 127.0.0.1:$port default_server;
    return 404;
  }
  include $tmp/sites/*.conf;
}
CONF
nginx -p "$tmp" -c "$tmp/nginx.conf" -e "$tmp/nginx-error.log"

url=$(scripts/preview.sh up "$name")
[ "$url" = "http://$host" ] || fail "the preview's URL is $url, not http://$host"
[ -f "$tmp/sites/$name.conf" ] || fail "no nginx server block for the preview"
via() { curl -s -o /dev/null -w '%{http_code}' --resolve "$host:$port:127.0.0.1" "$@"; }
# After a reload, old nginx workers (which knew the hosts before) finish their connections
# first: wait until five answers in a row are the expected one.
settle() {
  local expected=$1 seen=0
  shift
  for _ in $(seq 1 100); do
    if [ "$(via "$@")" = "$expected" ]; then seen=$((seen + 1)); else seen=0; fi
    [ $seen -ge 5 ] && return 0
    sleep 0.1
  done
  return 1
}
settle 401 "http://$host:$port/health" || fail "nginx did not take up the preview's server block"
code=$(via "http://$host:$port/")
[ "$code" = 401 ] || fail "the preview answers without the password ($code)"
code=$(via -u "reviewer:wrong" "http://$host:$port/")
[ "$code" = 401 ] || fail "the preview answers a wrong password ($code)"
[ "$(via -u "$PREVIEW_BASIC_AUTH" "http://$host:$port/")" = 200 ] || fail "the preview refuses its password"
environment=$(curl -s --resolve "$host:$port:127.0.0.1" -u "$PREVIEW_BASIC_AUTH" "http://$host:$port/health" |
  node -pe 'JSON.parse(require("fs").readFileSync(0)).environment')
[ "$environment" = preview ] || fail "through the proxy the environment is $environment"

# Its own session secret: not the development one, and a session works through the proxy.
pid=$(cat "target/previews/$name/pid")
secret=$(tr '\0' '\n' <"/proc/$pid/environ" | sed -n 's/^SESSION_SECRET=//p')
[ ${#secret} -ge 64 ] || fail "the preview has no session secret of its own"
DATABASE_URL="$PG_ADMIN_URL/codex_preview_$name" "$SERVER_BIN" create-owner --email reviewer@codex.test \
  --name Reviewer <<<"Reviewer-pass-1" >/dev/null
signed_in=$(curl -s -o /dev/null -w '%{http_code}' --resolve "$host:$port:127.0.0.1" -u "$PREVIEW_BASIC_AUTH" \
  -c "$tmp/jar" -H "Origin: http://$host" -X POST \
  --data-urlencode "email=reviewer@codex.test" --data-urlencode "password=Reviewer-pass-1" "http://$host:$port/api/login")
[ "$signed_in" = 200 ] || [ "$signed_in" = 303 ] || fail "signing in through the proxy answered $signed_in"
grep -q codex_session "$tmp/jar" || fail "no session cookie through the proxy"

scripts/preview.sh down "$name" >/dev/null
[ ! -f "$tmp/sites/$name.conf" ] || fail "down left the nginx server block"
settle 404 -u "$PREVIEW_BASIC_AUTH" "http://$host:$port/" || fail "the preview still answers after down"
echo "previews through the proxy: reachable with the password, refused without, gone after down"
