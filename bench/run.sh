#!/usr/bin/env bash
# Benchmarks, printed as figures (never part of `make test`):
#   1. transcoding speed: a generated 1080p clip and a 5 min audio track through the media
#      worker's encode steps (for audio: loudness measured, two rungs, the waveform), and
#      "first playable": the time from "upload complete" until the lowest rung (and the
#      thumbnails) can be stored and played, less the storage copy;
#   2. requests per second and p99 latency under concurrent load (wrk) of the catalog page
#      (a visitor's and the owner's) and an item page, each next to nginx serving the same
#      bytes, and of one HLS segment (token checked), next to nginx serving the same file;
#   3. the same segment with the media in an S3 bucket (moto's server): through Codex
#      (MEDIA_DELIVERY=proxied) and straight from the bucket by its presigned URL
#      (MEDIA_DELIVERY=signed-urls), with the rendition playlist each way;
#   4. the WebAssembly and JavaScript a browser downloads (scripts/wasm-size.sh).
# Runs the optimised build (make release), one server per setting, each on its own database
# (codex_bench, codex_bench_s3_proxied, codex_bench_s3_signed).
# Usage: bench/run.sh        BENCH_SECONDS=15 BENCH_CONNECTIONS=32 to change the load.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH" SQLX_OFFLINE=true

seconds="${BENCH_SECONDS:-15}"
connections="${BENCH_CONNECTIONS:-32}"
pg="postgres://postgres:postgres@127.0.0.1:5432"
port=3400
nginx_port=3401
moto_port=3402
s3_proxied_port=3403
s3_signed_port=3404
bucket=codex-bench
work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
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

server=target/release-bundle/server
export APP_ENV=development RUST_LOG=warn LEPTOS_SITE_ROOT=target/release-bundle/site RUN_WORKERS=false

# Starts Codex on port $1 with a fresh database $2, an owner and the sample content; any
# further arguments are VAR=value settings for it.
start_codex() {
  local port="$1" database="$2"
  shift 2
  local settings=(DATABASE_URL="$pg/$database" LEPTOS_SITE_ADDR="127.0.0.1:$port" "$@")
  psql -q "$pg/postgres" -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null
  env "${settings[@]}" "$server" migrate >/dev/null
  echo "Bench-password-1" | env "${settings[@]}" "$server" create-owner --email bench@example.com --name Bench >/dev/null
  env "${settings[@]}" "$server" seed-samples >/dev/null
  env "${settings[@]}" "$server" serve >"$work/server-$port.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/ready" >/dev/null && break; sleep 0.2; done
}

# A sample video's rendition playlist URL and its first segment's URL, the way the player
# finds them (master playlist, then a rendition), in `rendition_url` and `segment_url`.
find_segment() {
  local base="$1" master master_dir rendition rendition_dir segment
  local jar="$work/jar-${base##*:}"
  curl -fs -c "$jar" -X POST -d "email=bench@example.com&password=Bench-password-1" "$base/api/login" >/dev/null
  master="$(curl -fs -b "$jar" -X POST -d "slug=sample-test-pattern-in-motion" "$base/api/load_watch" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["master_url"])')"
  master_dir="${master%%\?*}"; master_dir="${master_dir%/*}"
  rendition="$(curl -fs "$base$master" | grep -v '^#' | head -1)"
  rendition_url="$base$master_dir/$rendition"
  rendition_dir="${rendition_url%%\?*}"; rendition_dir="${rendition_dir%/*}"
  segment="$(curl -fs "$rendition_url" | grep -v '^#' | head -1)"
  case "$segment" in
    http://* | https://*) segment_url="$segment" ;;
    *) segment_url="$rendition_dir/$segment" ;;
  esac
  curl -fs -o /dev/null "$segment_url" || { echo "the segment URL does not answer: $segment_url" >&2; exit 1; }
}

say "starting Codex on a fresh database with the sample content"
start_codex "$port" codex_bench MEDIA_STORAGE="$work/media"
base="http://127.0.0.1:$port"
find_segment "$base"
local_rendition_url="$rendition_url"
local_segment_url="$segment_url"
segment_path="${segment_url#"$base"}"
segment_path="${segment_path%%\?*}"

say "starting moto's S3 server and Codex on it, proxied and with signed URLs"
.tools/moto/bin/moto_server -H 127.0.0.1 -p "$moto_port" >"$work/moto.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 150); do curl -fs -X PUT "http://127.0.0.1:$moto_port/$bucket" >/dev/null && break; sleep 0.2; done
s3=(MEDIA_STORAGE="s3://$bucket" AWS_ENDPOINT="http://127.0.0.1:$moto_port" AWS_ALLOW_HTTP=true
  AWS_ACCESS_KEY_ID=codex-bench AWS_SECRET_ACCESS_KEY=codex-bench-secret AWS_REGION=us-east-1)
start_codex "$s3_proxied_port" codex_bench_s3_proxied "${s3[@]}" MEDIA_DELIVERY=proxied
find_segment "http://127.0.0.1:$s3_proxied_port"
s3_proxied_rendition_url="$rendition_url"
s3_proxied_segment_url="$segment_url"
start_codex "$s3_signed_port" codex_bench_s3_signed "${s3[@]}" MEDIA_DELIVERY=signed-urls
find_segment "http://127.0.0.1:$s3_signed_port"
s3_signed_rendition_url="$rendition_url"
s3_signed_segment_url="$segment_url"
case "$s3_signed_segment_url" in
  "http://127.0.0.1:$moto_port/"*) ;;
  *) echo "with signed URLs the segment should come from the bucket: $s3_signed_segment_url" >&2; exit 1 ;;
esac

# nginx serves the same file from the storage folder, at the same path.
cat >"$work/nginx.conf" <<CONF
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  types { video/mp2t ts; application/vnd.apple.mpegurl m3u8; text/html html; }
  server { listen 127.0.0.1:$nginx_port; root $work/media; }
}
CONF
# nginx's workers run as another user: let them read the media (mktemp made it private).
chmod go+rx "$work" && chmod -R go+rX "$work/media"
nginx -c "$work/nginx.conf"

# wrk's figures for one URL: "<requests per second> <99th percentile latency>"; any further
# arguments go to wrk (a cookie header, say). Non-2xx answers make the run fail.
load() {
  local url="$1"
  shift
  wrk -t2 -c"$connections" -d"${seconds}s" --latency "$@" "$url" |
    awk '/Requests\/sec/ { rps = $2 } /^ +99%/ { p99 = $2 } /Non-2xx/ { bad = $NF }
         END { if (bad) { print "NON-2xx answers: " bad > "/dev/stderr"; exit 1 } printf "%.0f %s\n", rps, p99 }'
}

# One figure: its label, then "<req/s> <p99>" (from `load`); with a reference figure and a
# goal (the least share of the reference), the share and whether the goal is met.
row() {
  local label="$1" figures="$2" reference="${3:-}" goal="${4:-}"
  local rps="${figures%% *}" p99="${figures#* }"
  printf '%-44s %10s req/s   p99 %8s' "$label" "$rps" "$p99"
  if [ -n "$reference" ]; then
    awk -v rps="$rps" -v ref="${reference%% *}" -v goal="$goal" 'BEGIN {
      share = rps / ref
      printf "   %5.2fx of the reference", share
      if (goal != "") printf "   goal >= %sx: %s", goal, (share >= goal ? "met" : "NOT met")
    }'
  fi
  echo
}

size="$(stat -c %s "$work/media$segment_path")"
# The same pages as bytes for nginx, and the owner's session cookie for signed-in pages.
item_path=/content/sample-test-pattern-in-motion
curl -fs "$base/" -o "$work/media/catalog.html"
curl -fs "$base$item_path" -o "$work/media/item.html"
chmod go+r "$work/media/catalog.html" "$work/media/item.html"
session_cookie="$(awk '(/^#HttpOnly_/ || !/^#/) && NF >= 7 { print $6 "=" $7 }' "$work/jar-$port" | head -1)"
segments="$(curl -fs "$s3_signed_rendition_url" | grep -vc '^#')"
echo
echo "Codex benchmarks ($(nproc) cores, wrk: 2 threads, $connections connections, ${seconds} s each)"
echo "$transcode"
echo "$transcode_audio"
catalog_nginx="$(load "http://127.0.0.1:$nginx_port/catalog.html")"
item_nginx="$(load "http://127.0.0.1:$nginx_port/item.html")"
segment_nginx="$(load "http://127.0.0.1:$nginx_port$segment_path")"
row "catalog page, nginx (same bytes)" "$catalog_nginx"
row "catalog page (/), visitor" "$(load "$base/")" "$catalog_nginx" 0.25
row "catalog page, signed in" "$(load "$base/" -H "Cookie: $session_cookie")" "$catalog_nginx"
row "item page, nginx (same bytes)" "$item_nginx"
row "item page, visitor" "$(load "$base$item_path")" "$item_nginx" 0.25
row "HLS segment, nginx (same file)" "$segment_nginx"
row "HLS segment, Codex ($((size / 1024)) KB)" "$(load "$local_segment_url")" "$segment_nginx" 0.8
row "rendition playlist, Codex" "$(load "$local_rendition_url")"
echo "Media in an S3 bucket (moto's server, Python: a floor, not S3's figure)"
signed_segment="$(load "$s3_signed_segment_url")"
row "HLS segment, presigned URL (no Codex)" "$signed_segment"
row "HLS segment, Codex from the bucket" "$(load "$s3_proxied_segment_url")" "$signed_segment"
row "rendition playlist, Codex (proxied)" "$(load "$s3_proxied_rendition_url")"
row "rendition playlist, Codex ($segments signed URLs)" "$(load "$s3_signed_rendition_url")"
echo "The signed-in catalog's goal is 10,000 req/s; webhooks: bench/webhooks.sh (goal 1,000 events/s)"
echo "What a browser downloads before a page works (one bundle for every route; goal: 350 KB gzipped of wasm)"
scripts/wasm-size.sh target/release-bundle/site
