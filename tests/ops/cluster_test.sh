#!/usr/bin/env bash
# Two app servers on one database behind nginx (loopback only): sessions and rate limits
# are shared, and stopping one server mid-load loses no request nginx can retry.
source "$(dirname "$0")/lib.sh"

command -v nginx >/dev/null || fail "nginx is not installed (scripts/install-deps.sh test installs it)"
tmp=$(mktemp -d)
db="codex_cluster_test_$$"
port_a=$(free_port)
port_b=$(free_port)
port_lb=$(free_port)
pids=()

cleanup() {
  [ -f "$tmp/nginx.pid" ] && kill -TERM "$(cat "$tmp/nginx.pid")" 2>/dev/null || true
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  sleep 1
  drop_db "$db" || true
  rm -rf "$tmp"
}
trap cleanup EXIT

# Migrate once, as a deploy does, before the servers start.
create_migrated_db "$db"

start_server() {
  DATABASE_URL="$PG_ADMIN_URL/$db" APP_ENV=preview LEPTOS_SITE_ADDR="127.0.0.1:$1" LEPTOS_SITE_ROOT="$SITE_ROOT" \
  PUBLIC_URL="http://127.0.0.1:$port_lb" TRUSTED_PROXIES=127.0.0.1 RUN_WORKERS=false \
    "$SERVER_BIN" serve >"$tmp/server-$1.log" 2>&1 &
  pids+=($!)
}
start_server "$port_a"
pid_a=${pids[0]}
start_server "$port_b"
wait_ready "http://127.0.0.1:$port_a" || fail "server a did not start"
wait_ready "http://127.0.0.1:$port_b" || fail "server b did not start"

mkdir -p "$tmp/nginx"
cat >"$tmp/nginx.conf" <<CONF
worker_processes 1;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $tmp/nginx/body;
  proxy_temp_path $tmp/nginx/proxy;
  fastcgi_temp_path $tmp/nginx/fastcgi;
  uwsgi_temp_path $tmp/nginx/uwsgi;
  scgi_temp_path $tmp/nginx/scgi;
  upstream codex {
    server 127.0.0.1:$port_a max_fails=1 fail_timeout=10s;
    server 127.0.0.1:$port_b max_fails=1 fail_timeout=10s;
    keepalive 16;
  }
  server {
    listen 127.0.0.1:$port_lb;
    location / {
      proxy_pass http://codex;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_next_upstream error timeout http_502 http_503;
      proxy_next_upstream_tries 2;
      proxy_connect_timeout 2s;
    }
  }
}
CONF
nginx -p "$tmp" -c "$tmp/nginx.conf" -e "$tmp/nginx-error.log"
wait_ready "http://127.0.0.1:$port_lb" || fail "nginx does not answer"

SERVER_A="http://127.0.0.1:$port_a" SERVER_B="http://127.0.0.1:$port_b" BALANCER="http://127.0.0.1:$port_lb" \
PID_A="$pid_a" node tests/ops/cluster_check.mjs

! kill -0 "$pid_a" 2>/dev/null || fail "server a did not stop on SIGTERM"
grep -q "stopped" "$tmp/server-$port_a.log" || fail "server a did not shut down gracefully"
echo "cluster: shared sessions and limits, no request lost while one server stopped"
