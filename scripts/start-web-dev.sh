#!/usr/bin/env bash
# Development web process: apply migrations (single dev replica only), then Django's
# autoreloading dev server. Production runs migrations from the one-off `migrate` service.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../server"
if [ "${DEV_AUTO_MIGRATE:-1}" != 0 ]; then
  python manage.py migrate --noinput
fi
exec python manage.py runserver "0.0.0.0:${PORT:-8000}" "$@"
