#!/usr/bin/env bash
# 65-chaos.sh - the chaos suite (issue 10, scripts/chaos/): on a private Postgres cluster, a private Redis
# (append-only file on), gunicorn (2 workers), a Celery worker and beat, all on free 127.0.0.1 ports:
#   a. SIGKILL the Celery worker with 100 captures + 100 imports queued/running; restart it
#   b. restart Redis under API load (< 1 % failures, no 500, queued tasks survive, beat resumes)
#   c. stop Postgres 10 s under load (/readyz 503, clean JSON 503s, recovery <= 10 s, no restart)
#   d. SIGKILL one gunicorn worker under load (only its in-flight request may fail)
#   e. export storage read-only, then full (job fails with a reason, no partial file)
# Each scenario prints what it injected and what it measured. The shared Postgres/Redis are never touched.
# Budget: <= 6 minutes (about 3 once the tools are installed).
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"

apt_install() {
  if [ ! -f /tmp/.fbrain-apt-updated ]; then apt-get update -qq && touch /tmp/.fbrain-apt-updated; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v psql >/dev/null || need+=(postgresql-client)
command -v redis-server >/dev/null || need+=(redis-server)
command -v runuser >/dev/null || need+=(util-linux)
if [ "${#need[@]}" -gt 0 ]; then
  echo "--- installing ${need[*]} from Debian"
  apt_install "${need[@]}"
fi
id postgres >/dev/null 2>&1 || { echo "FAIL: no postgres system user (package postgresql)"; exit 1; }
make --no-print-directory venv >/dev/null

exec timeout --kill-after=15 360 .venv/bin/python scripts/chaos/run.py
