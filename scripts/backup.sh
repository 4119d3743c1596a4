#!/usr/bin/env bash
# backup.sh - back up F_BRAIN: the PostgreSQL database (pg_dump custom format) and the media folder
# (attachments, job files) into BACKUP_DIR/fbrain-<UTC timestamp>/, checksummed, then prune old backups
# and record the success time (fbrain_backup_last_success_timestamp_seconds). docs/backup.md explains it.
#
# Environment (each secret also as <NAME>_FILE):
#   DATABASE_URL            postgres://user:pass@host:5432/db                               (required)
#   MEDIA_ROOT              folder to archive (default: $DATA_DIR/media, DATA_DIR default server/data)
#   BACKUP_DIR              where backups go (default: ./backups)
#   BACKUP_RETENTION_DAYS   delete complete backups older than this many days (default 14; 0 keeps all)
#   REDIS_URL               optional: HSET <prefix>:metrics:last_success backup <time> (read by the worker's
#                           metrics exporter, alert BackupStale); with redis-cli, or RESP over /dev/tcp
#   CACHE_KEY_PREFIX        the app's Redis key prefix (default fbrain), as in the app's settings
#   BACKUP_METRICS_FILE     optional: write the metric in Prometheus text format (node_exporter textfile)
#   PUSHGATEWAY_URL         optional: push the metric to a Prometheus Pushgateway (job "fbrain_backup")
# Exit status: 0 on success; non-zero and no "complete" backup on any failure (the partial folder is removed).
# Portable: GNU or BusyBox tools (it runs in the postgres:*-alpine image of the Compose `backup` service).
set -euo pipefail

read_secret() {  # read_secret NAME: $NAME, or the content of the file named by ${NAME}_FILE
  local name=$1 file_var="${1}_FILE"
  if [ -n "${!file_var:-}" ]; then
    [ -r "${!file_var}" ] || { echo "backup: cannot read ${file_var}=${!file_var}" >&2; exit 2; }
    printf '%s' "$(cat "${!file_var}")"
  else
    printf '%s' "${!name:-}"
  fi
}

log() { printf '%s backup: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }

DATABASE_URL=$(read_secret DATABASE_URL)
REDIS_URL=$(read_secret REDIS_URL)
[ -n "$DATABASE_URL" ] || { echo "backup: DATABASE_URL (or DATABASE_URL_FILE) is required" >&2; exit 2; }
repo_root=$(cd "$(dirname "$0")/.." && pwd)
DATA_DIR=${DATA_DIR:-$repo_root/server/data}
MEDIA_ROOT=${MEDIA_ROOT:-$DATA_DIR/media}
BACKUP_DIR=${BACKUP_DIR:-./backups}
BACKUP_RETENTION_DAYS=${BACKUP_RETENTION_DAYS:-14}
case $BACKUP_RETENTION_DAYS in ''|*[!0-9]*) echo "backup: BACKUP_RETENTION_DAYS must be a whole number" >&2; exit 2;; esac

for tool in pg_dump tar sha256sum; do
  command -v "$tool" >/dev/null || { echo "backup: $tool is not installed" >&2; exit 2; }
done

mkdir -p "$BACKUP_DIR"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
final="$BACKUP_DIR/fbrain-$stamp"
work="$final.partial"
[ ! -e "$final" ] || { echo "backup: $final already exists" >&2; exit 1; }
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
mkdir -p "$work"
started=$(date +%s)

log "dumping the database to $work/db.dump"
pg_dump --format=custom --compress=6 --no-owner --no-privileges --file="$work/db.dump" --dbname="$DATABASE_URL"

if [ -d "$MEDIA_ROOT" ]; then
  log "archiving media from $MEDIA_ROOT"
  tar -czf "$work/media.tar.gz" -C "$MEDIA_ROOT" .
else
  log "no media folder at $MEDIA_ROOT: archiving an empty one"
  mkdir -p "$work/empty-media"
  tar -czf "$work/media.tar.gz" -C "$work/empty-media" .
  rmdir "$work/empty-media"
fi

finished=$(date +%s)
cat > "$work/manifest.json" <<JSON
{"format": 1, "created_at": "$stamp", "duration_seconds": $((finished - started)),
 "database": "db.dump", "media": "media.tar.gz", "pg_dump": "$(pg_dump --version | sed 's/"//g')"}
JSON
(cd "$work" && sha256sum db.dump media.tar.gz manifest.json > SHA256SUMS)
# Verify what was written before calling it a backup: the dump's table of contents and the tarball.
pg_restore --list "$work/db.dump" >/dev/null
tar -tzf "$work/media.tar.gz" >/dev/null
sync "$work" 2>/dev/null || sync
mv "$work" "$final"
trap - EXIT
log "complete: $final ($(du -sh "$final" | cut -f1))"

if [ "$BACKUP_RETENTION_DAYS" -gt 0 ]; then
  # Only complete backups made by this script; never the one just written.
  find "$BACKUP_DIR" -mindepth 1 -maxdepth 1 -type d -name 'fbrain-*' ! -name '*.partial' \
    -mtime "+$((BACKUP_RETENTION_DAYS - 1))" ! -path "$final" -print -exec rm -rf {} + | sed 's/^/backup: pruned /' >&2
  find "$BACKUP_DIR" -mindepth 1 -maxdepth 1 -type d -name 'fbrain-*.partial' -mmin +1440 -exec rm -rf {} +
fi

now=$(date +%s)
success_key="${CACHE_KEY_PREFIX:-fbrain}:metrics:last_success"
resp_hset() {  # without redis-cli (e.g. in the postgres image): speak RESP over bash's /dev/tcp
  local rest=${REDIS_URL#*://} auth="" hostport db=0 host port
  case $rest in *@*) auth=${rest%%@*}; auth=${auth#*:}; rest=${rest#*@};; esac
  hostport=${rest%%/*}
  case $rest in */*) db=${rest#*/}; db=${db%%\?*}; db=${db:-0};; esac
  host=${hostport%:*}; port=${hostport##*:}; [ "$port" != "$hostport" ] || port=6379
  resp() { local arg; printf '*%d\r\n' "$#"; for arg in "$@"; do printf '$%d\r\n%s\r\n' "${#arg}" "$arg"; done; }
  exec 3<>"/dev/tcp/$host/$port" || return 1
  { [ -z "$auth" ] || resp AUTH "$auth"; resp SELECT "$db"; resp HSET "$success_key" backup "$now"; } >&3
  local line replies=$(( ${#auth} > 0 ? 3 : 2 )) ok=0
  for _ in $(seq 1 "$replies"); do IFS= read -r -t 5 line <&3 || return 1; case $line in -*) ok=1;; esac; done
  exec 3<&- 3>&-
  return "$ok"
}
if [ -n "$REDIS_URL" ]; then
  if command -v "${REDIS_CLI:-redis-cli}" >/dev/null; then
    "${REDIS_CLI:-redis-cli}" -u "$REDIS_URL" HSET "$success_key" backup "$now" >/dev/null \
      || log "WARNING: could not record the success time in Redis"
  else
    resp_hset || log "WARNING: could not record the success time in Redis"
  fi
fi
metric="# HELP fbrain_backup_last_success_timestamp_seconds Unix time of the last successful backup.
# TYPE fbrain_backup_last_success_timestamp_seconds gauge
fbrain_backup_last_success_timestamp_seconds $now"
if [ -n "${BACKUP_METRICS_FILE:-}" ]; then
  printf '%s\n' "$metric" > "$BACKUP_METRICS_FILE.tmp" && mv "$BACKUP_METRICS_FILE.tmp" "$BACKUP_METRICS_FILE"
fi
if [ -n "${PUSHGATEWAY_URL:-}" ]; then
  printf '%s\n' "$metric" | curl --silent --show-error --fail --max-time 10 --data-binary @- \
    "${PUSHGATEWAY_URL%/}/metrics/job/fbrain_backup" || log "WARNING: push to $PUSHGATEWAY_URL failed"
fi
echo "$final"
