#!/usr/bin/env bash
# soak.sh — owns `make soak`: SOAK_SECONDS (600) of mixed reads and writes (bench/soak.lua,
# ~60% reads, ~40% writes) at 64 connections with wrk against the optimized server on a
# throwaway cluster loaded with the sample dataset. Passes only when:
#   - every answer was 2xx (no 5xx, and no 3xx/4xx either: the mix sends none it expects),
#     and wrk reports no socket error (connect/read/write/timeout);
#   - every write acknowledged with a 2xx is in the database afterwards: each person created
#     (201) exists with the id of its Location, each PATCH answered 200 left its bio, each
#     position and departure created exists with its person, organization and date, and each
#     departure closed its person's position there (ended_on = departed_on);
#   - the server's RSS is flat: VmRSS at the end is at most SOAK_RSS_SLACK_MB (50) above the
#     sample taken 60 s into the load (after the warm-up: connections, plan caches, allocator
#     arenas); the start (idle) and a sample every 30 s are printed;
#   - the server is still up at the end and stops cleanly (exit 0) on SIGTERM.
# Settings: SOAK_SECONDS (600), SOAK_CONNECTIONS (64), SOAK_THREADS (wrk threads, 2),
# SOAK_TIMEOUT (wrk --timeout, 10s), SOAK_RSS_SLACK_MB (50), SOAK_SAMPLE_SECONDS (30),
# SOAK_LOG (server log level, info: one line a request, in build/soak/server.log),
# SOAK_PG_PORT (15471), SOAK_HTTP_PORT (18141).
# Outputs in build/soak/: wrk.txt, rss.txt, acks.tsv (acknowledged writes), server.log,
# summary.txt; out/bad-*.txt (every non-2xx answer with its body), out/acks-*.tsv (per wrk
# thread). The cluster is deleted at the end.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
WORK=$ROOT/build/soak
OUT=$WORK/out
PG_DIR=$WORK/pg
PG_PORT=${SOAK_PG_PORT:-15471}
HTTP_PORT=${SOAK_HTTP_PORT:-18141}
SECS=${SOAK_SECONDS:-600}
CONNS=${SOAK_CONNECTIONS:-64}
WRK_THREADS=${SOAK_THREADS:-2}
WRK_TIMEOUT=${SOAK_TIMEOUT:-10s}
SLACK_MB=${SOAK_RSS_SLACK_MB:-50}
SAMPLE_SECS=${SOAK_SAMPLE_SECONDS:-30}
LOG_LEVEL=${SOAK_LOG:-info}
BASE=http://127.0.0.1:$HTTP_PORT
BIN=$WORK/orgwatch
SERVER_LOG=$WORK/server.log

say() { printf '== %s\n' "$*"; }
note() { printf '   %s\n' "$*"; }
die() {
	printf 'soak: %s\n' "$*" >&2
	exit 1
}
SERVER_PID_FILE=$WORK/server.pid
# shellcheck source=scripts/server-lib.sh
. "$ROOT/scripts/server-lib.sh"
FAILS=()
fail() {
	FAILS+=("$*")
	printf 'soak: FAIL: %s\n' "$*"
}

for v in SECS CONNS WRK_THREADS SLACK_MB SAMPLE_SECS PG_PORT HTTP_PORT; do
	case ${!v} in '' | *[!0-9]*) die "$v must be a whole number (got '${!v}')" ;; esac
done
[ "$SECS" -ge 1 ] || die "SOAK_SECONDS must be at least 1"
[ "$SAMPLE_SECS" -ge 1 ] || die "SOAK_SAMPLE_SECONDS must be at least 1"
missing=()
for tool in wrk psql curl awk ss; do command -v "$tool" >/dev/null || missing+=("$tool"); done
[ ${#missing[@]} = 0 ] || die "missing tools: ${missing[*]} (run: bash scripts/deps.sh soak)"
[ -x "$ROOT/build/orgwatch" ] || die "build/orgwatch is not built (run: make all)"
ports_free "SOAK_PG_PORT / SOAK_HTTP_PORT" "$PG_PORT" "$HTTP_PORT"

mkdir -p "$WORK" "$OUT"
rm -f "$OUT"/* "$WORK"/wrk.txt "$WORK"/rss.txt "$WORK"/acks.tsv "$WORK"/summary.txt "$SERVER_LOG"
# A private copy: a rebuild of build/orgwatch during the run cannot pull the binary away.
cp "$ROOT/build/orgwatch" "$BIN"

SAMPLER_PID=
PG_STARTED=0
cleanup() {
	local rc=$?
	trap '' INT TERM
	if [ -n "$SAMPLER_PID" ]; then
		kill "$SAMPLER_PID" 2>/dev/null || true
		wait "$SAMPLER_PID" 2>/dev/null || true
	fi
	stop_server
	if [ "$PG_STARTED" = 1 ]; then
		bash scripts/pg.sh destroy "$PG_DIR" >>"$WORK/pg-script.log" 2>&1 || true
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------------ cluster and server
say "cluster: build/soak/pg on 127.0.0.1:$PG_PORT (scripts/pg.sh, throwaway)"
: >"$WORK/pg-script.log"
bash scripts/pg.sh destroy "$PG_DIR" >>"$WORK/pg-script.log" 2>&1 || true
PG_STARTED=1
bash scripts/pg.sh init "$PG_DIR" "$PG_PORT" --throwaway >>"$WORK/pg-script.log" 2>&1 ||
	{ cat "$WORK/pg-script.log" >&2; die "pg.sh init failed"; }
bash scripts/pg.sh start "$PG_DIR" >>"$WORK/pg-script.log" 2>&1 ||
	{ cat "$WORK/pg-script.log" >&2; die "pg.sh start failed"; }
DB_URL=$(bash scripts/pg.sh url "$PG_DIR")
export ORGWATCH_DATABASE_URL=$DB_URL ORGWATCH_HOME=$ROOT
psql_q() { psql "$DB_URL" -X -q -v ON_ERROR_STOP=1 "$@"; }
"$BIN" migrate >"$OUT/migrate.txt" 2>&1 || { cat "$OUT/migrate.txt" >&2; die "orgwatch migrate failed"; }
"$BIN" load-sample >"$OUT/load-sample.txt" 2>&1 || { cat "$OUT/load-sample.txt" >&2; die "orgwatch load-sample failed"; }
KEY=$("$BIN" key create --name soak --role editor) || die "orgwatch key create failed"
psql_q -At -c "SELECT slug FROM people ORDER BY slug" >"$OUT/slugs.txt"
[ -s "$OUT/slugs.txt" ] || die "the sample has no people"
read -r N_PEOPLE0 N_POS0 N_DEP0 < <(psql_q -At -F ' ' -c "SELECT (SELECT count(*) FROM people),
	(SELECT count(*) FROM positions), (SELECT count(*) FROM departures)")
note "sample: $N_PEOPLE0 people, $N_POS0 positions, $N_DEP0 departures"

# The default ORGWATCH_MAX_CONNECTIONS (1024, server/config.c) is well above 64; it is set
# explicitly so that a smaller default later cannot turn the soak into a connection test.
max_conns=$((CONNS + 64))
[ "$max_conns" -ge 1024 ] || max_conns=1024
say "server: $BIN on $BASE (ORGWATCH_LOG=$LOG_LEVEL, log build/soak/server.log)"
stop_leftover_server
ORGWATCH_LISTEN=127.0.0.1:$HTTP_PORT ORGWATCH_LOG=$LOG_LEVEL ORGWATCH_MAX_CONNECTIONS=$max_conns ORGWATCH_MAX_CONNECTIONS_PER_IP=100000 ORGWATCH_RATE_READS=0 ORGWATCH_RATE_WRITES=0 ORGWATCH_RATE_IMPORTS=0 \
	"$BIN" serve </dev/null >"$SERVER_LOG" 2>&1 &
SERVER_PID=$!
echo "$SERVER_PID" >"$SERVER_PID_FILE"
up=0
for _ in $(seq 100); do
	if curl -fsS --max-time 2 -o /dev/null "$BASE/health" 2>/dev/null; then
		up=1
		break
	fi
	kill -0 "$SERVER_PID" 2>/dev/null || break
	sleep 0.1
done
[ "$up" = 1 ] || { tail -n 20 "$SERVER_LOG" >&2; die "the server did not answer /health within 10 s"; }
note "server pid $SERVER_PID, $(awk '$1 == "Threads:" { print $2 }' "/proc/$SERVER_PID/status") threads"

rss_kb() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status" 2>/dev/null; }
fds() { find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
mb() { awk -v k="${1:-}" 'BEGIN { if (k == "") print "-"; else printf "%.1f", k / 1024 }'; }

RSS_START=$(rss_kb "$SERVER_PID")
printf 'start %s %s\n' "$RSS_START" "$(fds "$SERVER_PID")" >"$WORK/rss.txt"
note "RSS at start (idle): $(mb "$RSS_START") MB, $(fds "$SERVER_PID") open fds"

# ------------------------------------------------------------------ the load
say "wrk -t$WRK_THREADS -c$CONNS -d${SECS}s --timeout $WRK_TIMEOUT --latency -s bench/soak.lua $BASE"
# The sampler: VmRSS and open fds of the server every SAMPLE_SECS seconds of the run.
(
	pid=$SERVER_PID
	t0=$(date +%s)
	next=$SAMPLE_SECS
	while [ "$next" -le "$SECS" ]; do
		now=$(date +%s)
		[ $((now - t0)) -lt "$next" ] && sleep $((t0 + next - now))
		kill -0 "$pid" 2>/dev/null || exit 0
		r=$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$pid/status" 2>/dev/null)
		f=$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
		printf '%s %s %s\n' "$next" "$r" "$f" >>"$WORK/rss.txt"
		printf '   t=%4ss  RSS %7s MB  fds %s\n' "$next" "$(awk -v k="$r" 'BEGIN { printf "%.1f", k / 1024 }')" "$f"
		next=$((next + SAMPLE_SECS))
	done
) &
SAMPLER_PID=$!
T0=$(date +%s%3N)
set +e
timeout $((SECS + 120)) wrk -t"$WRK_THREADS" -c"$CONNS" -d"${SECS}s" --timeout "$WRK_TIMEOUT" --latency \
	-s "$ROOT/bench/soak.lua" "$BASE" -- "$OUT/slugs.txt" "$OUT" "$KEY" </dev/null >"$WORK/wrk.txt" 2>&1
WRK_RC=$?
set -e
WALL=$(awk -v a="$T0" -v b="$(date +%s%3N)" 'BEGIN { printf "%.1f", (b - a) / 1000 }')
kill "$SAMPLER_PID" 2>/dev/null || true
wait "$SAMPLER_PID" 2>/dev/null || true
SAMPLER_PID=

ALIVE=1
if kill -0 "$SERVER_PID" 2>/dev/null; then
	RSS_END=$(rss_kb "$SERVER_PID")
	FDS_END=$(fds "$SERVER_PID")
	printf 'end %s %s\n' "$RSS_END" "$FDS_END" >>"$WORK/rss.txt"
	note "t=end    RSS $(mb "$RSS_END") MB  fds $FDS_END"
else
	ALIVE=0
	st=0
	wait "$SERVER_PID" || st=$?
	SERVER_PID=
	tail -n 20 "$SERVER_LOG"
	why="exit status $st"
	[ "$st" -gt 128 ] && why="$why: killed by signal $((st - 128))"
	fail "the server died during the run ($why; see build/soak/server.log)"
fi

# ------------------------------------------------------------------ wrk's figures
echo
say "wrk (build/soak/wrk.txt)"
{ grep -v '^soak: ' "$WORK/wrk.txt" || true; } | sed 's/^/   /'
[ "$WRK_RC" = 0 ] || fail "wrk exited with status $WRK_RC"
to_ms() {
	awk -v want="$1%" '$1 == want {
		v = $2; u = v; sub(/^[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
		f = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : (u == "m") ? 60000 : -1
		printf "%.2f", v * f; exit }' "$WORK/wrk.txt"
}
P50=$(to_ms 50)
P90=$(to_ms 90)
P99=$(to_ms 99)
RPS=$(awk '/^Requests\/sec:/ { print $2 }' "$WORK/wrk.txt")
read -r TOTAL WRK_DUR < <(awk '/ requests in / { d = $4; sub(/,$/, "", d); print $1, d }' "$WORK/wrk.txt") || true
MAXLAT=$(awk '$1 == "Latency" { print $4; exit }' "$WORK/wrk.txt")
SOCKET_LINE=$(grep 'Socket errors' "$WORK/wrk.txt" || true)
SOCKERR=0
if [ -n "$SOCKET_LINE" ]; then
	SOCKERR=$(printf '%s\n' "$SOCKET_LINE" | awk '{ n = 0; for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) n += $i; print n }')
fi
NON2XX=$(awk -F': *' '/Non-2xx or 3xx responses/ { print $2 }' "$WORK/wrk.txt")
read -r C2 C3 C4 C5 COTHER UNMATCHED < <(sed -n \
	's/^soak: total [0-9]* answers: 2xx=\([0-9]*\) 3xx=\([0-9]*\) 4xx=\([0-9]*\) 5xx=\([0-9]*\) other=\([0-9]*\) unmatched=\([0-9]*\)$/\1 \2 \3 \4 \5 \6/p' \
	"$WORK/wrk.txt") || true

echo
say "answers by operation (bench/soak.lua)"
{ grep '^soak: ' "$WORK/wrk.txt" || true; } | sed 's/^soak: /   /'
if [ -z "${C2:-}" ]; then
	fail "could not read the status counts of bench/soak.lua from build/soak/wrk.txt"
	C2=0 C3=0 C4=0 C5=0 COTHER=0 UNMATCHED=0
fi
if [ -z "$RPS" ] || [ -z "$P99" ]; then fail "could not read wrk's summary (build/soak/wrk.txt)"; fi
[ "$C5" = 0 ] || fail "$C5 answers were 5xx (see build/soak/out/bad-*.txt)"
[ "$C4" = 0 ] || fail "$C4 answers were 4xx (see build/soak/out/bad-*.txt)"
[ "$C3" = 0 ] || fail "$C3 answers were 3xx (see build/soak/out/bad-*.txt)"
[ "$COTHER" = 0 ] || fail "$COTHER answers had a status outside 2xx-5xx"
[ "$UNMATCHED" = 0 ] || fail "$UNMATCHED answers did not echo the request's X-Request-Id"
[ "$SOCKERR" = 0 ] || fail "wrk: $SOCKET_LINE"
if [ -s "$SERVER_LOG" ]; then
	LOG_5XX=$(grep -c ' WARN [A-Z]* [^ ]* 5[0-9][0-9] ' "$SERVER_LOG" || true)
	LOG_ERR=$(grep -c ' ERROR ' "$SERVER_LOG" || true)
	LOG_EARLY=$(grep -c '(connection ended early)' "$SERVER_LOG" || true)
else
	LOG_5XX=- LOG_ERR=- LOG_EARLY=-
fi
note "server log: ${LOG_5XX} 5xx lines, ${LOG_ERR} ERROR lines, ${LOG_EARLY} requests ended early" \
	"(a client gone before its answer: wrk's requests in flight when it stops)"
[ "$LOG_ERR" = 0 ] || [ "$LOG_ERR" = - ] || {
	grep ' ERROR ' "$SERVER_LOG" | head -n 5 | sed 's/^/   /'
	fail "the server logged $LOG_ERR ERROR lines"
}

# ------------------------------------------------------------------ RSS
echo
say "server RSS (VmRSS; build/soak/rss.txt)"
awk '{ printf "   %-6s %8.1f MB  %s fds\n", ($1 ~ /^[0-9]+$/ ? "t=" $1 "s" : $1), $2 / 1024, $3 }' "$WORK/rss.txt"
# The baseline: the sample at 60 s (after the warm-up); the first sample in shorter runs.
BASE_T=$(awk '$1 ~ /^[0-9]+$/ && $1 >= 60 { print $1; exit }' "$WORK/rss.txt")
[ -n "$BASE_T" ] || BASE_T=$(awk '$1 ~ /^[0-9]+$/ { print $1; exit }' "$WORK/rss.txt")
RSS_BASE=
[ -n "$BASE_T" ] && RSS_BASE=$(awk -v t="$BASE_T" '$1 == t { print $2 }' "$WORK/rss.txt")
[ -n "$RSS_BASE" ] || { BASE_T=start; RSS_BASE=$RSS_START; }
RSS_VERDICT="-"
if [ "$ALIVE" = 1 ] && [ -n "${RSS_END:-}" ]; then
	growth_kb=$((RSS_END - RSS_BASE))
	RSS_VERDICT=$(awk -v g="$growth_kb" -v s="$SLACK_MB" 'BEGIN { printf "%+.1f MB (bound +%d MB)", g / 1024, s }')
	note "flat means: RSS at the end <= RSS at t=${BASE_T}${BASE_T:+s} + ${SLACK_MB} MB: $RSS_VERDICT"
	[ "$growth_kb" -le $((SLACK_MB * 1024)) ] ||
		fail "RSS grew by $(mb "$growth_kb") MB between t=${BASE_T}s and the end (bound $SLACK_MB MB)"
fi

# ------------------------------------------------------------------ acknowledged writes
echo
say "acknowledged writes (build/soak/acks.tsv) against the database"
cat "$OUT"/acks-*.tsv 2>/dev/null |
	awk -F'\t' -v OFS='\t' '{ for (i = NF + 1; i <= 6; i++) $i = "\\N"; print }' >"$WORK/acks.tsv" || true
VERIFY=$(
	psql_q -At -F ' ' <<SQL
CREATE TEMP TABLE acks (kind text, rid text, a text, b text, c text, d text);
\copy acks FROM '$WORK/acks.tsv'
CREATE TEMP VIEW ack_person AS SELECT a AS slug, b AS id FROM acks WHERE kind = 'person';
CREATE TEMP VIEW ack_patch AS SELECT a AS slug, b AS bio FROM acks WHERE kind = 'patch';
CREATE TEMP VIEW ack_position AS SELECT a AS id, b AS person, c AS org, d AS started_on
	FROM acks WHERE kind = 'position';
CREATE TEMP VIEW ack_departure AS SELECT a AS id, b AS person, c AS org, d AS departed_on
	FROM acks WHERE kind = 'departure';
SELECT
	(SELECT count(*) FROM ack_person),
	(SELECT count(*) FROM ack_person k JOIN people p ON p.slug = k.slug),
	(SELECT count(*) FROM ack_person k JOIN people p ON p.slug = k.slug AND p.id::text = k.id),
	(SELECT count(*) FROM ack_patch),
	(SELECT count(*) FROM ack_patch k JOIN people p ON p.slug = k.slug AND p.bio = k.bio),
	(SELECT count(*) FROM ack_position),
	(SELECT count(*) FROM ack_position k JOIN positions x ON x.id::text = k.id
		JOIN people p ON p.id = x.person_id AND p.slug = k.person
		JOIN organizations o ON o.id = x.org_id AND o.slug = k.org
		WHERE x.started_on::text = k.started_on),
	(SELECT count(*) FROM ack_departure),
	(SELECT count(*) FROM ack_departure k JOIN departures x ON x.id::text = k.id
		JOIN people p ON p.id = x.person_id AND p.slug = k.person
		JOIN organizations o ON o.id = x.org_id AND o.slug = k.org
		WHERE x.departed_on::text = k.departed_on),
	(SELECT count(*) FROM ack_departure d JOIN ack_position k ON k.person = d.person AND k.org = d.org),
	(SELECT count(*) FROM ack_departure d JOIN ack_position k ON k.person = d.person AND k.org = d.org
		JOIN positions x ON x.id::text = k.id WHERE x.ended_on::text = d.departed_on),
	(SELECT count(*) FROM acks WHERE kind NOT IN ('person', 'patch', 'position', 'departure'));
SQL
) || { VERIFY=; fail "the verification query failed"; }
read -r A_P A_PP A_PID A_PA A_PAV A_POS A_POSV A_DEP A_DEPV A_CL A_CLV A_ODD <<<"${VERIFY:-}"
if [ -n "${A_P:-}" ]; then
	echo "acknowledged writes: $A_P created, $A_PP present; $A_PA patched, $A_PAV verified"
	note "people created: $A_P acknowledged, $A_PP present, $A_PID with the id of their Location"
	note "positions created: $A_POS acknowledged, $A_POSV present (person, org, started_on)"
	note "departures created: $A_DEP acknowledged, $A_DEPV present (person, org, departed_on)"
	note "positions closed by a departure: $A_CL expected, $A_CLV with ended_on = departed_on"
	[ "$A_P" -gt 0 ] || fail "no write was acknowledged"
	[ "$A_P" = "$A_PP" ] || fail "$((A_P - A_PP)) people acknowledged with 201 are missing"
	[ "$A_PP" = "$A_PID" ] || fail "$((A_PP - A_PID)) people have another id than their Location said"
	[ "$A_PA" = "$A_PAV" ] || fail "$((A_PA - A_PAV)) PATCHes acknowledged with 200 did not leave their bio"
	[ "$A_POS" = "$A_POSV" ] || fail "$((A_POS - A_POSV)) positions acknowledged with 201 are missing or differ"
	[ "$A_DEP" = "$A_DEPV" ] || fail "$((A_DEP - A_DEPV)) departures acknowledged with 201 are missing or differ"
	[ "$A_CL" = "$A_CLV" ] || fail "$((A_CL - A_CLV)) positions were not closed by their acknowledged departure"
	[ "$A_ODD" = 0 ] || fail "$A_ODD lines of build/soak/acks.tsv have an unknown kind"
	if [ "$A_P" != "$A_PP" ] || [ "$A_PA" != "$A_PAV" ] || [ "$A_POS" != "$A_POSV" ] ||
		[ "$A_DEP" != "$A_DEPV" ] || [ "$A_CL" != "$A_CLV" ]; then
		note "first acknowledged writes missing from the database (kind, request id, ...):"
		psql_q -At -F ' ' <<SQL | head -n 20 | sed 's/^/     /'
CREATE TEMP TABLE acks (kind text, rid text, a text, b text, c text, d text);
\copy acks FROM '$WORK/acks.tsv'
SELECT k.* FROM acks k WHERE
	(kind = 'person' AND NOT EXISTS (SELECT 1 FROM people p WHERE p.slug = k.a)) OR
	(kind = 'patch' AND NOT EXISTS (SELECT 1 FROM people p WHERE p.slug = k.a AND p.bio = k.b)) OR
	(kind = 'position' AND NOT EXISTS (SELECT 1 FROM positions x WHERE x.id::text = k.a
		AND x.started_on::text = k.d)) OR
	(kind = 'departure' AND NOT EXISTS (SELECT 1 FROM departures x WHERE x.id::text = k.a
		AND x.departed_on::text = k.d))
ORDER BY rid LIMIT 20;
SQL
	fi
fi
read -r N_PEOPLE N_POS N_DEP < <(psql_q -At -F ' ' -c "SELECT (SELECT count(*) FROM people),
	(SELECT count(*) FROM positions), (SELECT count(*) FROM departures)") || true
note "database now: ${N_PEOPLE:-?} people, ${N_POS:-?} positions, ${N_DEP:-?} departures" \
	"(sample: $N_PEOPLE0, $N_POS0, $N_DEP0; writes cut off in flight at the end may add a few)"

# ------------------------------------------------------------------ shutdown
if [ "$ALIVE" = 1 ]; then
	SERVER_STATUS=0
	stop_server
	if [ "$SERVER_STATUS" = 0 ]; then
		note "server stopped cleanly on SIGTERM (exit 0)"
	else
		fail "the server exited with status $SERVER_STATUS on SIGTERM"
	fi
fi

# ------------------------------------------------------------------ summary
{
	echo
	echo "orgwatch soak: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
	printf '  duration     %s (wrk), %s s wall; %s connections, %s wrk threads\n' "${WRK_DUR:-?}" "$WALL" "$CONNS" "$WRK_THREADS"
	printf '  requests     %s total, %s req/s\n' "${TOTAL:-?}" "${RPS:-?}"
	printf '  latency      p50 %s ms, p90 %s ms, p99 %s ms, max %s\n' "${P50:-?}" "${P90:-?}" "${P99:-?}" "${MAXLAT:-?}"
	printf '  status       2xx %s, 3xx %s, 4xx %s, 5xx %s, other %s (wrk: non-2xx/3xx %s)\n' \
		"$C2" "$C3" "$C4" "$C5" "$COTHER" "${NON2XX:-0}"
	printf '  socket errs  %s\n' "${SOCKET_LINE:-none}"
	printf '  RSS          start %s MB, t=%ss %s MB, end %s MB: %s\n' "$(mb "$RSS_START")" "$BASE_T" \
		"$(mb "$RSS_BASE")" "$(mb "${RSS_END:-}")" "$RSS_VERDICT"
	printf '  samples      %s\n' "$(awk '$1 ~ /^[0-9]+$/ { printf "%s%ss %.1f", (n++ ? ", " : ""), $1, $2 / 1024 } END { if (!n) printf "-" }' "$WORK/rss.txt") MB"
	printf '  writes       %s created, %s present; %s patched, %s verified; %s positions, %s present; %s departures, %s present\n' \
		"${A_P:-?}" "${A_PP:-?}" "${A_PA:-?}" "${A_PAV:-?}" "${A_POS:-?}" "${A_POSV:-?}" "${A_DEP:-?}" "${A_DEPV:-?}"
	if [ ${#FAILS[@]} = 0 ]; then
		echo "soak: passed"
	else
		echo "soak: FAILED:"
		printf '  - %s\n' "${FAILS[@]}"
	fi
} | tee "$WORK/summary.txt"
[ ${#FAILS[@]} = 0 ]
