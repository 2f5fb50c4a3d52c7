#!/usr/bin/env bash
# faults.sh — owns `make faults` (and the `faults` layer of `make test`): fault tests against
# servers of its own on a throwaway cluster (build/faults/pg, 127.0.0.1:15461), HTTP ports
# 18131-18139. Each fault is one file of tests/faults/ run with `node --test`; each prints one
# result line with its figures. Exit status 0 only when every fault passed.
#
#   pg-outage     PostgreSQL stopped for a few seconds under writes and reads, then started
#   kill-import   the server SIGKILLed during a large POST /import, the CLI import SIGKILLed
#   disconnects   clients that drop uploads and downloads half-way; pool, connections, RSS
#   slowloris     silent and byte-by-byte clients; others served; the slow ones timed out
#   idle-flood    up to 10,000 idle connections above ORGWATCH_MAX_CONNECTIONS
#   per-ip        1,100 idle connections from 127.0.0.1 over ORGWATCH_MAX_CONNECTIONS_PER_IP
#                 while 127.0.0.2 is served
#   import-lock   exports stalled and an upload left half-way while two imports run; the
#                 half-sent upload never holds the import lock and, cut, goes within 1 s
#
# slowloris waits for the server's 30 s connection timeout, so it runs in the background
# while kill-import, disconnects, idle-flood and per-ip run (after pg-outage, which stops the
# cluster): its honest slow upload overlaps their imports, as it would in production;
# import-lock, which holds the import lock on purpose, runs after it.
#
# Settings: ORGWATCH_BIN (default build/orgwatch; e.g. build/san/orgwatch), FAULTS_ONLY
# (names of the faults to run, space-separated), FAULTS_IMPORT_LINES (kill-import's file,
# default 10000), FAULTS_IDLE_CONNECTIONS (idle-flood's target, default 10000).
# Logs: build/faults/logs/ (one per fault, one per server, setup.log, pg.log).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
WORK=$ROOT/build/faults
LOGS=$WORK/logs
PG_DIR=$WORK/pg
PG_PORT=15461
PG=$ROOT/scripts/pg.sh
BIN=${ORGWATCH_BIN:-$ROOT/build/orgwatch}
case $BIN in /*) ;; *) BIN=$ROOT/$BIN ;; esac
ALL="pg-outage slowloris kill-import disconnects import-lock idle-flood per-ip"
ONLY=${FAULTS_ONLY:-$ALL}

declare -A FILE_OF=(
	[pg-outage]=tests/faults/pg_outage.test.mjs
	[kill-import]=tests/faults/kill_import.test.mjs
	[disconnects]=tests/faults/disconnects.test.mjs
	[slowloris]=tests/faults/slowloris.test.mjs
	[idle-flood]=tests/faults/idle_flood.test.mjs
	[import-lock]=tests/faults/import_lock.test.mjs
	[per-ip]=tests/faults/per_ip.test.mjs
)
declare -A PORT_OF=([pg-outage]=18131 [kill-import]=18132 [disconnects]=18133 [slowloris]=18134 [idle-flood]=18135 [import-lock]=18136 [per-ip]=18137)

say() { printf '%s\n' "$*"; }
clock() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(clock)" 'BEGIN { printf "%.1f", b - a }'; }

for f in $ONLY; do
	[ -n "${FILE_OF[$f]:-}" ] || {
		say "faults.sh: unknown fault '$f' in FAULTS_ONLY (known: $ALL)" >&2
		exit 2
	}
done
[ -x "$BIN" ] || {
	say "faults.sh: no server binary at $BIN (run make all, or set ORGWATCH_BIN)" >&2
	exit 2
}
command -v node >/dev/null || {
	say "faults.sh: node is missing (bash scripts/deps.sh test)" >&2
	exit 2
}
command -v psql >/dev/null || {
	say "faults.sh: psql is missing (bash scripts/deps.sh test)" >&2
	exit 2
}

mkdir -p "$WORK"
exec 8>"$WORK/.lock"
if ! flock -n 8; then
	say "faults.sh: another faults.sh is running in this checkout" >&2
	exit 1
fi
rm -rf "$LOGS"
mkdir -p "$LOGS"
: >"$WORK/results"

# Sanitizer builds report this way (test.sh sets the same).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# idle-flood opens thousands of sockets: raise the open-files limit to the hard limit.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
NOFILE=$(ulimit -n)

BG_PID=
PG_LOG=
# shellcheck disable=SC2317 # the EXIT trap
cleanup() {
	set +e
	if [ -n "$BG_PID" ]; then # the background test (node) and its subshell
		kill -TERM "$(cat "$WORK/slowloris.pid" 2>/dev/null)" "$BG_PID" 2>/dev/null
		wait "$BG_PID" 2>/dev/null
	fi
	# Servers a test started and could not stop (it died first): ours only, by PID.
	if [ -f "$WORK/pids" ]; then
		local pid exe
		while read -r pid; do
			[[ $pid =~ ^[0-9]+$ ]] || continue
			exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || continue
			case $exe in "$BIN" | "$BIN (deleted)") kill -KILL "$pid" 2>/dev/null ;; esac
		done <"$WORK/pids"
		rm -f "$WORK/pids"
	fi
	[ -n "$PG_LOG" ] && cp "$PG_LOG" "$LOGS/pg.log" 2>/dev/null
	bash "$PG" destroy "$PG_DIR" >/dev/null 2>&1 8>&-
}
trap cleanup EXIT
trap 'exit 130' INT TERM

T0=$(clock)
say "== faults: $BIN$(grep -q __asan_init "$BIN" 2>/dev/null && printf ' (AddressSanitizer build)'), open files $NOFILE, logs build/faults/logs/"
bash "$PG" destroy "$PG_DIR" >/dev/null 2>&1 8>&- || true
rm -f "$WORK/pids"
# (fd 8, the lock, is closed for everything started from here: PostgreSQL, servers, node.)
if ! { bash "$PG" init "$PG_DIR" "$PG_PORT" --throwaway && bash "$PG" start "$PG_DIR"; } >"$LOGS/setup.log" 2>&1 8>&-; then
	cat "$LOGS/setup.log"
	say "faults.sh: could not start the cluster (port $PG_PORT)"
	exit 1
fi
DB_URL=$(bash "$PG" url "$PG_DIR")
PG_LOG=$(dirname "$(bash "$PG" where "$PG_DIR")")/pg.log
if ! ORGWATCH_DATABASE_URL=$DB_URL ORGWATCH_HOME=$ROOT "$BIN" migrate >>"$LOGS/setup.log" 2>&1 8>&- ||
	! EDITOR_KEY=$(ORGWATCH_DATABASE_URL=$DB_URL "$BIN" key create --name faults-editor --role editor 2>>"$LOGS/setup.log" 8>&-); then
	cat "$LOGS/setup.log"
	say "faults.sh: could not migrate the database or create a key"
	exit 1
fi
# The tests watch PostgreSQL as its superuser (trust auth on the throwaway cluster), which
# still works when the server under test has taken every ordinary connection slot.
SUPERUSER=$(psql "$DB_URL" -XAtc 'SELECT rolname FROM pg_roles WHERE oid = 10')
export FAULTS_DATABASE_URL=$DB_URL FAULTS_EDITOR_KEY=$EDITOR_KEY ORGWATCH_BIN=$BIN
export FAULTS_ADMIN_DATABASE_URL=postgresql://$SUPERUSER@127.0.0.1:$PG_PORT/orgwatch
export FAULTS_WORK=$WORK FAULTS_PG_SCRIPT=$PG FAULTS_PG_DIR=$PG_DIR
for f in "${!PORT_OF[@]}"; do
	v=FAULTS_PORT_${f//-/_}
	export "${v^^}=${PORT_OF[$f]}"
done
say "cluster ready on 127.0.0.1:$PG_PORT after $(since "$T0") s"

NODE_FLAGS=(--test --test-reporter=spec)
node --help 2>/dev/null | grep -q -- '--test-concurrency' && NODE_FLAGS+=(--test-concurrency=1)

declare -a NAMES=() RESULTS=() SECS=()
declare -A START_OF=()

# finish_fault NAME STATUS [END] — one line: the verdict, the time, the figures; the failures.
finish_fault() {
	local name=$1 rc=$2 end=${3:-$(clock)} verdict=PASS figures
	[ "$rc" = 0 ] || verdict=FAIL
	figures=$(grep -m1 "^$name: " "$WORK/results" | cut -d' ' -f2- || true)
	NAMES+=("$name")
	RESULTS+=("$verdict")
	SECS+=("$(awk -v a="${START_OF[$name]}" -v b="$end" 'BEGIN { printf "%.1f", b - a }')")
	say "$name: $verdict (${SECS[-1]} s) — ${figures:-no figures (the test stopped early)}"
	if [ "$verdict" = FAIL ]; then
		# The spec reporter's summary of failures, else the end of the output.
		if grep -q 'failing tests:' "$LOGS/$name.log"; then
			sed -n '/failing tests:/,$p' "$LOGS/$name.log" |
				grep -Ev '^\s*(at |generatedMessage:|code:|actual:|expected:|operator:|}$|$)' | head -n 40 | sed 's/^/    /'
		else
			tail -n 30 "$LOGS/$name.log" | sed 's/^/    /'
		fi
	fi
}

run_fault() {
	local name=$1 rc=0
	START_OF[$name]=$(clock)
	node "${NODE_FLAGS[@]}" "${FILE_OF[$name]}" </dev/null >"$LOGS/$name.log" 2>&1 8>&- || rc=$?
	finish_fault "$name" "$rc"
}

wants() { [[ " $ONLY " == *" $1 "* ]]; }

wants pg-outage && run_fault pg-outage
if wants slowloris; then
	START_OF[slowloris]=$(clock)
	rm -f "$WORK/slowloris.end" "$WORK/slowloris.pid"
	(
		rc=0
		node "${NODE_FLAGS[@]}" "${FILE_OF[slowloris]}" </dev/null >"$LOGS/slowloris.log" 2>&1 8>&- &
		echo $! >"$WORK/slowloris.pid"
		wait $! || rc=$?
		clock >"$WORK/slowloris.end"
		exit "$rc"
	) &
	BG_PID=$!
	say "slowloris: running in the background (it waits for the server's connection timeout)"
fi
wants kill-import && run_fault kill-import
wants disconnects && run_fault disconnects
wants idle-flood && run_fault idle-flood
wants per-ip && run_fault per-ip
if [ -n "$BG_PID" ]; then
	rc=0
	wait "$BG_PID" || rc=$?
	BG_PID=
	finish_fault slowloris "$rc" "$(cat "$WORK/slowloris.end" 2>/dev/null || clock)"
fi
# import-lock holds the import lock on purpose for over 10 s (an import then answers 503):
# run alongside slowloris, it made slowloris's honest upload meet that 503 when their timings
# met. So it runs once slowloris is done.
wants import-lock && run_fault import-lock

failed=0
for i in "${!NAMES[@]}"; do [ "${RESULTS[$i]}" = PASS ] || failed=$((failed + 1)); done
say "== faults: $((${#NAMES[@]} - failed)) passed, $failed failed in $(since "$T0") s"
[ "$failed" = 0 ]
