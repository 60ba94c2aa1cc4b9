#!/bin/sh
# Writes PgBouncer's auth_file from the Postgres password (PGPASSWORD) into the container's
# tmpfs, then runs PgBouncer in the foreground. A '"' in the password is doubled, as the
# auth_file format wants.
set -eu
umask 077
printf '"simstream" "%s"\n' "$(printf '%s' "$PGPASSWORD" | sed 's/"/""/g')" > /tmp/userlist.txt
exec /usr/bin/pgbouncer /etc/pgbouncer/simstream.ini
