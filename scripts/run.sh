#!/usr/bin/env bash
# run.sh — owns `make run` after the packages are installed and build/orgwatch is built:
# the durable local cluster (./var/pg on 127.0.0.1:15432, unless ORGWATCH_DATABASE_URL names
# a database), migrations, the one-time sample dataset, a ready editor key, and the server
# in the foreground on ORGWATCH_LISTEN (default 127.0.0.1:8080). Ctrl-C stops the server
# cleanly, then the cluster if this script started it.
#
# Settings: ORGWATCH_DATABASE_URL (use that database; no local cluster), ORGWATCH_PG_PORT
# (15432), ORGWATCH_LISTEN and every other ORGWATCH_* setting of the server.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

BIN=$ROOT/build/orgwatch
PG=$ROOT/scripts/pg.sh
PG_DIR=$ROOT/var/pg
PG_PORT=${ORGWATCH_PG_PORT:-15432}
export ORGWATCH_HOME=${ORGWATCH_HOME:-$ROOT}
export ORGWATCH_LISTEN=${ORGWATCH_LISTEN:-127.0.0.1:8080}

say() { printf 'orgwatch: %s\n' "$*" >&2; }
die() {
	printf 'orgwatch: error: %s\n' "$*" >&2
	exit 1
}

[ -x "$BIN" ] || die "$BIN is not built (run: make all)"

SERVER_PID=
PG_STARTED=0
STOPPING=0

# shellcheck disable=SC2317 # trap handler, reached through the trap
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
		kill -TERM "$SERVER_PID" 2>/dev/null || true
		wait "$SERVER_PID" 2>/dev/null || true
	fi
	if [ "$PG_STARTED" = 1 ]; then
		say "stopping the PostgreSQL cluster this run started"
		bash "$PG" stop "$PG_DIR" || true
	fi
	exit "$rc"
}
trap cleanup EXIT
# Before the server runs, Ctrl-C just ends the script (cleanup stops the cluster).
trap 'exit 130' INT TERM

# ------------------------------------------------------------------ database

KEY_FILE=
if [ -n "${ORGWATCH_DATABASE_URL:-}" ]; then
	say "using the database in ORGWATCH_DATABASE_URL (no local cluster)"
else
	bash "$PG" init "$PG_DIR" "$PG_PORT"
	status=0
	bash "$PG" status "$PG_DIR" 2>/dev/null || status=$?
	if [ "$status" != 0 ]; then
		bash "$PG" start "$PG_DIR"
		PG_STARTED=1
	fi
	ORGWATCH_DATABASE_URL=$(bash "$PG" url "$PG_DIR")
	export ORGWATCH_DATABASE_URL
	DATA=$(bash "$PG" where "$PG_DIR")
	KEY_FILE=$(dirname "$DATA")/local-dev.key
	say "your data lives in $DATA (PostgreSQL 15 on 127.0.0.1:$PG_PORT, durable;"
	say "  log $(dirname "$DATA")/pg.log, connection URI in $(dirname "$DATA")/database_url)"
fi

"$BIN" migrate || die "orgwatch migrate failed"
"$BIN" load-sample || die "orgwatch load-sample failed"

# ------------------------------------------------------------------ editor key

# With the local cluster the key is made once and kept beside the data (mode 600) with a
# hash of the database URI (a new cluster gets a new password, so an old key is not reused),
# and every run prints the same key. Elsewhere each run makes a key with a new name.
KEY=
URL_HASH=$(printf '%s' "$ORGWATCH_DATABASE_URL" | sha1sum | cut -c1-40)
if [ -n "$KEY_FILE" ] && [ -s "$KEY_FILE" ]; then
	read -r saved_key saved_hash <"$KEY_FILE" || true
	[ "${saved_hash:-}" = "$URL_HASH" ] && KEY=${saved_key:-}
fi
if [ -z "$KEY" ]; then
	stamp=$(date -u +%Y%m%dT%H%M%SZ)
	name=local-dev
	[ -n "$KEY_FILE" ] || name=local-dev-$stamp
	# A key named local-dev may exist already (its file was deleted): then take a new name.
	KEY=$("$BIN" key create --name "$name" --role editor 2>/dev/null) ||
		KEY=$("$BIN" key create --name "local-dev-$stamp" --role editor) ||
		die "orgwatch key create failed"
	if [ -n "$KEY_FILE" ]; then
		(umask 077 && printf '%s %s\n' "$KEY" "$URL_HASH" >"$KEY_FILE")
	fi
fi

HOSTPORT=$ORGWATCH_LISTEN
case $HOSTPORT in
0.0.0.0:* | :*) HOSTPORT=127.0.0.1:${HOSTPORT##*:} ;;
esac
BASE_URL=http://$HOSTPORT
printf '\n'
printf 'API key (editor): %s\n' "$KEY"
printf 'try it:  curl -s -X POST %s/people -H "Authorization: Bearer %s" -H "Content-Type: application/json" -d %s\n' \
	"$BASE_URL" "$KEY" "'{\"full_name\": \"Ada Lovelace\"}'"
printf 'serving  %s  (dashboard at %s/ ; Ctrl-C stops)\n\n' "$BASE_URL" "$BASE_URL"

# ------------------------------------------------------------------ server

# In the foreground for the user, but as a child so that this script can stop the cluster
# afterwards: Ctrl-C (SIGINT) and SIGTERM are passed on as SIGTERM, the server finishes the
# requests in flight and exits.
# shellcheck disable=SC2317 # trap handler, reached through the trap
stop_server() {
	STOPPING=1
	if [ -n "$SERVER_PID" ]; then kill -TERM "$SERVER_PID" 2>/dev/null || true; fi
}
"$BIN" serve &
SERVER_PID=$!
trap stop_server INT TERM

rc=0
while :; do
	rc=0
	wait "$SERVER_PID" || rc=$?
	# wait returns early (status > 128) when a trapped signal arrives; wait again until the
	# server is really gone.
	kill -0 "$SERVER_PID" 2>/dev/null || break
done
SERVER_PID=
if [ "$STOPPING" = 1 ]; then
	if [ "$rc" = 0 ]; then say "server stopped"; else say "server exited with status $rc while stopping"; fi
else
	say "server exited with status $rc"
fi
exit "$rc"
