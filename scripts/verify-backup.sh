#!/usr/bin/env bash
# verify-backup.sh - prove a backup restores: restore it into a scratch database and folder, check that
# every attachment row has its file, print the counts of notes, links, tags and attachments, drop the
# scratch copies. Run it regularly (e.g. weekly) against the newest backup.
#
#   ADMIN_DATABASE_URL=postgres://postgres:...@db:5432/postgres scripts/verify-backup.sh /backups/fbrain-<ts>
#
# ADMIN_DATABASE_URL (or ADMIN_DATABASE_URL_FILE) must be allowed to CREATE/DROP DATABASE; the scratch
# database is named fbrain_verify_<pid>_<time> and is the only one this script drops.
# Exit 0 when the restore succeeded and every attachment file is present.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: ADMIN_DATABASE_URL=... $0 BACKUP_FOLDER" >&2; exit 2; }
backup=$1
if [ -n "${ADMIN_DATABASE_URL_FILE:-}" ]; then ADMIN_DATABASE_URL=$(cat "$ADMIN_DATABASE_URL_FILE"); fi
[ -n "${ADMIN_DATABASE_URL:-}" ] || { echo "verify-backup: ADMIN_DATABASE_URL is required" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
scratch="fbrain_verify_$$_$(date +%s)"
base=${ADMIN_DATABASE_URL%/*}
query=""
case $ADMIN_DATABASE_URL in *\?*) query="?${ADMIN_DATABASE_URL#*\?}";; esac
target="$base/$scratch$query"
media=$(mktemp -d)
psql_admin() { psql --no-psqlrc --quiet --tuples-only --no-align --dbname="$ADMIN_DATABASE_URL" --command "$1"; }
cleanup() {
  psql_admin "DROP DATABASE IF EXISTS \"$scratch\" WITH (FORCE)" >/dev/null || true
  rm -rf "$media"
}
trap cleanup EXIT

psql_admin "CREATE DATABASE \"$scratch\"" >/dev/null
DATABASE_URL="$target" MEDIA_ROOT="$media" bash "$here/restore.sh" "$backup"

counts=$(psql --no-psqlrc --quiet --tuples-only --no-align --field-separator ' ' --dbname="$target" --command \
  "SELECT (SELECT count(*) FROM notes_note), (SELECT count(*) FROM notes_link),
          (SELECT count(*) FROM notes_tag), (SELECT count(*) FROM transfer_attachment),
          (SELECT count(*) FROM auth_user)")
read -r notes links tags attachments users <<<"$counts"
missing=0
while IFS= read -r file; do
  [ -z "$file" ] || [ -f "$media/$file" ] || { echo "verify-backup: missing attachment file $file" >&2; missing=$((missing + 1)); }
done < <(psql --no-psqlrc --quiet --tuples-only --no-align --dbname="$target" --command "SELECT file FROM transfer_attachment")
echo "verify-backup: $backup restored: $users users, $notes notes, $links links, $tags tags, $attachments attachments ($missing files missing); scratch database $scratch dropped"
[ "$missing" -eq 0 ]
