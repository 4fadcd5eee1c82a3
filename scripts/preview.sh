#!/usr/bin/env bash
# Preview environments on this machine: each has its own database `codex_preview_<name>`
# (created and migrated by the server at start, APP_ENV=preview) and its own port.
#   scripts/preview.sh up NAME      start (or show) a preview and print its URL
#   scripts/preview.sh down NAME    stop it and drop its database
#   scripts/preview.sh list         list the previews
#   scripts/preview.sh name NAME    print the sanitised name
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
  url="http://127.0.0.1:${port}"
  db="${db_prefix}${name}"
  echo "$url" >"$dir/url"
  echo "$db" >"$dir/database"
  # setsid: the preview outlives the shell that started it.
  DATABASE_URL="$pg_admin/$db" \
  APP_ENV=preview \
  LEPTOS_SITE_ADDR="127.0.0.1:${port}" \
  LEPTOS_SITE_ROOT="$site_root" \
  PUBLIC_URL="$url" \
  TRUSTED_PROXIES="${PREVIEW_TRUSTED_PROXIES:-127.0.0.1}" \
  RUN_WORKERS="${PREVIEW_RUN_WORKERS:-true}" \
  MEDIA_STORAGE="$dir/media" \
  MAIL_FOLDER="$dir/mail" \
    setsid "$binary" serve >"$dir/server.log" 2>&1 </dev/null &
  echo $! >"$dir/pid"
  for _ in $(seq 1 90); do
    if curl -fsS "$url/ready" >/dev/null 2>&1; then
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

case "${1:-}" in
  up) up "${2:?usage: preview.sh up NAME}" ;;
  down) down "${2:?usage: preview.sh down NAME}" ;;
  list) list ;;
  name) sanitize "${2:?usage: preview.sh name NAME}" ;;
  *) echo "usage: preview.sh up|down|list|name [NAME]" >&2; exit 2 ;;
esac
