#!/usr/bin/env bash
# Roles: two `server worker` processes (no site) share one database's media jobs, one each;
# one is killed (SIGKILL) mid-job and the other takes its job over after the lease, so both
# items end ready, each job done once. A `server serve` with RUN_WORKERS=false beside them
# serves the site and takes no job.
source "$(dirname "$0")/lib.sh"

tmp=$(mktemp -d)
db="codex_two_workers_test_$$"
port=$(free_port)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  sleep 0.5
  drop_db "$db" || true
  rm -rf "$tmp"
}
trap cleanup EXIT
sql() { psql "$PG_ADMIN_URL/$db" -tAq -c "$1"; }

create_migrated_db "$db"
echo "Worker1pass" | DATABASE_URL="$PG_ADMIN_URL/$db" "$SERVER_BIN" create-owner --email workers@codex.test --name Workers >/dev/null

# Two uploaded 12 s 720p videos, each stored as one part and queued, as completed uploads leave them.
ffmpeg -v error -f lavfi -i testsrc=size=1280x720:rate=25:duration=12 -f lavfi -i sine=frequency=440:duration=12 \
  -c:v libx264 -preset ultrafast -c:a aac -shortest "$tmp/clip.mp4"
size=$(stat -c %s "$tmp/clip.mp4")
for _ in 1 2; do
  media=$(node -e 'console.log(require("crypto").randomUUID())')
  mkdir -p "$tmp/media/media/$media/parts"
  cp "$tmp/clip.mp4" "$tmp/media/media/$media/parts/000000"
  sql "INSERT INTO media (id, owner_id, kind, original_filename, content_type, size_bytes, status)
       SELECT '$media', id, 'video', 'clip.mp4', 'video/mp4', $size, 'uploaded' FROM users WHERE role = 'owner';
       INSERT INTO jobs (kind, payload, unique_key)
       VALUES ('process_media', jsonb_build_object('media', '$media'), 'process_media:$media');"
done

run() {
  local name=$1
  shift
  DATABASE_URL="$PG_ADMIN_URL/$db" APP_ENV=preview LEPTOS_SITE_ADDR="127.0.0.1:$port" LEPTOS_SITE_ROOT="$SITE_ROOT" \
    MEDIA_STORAGE="$tmp/media" MAIL_FOLDER="$tmp/mail" JOB_LEASE_SECS=6 "$@" \
    "$SERVER_BIN" "$name" >>"$tmp/$name-$$-${#pids[@]}.log" 2>&1 &
  pids+=($!)
}

# The site alone first: it takes no job.
run serve env RUN_WORKERS=false
wait_ready "http://127.0.0.1:$port" || fail "the site did not start"
sleep 3
[ "$(sql "SELECT count(*) FROM jobs WHERE kind = 'process_media' AND status = 'queued'")" = 2 ] || fail "the site took a job"

run worker env
first=${pids[-1]}
run worker env
second=${pids[-1]}
for _ in $(seq 1 300); do
  [ "$(sql "SELECT count(*) FROM jobs WHERE kind = 'process_media' AND status = 'running'")" = 2 ] && break
  sleep 0.1
done
[ "$(sql "SELECT count(*) FROM jobs WHERE kind = 'process_media' AND status = 'running'")" = 2 ] || fail "the two workers did not take one job each"
sleep 1
kill -KILL "$first"
wait "$first" 2>/dev/null || true
echo "killed one worker mid-job"

for _ in $(seq 1 360); do
  [ "$(sql "SELECT count(*) FROM jobs WHERE kind = 'process_media' AND status IN ('done', 'failed')")" = 2 ] && break
  sleep 0.5
done
jobs=$(sql "SELECT string_agg(status || ' ' || attempts, ', ' ORDER BY attempts) FROM jobs WHERE kind = 'process_media'")
[ "$jobs" = "done 1, done 2" ] || { tail -20 "$tmp"/worker-*.log >&2; fail "jobs ended as: $jobs (expected one done at once, one after a retry)"; }
[ "$(sql "SELECT count(*) FROM media WHERE status = 'ready'")" = 2 ] || fail "not both items are ready"
for master in "$tmp"/media/media/*/hls/master.m3u8; do
  rungs=$(grep -c '^#EXT-X-STREAM-INF' "$master")
  [ "$rungs" = 3 ] || fail "$master lists $rungs renditions, not 3"
done
kill -0 "$second" 2>/dev/null || fail "the surviving worker stopped"
echo "two workers: each took a job; the killed one's was taken over and finished once"
