#!/bin/sh
# Restores a backup.sh archive into the database named by PGDATABASE (which must exist and be
# empty: create it first), with the libpq variables, straight to Postgres. Usage:
#   PGDATABASE=simstream_restore ./restore.sh /backups/simstream-20260101T021700Z.dump
# --exit-on-error: a restore that fails part-way says so instead of leaving half a database.
set -eu
archive="${1:?usage: restore.sh <archive.dump>}"
pg_restore --exit-on-error --no-owner --no-privileges --single-transaction --dbname="$PGDATABASE" "$archive"
echo "restore: $archive -> $PGDATABASE"
