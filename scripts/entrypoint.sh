#!/usr/bin/env bash
# Container entrypoint: wait (bounded) for the database, then exec the command given.
#
# WAIT_FOR_DB=0 skips the wait; DB_WAIT_TIMEOUT (seconds, default 60) bounds it. On timeout the
# container exits non-zero with a message naming the database, instead of hanging.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# prometheus_client's multiprocess mode writes here (gunicorn workers, Celery children).
if [ -n "${PROMETHEUS_MULTIPROC_DIR:-}" ]; then
  mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
fi

if [ "${WAIT_FOR_DB:-1}" != 0 ] && { [ -n "${DATABASE_URL:-}" ] || [ -n "${DATABASE_URL_FILE:-}" ]; }; then
  python "$here/wait-for-db.py" --timeout "${DB_WAIT_TIMEOUT:-60}"
fi

if [ $# -eq 0 ]; then
  set -- "$here/start-web.sh"
fi
exec "$@"
