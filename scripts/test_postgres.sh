#!/bin/sh
# Start a temporary PostgreSQL cluster for the database tests and print its URL (for
# BRIEFPACK_TEST_POSTGRES_URL): Debian's postgresql package, a new cluster in a fresh folder, listening
# only on a Unix socket in that folder (no TCP port), run as the `postgres` user when started as root
# (the server refuses to run as root). It stops itself when process WATCH ends (default: the caller)
# and its folder is removed then.
#
# Usage: url="$(sh scripts/test_postgres.sh [WATCH_PID])"
set -eu
watch="${1:-$PPID}"
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
[ -n "$bin" ] && [ -x "$bin/initdb" ] || { echo "test_postgres: PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 1; }
dir="$(mktemp -d /tmp/briefpack-pg.XXXXXX)"
if [ "$(id -u)" = 0 ]; then
  chown postgres: "$dir"
  as="runuser -u postgres --"
  user=postgres
else
  as=""
  user="$(id -un)"
fi
$as "$bin/initdb" -D "$dir/data" -U "$user" --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
$as "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c fsync=on" start >/dev/null \
  || { cat "$dir/server.log" >&2; exit 1; }
$as "$bin/createdb" -h "$dir" -U "$user" briefpack_test
# Stop the cluster and remove its folder once the watched process has ended.
( while kill -0 "$watch" 2>/dev/null; do sleep 5; done
  $as "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$dir" ) </dev/null >/dev/null 2>&1 &
echo "postgresql+psycopg://$user@/briefpack_test?host=$dir"
