#!/usr/bin/env bash
# Faults: the server is killed (SIGKILL) in the middle of a media job. Its ffmpeg dies with
# it; after a restart the job is taken over once its lease runs out, and the item ends ready
# with one job and one HLS tree: nothing lost, nothing done twice.
source "$(dirname "$0")/lib.sh"

tmp=$(mktemp -d)
db="codex_worker_kill_test_$$"
port=$(free_port)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill -KILL "$server_pid" 2>/dev/null || true
  sleep 0.5
  drop_db "$db" || true
  rm -rf "$tmp"
}
trap cleanup EXIT
sql() { psql "$PG_ADMIN_URL/$db" -tAq -c "$1"; }

create_migrated_db "$db"
echo "Worker1pass" | DATABASE_URL="$PG_ADMIN_URL/$db" "$SERVER_BIN" create-owner --email worker@codex.test --name Worker >/dev/null

# An uploaded 20 s video, stored as one part and queued, as a completed upload leaves it.
media=$(node -e 'console.log(require("crypto").randomUUID())')
mkdir -p "$tmp/media/media/$media/parts"
ffmpeg -v error -f lavfi -i testsrc=size=1280x720:rate=25:duration=20 -f lavfi -i sine=frequency=440:duration=20 \
  -c:v libx264 -preset ultrafast -c:a aac -shortest "$tmp/clip.mp4"
cp "$tmp/clip.mp4" "$tmp/media/media/$media/parts/000000"
size=$(stat -c %s "$tmp/clip.mp4")
sql "INSERT INTO media (id, owner_id, kind, original_filename, content_type, size_bytes, status)
     SELECT '$media', id, 'video', 'clip.mp4', 'video/mp4', $size, 'uploaded' FROM users WHERE role = 'owner';
     INSERT INTO jobs (kind, payload, unique_key)
       VALUES ('process_media', jsonb_build_object('media', '$media'), 'process_media:$media');"

start_server() {
  DATABASE_URL="$PG_ADMIN_URL/$db" APP_ENV=preview LEPTOS_SITE_ADDR="127.0.0.1:$port" LEPTOS_SITE_ROOT="$SITE_ROOT" \
    MEDIA_STORAGE="$tmp/media" MAIL_FOLDER="$tmp/mail" JOB_LEASE_SECS=6 \
    "$SERVER_BIN" serve >>"$tmp/server.log" 2>&1 &
  server_pid=$!
}

start_server
for _ in $(seq 1 300); do
  [ "$(sql "SELECT status FROM media WHERE id = '$media'")" = processing ] && break
  sleep 0.1
done
[ "$(sql "SELECT status FROM media WHERE id = '$media'")" = processing ] || fail "the job did not start"
sleep 1
encoders=$(pgrep -P "$server_pid" -x ffmpeg || true)
[ -n "$encoders" ] || fail "no ffmpeg was running for the job"
kill -KILL "$server_pid"
wait "$server_pid" 2>/dev/null || true
server_pid=""
sleep 0.5
for pid in $encoders; do
  # A zombie (Z) is dead, waiting for PID 1 to reap it.
  state=$(ps -o stat= -p "$pid" 2>/dev/null || true)
  [ -z "$state" ] || [[ "$state" == Z* ]] || fail "ffmpeg ($pid, $state) outlived its killed worker"
done
# The item may already play on its lowest rung; the job itself is cut mid-way.
[ "$(sql "SELECT status FROM jobs WHERE unique_key = 'process_media:$media'")" = running ] || fail "the kill did not catch the job mid-way"
echo "killed the server mid-job"

start_server
for _ in $(seq 1 240); do
  job=$(sql "SELECT status FROM jobs WHERE unique_key = 'process_media:$media'")
  [ "$job" = done ] || [ "$job" = failed ] && break
  sleep 0.5
done
status=$(sql "SELECT status FROM media WHERE id = '$media'")
[ "$status" = ready ] || { tail -20 "$tmp/server.log" >&2; fail "the item is $status, not ready, after the restart"; }
[ "$(sql "SELECT count(*) FROM jobs WHERE unique_key = 'process_media:$media'")" = 1 ] || fail "more than one job"
[ "$(sql "SELECT status || ' ' || attempts FROM jobs WHERE unique_key = 'process_media:$media'")" = "done 2" ] \
  || fail "the job is not done after exactly one retry: $(sql "SELECT status, attempts FROM jobs WHERE kind = 'process_media'")"
[ -f "$tmp/media/media/$media/hls/master.m3u8" ] || fail "no master playlist"
rungs=$(grep -c '^#EXT-X-STREAM-INF' "$tmp/media/media/$media/hls/master.m3u8")
[ "$rungs" = 3 ] || fail "the master playlist lists $rungs renditions, not 3 (720p, 480p, 360p)"
echo "worker kill: the job was taken over after its lease and finished once"
