#!/usr/bin/env bash
# Celery beat (exactly one per deployment); the schedule file lives in $DATA_DIR.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../server"
data_dir=${DATA_DIR:-data}
mkdir -p "$data_dir"
# --pidfile= (empty): no pid file, so a read-only root filesystem is fine.
exec celery -A config beat \
  --loglevel "${CELERY_LOG_LEVEL:-${LOG_LEVEL:-INFO}}" \
  --schedule "$data_dir/celerybeat-schedule" \
  --pidfile= \
  "$@"
