#!/usr/bin/env bash
# 60-observability-live.sh - the live monitoring test of issue 7 (scripts/observability/live_test.py):
# Debian's Prometheus scraping gunicorn (3 workers), a real Celery worker and beat, the Postgres,
# Redis and node exporters and Alertmanager on 127.0.0.1; every dashboard panel query and recording
# rule must return data; stopping the worker must make CeleryWorkerDown go pending.
# Needs Postgres and Redis on 127.0.0.1 (.ci/run starts them). Scratch database fbrain_obs, Redis DB 5.
# Budget: <= 4 minutes (about 70 s once the packages are installed).
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"

say() { printf -- '--- %s\n' "$*"; }

packages=(prometheus prometheus-alertmanager prometheus-postgres-exporter prometheus-redis-exporter
          prometheus-node-exporter)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing ${missing[*]} from Debian"
  if [ ! -f /tmp/.fbrain-apt-updated ]; then apt-get update -qq && touch /tmp/.fbrain-apt-updated; fi
  # The test runs its own instances on free ports: keep the packages from starting their daemons.
  own_policy=no
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && own_policy=yes
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  [ "$own_policy" = yes ] && rm -f /usr/sbin/policy-rc.d
  if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
    for unit in "${packages[@]}"; do systemctl disable --now "$unit" >/dev/null 2>&1 || true; done
  fi
fi

make venv >/dev/null
say "live test (prometheus $(prometheus --version 2>&1 | head -1 | awk '{print $3}'))"
timeout 240 .venv/bin/python scripts/observability/live_test.py
