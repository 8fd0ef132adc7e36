#!/bin/bash
# The restore of a backup into a new HarborCluster's in-cluster database, run
# by the operator's restore Job inside harbor-db's image before core first
# starts (src/backup/jobs.ts).
#
# Restores only into an empty database: one with no table but the empty
# schema_migrations table harbor-db's initial-registry.sql creates
# (goharbor/harbor v2.15.2 make/photon/db/initial-registry.sql). So a
# database that holds data is never overwritten, whatever status says, and a
# retry after a failure is safe: pg_restore runs in one transaction
# (--single-transaction, which stops at the first error), so a failed restore
# leaves the database as empty as it was. Owners and privileges of the dump
# are not restored: everything belongs to the user restoring ($PGUSER).
# Reports "restored=<file> size=<bytes> tables=<count>" in the termination
# message, or "error=<why>" and a non-zero exit.
#
# Environment: PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE (libpq), PG_MAJOR,
# PGBIN (as backup.sh), RESTORE_FILE (the dump's path), WAIT_SECONDS (default
# 600: the database may be initialising), TERMINATION_LOG.
set -euo pipefail
export LC_ALL=C
TERMINATION_LOG=${TERMINATION_LOG:-/dev/termination-log}

report() { printf '%s\n' "$1" > "$TERMINATION_LOG" 2>/dev/null || true; }
fail() {
  echo "restore: $*" >&2
  report "error=$*"
  exit 1
}
for v in PGDATABASE RESTORE_FILE; do
  [ -n "${!v:-}" ] || fail "$v is not set"
done
tool() {
  local dir=${PGBIN:-/usr/pgsql/${PG_MAJOR:-none}/bin}
  if [ -x "$dir/$1" ]; then printf '%s' "$dir/$1"; return; fi
  command -v "$1" || fail "$1 not found in $dir nor on PATH"
}
PG_RESTORE=$(tool pg_restore)
PSQL=$(tool psql)
PG_ISREADY=$(tool pg_isready)
file=${RESTORE_FILE##*/}

[ -f "$RESTORE_FILE" ] && [ -r "$RESTORE_FILE" ] || fail "the dump $RESTORE_FILE does not exist or cannot be read"
"$PG_RESTORE" --list "$RESTORE_FILE" > /dev/null || fail "$file is not a dump pg_restore can read (a custom-format dump of PostgreSQL up to this image's major)"

deadline=$((SECONDS + ${WAIT_SECONDS:-600}))
until "$PG_ISREADY" -q -t 5; do
  [ $SECONDS -lt $deadline ] || fail "the database server at ${PGHOST:-?}:${PGPORT:-5432} did not accept connections within ${WAIT_SECONDS:-600} s"
  sleep 2
done
q() { "$PSQL" -X -A -t -q -v ON_ERROR_STOP=1 "${@:2}" -c "$1"; }
# harbor-db creates the database at its first start; it may not be there yet.
until [ "$(q "SELECT count(*) FROM pg_database WHERE datname = '${PGDATABASE//\'/\'\'}'" -d postgres)" = 1 ]; do
  [ $SECONDS -lt $deadline ] || fail "database $PGDATABASE does not exist"
  sleep 2
done

tables=$(q "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%'
  AND NOT (n.nspname = 'public' AND c.relname = 'schema_migrations')") || fail "cannot connect to database $PGDATABASE"
migrations=0
if [ "$(q "SELECT to_regclass('public.schema_migrations') IS NOT NULL")" = t ]; then
  migrations=$(q 'SELECT count(*) FROM public.schema_migrations')
fi
if [ "$tables" -ne 0 ] || [ "$migrations" -ne 0 ]; then
  fail "database $PGDATABASE already holds data ($tables table(s), $migrations schema migration(s)); a restore goes only into an empty database"
fi

echo "restoring $file into database $PGDATABASE"
"$PG_RESTORE" --single-transaction --clean --if-exists --no-owner --no-privileges --no-password \
  --dbname="$PGDATABASE" "$RESTORE_FILE" || fail "pg_restore of $file failed (exit $?); nothing was restored"
count=$(q "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%'")
size=$(wc -c < "$RESTORE_FILE")
size=$((size))
echo "restored $file ($size bytes): $count table(s)"
report "restored=$file size=$size tables=$count"
