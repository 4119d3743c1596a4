#!/usr/bin/env bash
# One-off release step (the `migrate` service in production, and deploy.sh): publish this
# image's static files to the shared volume the edge proxy serves, then apply migrations.
# Static files are copied without deleting: hashed names let old and new releases coexist.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../server"
if [ -n "${STATIC_PUBLISH_DIR:-}" ]; then
  cp -R "${STATIC_ROOT:-staticfiles}/." "$STATIC_PUBLISH_DIR/"
  echo "start-migrate: static files published to $STATIC_PUBLISH_DIR"
fi
exec python manage.py migrate --noinput "$@"
