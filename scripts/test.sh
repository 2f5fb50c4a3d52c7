#!/usr/bin/env bash
# test.sh — owns `make test` after the packages are installed: the sanitizer build
# (build/san/), a throwaway PostgreSQL cluster (build/test/pg), a test server on it, every
# test layer in order, and the cleanup (server stopped with SIGTERM and its log checked for
# sanitizer reports, cluster stopped), ending with a per-layer table and one line
# `N passed, M failed` (layers). Exit status 0 only when no layer failed.
#
# Layers: build (make SAN=1: server + unit programs), format (make format-check), setup
# (cluster, migrate, load-sample, keys, server up), unit (make unit SAN=1), fuzz (every kept
# crash input, then each libFuzzer target for a few seconds), openapi (redocly
# lint), browser (tests/browser/: reads the untouched sample, so before the writers), api
# (node --test tests/api/), contract (tests/contract/: Portman + Newman contract and fuzz
# tests, the typed client, the spec's YAML), docs (tests/*.test.mjs: the README's examples), faults
# (scripts/faults.sh with the sanitizer build: its own cluster and servers; the faults named
# by ORGWATCH_TEST_FAULTS, default all seven), replicas (scripts/replicas.sh: a primary and a
# streaming replica of their own, reads routed, read-your-writes, lag, failures), recipe
# (scripts/recipe_dry_run.sh: a throwaway record type added by docs/ARCHITECTURE.md's recipe
# alone on a copy of the tree, its CRUD/import/export tests), compose
# (docker-compose config -q, default and scale profiles), sanitizers (the server's log after SIGTERM, its exit status). A layer that cannot run because another one failed is shown
# as "not run" and not counted (the failure that caused it is). Logs: build/test/logs/.
#
# Settings: ORGWATCH_TEST_PG_PORT (15433), ORGWATCH_TEST_HTTP_PORT (18080).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

PG_PORT=${ORGWATCH_TEST_PG_PORT:-15433}
HTTP_PORT=${ORGWATCH_TEST_HTTP_PORT:-18080}
WORK=$ROOT/build/test
LOGS=$WORK/logs
PG_DIR=$WORK/pg
PG=$ROOT/scripts/pg.sh
BIN=$ROOT/build/san/orgwatch
SERVER_LOG=$WORK/server.log
SERVER_PID_FILE=$ROOT/build/.test-server.pid
BASE_URL=http://127.0.0.1:$HTTP_PORT

# Every sanitizer-built program of the run (server, CLI, unit tests) reports this way.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export REDOCLY_TELEMETRY=off

say() { printf '%s\n' "$*"; }
banner() { printf '\n===== %s =====\n' "$*"; }

# ------------------------------------------------------------------ bookkeeping

declare -a L_NAME=() L_RESULT=() L_SECS=() L_NOTE=()
declare -A RESULT_OF=()
CURRENT= # the layer running now (for an interrupted run)

record() { # NAME RESULT(PASS|FAIL|SKIP|not run) SECS NOTE
	L_NAME+=("$1")
	L_RESULT+=("$2")
	L_SECS+=("$3")
	L_NOTE+=("${4:-}")
	RESULT_OF[$1]=$2
	if [ "$2" = FAIL ]; then
		printf -- '----- %s: FAIL%s\n' "$1" "${4:+ ($4)}"
	fi
}
clock() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(clock)" 'BEGIN { printf "%.1f", b - a }'; }
ok() { [ "${RESULT_OF[$1]:-}" = PASS ]; }

# run_layer NAME CMD... — runs CMD with its output on the terminal and in logs/NAME.log.
run_layer() {
	local name=$1 rc t
	shift
	banner "$name: $*"
	t=$(clock)
	CURRENT=$name
	set +e
	"$@" </dev/null 9>&- 2>&1 | tee "$LOGS/$name.log"
	rc=${PIPESTATUS[0]}
	set -e
	if [ "$rc" = 0 ]; then
		record "$name" PASS "$(since "$t")"
	else
		record "$name" FAIL "$(since "$t")" "exit status $rc; log build/test/logs/$name.log"
	fi
	CURRENT=
}

# ------------------------------------------------------------------ server and cluster

# shellcheck source=scripts/server-lib.sh
. "$ROOT/scripts/server-lib.sh"
PG_UP=0

shq() { printf '%q' "$1"; }

# setup_server — throwaway cluster, schema, sample data, keys, then the server; sets the
# environment of the test layers.
setup_server() {
	stop_leftover_server
	if port_busy "$HTTP_PORT"; then
		say "port $HTTP_PORT on 127.0.0.1 is taken by another program (set ORGWATCH_TEST_HTTP_PORT)"
		return 1
	fi
	bash "$PG" destroy "$PG_DIR" 9>&- || return 1
	rm -f "$WORK/pg.log" "$SERVER_LOG"
	bash "$PG" init "$PG_DIR" "$PG_PORT" --throwaway 9>&- || return 1
	PG_UP=1
	if ! bash "$PG" start "$PG_DIR" 9>&-; then
		say "(ORGWATCH_TEST_PG_PORT picks another port for the test cluster)"
		return 1
	fi
	DB_URL=$(bash "$PG" url "$PG_DIR") || return 1
	export ORGWATCH_DATABASE_URL=$DB_URL ORGWATCH_HOME=$ROOT

	"$BIN" migrate || return 1
	"$BIN" load-sample || return 1

	local role key
	for role in reader editor admin; do
		key=$("$BIN" key create --name "test-$role" --role "$role") || return 1
		export "ORGWATCH_TEST_${role^^}_KEY=$key" "ORGWATCH_TEST_${role^^}_KEY_NAME=test-$role"
	done
	say "keys: test-reader, test-editor, test-admin"
	# A key that was revoked (when the binary can revoke keys).
	if "$BIN" --help 2>&1 | grep -q 'key revoke'; then
		key=$("$BIN" key create --name test-revoked --role admin) || return 1
		"$BIN" key revoke --name test-revoked || return 1
		export ORGWATCH_TEST_REVOKED_KEY=$key ORGWATCH_TEST_REVOKED_KEY_NAME=test-revoked
		say "keys: test-revoked (admin, revoked)"
	else
		say "keys: no revoked key ('orgwatch key revoke' is not there yet)"
	fi

	export ORGWATCH_TEST_URL=$BASE_URL
	export ORGWATCH_TEST_DATABASE_URL=$DB_URL
	export ORGWATCH_BIN=$BIN
	ORGWATCH_TEST_PG_STOP="bash $(shq "$PG") stop $(shq "$PG_DIR")"
	ORGWATCH_TEST_PG_START="bash $(shq "$PG") start $(shq "$PG_DIR")"
	export ORGWATCH_TEST_PG_STOP ORGWATCH_TEST_PG_START

	say "server: $BIN serve on $BASE_URL (log build/test/server.log)"
	# The suites send thousands of requests from one address: no rate limit here (a server of
	# tests/api/ratelimit.test.mjs's own tests the limits).
	# Every server delivers webhooks: this one as the webhook tests' own servers do (their
	# receivers listen on 127.0.0.1; tests/api/webhooks.test.mjs).
	ORGWATCH_WEBHOOK_ALLOW_NETS=127.0.0.0/8 ORGWATCH_WEBHOOK_RETRY_WINDOW_S=30 \
	ORGWATCH_LISTEN=127.0.0.1:$HTTP_PORT ORGWATCH_MAX_BODY=65536 ORGWATCH_LOG=info ORGWATCH_RATE_READS=0 ORGWATCH_RATE_WRITES=0 ORGWATCH_RATE_IMPORTS=0 \
		"$BIN" serve >"$SERVER_LOG" 2>&1 </dev/null 9>&- &
	SERVER_PID=$!
	printf '%s\n' "$SERVER_PID" >"$SERVER_PID_FILE"
	local i
	for i in $(seq 300); do
		if ! kill -0 "$SERVER_PID" 2>/dev/null; then
			local st=0
			wait "$SERVER_PID" || st=$?
			SERVER_PID=
			tail -n 30 "$SERVER_LOG"
			say "the server exited at start (status $st)"
			return 1
		fi
		if curl -fsS --max-time 2 -o /dev/null "$BASE_URL/health" 2>/dev/null; then
			say "server ready after $((i / 10)).$((i % 10)) s"
			return 0
		fi
		sleep 0.1
	done
	say "the server did not answer GET /health within 30 s"
	return 1
}


# ------------------------------------------------------------------ cleanup and summary

# shellcheck disable=SC2317 # the EXIT trap
finish() {
	local rc=$?
	trap - EXIT INT TERM
	set +e
	if [ -n "$CURRENT" ]; then
		record "$CURRENT" FAIL - "interrupted (status $rc)"
		CURRENT=
	elif [ "$rc" != 0 ]; then
		record test.sh FAIL - "stopped early (status $rc)"
	fi
	if [ -n "$SERVER_PID" ] || [ -s "$SERVER_LOG" ]; then
		banner "sanitizers: stopping the server (SIGTERM) and reading its log"
		local t note="" status=PASS reports
		t=$(clock)
		stop_server
		reports=$(grep -cE 'ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer' "$SERVER_LOG")
		if [ "${reports:-0}" -gt 0 ]; then
			grep -E -A 12 'ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer' "$SERVER_LOG" | head -n 80
			status=FAIL
			note="$reports sanitizer report(s) in build/test/server.log"
		fi
		if [ -n "$SERVER_STATUS" ] && [ "$SERVER_STATUS" != 0 ]; then
			status=FAIL
			note="${note:+$note; }server exit status $SERVER_STATUS after SIGTERM (want 0)"
		fi
		[ "$status" = PASS ] && say "no sanitizer reports in the server's log; it exited ${SERVER_STATUS:-?}"
		record sanitizers "$status" "$(since "$t")" "$note"
	else
		record sanitizers "not run" 0 "no server"
	fi
	if [ "$PG_UP" = 1 ]; then
		bash "$PG" stop "$PG_DIR" 9>&-
	fi

	banner summary
	local i passed=0 failed=0
	printf '%-16s %-8s %8s  %s\n' layer result seconds note
	for i in "${!L_NAME[@]}"; do
		printf '%-16s %-8s %8s  %s\n' "${L_NAME[$i]}" "${L_RESULT[$i]}" "${L_SECS[$i]}" "${L_NOTE[$i]}"
		case ${L_RESULT[$i]} in
		PASS) passed=$((passed + 1)) ;;
		FAIL) failed=$((failed + 1)) ;;
		esac
	done
	printf '%s passed, %s failed\n' "$passed" "$failed"
	[ "$failed" = 0 ] && exit 0
	exit 1
}

# ------------------------------------------------------------------ main

mkdir -p "$ROOT/build"
exec 9>"$ROOT/build/.test.lock"
if ! flock -n 9; then
	echo "test.sh: another 'make test' is running in this checkout" >&2
	exit 1
fi
rm -rf "$LOGS"
mkdir -p "$LOGS"
trap finish EXIT
trap 'exit 130' INT TERM

NODE_FLAGS=()
node --help 2>/dev/null | grep -q -- '--test-concurrency' && NODE_FLAGS+=(--test-concurrency=1)
node --help 2>/dev/null | grep -q -- '--test-timeout' && NODE_FLAGS+=(--test-timeout=180000)

# build: the sanitizer server and the unit test programs.
UNIT_BINS=()
for f in tests/unit/test_*.c; do
	[ -e "$f" ] || continue
	f=${f##*/}
	UNIT_BINS+=("build/san/unit/${f%.c}")
done
run_layer build make --no-print-directory -j"$(nproc)" SAN=1 all "${UNIT_BINS[@]}"

run_layer format make --no-print-directory format-check

if ok build; then
	banner "setup: throwaway cluster build/test/pg on 127.0.0.1:$PG_PORT, server on 127.0.0.1:$HTTP_PORT"
	t=$(clock)
	CURRENT=setup
	if setup_server; then
		record setup PASS "$(since "$t")"
	else
		record setup FAIL "$(since "$t")" "see the output above; build/test/pg.log, build/test/server.log"
	fi
	CURRENT=
else
	record setup "not run" 0 "build failed"
fi

if ok build; then
	run_layer unit make --no-print-directory SAN=1 unit
else
	record unit "not run" 0 "build failed"
fi

# libFuzzer targets (clang, ASan+UBSan): every kept crash input, then each target for
# ORGWATCH_TEST_FUZZ_SECONDS (5) — a short run on every change; `make fuzz` runs 60 s each.
run_layer fuzz bash -c 'make --no-print-directory fuzz-build fuzz-regress &&
	bash tests/fuzz/run.sh fuzz "${ORGWATCH_TEST_FUZZ_SECONDS:-5}" $(make --no-print-directory -s fuzz-targets)'

if [ ! -f openapi.yaml ]; then
	record openapi FAIL 0 "openapi.yaml is missing"
elif [ ! -x node_modules/.bin/redocly ]; then
	record openapi FAIL 0 "node_modules/.bin/redocly missing (run: bash scripts/deps.sh test)"
else
	run_layer openapi node_modules/.bin/redocly lint openapi.yaml
fi

# node_layer NAME FILES... — node --test over FILES against the test server.
node_layer() {
	local name=$1
	shift
	if [ $# = 0 ]; then
		record "$name" SKIP 0 "no test files"
	elif ! ok setup; then
		record "$name" "not run" 0 "no test server"
	else
		# A failed lifecycle test may leave the cluster stopped.
		bash "$PG" start "$PG_DIR" >/dev/null 2>&1 9>&- || true
		run_layer "$name" node --test "${NODE_FLAGS[@]}" "$@"
	fi
}
shopt -s nullglob
# The browser test reads the sample dataset as loaded (e.g. "April 2024 shows 3"); it only
# reads, so it runs before the API and docs tests, which add records.
node_layer browser tests/browser/*.test.mjs
node_layer api tests/api/*.test.mjs
# Generated from openapi.yaml: Portman contract/variation/fuzz tests run by Newman, a typed
# client (openapi-typescript + openapi-fetch, tsc --noEmit), the spec under YAML 1.1 and 1.2.
node_layer contract tests/contract/*.test.mjs
node_layer docs tests/*.test.mjs
shopt -u nullglob

# Fault tests: a cluster (build/faults/pg, port 15461) and servers (18131-18139) of their own.
# All seven by default (slowloris waits out the 30 s header deadline in the background).
if ok build; then
	run_layer faults env ORGWATCH_BIN="$BIN" FAULTS_ONLY="${ORGWATCH_TEST_FAULTS:-pg-outage slowloris kill-import disconnects import-lock idle-flood per-ip}" \
		bash scripts/faults.sh
else
	record faults "not run" 0 "build failed"
fi

# Read replicas: a primary and a streaming replica (pg_basebackup -R) of their own, on
# 127.0.0.1:15481-15482, servers on 18141-18142.
if ok build; then
	run_layer replicas env ORGWATCH_BIN="$BIN" bash scripts/replicas.sh
else
	record replicas "not run" 0 "build failed"
fi

# The recipe of "Adding a record type" (docs/ARCHITECTURE.md), followed alone for a throwaway
# type on a copy of the tree (build/recipe/), with a cluster (15491) and server (18151) of its own.
if ok build; then
	run_layer recipe bash scripts/recipe_dry_run.sh
else
	record recipe "not run" 0 "build failed"
fi

if [ ! -f docker-compose.yml ]; then
	record compose FAIL 0 "docker-compose.yml is missing"
elif ! command -v docker-compose >/dev/null 2>&1; then
	record compose FAIL 0 "docker-compose not installed (run: bash scripts/deps.sh test)"
else
	run_layer compose bash -c 'docker-compose config -q && docker-compose --profile scale config -q'
fi
# finish (the EXIT trap) adds the sanitizers layer and prints the summary.
