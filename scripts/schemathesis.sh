#!/usr/bin/env bash
# schemathesis.sh - fuzz every API operation against the live /api/schema/ with an authenticated token.
#
# Starts gunicorn on a localhost port against a fresh database (SCHEMATHESIS_DATABASE_URL, default
# postgres://postgres@127.0.0.1:5432/fbrain_ci_schema), mints a user, API tokens, notes, bookmarks, jobs and an
# attachment, and runs schemathesis with every check (no 5xx, status codes, content types, headers and bodies
# as documented, schema-valid input accepted, invalid input refused) on positive and negative data, with
# scripts/schemathesis.toml (cursors the server issued, the attachment's id, the business rules no schema can
# state). Every operation is strict: any failure fails the step (SCHEMATHESIS_ALL_STRICT=false only reports
# failures outside the knowledge base, for local triage). Token revocation runs last, with its own token, so a
# fuzzed DELETE cannot log the main run out. Budget: about 3.5 minutes.
# Needs Postgres on 127.0.0.1:5432; Redis is optional (without REDIS_URL: local-memory cache).
# Env: SCHEMATHESIS_MAX_EXAMPLES (default 15), SCHEMATHESIS_DATABASE_URL, SCHEMATHESIS_REDIS_URL,
# SCHEMATHESIS_PORT (default: a free port).
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
root=$PWD

max_examples="${SCHEMATHESIS_MAX_EXAMPLES:-15}"
database_url="${SCHEMATHESIS_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/fbrain_ci_schema}"
tools="$root/.cache/tools-venv"
requirements="$root/.ci/requirements/schemathesis.txt"
wanted_version=$(sed -n 's/^schemathesis==//p' "$requirements")

# --- tools: the app venv and schemathesis (idempotent; quick when already installed)
[ -x "$root/.venv/bin/python" ] || make venv
if [ ! -x "$tools/bin/st" ] || [ "$("$tools/bin/st" --version 2>/dev/null | awk '{print $NF}')" != "$wanted_version" ]; then
  echo "--- installing schemathesis $wanted_version into .cache/tools-venv"
  [ -x "$tools/bin/python" ] || python3 -m venv "$tools"
  "$tools/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
fi

# --- a fresh database
db_name="${database_url##*/}"
admin_url="${database_url%/*}/postgres"
"$root/.venv/bin/python" - "$admin_url" "$db_name" <<'PY'
import sys

import psycopg2

conn = psycopg2.connect(sys.argv[1])
conn.autocommit = True
with conn.cursor() as cursor:
    cursor.execute(f'DROP DATABASE IF EXISTS "{sys.argv[2]}" WITH (FORCE)')
    cursor.execute(f'CREATE DATABASE "{sys.argv[2]}"')
PY

workdir=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$workdir"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

export DATABASE_URL="$database_url"
export DJANGO_SETTINGS_MODULE=config.settings.dev DEBUG=false LOG_FORMAT=console LOG_LEVEL=warning
export DATA_DIR="$workdir/data" SECRET_KEY="schemathesis-only-not-secret"
if [ -n "${SCHEMATHESIS_REDIS_URL:-}" ]; then export REDIS_URL="$SCHEMATHESIS_REDIS_URL"; else unset REDIS_URL; fi
unset CELERY_BROKER_URL PROMETHEUS_MULTIPROC_DIR
# Generous limits for the run: throttled answers (429) are documented but would hide the operation behind them.
export THROTTLE_TOKEN_CREATE="100000/hour" THROTTLE_LOGIN_IP="100000/min" THROTTLE_LOGIN_ACCOUNT="100000/min"
# Fuzzed bookmark URLs must never be fetched: capture is off, saved bookmarks fail at once (network rule).
export CAPTURE_ENABLED=false

cd "$root/server"
"$root/.venv/bin/python" manage.py migrate --noinput >/dev/null
tokens=$("$root/.venv/bin/python" manage.py shell --verbosity 0 -c '
from django.contrib.auth import get_user_model
from fbrain.accounts.services import token_create
from fbrain.notes.services import note_create, note_delete, note_update

user = get_user_model().objects.create_user("schemathesis", password="not-a-real-password-1")
for _ in range(50):  # keep the real tokens away from the small ids fuzzers try first
    token_create(user=user, name="filler")
_, main = token_create(user=user, name="schemathesis")
_, revoker = token_create(user=user, name="schemathesis revocation")
first = note_create(owner=user, title="Schemathesis home", body="#fuzz [[Second]] [[Missing]]")
second = note_create(owner=user, title="Second", body="[[Schemathesis home]] #fuzz/child")
note_update(note=second, body="changed [[Schemathesis home]]")
note_delete(note=note_create(owner=user, title="In the trash"))
from fbrain.bookmarks.services import bookmark_create
from fbrain.transfer.services.jobs import export_create

for number in range(2):  # two of each, so their lists have a next page and a cursor to give schemathesis
    bookmark_create(owner=user, url=f"https://example.org/{number}")
    export_create(owner=user)
from django.core.files.base import ContentFile
from fbrain.transfer.models import Attachment

PNG = b"\x89PNG\r\n\x1a\n" + bytes(32)
picture = Attachment.objects.create(  # one attachment to serve: its content type must be a documented one
    owner=user, name="logo.png", content_type="image/png", size=len(PNG), file=ContentFile(PNG, name="logo.png")
)
print(main, revoker, picture.pk)
')
read -r main_token revoke_token attachment_id <<<"$(tail -n 1 <<<"$tokens")"
export FBRAIN_ST_ATTACHMENT_ID="$attachment_id"

# No request-line limit here: the schema allows query strings longer than gunicorn's default 4094 bytes
# (a 500-character search of 4-byte characters), and schemathesis must reach the app to judge it.
port="${SCHEMATHESIS_PORT:-$("$root/.venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
GUNICORN_BIND="127.0.0.1:$port" WEB_CONCURRENCY=2 GUNICORN_THREADS=2 \
  "$root/.venv/bin/gunicorn" config.wsgi:application -c config/gunicorn.conf.py --limit-request-line 0 \
  >"$workdir/gunicorn.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then break; fi
  sleep 0.2
done
curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null

# The schema itself needs authentication: fetch it with the token, then test the live server.
curl -fsS -H "Authorization: Token $main_token" -H "Accept: application/vnd.oai.openapi+json" \
  "http://127.0.0.1:$port/api/schema/?format=json" -o "$workdir/schema.json"

# A cursor the server issued, for each cursor-paginated list (scripts/schemathesis.toml passes them on).
cursor_of() {
  curl -fsS -H "Authorization: Token $main_token" "http://127.0.0.1:$port/api/v1/$1?page_size=1" \
    | "$root/.venv/bin/python" -c 'import json, sys, urllib.parse as u; n = json.load(sys.stdin)["next"]; print(u.parse_qs(u.urlsplit(n).query)["cursor"][0])'
}
export FBRAIN_ST_CURSOR_NOTES FBRAIN_ST_CURSOR_TOKENS FBRAIN_ST_CURSOR_BOOKMARKS FBRAIN_ST_CURSOR_JOBS
FBRAIN_ST_CURSOR_NOTES=$(cursor_of notes/)
FBRAIN_ST_CURSOR_TOKENS=$(cursor_of tokens/)
FBRAIN_ST_CURSOR_BOOKMARKS=$(cursor_of bookmarks)
FBRAIN_ST_CURSOR_JOBS=$(cursor_of jobs)

run_st() {
  "$tools/bin/st" --config-file "$root/scripts/schemathesis.toml" run "$workdir/schema.json" \
    --url "http://127.0.0.1:$port" \
    --header "Authorization: Token $1" \
    --checks all \
    --mode all \
    --max-examples "$max_examples" \
    --generation-database none \
    --request-timeout 20 \
    --no-color \
    "${@:2}"
}

# Every check, positive_data_acceptance included: the schema states the input rules, and the few it cannot
# (a cursor we issued, right credentials, a zip) are set in scripts/schemathesis.toml. 409/412 are accepted.
status=0
knowledge_base='^(notes_|tags_|trash_|search$|graph$)'
echo "--- schemathesis: knowledge-base operations (strict, max $max_examples examples each)"
run_st "$main_token" --include-operation-id-regex "$knowledge_base" --max-time "${SCHEMATHESIS_MAX_TIME:-100}" \
  || status=$?
if [ "${SCHEMATHESIS_ALL_STRICT:-true}" = true ]; then other_status=status; else other_status=ignored; fi
echo "--- schemathesis: the other operations (strict unless SCHEMATHESIS_ALL_STRICT=false)"
run_st "$main_token" --exclude-operation-id-regex "$knowledge_base" --exclude-operation-id tokens_revoke \
  --max-time "${SCHEMATHESIS_OTHER_MAX_TIME:-35}" || { [ "$other_status" = ignored ] || status=1; }
run_st "$revoke_token" --include-operation-id tokens_revoke --max-time 10 \
  || { [ "$other_status" = ignored ] || status=1; }

if grep -q "Traceback" "$workdir/gunicorn.log"; then
  echo "--- server errors logged by gunicorn:"
  grep -B2 -A40 "Traceback" "$workdir/gunicorn.log" | head -300
  if grep -A40 "Traceback" "$workdir/gunicorn.log" | grep -q "fbrain/notes/"; then status=1; fi
fi
exit "$status"
