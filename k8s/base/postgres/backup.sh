#!/bin/sh
# Postgres backup: one pg_dump archive in custom format (compressed, restorable table by table
# with pg_restore), written under a temporary name and renamed once complete and readable, then
# all but the newest $BACKUP_KEEP archives removed. Connects with the libpq variables (PGHOST,
# PGPORT, PGUSER, PGPASSWORD, PGDATABASE) straight to Postgres, never through PgBouncer: pg_dump
# needs one session for its snapshot. Run by the CronJob of backup.yaml; the restore test
# (test/integration/postgres-backup.test.ts) runs this same file against the local Postgres.
set -eu
dir="${BACKUP_DIR:-/backups}"
keep="${BACKUP_KEEP:-14}"
case "$keep" in '' | *[!0-9]* | 0) echo "BACKUP_KEEP must be a positive integer, got '$keep'" >&2; exit 2 ;; esac
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out="$dir/${PGDATABASE}-$stamp.dump"
pg_dump --format=custom --compress=6 --no-owner --no-privileges --file="$out.partial"
# A truncated or corrupt archive fails here, before it can replace a good one.
pg_restore --list "$out.partial" > /dev/null
mv "$out.partial" "$out"
echo "backup: $out ($(wc -c < "$out") bytes)"
# Newest first; everything after the first $keep goes (names carry the UTC time, so they sort).
ls -1 "$dir/${PGDATABASE}"-*.dump | sort -r | tail -n +"$((keep + 1))" | while read -r old; do
  rm -f "$old"
  echo "backup: removed $old (keeping $keep)"
done
