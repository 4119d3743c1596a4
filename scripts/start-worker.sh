#!/usr/bin/env bash
# Celery worker, exec'd so SIGTERM triggers a warm shutdown: running tasks finish, and with
# acks_late anything unfinished goes back to the broker. CELERY_AUTORELOAD=1 (development)
# restarts the worker whenever a Python file under server/ changes.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here/../server"

cmd=(celery -A config worker
     --loglevel "${CELERY_LOG_LEVEL:-${LOG_LEVEL:-INFO}}"
     --queues "${CELERY_QUEUES:-celery,capture,transfer,maintenance}"
     --concurrency "${CELERY_CONCURRENCY:-2}"
     "$@")

if [ "${CELERY_AUTORELOAD:-0}" = 1 ]; then
  exec python "$here/autoreload.py" --watch . -- "${cmd[@]}"
fi
exec "${cmd[@]}"
