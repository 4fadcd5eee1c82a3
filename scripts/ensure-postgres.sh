#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers on 127.0.0.1:5432 and that the user `postgres`
# can log in with the password `postgres` (or without one, under trust auth).
set -euo pipefail

log() { printf '\033[1;34m[postgres]\033[0m %s\n' "$*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
as_postgres() { if [ "$(id -u)" -eq 0 ]; then su postgres -c "$1"; else sudo -u postgres sh -c "$1"; fi; }

if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  cluster_version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$cluster_version" ]; then
    echo "PostgreSQL is not installed: run scripts/install-deps.sh first" >&2
    exit 1
  fi
  log "starting PostgreSQL $cluster_version"
  as_root pg_ctlcluster --skip-systemctl-redirect "$cluster_version" main start
  for _ in $(seq 1 30); do
    pg_isready -q -h 127.0.0.1 -p 5432 && break
    sleep 1
  done
fi

if ! PGPASSWORD=postgres psql -h 127.0.0.1 -U postgres -d postgres -tAc 'SELECT 1' >/dev/null 2>&1; then
  # A fresh Debian cluster asks for a password over TCP, and postgres has none yet.
  log "setting the local development password of the postgres user"
  as_postgres "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\""
fi
log "PostgreSQL is ready on 127.0.0.1:5432"
