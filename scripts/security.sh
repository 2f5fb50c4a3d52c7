#!/usr/bin/env bash
# security.sh — owns `make security` after the packages are installed and build/orgwatch is
# built: sqlmap (--level 3 --risk 2, PostgreSQL payloads, every technique) against every
# parameter of the API that can reach the database, on a throwaway cluster
# (build/security/pg, 127.0.0.1:15451) with the sample data plus fixture records and a server
# on 127.0.0.1:18121. Prints one line per target (method, path, parameters tested, requests,
# result, seconds) and a line of totals. Exit status 0 only when no target is injectable and
# every target was really tested.
#
# Targets (tests/security/targets.mjs enumerates them from openapi.yaml, so a new endpoint or
# parameter without a test value stops the run instead of being forgotten):
#   query   every GET with query parameters, all of them at valid values (a 200 holding
#           fixture records, so "false" payloads change the answer), all tested
#   path    every {id} path segment (GET, PATCH, POST merge), marked with *
#   cursor  the keyset values inside each list's `cursor`, one target per value: cursors are
#           checksummed, so tests/security/tamper/ow_cursor.py forges a valid cursor around
#           each payload (plain sqlmap payloads would never get past the checksum)
#   body    every POST/PATCH JSON body: every field (nested and array elements too), in
#           variants that together carry every property of the schema (slug and id
#           references; the id variant tests only the fields the slug variant lacks). Creates
#           get a fresh natural key per request from sqlmap --eval, so they stay 201s
#   header  If-Match (each PATCH), Idempotency-Key (POST /people, a create that always
#           ends in 409, so each answer is the same), Authorization (PATCH), and
#           level 3's User-Agent/Referer (once)
#   delete  every DELETE: {id} and If-Match, with an If-Match that never matches (412, nothing
#           is deleted)
#   import  POST /import: one NDJSON line per record type, testing `type` and the natural-key
#           fields the upsert looks records up by (the other fields reach the same
#           ow_*_write functions the body targets test field by field), ?type/?dry_run, and
#           a CSV body (type, slug, a "a; b" list)
#
# What is not tested, and why:
#   - GET /health, /ready, /metrics, /openapi.yaml and /: no parameters, no body.
#   - If-None-Match, Accept, Content-Type, X-Request-Id: the server compares or validates
#     them in C (server/h_records.c, server/http.c); none reaches SQL.
#   - Cookie: the API sets and reads none. Host (level 5 only): not part of level 3.
#   - User-Agent/Referer on every target: level 3 would test them everywhere, but the
#     server never reads them; they are tested once (GET /people) and left out elsewhere
#     with -p, which saves about 5 s per target.
#   - Accept: text/csv variants of the lists: same handlers and statements as JSON.
#   - sqlmap's offer to extend to level 5 / risk 3 when it recognises PostgreSQL from an
#     error message is declined (--answers), to keep the run at the level asked for and
#     risk 2 (risk 3 adds OR-based payloads that can rewrite whole tables via UPDATE).
#   - Import: the non-key fields of each record type (see above); the id-reference
#     alternatives (person_id, ...) in import lines (same ow_ref as POST bodies).
# sqlmap's prompt to skip parameters that look type-cast (e.g. UUIDs, limit) is answered
# No, so those are tested too rather than silently skipped. A target counts as UNTESTED (and
# fails the run) when sqlmap tested fewer parameters than listed, its first, unaltered
# request did not get the expected status (200, 201 for creates, 412 for If-Match/DELETE,
# 409 for Idempotency-Key), or it reported an error or a critical condition.
# sqlmap -t (traffic log) is not used: it doubles sqlmap's time. Every request carries
# X-Request-Id: sqlmap-target-NNN instead, and the server log gives requests, statuses, 5xx.
#
# Settings: SECURITY_ONLY (a regex: only targets whose name matches), SECURITY_THREADS
# (sqlmap --threads, default 2), SECURITY_SELFTEST=1 (point the same machinery at
# tests/security/vulnerable.py, a deliberately injectable stand-in for the server: the run
# must then report INJECTABLE and exit 1 — the proof that the detector works).
# Ports: PostgreSQL 15451, HTTP 18121. Logs and sqlmap output: build/security/.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

PG_PORT=15451
HTTP_PORT=18121
WORK=$ROOT/build/security
PG_DIR=$WORK/pg
OUT=$WORK/sqlmap
BIN=$ROOT/build/orgwatch
PG=$ROOT/scripts/pg.sh
BASE=http://127.0.0.1:$HTTP_PORT
SERVER_LOG=$WORK/server.log
SERVER_PID_FILE=$WORK/server.pid
THREADS=${SECURITY_THREADS:-2}
SELFTEST=${SECURITY_SELFTEST:-0}
ONLY=${SECURITY_ONLY:-}
export TERM=dumb # sqlmap draws nothing then

say() { printf '%s\n' "$*"; }
die() {
	printf 'security.sh: %s\n' "$*" >&2
	exit 1
}
clock() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(clock)" 'BEGIN { printf "%.1f", b - a }'; }

command -v sqlmap >/dev/null || die "sqlmap is missing (bash scripts/deps.sh security)"
command -v jq >/dev/null || die "jq is missing (bash scripts/deps.sh security)"
command -v node >/dev/null || die "node is missing: openapi.yaml is read with node and node_modules/yaml (bash scripts/deps.sh test)"
[ -d node_modules/yaml ] || die "node_modules/yaml is missing (bash scripts/deps.sh test, or npm ci)"
[ -x "$BIN" ] || die "$BIN is missing (make all)"

mkdir -p "$WORK"
exec 9>"$WORK/.lock"
flock -n 9 || die "another 'make security' is running in this checkout"

# ------------------------------------------------------------------ server and cluster

# shellcheck source=scripts/server-lib.sh
. "$ROOT/scripts/server-lib.sh"
LEFTOVER_ALSO='*/python3*' # the self-test server (tests/security/vulnerable.py)
LEFTOVER_ALSO_ARG=vulnerable.py
PG_UP=0

# shellcheck disable=SC2317 # the EXIT trap
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	set +e
	stop_server
	[ "$PG_UP" = 1 ] && bash "$PG" destroy "$PG_DIR" >/dev/null 2>&1
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_ready() { # URL
	local i
	for i in $(seq 300); do
		if ! kill -0 "$SERVER_PID" 2>/dev/null; then
			tail -n 30 "$SERVER_LOG"
			die "the server exited at start"
		fi
		curl -fsS --max-time 2 -o /dev/null "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	die "the server did not answer $1 within 30 s"
}

stop_leftover_server
port_busy "$HTTP_PORT" && die "port $HTTP_PORT on 127.0.0.1 is taken by another program"
rm -rf "$OUT" "$WORK/logs" "$SERVER_LOG"
mkdir -p "$OUT" "$WORK/logs"
T_ALL=$(clock)

say "== throwaway cluster $PG_DIR on 127.0.0.1:$PG_PORT"
bash "$PG" destroy "$PG_DIR" >/dev/null 2>&1 || true
PG_UP=1
bash "$PG" init "$PG_DIR" "$PG_PORT" --throwaway
bash "$PG" start "$PG_DIR"
ORGWATCH_DATABASE_URL=$(bash "$PG" url "$PG_DIR")
export ORGWATCH_DATABASE_URL ORGWATCH_HOME=$ROOT
"$BIN" migrate >/dev/null
"$BIN" load-sample

if [ "$SELFTEST" = 1 ]; then
	say "== SELFTEST: tests/security/vulnerable.py (deliberately injectable) on $BASE"
	SEC_DATABASE_URL=$ORGWATCH_DATABASE_URL python3 tests/security/vulnerable.py "$HTTP_PORT" \
		>"$SERVER_LOG" 2>&1 </dev/null 9>&- &
	SERVER_PID=$!
	printf '%s\n' "$SERVER_PID" >"$SERVER_PID_FILE"
	wait_ready "$BASE/health"
	python3 tests/security/vulnerable.py --targets "$BASE" >"$WORK/targets.jsonl"
else
	KEY=$("$BIN" key create --name "security-editor-$$" --role editor)
	say "== server: $BIN serve on $BASE (log $SERVER_LOG)"
	ORGWATCH_LISTEN=127.0.0.1:$HTTP_PORT ORGWATCH_LOG=info ORGWATCH_RATE_READS=0 ORGWATCH_RATE_WRITES=0 ORGWATCH_RATE_IMPORTS=0 "$BIN" serve >"$SERVER_LOG" 2>&1 </dev/null 9>&- &
	SERVER_PID=$!
	printf '%s\n' "$SERVER_PID" >"$SERVER_PID_FILE"
	wait_ready "$BASE/health"
	say "== fixture records and targets (tests/security/targets.mjs, from openapi.yaml)"
	export SEC_BASE=$BASE SEC_KEY=$KEY
	node tests/security/targets.mjs setup >"$WORK/context.json"
	node tests/security/targets.mjs targets "$WORK/context.json" >"$WORK/targets.jsonl"
fi

if [ -n "$ONLY" ]; then
	jq -c --arg re "$ONLY" 'select(.name | test($re))' "$WORK/targets.jsonl" >"$WORK/targets.only.jsonl"
	mv "$WORK/targets.only.jsonl" "$WORK/targets.jsonl"
fi
NT=$(wc -l <"$WORK/targets.jsonl")
[ "$NT" -gt 0 ] || die "no targets"
say "$NT targets; sqlmap $(sqlmap --version 2>/dev/null | head -1), --level 3 --risk 2 --threads $THREADS"

# ------------------------------------------------------------------ one target

ANSWERS='extending provided=N,skip those kind=N'
# sqlmap [ERROR] lines that do not mean a parameter went untested: the final verdict, and the
# type-casting notice whose "skip?" prompt ANSWERS declines.
BENIGN_ERRORS='all tested parameters do not appear to be injectable|possible type casting detected'
# sqlmap [CRITICAL] lines after which it still tests everything: creates answer a new record
# (id, slug, timestamps) every time, so sqlmap may call the page "heavily dynamic" and retry;
# its time-, error- and UNION-based tests do not depend on the page comparison.
BENIGN_CRITICAL='content appears to be heavily dynamic'
# Request lines of the server log: "<time> <LEVEL> <METHOD> <path> <status> <ms> id=<X-Request-Id> key=...".
# shellcheck disable=SC2016 # awk code, expanded by awk
REQ_LINES='$3 ~ /^(GET|POST|PATCH|PUT|DELETE|HEAD|OPTIONS)$/ && $5 ~ /^[0-9][0-9][0-9]$/'

# requests_of ID — "<requests> <5xx answers> <status of the first>" of one target, from the
# server log: every request of a target carries X-Request-Id: sqlmap-target-ID (sqlmap's
# -t traffic log would say the same but doubles sqlmap's running time).
requests_of() {
	awk -v rid="id=sqlmap-target-$1" "$REQ_LINES"' && $7 == rid { n++; if ($5 ~ /^5/) e++; if (!f) f = $5 }
		END { printf "%d %d %s\n", n, e, (f ? f : "none") }' "$SERVER_LOG"
}

declare -a T_N=() T_KIND=() T_METHOD=() T_NAME=() T_TESTED=() T_SECS=() T_RESULT=() T_WHY=() T_EXPECT=() T_WANT=()

run_target() { # JSON line
	local t=$1 n name kind method url data params expect ev tamper nojson want id
	n=$(jq -r .n <<<"$t")
	name=$(jq -r .name <<<"$t")
	kind=$(jq -r .kind <<<"$t")
	method=$(jq -r .method <<<"$t")
	url=$(jq -r .url <<<"$t")
	expect=$(jq -r .expect <<<"$t")
	params=$(jq -r 'if .params then .params | join(",") else "" end' <<<"$t")
	ev=$(jq -r '.eval // ""' <<<"$t")
	tamper=$(jq -r '.tamper // false' <<<"$t")
	nojson=$(jq -r '.noJson // false' <<<"$t")
	want=$(jq -r '(.tests // .params // []) | length' <<<"$t")
	id=$(printf '%03d' "$n")
	local dir=$OUT/$id log=$WORK/logs/$id.log
	mkdir -p "$dir"
	local args=(-u "$url" --method "$method" --batch --level 3 --risk 2 --dbms=PostgreSQL
		--output-dir="$dir" --flush-session --threads "$THREADS" --skip-waf --disable-coloring)
	local answers=$ANSWERS
	# Targets of a path segment or a header send a JSON body without testing it.
	[ "$nojson" = true ] && answers="$answers,JSON data found=N"
	args+=(--answers="$answers")
	if jq -e 'has("data")' <<<"$t" >/dev/null; then
		data=$(jq -r .data <<<"$t")
		args+=(--data "$data")
	fi
	# A fixed X-Request-Id: the server echoes it in every error body (a random one there makes
	# short answers look "heavily dynamic" to sqlmap), and it names the target's requests in
	# the server log.
	local headers
	headers=$(jq -r --arg rid "sqlmap-target-$id" '(.headers // []) + ["X-Request-Id: \($rid)"] | join("\n")' <<<"$t")
	args+=(--headers "$headers")
	[ -n "$params" ] && args+=(-p "$params")
	[ -n "$ev" ] && args+=(--eval "$ev")
	[ "$tamper" = true ] && args+=(--tamper "$ROOT/tests/security/tamper/ow_cursor.py")
	local ignore
	ignore=$(jq -r '.ignoreCode // ""' <<<"$t")
	[ -n "$ignore" ] && args+=(--ignore-code "$ignore")
	local envs=()
	mapfile -t envs < <(jq -r '(.env // {}) | to_entries[] | "\(.key)=\(.value)"' <<<"$t")

	local t0 rc=0 secs
	t0=$(clock)
	printf '%s\n' "$t" >"$log"
	env "${envs[@]}" sqlmap "${args[@]}" </dev/null >>"$log" 2>&1 9>&- || rc=$?
	secs=$(since "$t0")

	# The parameters sqlmap really tested ("testing for SQL injection on <place> parameter 'x'").
	local tested
	tested=$({ grep -oE "testing for SQL injection on [^']*'[^']+'" "$log" || true; } | sort -u | wc -l)

	# Injectable: sqlmap's confirmation in its output, its injection log, or a row of its results
	# CSV — except the rows it writes for a candidate its own false-positive check rejected
	# ("appears to be ... injectable", then "false positive or unexploitable"), which happens
	# when a write echoes the payload back (a title, a description).
	local result=ok why="" rows
	rows=$(cat "$dir"/results-*.csv 2>/dev/null | { grep -v '^Target URL,' || true; } | { grep -vc 'false positive or unexploitable' || true; })
	if grep -qE 'identified the following injection point|is vulnerable\. Do you want' "$log" ||
		[ -s "$dir/127.0.0.1/log" ] || [ "${rows:-0}" -gt 0 ]; then
		result=INJECTABLE
	elif [ "$rc" != 0 ]; then
		result=UNTESTED why="sqlmap exit status $rc"
	elif grep '\[CRITICAL\]' "$log" | grep -qvE "$BENIGN_CRITICAL"; then
		result=UNTESTED why=$(grep '\[CRITICAL\]' "$log" | grep -vE "$BENIGN_CRITICAL" | head -1 | sed 's/^.*\[CRITICAL\] //' | cut -c1-100 || true)
	elif [ "$tested" -lt "$want" ]; then
		result=UNTESTED why="sqlmap tested $tested of $want parameters"
	elif grep -E '\[ERROR\]' "$log" | grep -qvE "$BENIGN_ERRORS"; then
		result=UNTESTED why=$(grep -E '\[ERROR\]' "$log" | grep -vE "$BENIGN_ERRORS" | head -1 | sed 's/^.*\[ERROR\] //' | cut -c1-100 || true)
	fi
	# Notes that do not change the verdict.
	if [ "$result" = ok ]; then
		grep -q 'false positive or unexploitable' "$log" && why="a candidate rejected by sqlmap's false-positive check"
		grep -q 'heavily dynamic' "$log" && why="${why:+$why; }answers heavily dynamic (new record each time)"
	fi
	T_N+=("$n") T_KIND+=("$kind") T_METHOD+=("$method") T_NAME+=("${name#"$method" }") T_TESTED+=("$tested")
	T_SECS+=("$secs") T_RESULT+=("$result") T_WHY+=("$why") T_EXPECT+=("$expect") T_WANT+=("$want")
	local r
	read -r -a r < <(requests_of "$id")
	row "$n" "$kind" "$method" "${name#"$method" }" "$tested" "${r[0]}" "${r[1]}" "$result" "$secs" "$why"
	if [ "$result" = INJECTABLE ]; then
		say "    --- sqlmap's report (log build/security/logs/$id.log):"
		{
			sed -n '/^Parameter: /,/^---$/p' "$log" | awk '!seen[$0]++' | head -n 40
			grep -E 'appears to be .* injectable|is vulnerable' "$log" | head -n 5
		} | sed 's/^/    /' || true
	fi
}

row() { # n kind method name params requests 5xx result secs note
	local shown=$8
	[ "$shown" = ok ] && shown="not injectable"
	printf '%3s %-7s %-6s %-62.62s %6s %7s %5s %-14s %6s  %s\n' "$1" "$2" "$3" "$4" "$5" "$6" "$7" "$shown" "$9" "${10}"
}
HDR=$(printf '%3s %-7s %-6s %-62s %6s %7s %5s %-14s %6s  %s' '#' kind method 'path / parameters' params reqs 5xx result secs note)

say
say "$HDR"
while IFS= read -r line; do
	run_target "$line"
done <"$WORK/targets.jsonl"

# ------------------------------------------------------------------ the verdict

stop_server
CRASH=""
if [ "$SELFTEST" != 1 ] && [ -n "$SERVER_STATUS" ] && [ "$SERVER_STATUS" != 0 ]; then
	CRASH="the server exited with status $SERVER_STATUS after SIGTERM (want 0)"
fi

# Request counts and baselines from the complete server log, now that the server is stopped.
N_INJ=0 N_UNTESTED=0 N_OK=0 TOT_PARAMS=0 TOT_REQ=0 TOT_5XX=0
declare -A KIND_N=() KIND_OK=() KIND_PARAMS=() KIND_REQ=()
ROWS=()
for i in "${!T_N[@]}"; do
	id=$(printf '%03d' "${T_N[$i]}")
	read -r req n5xx first < <(requests_of "$id")
	result=${T_RESULT[$i]} why=${T_WHY[$i]}
	# sqlmap's first request is the unaltered one: it must get the answer the target expects
	# (else sqlmap compared payloads against an error page, or against nothing).
	if [ "$result" = ok ] && [ "$first" != "${T_EXPECT[$i]}" ]; then
		result=UNTESTED why="baseline answered $first, want ${T_EXPECT[$i]}"
	fi
	k=${T_KIND[$i]}
	KIND_N[$k]=$((${KIND_N[$k]:-0} + 1))
	KIND_PARAMS[$k]=$((${KIND_PARAMS[$k]:-0} + ${T_TESTED[$i]}))
	KIND_REQ[$k]=$((${KIND_REQ[$k]:-0} + req))
	case $result in
	ok)
		N_OK=$((N_OK + 1))
		KIND_OK[$k]=$((${KIND_OK[$k]:-0} + 1))
		;;
	INJECTABLE) N_INJ=$((N_INJ + 1)) ;;
	*) N_UNTESTED=$((N_UNTESTED + 1)) ;;
	esac
	TOT_PARAMS=$((TOT_PARAMS + ${T_TESTED[$i]}))
	TOT_REQ=$((TOT_REQ + req))
	TOT_5XX=$((TOT_5XX + n5xx))
	ROWS+=("$(row "${T_N[$i]}" "$k" "${T_METHOD[$i]}" "${T_NAME[$i]}" "${T_TESTED[$i]}" "$req" "$n5xx" "$result" "${T_SECS[$i]}" "$why")")
done
SRV_REQ=$(awk "$REQ_LINES" "$SERVER_LOG" | wc -l)
SRV_5XX=$(awk "$REQ_LINES"' && $5 ~ /^5/' "$SERVER_LOG" | wc -l)
SRV_500=$(awk "$REQ_LINES"' && $5 == "500"' "$SERVER_LOG" | wc -l)
SRV_503=$(awk "$REQ_LINES"' && $5 == "503"' "$SERVER_LOG" | wc -l)

say
say "== summary ($(since "$T_ALL") s; sqlmap logs build/security/logs/NNN.log, server log build/security/server.log)"
say "$HDR"
printf '%s\n' "${ROWS[@]}"
say
for k in query path cursor body header delete import; do
	[ -n "${KIND_N[$k]:-}" ] || continue
	printf '  %-7s %3s targets, %4s parameters, %7s requests: %3s not injectable, %s injectable or untested\n' "$k" \
		"${KIND_N[$k]}" "${KIND_PARAMS[$k]}" "${KIND_REQ[$k]}" "${KIND_OK[$k]:-0}" $((${KIND_N[$k]} - ${KIND_OK[$k]:-0}))
done
say "server log: $SRV_REQ requests in all (fixtures included), $SRV_5XX answered 5xx ($SRV_500 x 500, $SRV_503 x 503)${CRASH:+; $CRASH}"
if [ "$SRV_5XX" -gt 0 ]; then
	# Per target (X-Request-Id) and status, with the path of the first such answer.
	awk "$REQ_LINES"' && $5 ~ /^5/ { k = $3 " " $5 " " $7; if (!(k in n)) p[k] = substr($4, 1, 90); n[k]++ }
		END { for (k in n) printf "%7d  %s  e.g. %s\n", n[k], k, p[k] }' "$SERVER_LOG" | sort -rn | head -n 20
	{ grep -E '^[^ ]+ (ERROR|WARN) ' "$SERVER_LOG" || true; } | awk "!($REQ_LINES)" |
		sed -E 's/^[^ ]+ //; s/request [0-9a-zA-Z_.-]+: //' | sort | uniq -c | sort -rn | head -n 10 | sed 's/^/    /'
fi
say "$NT targets, $TOT_PARAMS parameters, $TOT_REQ requests: $N_OK not injectable, $N_INJ injectable, $N_UNTESTED untested; $TOT_5XX answers 5xx"
if [ "$SELFTEST" = 1 ]; then
	say "SELFTEST: the planted injections must show as INJECTABLE above and the control as not injectable;"
	say "SELFTEST: the exit status 1 that follows is the expected outcome."
fi
if [ "$N_INJ" -gt 0 ] || [ "$N_UNTESTED" -gt 0 ] || [ -n "$CRASH" ]; then
	say "security: FAILED"
	exit 1
fi
say "security: passed (nothing injectable)"
