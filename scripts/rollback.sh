#!/usr/bin/env bash
# Roll the production Compose stack back to an earlier image tag, blue-green like a deploy.
#
# Usage: scripts/rollback.sh <target> [tag]
#   tag  default: the previous tag recorded by scripts/deploy.sh (.deploy/<project>/previous)
# Same settings as scripts/deploy.sh. No migrations run: under the expand/contract policy
# (docs/deploy.md) the earlier version works on the current schema, and its static files are
# still in the shared volume.
set -Eeuo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

die() { printf '%s rollback: FAILED: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; exit 1; }

[ $# -ge 1 ] && [ $# -le 2 ] || die "usage: scripts/rollback.sh <target> [tag]"
target=$1 tag=${2:-}

if [ -z "$tag" ]; then
  if [ "$target" != local ]; then
    # shellcheck disable=SC1090 # operator-provided settings file
    [ -f "deploy/targets/$target.env" ] && . "deploy/targets/$target.env"
  fi
  compose=(docker compose)
  [ -n "${DEPLOY_PROJECT:-}" ] && compose+=(--project-name "$DEPLOY_PROJECT")
  [ -f "${DEPLOY_ENV_FILE:-.env}" ] && compose+=(--env-file "${DEPLOY_ENV_FILE:-.env}")
  config=$("${compose[@]}" -f docker-compose.yml -f docker-compose.prod.yml config --format json) \
    || die "docker compose config failed (see above)"
  project=$(printf '%s' "$config" | python3 -c 'import json, sys; print(json.load(sys.stdin)["name"])')
  state=${DEPLOY_STATE_DIR:-.deploy}/$project/previous
  [ -s "$state" ] || die "no previous tag recorded in $state: give the tag to roll back to"
  tag=$(cat "$state")
fi

echo "$(date -u +%H:%M:%S) rollback: to $tag"
ACTION=rollback DEPLOY_SKIP_MIGRATE=1 exec "$(dirname "${BASH_SOURCE[0]}")/deploy.sh" "$target" "$tag"
