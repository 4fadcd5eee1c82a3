#!/usr/bin/env bash
# Rolling deploy of a release to the app servers of this host.
#
#   scripts/deploy.sh BUILD_DIR RELEASE_ID
#
# BUILD_DIR holds `server` and `site/` (what `make release` produces in target/release-bundle).
# The host layout under DEPLOY_ROOT (default /srv/codex):
#   env                       the production environment (DATABASE_URL, SESSION_SECRET, ...)
#   releases/<id>/            server binary and site of each release
#   current -> releases/<id>  the release every app server runs
#   slots/<port>/             one app server: release symlink, pid and log
# Steps: copy the release, run `server migrate` once (migrations must be safe while the old
# version still serves), restart the app servers one at a time, wait for each to answer
# /ready (retries with exponential backoff), and put back the previous release on every
# server already switched if one does not become ready.
set -euo pipefail

build_dir="${1:?usage: deploy.sh BUILD_DIR RELEASE_ID}"
release_id="${2:?usage: deploy.sh BUILD_DIR RELEASE_ID}"
root="${DEPLOY_ROOT:-/srv/codex}"
ports="${DEPLOY_PORTS:-3000}"
ready_timeout="${DEPLOY_READY_TIMEOUT:-60}"
skip_migrate="${DEPLOY_SKIP_MIGRATE:-false}"
keep_releases="${DEPLOY_KEEP_RELEASES:-5}"

log() { printf '[deploy] %s\n' "$*"; }
die() { printf '[deploy] error: %s\n' "$*" >&2; exit 1; }

[[ "$release_id" =~ ^[A-Za-z0-9._-]+$ ]] || die "release id may use letters, digits, '.', '_' and '-'"
[ -x "$build_dir/server" ] || die "$build_dir/server is missing"
[ -d "$build_dir/site" ] || die "$build_dir/site is missing"
[ -f "$root/env" ] || die "$root/env (the production environment) is missing"

mkdir -p "$root/releases" "$root/slots"
release="$root/releases/$release_id"
if [ ! -d "$release" ]; then
  log "installing release $release_id"
  rm -rf "$release.tmp"
  cp -a "$build_dir" "$release.tmp"
  mv "$release.tmp" "$release"
fi
previous=""
[ -L "$root/current" ] && previous=$(basename "$(readlink "$root/current")")

run_with_env() {
  (set -a; . "$root/env"; set +a; exec "$@")
}

if [ "$skip_migrate" != "true" ]; then
  log "migrating the database with release $release_id"
  run_with_env "$release/server" migrate || die "migrations failed; nothing was restarted"
fi

slot_pid() { cat "$root/slots/$1/pid" 2>/dev/null || true; }

stop_slot() {
  local port=$1 pid
  pid=$(slot_pid "$port")
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    # SIGTERM: the server stops accepting and finishes its in-flight requests.
    kill -TERM "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$root/slots/$port/pid"
}

start_slot() {
  local port=$1 id=$2 dir="$root/slots/$1"
  mkdir -p "$dir"
  ln -sfn "$root/releases/$id" "$dir/release"
  (
    set -a; . "$root/env"; set +a
    LEPTOS_SITE_ADDR="127.0.0.1:$port" LEPTOS_SITE_ROOT="$root/releases/$id/site" \
      setsid "$root/releases/$id/server" serve >>"$dir/log" 2>&1 </dev/null &
    echo $! >"$dir/pid"
  )
}

wait_ready() {
  local port=$1 waited=0 delay=0.25
  while awk "BEGIN { exit !($waited < $ready_timeout) }"; do
    if curl -fsS -m 2 "http://127.0.0.1:$port/ready" >/dev/null 2>&1; then
      return 0
    fi
    local pid
    pid=$(slot_pid "$port")
    if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then
      log "the server on port $port exited"
      return 1
    fi
    sleep "$delay"
    waited=$(awk "BEGIN { print $waited + $delay }")
    delay=$(awk "BEGIN { d = $delay * 2; print (d > 5 ? 5 : d) }")
  done
  return 1
}

switched=()
for port in $ports; do
  log "restarting the server on port $port with release $release_id"
  stop_slot "$port"
  start_slot "$port" "$release_id"
  switched+=("$port")
  if wait_ready "$port"; then
    log "port $port is ready"
    continue
  fi
  log "port $port did not become ready within ${ready_timeout}s; last log lines:"
  tail -n 5 "$root/slots/$port/log" | sed 's/^/    /' || true
  if [ -z "$previous" ]; then
    for p in "${switched[@]}"; do stop_slot "$p"; done
    die "first deploy failed and there is no previous release to roll back to"
  fi
  log "rolling back ${switched[*]} to release $previous"
  for p in "${switched[@]}"; do
    stop_slot "$p"
    start_slot "$p" "$previous"
    wait_ready "$p" || log "warning: port $p is not ready on the previous release either"
  done
  die "release $release_id rolled back; release $previous is serving"
done

ln -sfn "$release" "$root/current"
log "release $release_id is live on ports: $ports"

# Keep the newest releases, never the live or previous one.
ls -1t "$root/releases" | tail -n +"$((keep_releases + 1))" | while read -r old; do
  [ "$old" = "$release_id" ] || [ "$old" = "$previous" ] || rm -rf "${root:?}/releases/$old"
done
