#!/usr/bin/env bash
# What the GitHub workflows run on a deploy host over SSH.
#   remote.sh deploy RELEASE_ID      copy target/release-bundle to each host in DEPLOY_HOSTS and
#                                    run deploy.sh there (migrations on the first host only)
#   remote.sh preview-up NAME        start a preview on DEPLOY_HOST and print its URL
#   remote.sh preview-down NAME      stop it and drop its database
#   remote.sh preview-prune DAYS     remove the previews started more than DAYS days ago
set -euo pipefail
cd "$(dirname "$0")/.."

key_file=$(mktemp)
known_hosts=$(mktemp)
trap 'rm -f "$key_file" "$known_hosts"' EXIT
printf '%s\n' "${DEPLOY_SSH_KEY:?DEPLOY_SSH_KEY is not set}" >"$key_file"
chmod 600 "$key_file"
# The hosts' keys are pinned (the output of `ssh-keyscan <host>`, checked by hand once): a
# host that answers with another key is refused, never trusted on first sight.
printf '%s\n' "${DEPLOY_KNOWN_HOSTS:?DEPLOY_KNOWN_HOSTS is not set (ssh-keyscan output of the hosts)}" >"$known_hosts"
ssh_opts=(-i "$key_file" -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$known_hosts" -o BatchMode=yes)
remote_dir="${DEPLOY_REMOTE_DIR:-/srv/codex}"

ship() {
  local host=$1 id=$2
  rsync -az --delete -e "ssh ${ssh_opts[*]}" target/release-bundle/ "$host:$remote_dir/incoming/$id/"
  rsync -az -e "ssh ${ssh_opts[*]}" scripts/deploy.sh scripts/preview.sh "$host:$remote_dir/bin/"
}

case "${1:-}" in
  deploy)
    id="${2:?release id}"
    first=1
    for host in ${DEPLOY_HOSTS:?DEPLOY_HOSTS is not set}; do
      ship "$host" "$id"
      skip=true; [ $first -eq 1 ] && skip=false
      ssh "${ssh_opts[@]}" "$host" "DEPLOY_ROOT=$remote_dir DEPLOY_SKIP_MIGRATE=$skip $remote_dir/bin/deploy.sh $remote_dir/incoming/$id $id"
      first=0
    done
    ;;
  preview-up)
    name="${2:?preview name}"
    host="${DEPLOY_HOST:?DEPLOY_HOST is not set}"
    ship "$host" "preview-$name"
    url=$(ssh "${ssh_opts[@]}" "$host" "PG_ADMIN_URL='${PG_ADMIN_URL:?}' CODEX_BINARY=$remote_dir/incoming/preview-$name/server CODEX_SITE_ROOT=$remote_dir/incoming/preview-$name/site PREVIEW_ROOT=$remote_dir/previews $remote_dir/bin/preview.sh down $name >/dev/null 2>&1; PREVIEW_HOST_PATTERN='${PREVIEW_HOST_PATTERN:-}' PREVIEW_BASIC_AUTH='${PREVIEW_BASIC_AUTH:-}' PG_ADMIN_URL='${PG_ADMIN_URL:?}' CODEX_BINARY=$remote_dir/incoming/preview-$name/server CODEX_SITE_ROOT=$remote_dir/incoming/preview-$name/site PREVIEW_ROOT=$remote_dir/previews $remote_dir/bin/preview.sh up $name")
    echo "url=$url" >>"${GITHUB_OUTPUT:-/dev/null}"
    echo "$url"
    ;;
  preview-down)
    name="${2:?preview name}"
    host="${DEPLOY_HOST:?DEPLOY_HOST is not set}"
    ssh "${ssh_opts[@]}" "$host" "PG_ADMIN_URL='${PG_ADMIN_URL:?}' PREVIEW_ROOT=$remote_dir/previews $remote_dir/bin/preview.sh down $name"
    ;;
  preview-prune)
    days="${2:?days}"
    [[ "$days" =~ ^[0-9]+$ ]] || { echo "preview-prune needs a number of days" >&2; exit 2; }
    host="${DEPLOY_HOST:?DEPLOY_HOST is not set}"
    ssh "${ssh_opts[@]}" "$host" "PG_ADMIN_URL='${PG_ADMIN_URL:?}' PREVIEW_ROOT=$remote_dir/previews $remote_dir/bin/preview.sh prune $days && find $remote_dir/incoming -mindepth 1 -maxdepth 1 -name 'preview-*' -mtime +$days -exec rm -rf {} +"
    ;;
  *) echo "usage: remote.sh deploy ID | preview-up NAME | preview-down NAME | preview-prune DAYS" >&2; exit 2 ;;
esac
