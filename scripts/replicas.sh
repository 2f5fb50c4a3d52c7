#!/usr/bin/env bash
# replicas.sh — owns the `replicas` layer of `make test` (and `make replicas`): a throwaway
# primary (build/replicas/primary/pg, 127.0.0.1:15481) and a streaming replica of it made by
# pg_basebackup -R (build/replicas/replica/pg, 127.0.0.1:15482), both run by the unprivileged
# PostgreSQL user; the schema, the sample and an editor key on the primary; then
# tests/replicas/*.test.mjs against servers of their own (127.0.0.1:18141-18142) with
# ORGWATCH_REPLICA_URLS. Both clusters are deleted at the end, whatever happened.
# Settings: ORGWATCH_BIN (default build/orgwatch). Logs: build/replicas/.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
WORK=$ROOT/build/replicas
PG=$ROOT/scripts/pg.sh
BIN=${ORGWATCH_BIN:-$ROOT/build/orgwatch}
case $BIN in /*) ;; *) BIN=$ROOT/$BIN ;; esac
PRIMARY=$WORK/primary/pg
REPLICA=$WORK/replica/pg

say() { printf 'replicas.sh: %s\n' "$*"; }
[ -x "$BIN" ] || {
	say "no server binary at $BIN (run make all, or set ORGWATCH_BIN)" >&2
	exit 2
}

mkdir -p "$WORK"
exec 7>"$WORK/.lock"
flock -n 7 || {
	say "another replicas.sh is running in this checkout" >&2
	exit 1
}
cleanup() {
	set +e
	bash "$PG" destroy "$REPLICA" >/dev/null 2>&1 7>&-
	bash "$PG" destroy "$PRIMARY" >/dev/null 2>&1 7>&-
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cleanup
{
	bash "$PG" init "$PRIMARY" 15481 --throwaway &&
		bash "$PG" start "$PRIMARY" &&
		bash "$PG" replica "$REPLICA" "$PRIMARY" 15482 &&
		bash "$PG" start "$REPLICA"
} >"$WORK/setup.log" 2>&1 7>&- || {
	cat "$WORK/setup.log"
	say "could not start the primary and its replica" >&2
	exit 1
}
PRIMARY_URL=$(bash "$PG" url "$PRIMARY")
REPLICA_URL=$(bash "$PG" url "$REPLICA")
if ! ORGWATCH_DATABASE_URL=$PRIMARY_URL ORGWATCH_HOME=$ROOT "$BIN" migrate >>"$WORK/setup.log" 2>&1 7>&- ||
	! ORGWATCH_DATABASE_URL=$PRIMARY_URL ORGWATCH_HOME=$ROOT "$BIN" load-sample >>"$WORK/setup.log" 2>&1 7>&- ||
	! KEY=$(ORGWATCH_DATABASE_URL=$PRIMARY_URL "$BIN" key create --name replicas-editor --role editor 2>>"$WORK/setup.log" 7>&-); then
	cat "$WORK/setup.log"
	say "could not prepare the primary" >&2
	exit 1
fi
SUPER=$(psql "$PRIMARY_URL" -XAtc 'SELECT rolname FROM pg_roles WHERE oid = 10')
export REPLICAS_PRIMARY_URL=$PRIMARY_URL REPLICAS_REPLICA_URL=$REPLICA_URL REPLICAS_EDITOR_KEY=$KEY
export REPLICAS_PRIMARY_ADMIN_URL=postgresql://$SUPER@127.0.0.1:15481/orgwatch
export REPLICAS_REPLICA_ADMIN_URL=postgresql://$SUPER@127.0.0.1:15482/orgwatch
export REPLICAS_PG_SCRIPT=$PG REPLICAS_PRIMARY_DIR=$PRIMARY REPLICAS_REPLICA_DIR=$REPLICA
export REPLICAS_WORK=$WORK ORGWATCH_BIN=$BIN ORGWATCH_HOME=$ROOT
say "primary 127.0.0.1:15481, streaming replica 127.0.0.1:15482 (pg_basebackup -R)"

NODE_FLAGS=(--test --test-reporter=spec)
node --help 2>/dev/null | grep -q -- '--test-concurrency' && NODE_FLAGS+=(--test-concurrency=1)
node "${NODE_FLAGS[@]}" tests/replicas/*.test.mjs 7>&-
