#!/bin/sh
# Render alertmanager.yml from the environment (POSIX sh + sed: runs in the
# busybox-based prom/alertmanager image and on Debian).
#   render-config.sh TEMPLATE OUTPUT [alertmanager args...]
# With arguments after OUTPUT it execs them (the Alertmanager command line).
#
# ALERTMANAGER_WEBHOOK_URL       webhook receiver; unset => no webhook
# ALERTMANAGER_EMAIL_TO          e-mail recipient; unset => no e-mail
# ALERTMANAGER_SMTP_SMARTHOST    host:port (default localhost:25)
# ALERTMANAGER_SMTP_FROM         sender (default alertmanager@localhost)
# ALERTMANAGER_SMTP_USERNAME / ALERTMANAGER_SMTP_PASSWORD (or *_FILE)
# ALERTMANAGER_SMTP_REQUIRE_TLS  true|false (default true)
# ALERTMANAGER_TEMPLATES_DIR     default: templates/ beside TEMPLATE
set -eu

if [ "$#" -lt 2 ]; then
  echo "usage: $0 TEMPLATE OUTPUT [command...]" >&2
  exit 2
fi
template=$1
output=$2
shift 2

if [ -n "${ALERTMANAGER_SMTP_PASSWORD_FILE:-}" ]; then
  ALERTMANAGER_SMTP_PASSWORD=$(cat "$ALERTMANAGER_SMTP_PASSWORD_FILE")
fi
if [ -n "${ALERTMANAGER_WEBHOOK_URL_FILE:-}" ]; then
  ALERTMANAGER_WEBHOOK_URL=$(cat "$ALERTMANAGER_WEBHOOK_URL_FILE")
fi

# Escape a value for the right-hand side of a sed s||| and for a
# single-quoted YAML scalar (quotes are doubled).
esc() {
  printf '%s' "$1" | sed -e "s/'/''/g" -e 's/[\\|&]/\\&/g'
}

keep_webhook=no
keep_email=no
[ -n "${ALERTMANAGER_WEBHOOK_URL:-}" ] && keep_webhook=yes
[ -n "${ALERTMANAGER_EMAIL_TO:-}" ] && keep_email=yes

drop=''
[ "$keep_webhook" = no ] && drop="$drop -e /#@webhook\$/d"
[ "$keep_email" = no ] && drop="$drop -e /#@email\$/d"

templates_dir=${ALERTMANAGER_TEMPLATES_DIR:-$(cd "$(dirname "$template")" && pwd)/templates}

# shellcheck disable=SC2086 # $drop is a list of sed arguments
sed $drop \
  -e 's/ #@webhook$//' -e 's/ #@email$//' \
  -e "s|\${ALERTMANAGER_WEBHOOK_URL}|$(esc "${ALERTMANAGER_WEBHOOK_URL:-}")|g" \
  -e "s|\${ALERTMANAGER_EMAIL_TO}|$(esc "${ALERTMANAGER_EMAIL_TO:-}")|g" \
  -e "s|\${ALERTMANAGER_SMTP_SMARTHOST}|$(esc "${ALERTMANAGER_SMTP_SMARTHOST:-localhost:25}")|g" \
  -e "s|\${ALERTMANAGER_SMTP_FROM}|$(esc "${ALERTMANAGER_SMTP_FROM:-alertmanager@localhost}")|g" \
  -e "s|\${ALERTMANAGER_SMTP_USERNAME}|$(esc "${ALERTMANAGER_SMTP_USERNAME:-}")|g" \
  -e "s|\${ALERTMANAGER_SMTP_PASSWORD}|$(esc "${ALERTMANAGER_SMTP_PASSWORD:-}")|g" \
  -e "s|\${ALERTMANAGER_SMTP_REQUIRE_TLS}|$(esc "${ALERTMANAGER_SMTP_REQUIRE_TLS:-true}")|g" \
  -e "s|\${ALERTMANAGER_TEMPLATES_DIR}|$(esc "$templates_dir")|g" \
  "$template" > "$output"

if [ "$#" -gt 0 ]; then
  exec "$@"
fi
