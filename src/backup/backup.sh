#!/bin/bash
# A backup of Harbor's database, run by the operator's backup Jobs inside
# harbor-db's image (src/backup/jobs.ts says what that image holds).
#
# pg_dump --format=custom of $PGDATABASE into $BACKUP_DIR as
# <BACKUP_PREFIX>-<UTC time YYYYMMDDTHHMMSSZ>-<BACKUP_RELEASE>.dump: written
# under a hidden temporary name, checked (pg_restore --list reads it back),
# synced to disk, renamed, the folder synced. Then the oldest dumps of the
# same prefix beyond BACKUP_KEEP are removed. Last, one line
# "file=<name> size=<bytes> release=<release> removed=<count>" goes to the
# termination message, which the operator reads; a failure writes
# "error=<why>" there instead and exits non-zero.
#
# Environment: PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE PGSSLMODE (libpq),
# PG_MAJOR (the image's PostgreSQL major: its tools are in
# /usr/pgsql/<major>/bin; PGBIN overrides the folder), BACKUP_DIR,
# BACKUP_PREFIX, BACKUP_RELEASE, BACKUP_KEEP, WAIT_SECONDS (how long to wait
# for the server, default 120), TERMINATION_LOG (default /dev/termination-log).
# Only bash builtins and mv, rm, sync, wc besides PostgreSQL's tools.
set -euo pipefail
export LC_ALL=C TZ=UTC0
TERMINATION_LOG=${TERMINATION_LOG:-/dev/termination-log}

report() { printf '%s\n' "$1" > "$TERMINATION_LOG" 2>/dev/null || true; }
fail() {
  echo "backup: $*" >&2
  report "error=$*"
  exit 1
}
for v in PGDATABASE BACKUP_DIR BACKUP_PREFIX BACKUP_RELEASE BACKUP_KEEP; do
  [ -n "${!v:-}" ] || fail "$v is not set"
done
[[ $BACKUP_KEEP =~ ^[1-9][0-9]*$ ]] || fail "BACKUP_KEEP must be a positive number, not '$BACKUP_KEEP'"
[[ $BACKUP_PREFIX =~ ^[a-z]([-a-z0-9]*[a-z0-9])?$ ]] || fail "BACKUP_PREFIX '$BACKUP_PREFIX' is not a cluster name"
[ -d "$BACKUP_DIR" ] && [ -w "$BACKUP_DIR" ] || fail "$BACKUP_DIR is not a writable folder"

# The image's own major first: harbor-db v2.15.2 holds PostgreSQL 18 and, for
# pg_upgrade, 15 in /usr/pgsql/15 (goharbor/harbor v2.15.2
# make/photon/db/Dockerfile.base).
tool() {
  local dir=${PGBIN:-/usr/pgsql/${PG_MAJOR:-none}/bin}
  if [ -x "$dir/$1" ]; then printf '%s' "$dir/$1"; return; fi
  command -v "$1" || fail "$1 not found in $dir nor on PATH"
}
PG_DUMP=$(tool pg_dump)
PG_RESTORE=$(tool pg_restore)
PSQL=$(tool psql)
PG_ISREADY=$(tool pg_isready)

# The server may be starting (a restart, an upgrade just done): wait a while.
deadline=$((SECONDS + ${WAIT_SECONDS:-120}))
until "$PG_ISREADY" -q -t 5; do
  [ $SECONDS -lt $deadline ] || fail "the database server at ${PGHOST:-?}:${PGPORT:-5432} did not accept connections within ${WAIT_SECONDS:-120} s"
  sleep 2
done

# pg_dump dumps servers of its own major and older only.
[[ $("$PG_DUMP" --version) =~ \ ([0-9]+)(\.[0-9]+)? ]] || fail "cannot read the version of $PG_DUMP"
dump_major=${BASH_REMATCH[1]}
server_num=$("$PSQL" -X -A -t -q -v ON_ERROR_STOP=1 -c 'SHOW server_version_num') || fail "cannot connect to database $PGDATABASE at ${PGHOST:-?}:${PGPORT:-5432} as ${PGUSER:-?}"
server_major=$((server_num / 10000))
[ "$server_major" -le "$dump_major" ] || fail "the server runs PostgreSQL $server_major, newer than this image's pg_dump ($dump_major)"

name=
for _ in 1 2 3 4 5; do
  printf -v stamp '%(%Y%m%dT%H%M%SZ)T' -1
  name="$BACKUP_PREFIX-$stamp-$BACKUP_RELEASE.dump"
  [ -e "$BACKUP_DIR/$name" ] || break
  name=
  sleep 1
done
[ -n "$name" ] || fail "$BACKUP_DIR already holds dumps of every second tried"
tmp="$BACKUP_DIR/.$name.partial"
trap 'rm -f -- "$tmp"' EXIT

echo "dumping database $PGDATABASE (PostgreSQL $server_major) into $name"
"$PG_DUMP" --format=custom --no-password --file="$tmp" || fail "pg_dump of $PGDATABASE failed (exit $?)"
"$PG_RESTORE" --list "$tmp" > /dev/null || fail "the dump written cannot be read back by pg_restore"
sync "$tmp" 2>/dev/null || sync
mv -f -- "$tmp" "$BACKUP_DIR/$name"
sync "$BACKUP_DIR" 2>/dev/null || sync
size=$(wc -c < "$BACKUP_DIR/$name")
size=$((size))

# Retention: this cluster's dumps only (the prefix is followed by a digit:
# the dumps of a cluster named "<prefix>-x" do not match). Glob order is the
# byte order of the names (LC_ALL=C), so oldest first.
shopt -s nullglob
dumps=("$BACKUP_DIR/$BACKUP_PREFIX"-[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]Z-*.dump)
removed=0
excess=$((${#dumps[@]} - BACKUP_KEEP))
for ((i = 0; i < excess; i++)); do
  rm -f -- "${dumps[i]}"
  removed=$((removed + 1))
done
[ "$removed" -eq 0 ] || sync "$BACKUP_DIR" 2>/dev/null || sync

echo "wrote $name ($size bytes); removed $removed older dump(s), keeping $BACKUP_KEEP"
report "file=$name size=$size release=$BACKUP_RELEASE removed=$removed"
