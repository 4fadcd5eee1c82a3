#!/usr/bin/env bash
# Preview environments on this machine: each has its own database `codex_preview_<name>`
# (created and migrated by the server at start, APP_ENV=preview) and its own port.
#   scripts/preview.sh up NAME      start (or show) a preview and print its URL
#   scripts/preview.sh down NAME    stop it and drop its database
#   scripts/preview.sh list         list the previews
#   scripts/preview.sh prune DAYS   remove the previews started more than DAYS days ago
#   scripts/preview.sh name NAME    print the sanitised name
# Reachable by others: with PREVIEW_HOST_PATTERN (e.g. pr-{name}.preview.example.com) a
# preview answers at that host through nginx: `up` writes a server block into
# PREVIEW_NGINX_DIR (include it from nginx's config) behind basic auth (PREVIEW_BASIC_AUTH,
# "user:password", required then), reloads nginx (PREVIEW_NGINX_RELOAD, default
# `nginx -s reload`), gives the preview its own random SESSION_SECRET and prints the public
# URL (PREVIEW_PUBLIC_SCHEME, default https). `down` removes the block again.
set -euo pipefail
cd "$(dirname "$0")/.."

root="${PREVIEW_ROOT:-$PWD/target/previews}"
pg_admin="${PG_ADMIN_URL:-postgres://postgres:postgres@127.0.0.1:5432}"
binary="${CODEX_BINARY:-$PWD/target/debug/server}"
site_root="${CODEX_SITE_ROOT:-$PWD/target/site}"
db_prefix="codex_preview_"

# Lower case letters, digits and '_', at most 63 bytes with the database prefix.
sanitize() {
  local name
  name=$(printf '%s' "$1" | tr '[:upper:]' '[:lower:]' | sed -E 's/[^a-z0-9_]+/_/g; s/^_+//; s/_+$//')
  name=$(printf '%s' "$name" | cut -c1-$((63 - ${#db_prefix})) | sed -E 's/_+$//')
  if [ -z "$name" ]; then
    echo "a preview name needs at least one letter or digit" >&2
    exit 2
  fi
  printf '%s\n' "$name"
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

running() { [ -f "$1/pid" ] && kill -0 "$(cat "$1/pid")" 2>/dev/null; }

nginx_dir="${PREVIEW_NGINX_DIR:-$root/nginx}"
reload_nginx() { ${PREVIEW_NGINX_RELOAD:-nginx -s reload}; }

# The public host of preview $1: the pattern with {name} ('_' becomes '-', as DNS wants).
public_host() { printf '%s\n' "${PREVIEW_HOST_PATTERN//\{name\}/${1//_/-}}"; }

# The nginx server block of preview $1 on local port $2, behind basic auth.
expose() {
  local name=$1 port=$2 dir=$3 host user password
  host=$(public_host "$name")
  : "${PREVIEW_BASIC_AUTH:?PREVIEW_BASIC_AUTH (user:password) is needed with PREVIEW_HOST_PATTERN}"
  user=${PREVIEW_BASIC_AUTH%%:*}
  password=${PREVIEW_BASIC_AUTH#*:}
  [ -n "$user" ] && [ "$password" != "$PREVIEW_BASIC_AUTH" ] || { echo "PREVIEW_BASIC_AUTH must be user:password" >&2; exit 2; }
  printf '%s:%s\n' "$user" "$(printf '%s' "$password" | openssl passwd -apr1 -stdin)" >"$dir/htpasswd"
  # nginx workers (www-data, nobody) read it; it holds a salted hash only.
  chmod 644 "$dir/htpasswd"
  mkdir -p "$nginx_dir"
  cat >"$nginx_dir/$name.conf" <<CONF
# Preview $name (written by scripts/preview.sh; removed by its down).
server {
  listen ${PREVIEW_NGINX_LISTEN:-80};
  server_name $host;
  client_max_body_size 16m;
  auth_basic "Codex preview $name";
  auth_basic_user_file $dir/htpasswd;
  location / {
    proxy_pass http://127.0.0.1:$port;
    proxy_http_version 1.1;
    proxy_set_header Host \$host;
    proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
    proxy_set_header X-Forwarded-Proto \$scheme;
    proxy_read_timeout 120s;
  }
}
CONF
  reload_nginx
}

up() {
  local name dir port url db
  name=$(sanitize "$1")
  dir="$root/$name"
  if running "$dir"; then
    cat "$dir/url"
    return 0
  fi
  [ -x "$binary" ] || { echo "no server binary at $binary: run 'cargo leptos build' first" >&2; exit 1; }
  mkdir -p "$dir"
  port=$(free_port)
  local_url="http://127.0.0.1:${port}"
  url="$local_url"
  db="${db_prefix}${name}"
  # A preview others can reach gets a secret of its own, never the development one.
  session_secret=""
  if [ -n "${PREVIEW_HOST_PATTERN:-}" ]; then
    url="${PREVIEW_PUBLIC_SCHEME:-https}://$(public_host "$name")"
    session_secret=$(openssl rand -hex 32)
  fi
  echo "$url" >"$dir/url"
  echo "$db" >"$dir/database"
  # setsid: the preview outlives the shell that started it.
  DATABASE_URL="$pg_admin/$db" \
  APP_ENV=preview \
  LEPTOS_SITE_ADDR="127.0.0.1:${port}" \
  LEPTOS_SITE_ROOT="$site_root" \
  PUBLIC_URL="$url" \
  SESSION_SECRET="${session_secret:-${SESSION_SECRET:-}}" \
  TRUSTED_PROXIES="${PREVIEW_TRUSTED_PROXIES:-127.0.0.1}" \
  RUN_WORKERS="${PREVIEW_RUN_WORKERS:-true}" \
  MEDIA_STORAGE="$dir/media" \
  MAIL_FOLDER="$dir/mail" \
    setsid "$binary" serve >"$dir/server.log" 2>&1 </dev/null &
  echo $! >"$dir/pid"
  for _ in $(seq 1 90); do
    if curl -fsS "$local_url/ready" >/dev/null 2>&1; then
      [ -z "${PREVIEW_HOST_PATTERN:-}" ] || expose "$name" "$port" "$dir"
      echo "$url"
      return 0
    fi
    running "$dir" || break
    sleep 1
  done
  echo "preview $name did not become ready; its log:" >&2
  tail -n 30 "$dir/server.log" >&2 || true
  down "$name" >/dev/null || true
  exit 1
}

down() {
  local name dir db pid
  name=$(sanitize "$1")
  dir="$root/$name"
  db="${db_prefix}${name}"
  if [ -f "$dir/pid" ]; then
    pid=$(cat "$dir/pid")
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid"
      for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  if [ -f "$nginx_dir/$name.conf" ]; then
    rm -f "$nginx_dir/$name.conf"
    reload_nginx || true
  fi
  psql "$pg_admin/postgres" -q -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null
  rm -rf "$dir"
  echo "preview $name removed (database $db dropped)"
}

list() {
  local found=""
  printf '%-24s %-28s %-9s %s\n' NAME URL STATUS DATABASE
  for dir in "$root"/*/; do
    [ -d "$dir" ] || continue
    found=1
    local status=stopped
    running "$dir" && status=running
    printf '%-24s %-28s %-9s %s\n' "$(basename "$dir")" "$(cat "$dir/url" 2>/dev/null)" "$status" "$(cat "$dir/database" 2>/dev/null)"
  done
  [ -n "$found" ] || echo "(no previews)"
}

# A preview's age is its `url` file's, written when it started.
prune() {
  local days=$1 url
  [[ "$days" =~ ^[0-9]+$ ]] || { echo "prune needs a number of days" >&2; exit 2; }
  [ -d "$root" ] || return 0
  while IFS= read -r url; do
    down "$(basename "$(dirname "$url")")"
  done < <(find "$root" -mindepth 2 -maxdepth 2 -name url -mmin +$((days * 24 * 60)))
}

case "${1:-}" in
  prune) prune "${2:?usage: preview.sh prune DAYS}" ;;
  up) up "${2:?usage: preview.sh up NAME}" ;;
  down) down "${2:?usage: preview.sh down NAME}" ;;
  list) list ;;
  name) sanitize "${2:?usage: preview.sh name NAME}" ;;
  *) echo "usage: preview.sh up|down|list|name [NAME] | prune DAYS" >&2; exit 2 ;;
esac
