#!/usr/bin/env bash
# Production web process: gunicorn, exec'd so SIGTERM reaches it and in-flight requests drain.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../server"
if [ -n "${PROMETHEUS_MULTIPROC_DIR:-}" ]; then
  mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
fi
exec gunicorn config.wsgi:application -c config/gunicorn.conf.py "$@"
