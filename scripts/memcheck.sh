#!/usr/bin/env bash
# memcheck.sh — owns `make memcheck`: the API suites against the optimized server running
# under valgrind memcheck on a throwaway cluster; passes only when valgrind reports no
# invalid access and no definitely-lost memory, and every suite passes. Slow (valgrind):
# minutes, not seconds. Settings: ORGWATCH_MEMCHECK_SUITES (test files under tests/api/).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
WORK=$ROOT/build/memcheck
PG_DIR=$WORK/pg
PG_PORT=${ORGWATCH_MEMCHECK_PG_PORT:-15441}
HTTP_PORT=${ORGWATCH_MEMCHECK_HTTP_PORT:-18111}
BIN=$ROOT/build/orgwatch
VG_LOG=$WORK/valgrind.log
SUITES=${ORGWATCH_MEMCHECK_SUITES:-foundation records people_merge changes departures orgchart import_export stats badinput auth}

command -v valgrind >/dev/null || { echo "memcheck.sh: valgrind is missing (apt-get install valgrind)" >&2; exit 1; }
mkdir -p "$WORK"
SERVER_PID=
cleanup() {
	set +e
	if [ -n "$SERVER_PID" ]; then
		kill -TERM "$SERVER_PID" 2>/dev/null
		wait "$SERVER_PID" 2>/dev/null
	fi
	bash scripts/pg.sh destroy "$PG_DIR" >/dev/null 2>&1
}
trap cleanup EXIT

bash scripts/pg.sh destroy "$PG_DIR" >/dev/null 2>&1 || true
bash scripts/pg.sh init "$PG_DIR" "$PG_PORT" --throwaway
bash scripts/pg.sh start "$PG_DIR"
export ORGWATCH_DATABASE_URL
ORGWATCH_DATABASE_URL=$(bash scripts/pg.sh url "$PG_DIR")
export ORGWATCH_HOME=$ROOT
"$BIN" migrate >/dev/null
"$BIN" load-sample >/dev/null
for role in reader editor admin; do
	export "ORGWATCH_TEST_${role^^}_KEY=$("$BIN" key create --name "mem-$role" --role "$role")"
	export "ORGWATCH_TEST_${role^^}_KEY_NAME=mem-$role"
done
export ORGWATCH_TEST_REVOKED_KEY
ORGWATCH_TEST_REVOKED_KEY=$("$BIN" key create --name mem-revoked --role editor)
"$BIN" key revoke --name mem-revoked 2>/dev/null

echo "== server under valgrind on 127.0.0.1:$HTTP_PORT (log $VG_LOG)"
ORGWATCH_LISTEN=127.0.0.1:$HTTP_PORT ORGWATCH_MAX_BODY=65536 ORGWATCH_LOG=warn ORGWATCH_RATE_READS=0 ORGWATCH_RATE_WRITES=0 ORGWATCH_RATE_IMPORTS=0 \
	valgrind --tool=memcheck --leak-check=full --errors-for-leak-kinds=definite \
	--show-leak-kinds=definite --log-file="$VG_LOG" "$BIN" serve </dev/null >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 600); do
	curl -fsS --max-time 2 -o /dev/null "http://127.0.0.1:$HTTP_PORT/health" 2>/dev/null && break
	sleep 0.2
done
export ORGWATCH_TEST_URL=http://127.0.0.1:$HTTP_PORT ORGWATCH_TEST_DATABASE_URL=$ORGWATCH_DATABASE_URL
files=()
for s in $SUITES; do files+=("tests/api/$s.test.mjs"); done
set +e
node --test --test-concurrency=1 "${files[@]}" </dev/null >"$WORK/suites.log" 2>&1
suites=$?
set -e
grep -E '^# (tests|pass|fail)' "$WORK/suites.log" || true
kill -TERM "$SERVER_PID"
wait "$SERVER_PID" || true
SERVER_PID=
errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$VG_LOG" | tail -1)
lost=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$VG_LOG" | tail -1)
echo "valgrind: ${errors:-?} errors, definitely lost: ${lost:-0} bytes (full report: $VG_LOG)"
if [ "$suites" != 0 ]; then
	echo "memcheck: some suites failed under valgrind (see $WORK/suites.log)"
	exit 1
fi
if [ "${errors:-1}" != 0 ]; then
	echo "memcheck: FAILED"
	exit 1
fi
echo "memcheck: passed"
