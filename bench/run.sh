#!/usr/bin/env bash
# Benchmarks, printed as figures (never part of `make test`):
#   1. transcoding speed: a generated 1080p clip and a 5 min audio track through the media
#      worker's encode steps (for audio: loudness measured, two rungs, the waveform), and
#      "first playable": the time from "upload complete" until the lowest rung (and the
#      thumbnails) can be stored and played, less the storage copy;
#   2. requests per second and p99 latency under concurrent load (wrk) of the catalog page
#      and of one HLS segment (token checked), next to nginx serving the same segment file.
# Runs the optimised build (make release) on its own database, codex_bench.
# Usage: bench/run.sh        BENCH_SECONDS=15 BENCH_CONNECTIONS=32 to change the load.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH" SQLX_OFFLINE=true

seconds="${BENCH_SECONDS:-15}"
connections="${BENCH_CONNECTIONS:-32}"
pg="postgres://postgres:postgres@127.0.0.1:5432"
port=3400
nginx_port=3401
work="$(mktemp -d)"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
say() { printf '\033[1;34m[bench]\033[0m %s\n' "$*" >&2; }

scripts/install-deps.sh bench >&2
scripts/ensure-postgres.sh >&2
say "building the release bundle and the transcode benchmark"
make --no-print-directory release >&2
cargo build --release -q -p server --example transcode_bench >&2

say "generating a 30 s 1080p clip"
ffmpeg -v error -f lavfi -i testsrc2=size=1920x1080:rate=30 -f lavfi -i sine=frequency=440:sample_rate=48000 \
  -t 30 -c:v libx264 -preset veryfast -pix_fmt yuv420p -c:a aac "$work/clip-1080p.mp4"
transcode="$(target/release/examples/transcode_bench "$work/clip-1080p.mp4" video)"
say "generating a 5 min stereo audio track"
ffmpeg -v error -f lavfi -i "sine=frequency=220:sample_rate=44100" -f lavfi -i "sine=frequency=330:sample_rate=44100" \
  -filter_complex "[0][1]amerge=inputs=2,volume=0.3" -t 300 -c:a libmp3lame -b:a 192k "$work/track.mp3"
transcode_audio="$(target/release/examples/transcode_bench "$work/track.mp3" audio)"

say "starting Codex on a fresh database with the sample content"
psql -q "$pg/postgres" -c "DROP DATABASE IF EXISTS codex_bench WITH (FORCE)" >/dev/null
export APP_ENV=development RUST_LOG=warn DATABASE_URL="$pg/codex_bench" \
  LEPTOS_SITE_ADDR="127.0.0.1:$port" LEPTOS_SITE_ROOT=target/release-bundle/site \
  MEDIA_STORAGE="$work/media" RUN_WORKERS=false
server=target/release-bundle/server
"$server" migrate >/dev/null
echo "Bench-password-1" | "$server" create-owner --email bench@example.com --name Bench >/dev/null
"$server" seed-samples >/dev/null
"$server" serve >"$work/server.log" 2>&1 &
server_pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do curl -fs "$base/ready" >/dev/null && break; sleep 0.2; done

# A signed segment URL, the way the player finds it: master playlist, then a rendition.
curl -fs -c "$work/jar" -X POST -d "email=bench@example.com&password=Bench-password-1" "$base/api/login" >/dev/null
master="$(curl -fs -b "$work/jar" -X POST -d "slug=sample-test-pattern-in-motion" "$base/api/load_watch" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["master_url"])')"
master_dir="${master%%\?*}"; master_dir="${master_dir%/*}"
rendition="$(curl -fs "$base$master" | grep -v '^#' | head -1)"
rendition_url="$master_dir/$rendition"
rendition_dir="${rendition_url%%\?*}"; rendition_dir="${rendition_dir%/*}"
segment="$(curl -fs "$base$rendition_url" | grep -v '^#' | head -1)"
segment_url="$rendition_dir/$segment"
segment_path="${segment_url%%\?*}"
curl -fs -o /dev/null "$base$segment_url" || { echo "the signed segment URL does not answer: $segment_url" >&2; exit 1; }

# nginx serves the same file from the storage folder, at the same path.
cat >"$work/nginx.conf" <<CONF
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  types { video/mp2t ts; application/vnd.apple.mpegurl m3u8; }
  server { listen 127.0.0.1:$nginx_port; root $work/media; }
}
CONF
# nginx's workers run as another user: let them read the media (mktemp made it private).
chmod go+rx "$work" && chmod -R go+rX "$work/media"
nginx -c "$work/nginx.conf"

# wrk's summary: requests per second and the 99th percentile latency.
load() {
  wrk -t2 -c"$connections" -d"${seconds}s" --latency "$1" |
    awk '/Requests\/sec/ { rps = $2 } /^ +99%/ { p99 = $2 } /Non-2xx/ { bad = $NF }
         END { printf "%10.0f req/s   p99 %8s%s\n", rps, p99, (bad ? "   NON-2xx: " bad : "") }'
}

size="$(stat -c %s "$work/media$segment_path")"
echo
echo "Codex benchmarks ($(nproc) cores, wrk: 2 threads, $connections connections, ${seconds} s each)"
echo "$transcode"
echo "$transcode_audio"
printf '%-34s %s\n' "catalog page (/)" "$(load "$base/")"
printf '%-34s %s\n' "HLS segment, Codex ($((size / 1024)) KB)" "$(load "$base$segment_url")"
printf '%-34s %s\n' "HLS segment, nginx (same file)" "$(load "http://127.0.0.1:$nginx_port$segment_path")"
