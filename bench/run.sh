#!/usr/bin/env bash
# run.sh — `make bench`: a throwaway PostgreSQL 15 cluster with a generated dataset, the
# optimized server on it, wrk against three endpoints and pgbench with the very SQL those
# endpoints send; prints req/s, p99 and the server/pgbench ratio. See bench/README.md.
#
# Settings (environment): BENCH_PG_PORT (15435), BENCH_HTTP_PORT (18090), BENCH_DURATION (10,
# seconds per run), BENCH_CONNECTIONS (32), BENCH_THREADS (2, server worker threads),
# BENCH_WITH_KEY=1 (send the reader key; adds the key lookup query to every request),
# BENCH_KEEP=1 (keep the stopped cluster in build/bench/pg/data instead of deleting it).
# Exit 0 when everything ran (whatever the figures), 1 when something failed to run.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PG_PORT=${BENCH_PG_PORT:-15435}
HTTP_PORT=${BENCH_HTTP_PORT:-18090}
DURATION=${BENCH_DURATION:-10}
CONNS=${BENCH_CONNECTIONS:-32}
SERVER_THREADS=${BENCH_THREADS:-2}
WORK=$ROOT/build/bench
PGDATA_DIR=$WORK/pg/data
OUT=$WORK/results
BIN=$ROOT/build/orgwatch
DB_URL= # from scripts/pg.sh url
BASE="http://127.0.0.1:$HTTP_PORT"

SERVER_PID=
PG_STARTED=0

say() { printf '== %s\n' "$*"; }
die() {
	printf 'bench: %s\n' "$*" >&2
	exit 1
}
now_ms() { date +%s%3N; }
secs_since() { awk -v a="$1" -v b="$(now_ms)" 'BEGIN { printf "%.1f", (b - a) / 1000 }'; }

# ---------------------------------------------------------------------------------------
# Preflight
# ---------------------------------------------------------------------------------------
preflight() {
	local missing=()
	command -v wrk >/dev/null || missing+=(wrk)
	command -v curl >/dev/null || missing+=(curl)
	command -v jq >/dev/null || missing+=(jq)
	command -v psql >/dev/null || missing+=(postgresql-client-15)
	[ -x "$PGBIN/pgbench" ] && [ -x "$PGBIN/initdb" ] || missing+=(postgresql-15)
	command -v "${CC:-cc}" >/dev/null || missing+=(gcc)
	if [ ${#missing[@]} -gt 0 ]; then
		die "missing tools; install them with: apt-get install -y --no-install-recommends ${missing[*]}"
	fi
	[ -f "$ROOT/scripts/pg.sh" ] || die "scripts/pg.sh is missing"
	[ -x "$BIN" ] || die "$BIN not built (run: make all)"
	if ldd "$BIN" 2>/dev/null | grep -Eq 'libasan|libubsan'; then
		die "$BIN is a sanitizer build; the benchmark needs the optimized build (make clean all)"
	fi
	local port
	for port in "$PG_PORT" "$HTTP_PORT"; do
		if ss -Hltn "sport = :$port" 2>/dev/null | grep -q .; then
			die "port $port on 127.0.0.1 is in use (set BENCH_PG_PORT / BENCH_HTTP_PORT)"
		fi
	done
	mkdir -p "$WORK" "$OUT"
	rm -f "$OUT"/*.txt
}

# ---------------------------------------------------------------------------------------
# Throwaway cluster, managed by scripts/pg.sh (as root PostgreSQL runs as a system user)
# ---------------------------------------------------------------------------------------
pgsh() { bash "$ROOT/scripts/pg.sh" "$@"; }

pg_init() {
	# Each run starts from an empty cluster: drop what an interrupted earlier run left.
	pgsh destroy "$PGDATA_DIR" 2>>"$OUT/pg.txt" || die "could not remove the old cluster (see $OUT/pg.txt)"
	pgsh init "$PGDATA_DIR" "$PG_PORT" --throwaway 2>>"$OUT/pg.txt" || {
		cat "$OUT/pg.txt" >&2
		die "pg.sh init failed"
	}
	# The hot tables and indexes (~120 MB) should fit in shared buffers.
	printf '# bench/run.sh\nshared_buffers = 256MB\nmax_wal_size = 2GB\n' \
		>>"$(pgsh where "$PGDATA_DIR")/postgresql.conf"
}

pg_start() {
	PG_STARTED=1
	pgsh start "$PGDATA_DIR" 2>>"$OUT/pg.txt" || {
		cat "$OUT/pg.txt" >&2
		die "pg.sh start failed"
	}
}

cleanup() {
	local rc=$?
	if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
		kill -TERM "$SERVER_PID" 2>/dev/null || true
		for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$SERVER_PID" 2>/dev/null || true
	fi
	if [ "$PG_STARTED" = 1 ]; then
		if [ "${BENCH_KEEP:-0}" = 1 ]; then
			pgsh stop "$PGDATA_DIR" 2>>"$OUT/pg.txt" || true
		else
			pgsh destroy "$PGDATA_DIR" 2>>"$OUT/pg.txt" || true
			rmdir "$WORK/pg" 2>/dev/null || true
		fi
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

psql_q() { psql "$DB_URL" -X -q -v ON_ERROR_STOP=1 "$@"; }

# ---------------------------------------------------------------------------------------
# Load generators
# ---------------------------------------------------------------------------------------
# run_wrk NAME URL [LUA_ARGS...] — wrk for DURATION s; results in R_RPS/R_P99/R_BAD[NAME].
declare -A R_RPS R_P99 R_BAD R_TPS R_TPS_SAME
run_wrk() {
	local name=$1 url=$2
	shift 2
	local log="$OUT/wrk-$name.txt" args=(-t2 -c"$CONNS" -d"${DURATION}s" --timeout 5s --latency)
	[ -n "${AUTH_HEADER:-}" ] && args+=(-H "$AUTH_HEADER")
	if [ $# -gt 0 ]; then
		args+=(-s "$ROOT/bench/paths.lua" "$url" -- "$@")
	else
		args+=("$url")
	fi
	timeout $((DURATION + 30)) wrk "${args[@]}" >"$log" 2>&1 || {
		cat "$log" >&2
		die "wrk failed for $name"
	}
	server_alive "during the $name run"
	R_RPS[$name]=$(awk '/^Requests\/sec:/ { print $2 }' "$log")
	# p99 as printed (e.g. 12.34ms, 980.00us, 1.20s) → milliseconds.
	R_P99[$name]=$(awk '$1 == "99%" {
		v = $2; u = v; sub(/^[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
		f = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : (u == "m") ? 60000 : -1
		printf "%.2f", v * f; exit }' "$log")
	local non2xx sockerr
	non2xx=$(awk -F': ' '/Non-2xx or 3xx responses/ { print $2 }' "$log")
	sockerr=$(awk '/Socket errors/ { n = 0; for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) n += $i; print n }' "$log")
	R_BAD[$name]=$((${non2xx:-0} + ${sockerr:-0}))
	[ -n "${R_RPS[$name]}" ] && [ -n "${R_P99[$name]}" ] || {
		cat "$log" >&2
		die "could not read wrk's output for $name"
	}
	printf '   %-12s %10s req/s   p99 %8s ms   errors/non-2xx %s\n' "$name" "${R_RPS[$name]}" \
		"${R_P99[$name]}" "${R_BAD[$name]}"
}

# server_alive WHEN — dies with the server's exit status and log tail if it is gone.
server_alive() {
	kill -0 "$SERVER_PID" 2>/dev/null && return 0
	local st=0
	wait "$SERVER_PID" || st=$?
	SERVER_PID=
	tail -n 20 "$OUT/server.log" >&2
	local why="status $st"
	[ "$st" -gt 128 ] && why="$why: killed by signal $((st - 128))"
	[ "$st" = 0 ] && why="$why: it shuts down cleanly only on SIGTERM/SIGINT, so another process signalled it"
	die "the server exited $1 ($why)"
}

# run_pgbench NAME FILE CLIENTS — pgbench -M prepared for DURATION s; sets PG_TPS/PG_LAT.
run_pgbench() {
	local name=$1 file=$2 clients=$3
	local log="$OUT/pgbench-$name-c$clients.txt" failed
	# The server's session settings (server/db.c) so both get the same plans.
	PGOPTIONS="-c plan_cache_mode=force_custom_plan -c statement_timeout=30s" \
		timeout $((DURATION + 30)) "$PGBIN/pgbench" -M prepared -n -c "$clients" -j 2 \
		-T "$DURATION" -f "$file" "$DB_URL" >"$log" 2>&1 || {
		cat "$log" >&2
		die "pgbench failed for $name"
	}
	PG_TPS=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$log" | tail -n 1)
	PG_LAT=$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' "$log")
	failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$log")
	[ -n "$PG_TPS" ] || {
		cat "$log" >&2
		die "could not read pgbench's output for $name"
	}
	[ "${failed:-0}" = 0 ] || die "pgbench $name: $failed failed transactions (see $log)"
	PG_TPS=$(printf '%.2f' "$PG_TPS")
	printf '   %-12s -c %-3s %10s tps   latency avg %s ms\n' "$name" "$clients" "$PG_TPS" "$PG_LAT"
}

# stmt_sql NAME — the SQL text of a prepared statement of server/stmts.c.
stmt_sql() { "$WORK/stmt_sql" "$1"; }

# ---------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------
T_ALL=$(now_ms)
preflight
# A private copy: a rebuild of build/orgwatch during the run cannot pull the binary away.
cp "$BIN" "$WORK/orgwatch"
BIN=$WORK/orgwatch

say "cluster: ${PGDATA_DIR#"$ROOT"/} on 127.0.0.1:$PG_PORT (scripts/pg.sh, throwaway: fsync off)"
pg_init
pg_start
DB_URL=$(pgsh url "$PGDATA_DIR") || die "pg.sh url failed"
export ORGWATCH_DATABASE_URL=$DB_URL ORGWATCH_HOME=$ROOT
"$BIN" migrate >"$OUT/migrate.txt" 2>&1 || {
	cat "$OUT/migrate.txt" >&2
	die "orgwatch migrate failed"
}
KEY=$("$BIN" key create --name bench-reader --role reader) || die "orgwatch key create failed"
[ "${BENCH_WITH_KEY:-0}" = 1 ] && AUTH_HEADER="Authorization: Bearer $KEY"

say "dataset: bench/generate.sql"
T0=$(now_ms)
timeout 150 psql "$DB_URL" -X -q -v ON_ERROR_STOP=1 -f "$ROOT/bench/generate.sql" >"$OUT/generate.txt" 2>&1 || {
	cat "$OUT/generate.txt" >&2
	die "dataset generation failed"
}
GEN_SECS=$(secs_since "$T0")
read -r N_ORG N_TEAM N_PEOPLE N_POS N_CUR < <(psql_q -At -F ' ' -c \
	"SELECT (SELECT count(*) FROM organizations), (SELECT count(*) FROM teams),
	        (SELECT count(*) FROM people), (SELECT count(*) FROM positions),
	        (SELECT count(*) FROM positions WHERE ended_on IS NULL)")
echo "   $N_ORG organizations, $N_TEAM teams, $N_PEOPLE people, $N_POS positions ($N_CUR current)" \
	"generated + VACUUM ANALYZE in ${GEN_SECS} s"

# Inputs for wrk: 1000 random people slugs, every organization slug.
psql_q -At -c "SELECT slug FROM people ORDER BY random() LIMIT 1000" >"$WORK/people-slugs.txt"
psql_q -At -c "SELECT slug FROM organizations ORDER BY slug" >"$WORK/org-slugs.txt"

# pgbench scripts: the statements' text from server/stmts.c, parameters as the handlers bind them.
"${CC:-cc}" -std=c11 -O1 -Iinclude -o "$WORK/stmt_sql" bench/stmt_sql.c server/stmts.c ||
	die "cannot build bench/stmt_sql.c"
{
	echo '\set n random(1, 100000)'
	# people_get: $1 = the {id} path segment (a slug here).
	stmt_sql people_get | sed -e "s/\\\$1\\b/('person-' || :n)/g"
} >"$WORK/people_get.pgbench"
{
	echo '\set o random(1, 200)'
	echo '\set fetch 51'
	# people_list: $1 q, $2 org, $3 team, $4 tag, $5 updated_since, $6/$7 cursor, $8 limit+1.
	stmt_sql people_list | sed -e "s/\\\$2\\b/('org-' || :o)/g" -e 's/\$8\b/:fetch/g' \
		-e 's/\$[134567]\b/NULL/g'
} >"$WORK/people_list_org.pgbench"
if grep -q '\$[0-9]' "$WORK/people_get.pgbench" "$WORK/people_list_org.pgbench"; then
	die "unbound parameters left in the pgbench scripts (did stmts.c change?)"
fi

say "server: $BIN serve on $BASE (ORGWATCH_THREADS=$SERVER_THREADS)"
ORGWATCH_LISTEN=127.0.0.1:$HTTP_PORT ORGWATCH_THREADS=$SERVER_THREADS ORGWATCH_LOG=warn \
	"$BIN" serve >"$OUT/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 100); do
	curl -fsS -o /dev/null "$BASE/health" 2>/dev/null && break
	kill -0 "$SERVER_PID" 2>/dev/null || {
		cat "$OUT/server.log" >&2
		die "the server exited"
	}
	sleep 0.1
done

# Sanity: each endpoint answers what a client expects before it is timed.
SLUG=$(head -n 1 "$WORK/people-slugs.txt")
curl -fsS "$BASE/health" >/dev/null || die "GET /health failed"
curl -fsS "$BASE/people/$SLUG" | jq -e '.slug and (.current_positions | type == "array")' \
	>/dev/null || die "GET /people/$SLUG did not return a person"
curl -fsS "$BASE/people?org=org-1&limit=50" | jq -e '.items | length == 50' >/dev/null ||
	die "GET /people?org=org-1&limit=50 did not return 50 people"

# Plans of the two statements as the server runs them (custom plans), for the record.
{
	echo "SET plan_cache_mode = force_custom_plan;"
	echo "PREPARE people_get AS $(stmt_sql people_get);"
	echo "PREPARE people_list AS $(stmt_sql people_list);"
	echo "EXPLAIN (ANALYZE, BUFFERS) EXECUTE people_get('$SLUG');"
	for org in org-1 org-100 org-200; do
		echo "EXPLAIN (ANALYZE, BUFFERS) EXECUTE people_list(NULL, '$org', NULL, NULL, NULL, NULL, NULL, '51');"
	done
} | psql_q >"$OUT/explain.txt" 2>&1 || echo "   (EXPLAIN failed; see $OUT/explain.txt)"

say "wrk -t2 -c$CONNS -d${DURATION}s --latency"
run_wrk health "$BASE/health"
run_wrk person "$BASE" "$WORK/people-slugs.txt" "/people/%s"
run_wrk org_list "$BASE" "$WORK/org-slugs.txt" "/people?org=%s&limit=50"

say "pgbench -M prepared -n -j 2 -T $DURATION, same SQL as the handlers: -c $CONNS, then -c $SERVER_THREADS (the server's own connection count)"
for name in person org_list; do
	file=$WORK/people_get.pgbench
	[ "$name" = org_list ] && file=$WORK/people_list_org.pgbench
	run_pgbench "$name" "$file" "$CONNS"
	R_TPS[$name]=$PG_TPS
	run_pgbench "$name" "$file" "$SERVER_THREADS"
	R_TPS_SAME[$name]=$PG_TPS
done

kill -TERM "$SERVER_PID" 2>/dev/null || true
wait "$SERVER_PID" 2>/dev/null || true
SERVER_PID=

# ---------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------
echo
printf 'orgwatch bench: %s people, %s positions, %s organizations; %s cores; server %s threads; %ss per run\n' \
	"$N_PEOPLE" "$N_POS" "$N_ORG" "$(nproc)" "$SERVER_THREADS" "$DURATION"
line=$(printf '%.0s-' $(seq 112))
echo "$line"
printf '%-28s %12s %8s %13s %15s %12s %10s\n' endpoint "server req/s" "p99 ms" "pgbench tps" "server/pgbench" \
	"pgbench -c$SERVER_THREADS" ratio
printf '%-28s %12s %8s %13s %15s %12s %10s\n' "" "(wrk -c$CONNS)" "" "(-c$CONNS)" "" "" ""
echo "$line"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
row() {
	local label=$1 name=$2
	local tps=${R_TPS[$name]:-} same=${R_TPS_SAME[$name]:-} r1=- r2=-
	[ -n "$tps" ] && r1=$(ratio "${R_RPS[$name]}" "$tps")
	[ -n "$same" ] && r2=$(ratio "${R_RPS[$name]}" "$same")
	printf '%-28s %12s %8s %13s %15s %12s %10s\n' "$label" "${R_RPS[$name]}" "${R_P99[$name]}" \
		"${tps:--}" "$r1" "${same:--}" "$r2"
}
row "GET /health" health
row "GET /people/{slug}" person
row "GET /people?org=X&limit=50" org_list
echo "$line"
BAD=$((R_BAD[health] + R_BAD[person] + R_BAD[org_list]))
[ "$BAD" -gt 0 ] && echo "WARNING: $BAD socket errors or non-2xx responses (see $OUT/wrk-*.txt)"
echo "aim: server/pgbench >= 0.70 (issue 3). The server holds $SERVER_THREADS database connections, so the last"
echo "column compares it with pgbench on as many; -c$CONNS oversubscribes the cores (see bench/README.md)."
echo "dataset generated in ${GEN_SECS} s; raw outputs and query plans in ${OUT#"$ROOT"/}/"
echo "total $(secs_since "$T_ALL") s"
