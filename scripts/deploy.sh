#!/usr/bin/env bash
# Blue-green deploy of the production Compose stack on one host, health-gated, rolling itself back.
#
# Usage: scripts/deploy.sh <target> <tag>
#   target  `local`: the stack in this checkout on this machine's Docker. Any other name reads
#           deploy/targets/<target>.env (shell assignments of the DEPLOY_* settings below) and
#           then deploys the same way on this machine (the CI deploy job runs it over SSH).
#   tag     the image tag to run: ${IMAGE}:<tag>
#
# Steps: pull; run migrations once (the `migrate` service: static files + migrate --noinput);
# pin the edge proxy to the running web container; start the new web next to it; wait until it
# is healthy and /readyz answers 200; switch the proxy to it (nginx reload: in-flight requests
# finish); check /readyz through the proxy; stop the old web (gunicorn drains); replace worker
# and beat; record the tags. If the new web is not ready within DEPLOY_READY_TIMEOUT, or the
# check through the proxy fails, traffic stays on (or returns to) the previous web, the new
# container is removed, and the script exits non-zero with the reason. Migrations must follow
# the expand/contract policy (docs/deploy.md) so the previous version runs on the new schema.
#
# Settings (environment or the target file):
#   IMAGE                 registry path of the image (else from the env file)
#   DEPLOY_ENV_FILE       the stack's env file (default .env); its TAG= line is updated
#   DEPLOY_PROJECT        Compose project name (default: Compose's own choice)
#   DEPLOY_PULL           always | missing | never (default always)
#   DEPLOY_READY_TIMEOUT  seconds for the new web to become ready (default 120)
#   DEPLOY_DRAIN_SECONDS  seconds between the switch and stopping the old web (default 5)
#   DEPLOY_SERVICES       services to start on a first deploy (default: all)
#   DEPLOY_SKIP_MIGRATE   1 = no migrate step (scripts/rollback.sh sets it)
#   DEPLOY_STATE_DIR      where current/previous tags are recorded (default .deploy)
set -Eeuo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf '%s deploy: %s\n' "$(date -u +%H:%M:%S)" "$*"; }
die() { printf '%s deploy: FAILED: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; exit 1; }

[ $# -eq 2 ] || die "usage: scripts/deploy.sh <target> <tag>"
target=$1 tag=$2
[[ "$tag" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || die "not a valid image tag: '$tag'"
if [ "$target" != local ]; then
  target_file=deploy/targets/$target.env
  [ -f "$target_file" ] || die "unknown target '$target' (no $target_file; 'local' needs none)"
  # shellcheck disable=SC1090 # operator-provided settings file
  . "$target_file"
fi

env_file=${DEPLOY_ENV_FILE:-.env}
pull=${DEPLOY_PULL:-always}
ready_timeout=${DEPLOY_READY_TIMEOUT:-120}
drain=${DEPLOY_DRAIN_SECONDS:-5}
case "$pull" in always|missing|never) ;; *) die "DEPLOY_PULL must be always, missing or never" ;; esac

compose=(docker compose)
[ -n "${DEPLOY_PROJECT:-}" ] && compose+=(--project-name "$DEPLOY_PROJECT")
[ -f "$env_file" ] && compose+=(--env-file "$env_file")
compose+=(-f docker-compose.yml -f docker-compose.prod.yml)
dc() { "${compose[@]}" "$@"; }

export TAG="$tag"
[ -n "${IMAGE:-}" ] && export IMAGE

# Fails fast, naming any missing variable; also gives the project name and the image reference.
config=$(dc config --format json) || die "docker compose config failed (see above)"
read -r project image_ref < <(printf '%s' "$config" | python3 -c '
import json, sys
c = json.load(sys.stdin)
print(c["name"], c["services"]["web"]["image"])')

state_dir=${DEPLOY_STATE_DIR:-.deploy}/$project
mkdir -p "$state_dir"
[ -f "${DEPLOY_STATE_DIR:-.deploy}/.gitignore" ] || echo '*' >"${DEPLOY_STATE_DIR:-.deploy}/.gitignore"
exec 9>"$state_dir/lock"
flock -n 9 || die "another deploy of $project is running"

# ---------------------------------------------------------------- helpers
running_web() { dc ps -q web 2>/dev/null | sort; }
name_of() { docker inspect -f '{{.Name}}' "$1" | sed 's#^/##'; }
tag_of() { local ref; ref=$(docker inspect -f '{{.Config.Image}}' "$1"); echo "${ref##*:}"; }
proxy_id() { dc ps -q proxy 2>/dev/null | head -1; }

# pin NAME: send all traffic to that container; pin "": back to the `web` service name.
pin() {
  local proxy; proxy=$(proxy_id)
  [ -n "$proxy" ] || return 0
  docker exec -i "$proxy" sh -c '
    set -e
    if [ -n "$1" ]; then
      printf "set \$fbrain_backend %s:8000;\n" "$1" > /etc/nginx/upstream.d/active.conf.new
      mv /etc/nginx/upstream.d/active.conf.new /etc/nginx/upstream.d/active.conf
    else
      rm -f /etc/nginx/upstream.d/active.conf
    fi
    nginx -t -q && nginx -s reload 2>/dev/null' sh "$1" || return 1
  # nginx -s reload only signals the master: give the new workers a moment to take over.
  sleep 1
}

# First host name Django accepts, for requests made from inside the containers.
site_host() {
  docker exec "$1" printenv ALLOWED_HOSTS 2>/dev/null | tr ',' '\n' | grep -v -e '^\*$' -e '^\.' | head -1
}

# wait_ready ID: healthy (image HEALTHCHECK: /healthz) and /readyz 200, within the timeout.
wait_ready() {
  local id=$1 deadline=$(( $(date +%s) + ready_timeout )) health out
  last_reason="no answer yet"
  while [ "$(date +%s)" -lt "$deadline" ]; do
    health=$(docker inspect -f '{{.State.Status}}/{{if .State.Health}}{{.State.Health.Status}}{{end}}' "$id" 2>/dev/null || echo gone)
    case "$health" in
      running/healthy)
        if out=$(docker exec "$id" python /app/scripts/healthcheck.py ready 2>&1); then return 0; fi
        last_reason="/readyz not 200 (${out:-no detail})" ;;
      gone) last_reason="container disappeared"; return 1 ;;
      *) last_reason="container $health" ;;
    esac
    sleep 2
  done
  return 1
}

# through_proxy PATH: GET via the proxy's loopback vhost (same config as the public sites).
through_proxy() {
  local proxy host; proxy=$(proxy_id)
  [ -n "$proxy" ] || return 0
  host=$(site_host "$2")
  docker exec "$proxy" wget -q -O /dev/null -T 5 --header "Host: ${host:-localhost}" "http://127.0.0.1:8081$1"
}

record() {  # record NEW PREVIOUS
  echo "$1" >"$state_dir/current"
  [ -z "$2" ] || [ "$2" = "$1" ] || echo "$2" >"$state_dir/previous"
  printf '%s %s %s (previous %s)\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "${ACTION:-deploy}" "$1" "${2:-none}" \
    >>"$state_dir/history"
  if [ -f "$env_file" ]; then
    if grep -q '^TAG=' "$env_file"; then
      sed -i "s/^TAG=.*/TAG=$1/" "$env_file"
    else
      printf 'TAG=%s\n' "$1" >>"$env_file"
    fi
  fi
}

# ---------------------------------------------------------------- 1. image
log "$project: deploying $image_ref (target $target)"
case "$pull" in
  always) dc pull --quiet web || die "could not pull $image_ref" ;;
  missing) docker image inspect "$image_ref" >/dev/null 2>&1 || dc pull --quiet web || die "could not pull $image_ref" ;;
  never) docker image inspect "$image_ref" >/dev/null 2>&1 || die "image $image_ref is not on this host" ;;
esac

mapfile -t old_web < <(running_web)
previous=$(cat "$state_dir/current" 2>/dev/null || true)
[ -n "$previous" ] || { [ ${#old_web[@]} -gt 0 ] && previous=$(tag_of "${old_web[0]}"); } || true

# ---------------------------------------------------------------- first deploy: plain up
if [ ${#old_web[@]} -eq 0 ]; then
  log "no web running: first start of the stack"
  # shellcheck disable=SC2086 # DEPLOY_SERVICES is a list of service names
  dc up -d --wait --wait-timeout "$ready_timeout" ${DEPLOY_SERVICES:-} || die "the stack did not become healthy"
  mapfile -t new_web < <(running_web)
  [ ${#new_web[@]} -gt 0 ] || die "no web container after the first start"
  wait_ready "${new_web[0]}" || die "web is not ready: $last_reason"
  record "$tag" "$previous"
  log "deployed $tag (first start)"
  exit 0
fi
if [ ${#old_web[@]} -gt 1 ]; then
  die "${#old_web[@]} web containers are running; expected one (finish or clean up an earlier deploy)"
fi
old=${old_web[0]} old_name=$(name_of "${old_web[0]}")
log "live: $old_name ($previous)"

# ---------------------------------------------------------------- 2. migrations, once
if [ "${DEPLOY_SKIP_MIGRATE:-0}" != 1 ]; then
  log "migrations and static files ($tag)"
  dc run --rm --no-deps -T migrate || die "migrations failed; traffic stays on $previous"
fi

# ---------------------------------------------------------------- 3. new web next to the old one
# Pin the proxy to the old container first: the new one joins the `web` DNS name at once.
pin "$old_name" || die "could not configure the proxy"
dc up -d --no-deps --no-recreate --scale web=2 web >/dev/null 2>&1 || { pin ""; die "could not start the new web"; }
new=$(comm -13 <(printf '%s\n' "$old") <(running_web) | head -1)
[ -n "$new" ] || { pin ""; die "the new web container did not start"; }
new_name=$(name_of "$new")
log "new: $new_name ($tag); waiting up to ${ready_timeout}s for health and /readyz"

abandon() {  # abandon REASON: traffic back on the old web, remove the new one, fail
  log "rolling back: $1"
  pin "$old_name" || true
  docker logs --tail 40 "$new" 2>&1 | sed 's/^/  new web | /' >&2 || true
  docker rm -f "$new" >/dev/null 2>&1 || true
  pin "" || true
  die "$1; traffic stays on $old_name ($previous)"
}

wait_ready "$new" || abandon "new web ($tag) not ready after ${ready_timeout}s: $last_reason"

# ---------------------------------------------------------------- 4. switch, verify, retire
log "switching traffic to $new_name"
pin "$new_name" || abandon "could not switch the proxy to $new_name"
ok=0
for _ in 1 2 3 4 5; do
  if through_proxy /readyz "$new"; then ok=$((ok + 1)); else ok=0; fi
  [ "$ok" -ge 3 ] && break
  sleep 1
done
[ "$ok" -ge 3 ] || abandon "/readyz through the proxy failed after the switch"

log "retiring $old_name after ${drain}s"
sleep "$drain"
docker stop -t 30 "$old" >/dev/null
docker rm "$old" >/dev/null
pin "" || log "warning: proxy still pinned to $new_name (it keeps working)"

# ---------------------------------------------------------------- 5. worker and beat
others=()
for s in worker beat; do dc ps -a -q "$s" >/dev/null 2>&1 && [ -n "$(dc ps -a -q "$s")" ] && others+=("$s"); done
if [ ${#others[@]} -gt 0 ]; then
  log "replacing ${others[*]}"
  dc up -d --no-deps --wait --wait-timeout "$ready_timeout" "${others[@]}" \
    || die "web runs $tag but ${others[*]} did not become healthy (scripts/rollback.sh $target returns to $previous)"
fi

record "$tag" "$previous"
log "deployed $tag (previous $previous)"
