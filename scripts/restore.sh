#!/usr/bin/env bash
# restore.sh - restore an F_BRAIN backup made by scripts/backup.sh into an EMPTY database and media folder.
#
#   DATABASE_URL=postgres://.../fbrain_new MEDIA_ROOT=/srv/fbrain/media scripts/restore.sh BACKUP_FOLDER
#
# Refuses (exit 3) a database that already has tables or a media folder that is not empty: a restore never
# mixes with live data. Checksums are verified first (exit 4 on a mismatch). The database is restored in
# one transaction: on any error nothing is left half-restored. Stop web/worker/beat first, then run
# `manage.py migrate` (a no-op unless the code is newer than the backup). DATABASE_URL_FILE works too.
set -euo pipefail

usage() { echo "usage: DATABASE_URL=... [MEDIA_ROOT=...] $0 BACKUP_FOLDER" >&2; exit 2; }
log() { printf '%s restore: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }

[ $# -eq 1 ] || usage
backup=$1
if [ -n "${DATABASE_URL_FILE:-}" ]; then DATABASE_URL=$(cat "$DATABASE_URL_FILE"); fi
[ -n "${DATABASE_URL:-}" ] || { echo "restore: DATABASE_URL (or DATABASE_URL_FILE) is required" >&2; exit 2; }
repo_root=$(cd "$(dirname "$0")/.." && pwd)
DATA_DIR=${DATA_DIR:-$repo_root/server/data}
MEDIA_ROOT=${MEDIA_ROOT:-$DATA_DIR/media}
for f in db.dump media.tar.gz SHA256SUMS; do
  [ -f "$backup/$f" ] || { echo "restore: $backup/$f is missing: not a complete backup" >&2; exit 2; }
done

log "verifying checksums"
(cd "$backup" && sha256sum -c SHA256SUMS >/dev/null) || { echo "restore: checksum mismatch in $backup" >&2; exit 4; }

tables=$(psql --no-psqlrc --quiet --tuples-only --no-align --dbname="$DATABASE_URL" --command \
  "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname NOT LIKE 'pg_toast%'")
if [ "$tables" != "0" ]; then
  echo "restore: refusing: the target database is not empty ($tables relations). Restore into a new, empty database." >&2
  exit 3
fi
if [ -d "$MEDIA_ROOT" ] && [ -n "$(ls -A "$MEDIA_ROOT")" ]; then
  echo "restore: refusing: the media folder $MEDIA_ROOT is not empty." >&2
  exit 3
fi

log "restoring the database (one transaction)"
# pg_restore empties search_path for safety, which breaks an index on an SQL function that calls
# an extension function unqualified (fbrain_unaccent -> unaccent): the restore would fail at that index.
# So the dump is replayed as SQL by psql, in one transaction, with search_path = public, pg_catalog
# (the target is a new, empty database that only we write to). Only the script's first line that sets it
# is changed; data rows (COPY) are never touched.
pg_restore --no-owner --no-privileges --file=- "$backup/db.dump" \
  | awk -v old="SELECT pg_catalog.set_config('search_path', '', false);" \
        -v new="SELECT pg_catalog.set_config('search_path', 'public, pg_catalog', false);" \
        '!done && $0 == old { print new; done = 1; next } { print }' \
  | psql --no-psqlrc --quiet --set=ON_ERROR_STOP=1 --single-transaction --dbname="$DATABASE_URL" >/dev/null
log "restoring media into $MEDIA_ROOT"
mkdir -p "$MEDIA_ROOT"
tar -xzof "$backup/media.tar.gz" -C "$MEDIA_ROOT"  # -o: files belong to whoever restores
log "done: run 'python manage.py migrate --noinput', then start the services"
