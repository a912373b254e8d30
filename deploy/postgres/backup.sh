#!/bin/sh
# A nightly backup of the product's PostgreSQL database: one custom-format dump (compressed, every
# table, restorable table by table) per run in BACKUP_DIR, the ones older than KEEP_DAYS removed.
# Run from the timer in this folder, or cron. Restore: docs/deployment.md#backups.
#   DATABASE_URL=postgresql://kq:...@127.0.0.1:5432/kindergarten BACKUP_DIR=/var/backups/kq ./backup.sh
set -eu
: "${DATABASE_URL:?set DATABASE_URL}"
BACKUP_DIR="${BACKUP_DIR:-/var/backups/kindergarten-queue}"
KEEP_DAYS="${KEEP_DAYS:-14}"

mkdir -p "$BACKUP_DIR"
file="$BACKUP_DIR/kindergarten-$(date -u +%Y%m%dT%H%M%SZ).dump"
# Written under a temporary name first: a dump cut short never looks like a good one.
pg_dump --format=custom --no-owner --file="$file.partial" "$DATABASE_URL"
mv "$file.partial" "$file"
# A dump that pg_restore cannot read is no backup.
pg_restore --list "$file" >/dev/null
find "$BACKUP_DIR" -name 'kindergarten-*.dump' -mtime +"$KEEP_DAYS" -delete
echo "backup written: $file ($(du -h "$file" | cut -f1))"
