#!/usr/bin/env bash
# run.sh — `make bench`: a throwaway PostgreSQL 15 cluster with generated datasets, the
# optimized server on it, and one section per performance issue; prints a table per section.
# See bench/README.md.
#
#   people      issue 3: GET /people/{slug}, /people?org= (wrk) vs their ceilings (bench/ceiling/)
#   departures  issue 4: GET /departures?org=, ?from=&to= (wrk) vs their ceilings (bench/ceiling/)
#   stats       issue 7: the four statistics answers (wrk) and their SQL time
#   chart       issue 5: the 100,000-node chart, a ~5,000 subtree, a managers chain: latency
#               next to EXPLAIN ANALYZE, and the server's peak RSS
#   charts      issue 30: GET /charts/departures-by-month.svg?org=org-1, the SVG org chart of a
#               ~1,000-person subtree of chart-corp and of the whole 100,000-person tree at
#               depth=3 (wrk -c1/-c2, curl), each next to its JSON counterpart; the server's own
#               times (its request log) against the aims (5, 30, 300 ms p99), EXPLAIN ANALYZE,
#               peak RSS, xmllint --noout of every SVG, the load average before and after
#   import      issue 6: POST /import of people then departure lines (curl), COPY of the same
#               rows into a plain table and (the aim since issue 13) into a keyed table shaped
#               like departures, peak RSS, GET /export
#   bulk        issue 13: the issue's dataset (bench/dataset.sql, 402,199 records) by POST /import
#               into fresh databases: the whole file, then one request a type, then 100,000
#               departures as CSV closing positions and lines vs \copy into the keyed table
#   scale       issue 15: a departures list served by one server, by two servers on one
#               database, with a streaming replica taking the reads, and as 304s
#   reads       issue 12: W1 GET /people/{slug}, W2 GET /departures?org=, W3 GET
#               /people/{slug}/reports on the 402,199-record dataset (bench/dataset.sql, imported
#               by POST /import into a database of its own), each next to its ceiling (pgbench of
#               bench/ceiling/*.sql); BENCH_BASELINE_BIN/_HOME add an earlier build's figures
#   burst       issue 28: 256 connections over 20 hot URLs of the reads dataset with the answer
#               cache on and a write a second, checked for stale answers (bench/burst.sh)
#   download    issue 32: the 100,000 people in one GET /people.csv?all=true (and .ndjson) vs
#               \copy of the same facts to stdout (bench/ceiling/download_people.sql); RSS
#   fair        issue 28 (fair share): 31 polite clients alone and beside one greedy client over
#               ORGWATCH_RATE_READS (BENCH_FAIR_LIMIT, 600), their p99 both times (bench/fair.mjs)
#   layoffs     issue 26: 100,000 layoffs over 20,000 organizations (bench/layoffs.sql) by POST
#               /import into a fresh database vs \copy into keyed tables of the same shape; GET
#               /stats/layoffs?group_by=month and =industry (wrk) vs their ceilings (pgbench of
#               bench/ceiling/layoffs_*.sql), the load average before and after
#   stream      issue 27: GET /changes/stream (bench/stream.sh): 1,000 idle subscribers (RSS,
#               database connections), commit-to-client latency of 200 writes/s with 100
#               subscribers, catch-up of 1,000,000 entries vs its own statement and the \copy
#               ceiling, the import and single-record writes with and without commit order;
#               runs last of the issues' sections before it (a million audit entries in the
#               base database)
#   known-at    issue 29: reads pinned by known_at= (a person, a departures page, ~500 reports,
#               /stats/departures) against the present, on the issue's dataset with 100,000
#               later corrections, in a database of its own (bench/known-at.sh)
#
# Settings (environment): BENCH_ONLY (comma-separated sections; all by default),
# BENCH_PG_PORT (15435), BENCH_HTTP_PORT (18190), BENCH_DURATION (10, seconds per wrk run),
# BENCH_PG_DURATION (5, seconds per pgbench run), BENCH_CONNECTIONS (32),
# BENCH_STATS_CONNECTIONS (2), BENCH_STATS_DURATION (8), BENCH_THREADS (4, the server's database
# connections), BENCH_CHART_RUNS (5), BENCH_REPORTS_RUNS (20), BENCH_MANAGERS_RUNS (200),
# BENCH_AS_OF (2024-06-01), BENCH_CHARTS_DURATION (15, seconds per wrk run of section charts),
# BENCH_CHARTS_BIG_RUNS (20), BENCH_CHARTS_BIG_DURATION (20), BENCH_CHARTS_ORG (org-1),
# BENCH_IMPORT_ROWS (25000), BENCH_IMPORT_PEOPLE (= BENCH_IMPORT_ROWS), BENCH_EXPORT_ALL=1
# (also time the whole GET /export), BENCH_WITH_KEY=1 (send the reader key), BENCH_KEEP=1
# (keep the stopped cluster in build/bench/pg/data instead of deleting it), BENCH_WORK (build/bench:
# the run's directory), BENCH_BEFORE=0 (do not
# print bench/before-7128c6d.txt, the figures of the commit before issues 12 and 13, after the report),
# BENCH_BASELINE_BIN / BENCH_BASELINE_HOME (section reads: an earlier build and its checkout, run
# on a copy of the data for a "before" column), BENCH_STREAM_* (section stream, bench/stream.sh
# and bench/README.md).
# Exit 0 when everything ran (whatever the figures), 1 when something failed to run.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

ALL_SECTIONS=(people departures stats chart charts import bulk scale reads burst download fair layoffs stream known-at)
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PG_PORT=${BENCH_PG_PORT:-15435}
HTTP_PORT=${BENCH_HTTP_PORT:-18190}
DURATION=${BENCH_DURATION:-10}
PG_DURATION=${BENCH_PG_DURATION:-5}
CONNS=${BENCH_CONNECTIONS:-32}
STATS_CONNS=${BENCH_STATS_CONNECTIONS:-2}
STATS_DURATION=${BENCH_STATS_DURATION:-8}
SERVER_THREADS=${BENCH_THREADS:-4}
CHART_RUNS=${BENCH_CHART_RUNS:-5}
REPORTS_RUNS=${BENCH_REPORTS_RUNS:-20}
MANAGERS_RUNS=${BENCH_MANAGERS_RUNS:-200}
AS_OF=${BENCH_AS_OF:-2024-06-01}
IMPORT_ROWS=${BENCH_IMPORT_ROWS:-25000}
IMPORT_PEOPLE=${BENCH_IMPORT_PEOPLE:-$IMPORT_ROWS}
# BENCH_WORK: the run's directory (cluster, copies, results), so that two runs from one checkout
# on different ports do not share (and destroy) each other's cluster.
WORK=${BENCH_WORK:-$ROOT/build/bench}
case $WORK in /*) ;; *) WORK=$ROOT/$WORK ;; esac
PGDATA_DIR=$WORK/pg/data
OUT=$WORK/results
BIN=$ROOT/build/orgwatch
DB_URL= # from scripts/pg.sh url
SU_URL= # the bootstrap superuser on the same cluster (trust authentication)
BASE="http://127.0.0.1:$HTTP_PORT"
PG_STARTED=0

# shellcheck source=scripts/server-lib.sh
. "$ROOT/scripts/server-lib.sh" # its ports_free (bench/lib.sh has the bench's own server)
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
for s in "${ALL_SECTIONS[@]}"; do
	# shellcheck source=/dev/null
	. "$ROOT/bench/$s.sh"
done

# Sections asked for, in the fixed order above (data builds on the earlier sections').
declare -A WANT
IFS=', ' read -r -a ASKED <<<"${BENCH_ONLY:-${ALL_SECTIONS[*]}}"
for s in "${ASKED[@]}"; do
	[ -n "$s" ] || continue
	[ -f "$ROOT/bench/$s.sh" ] && [[ " ${ALL_SECTIONS[*]} " == *" $s "* ]] ||
		die "BENCH_ONLY: unknown section '$s' (sections: ${ALL_SECTIONS[*]})"
	WANT[$s]=1
done
SECTIONS=()
for s in "${ALL_SECTIONS[@]}"; do [ -n "${WANT[$s]:-}" ] && SECTIONS+=("$s"); done
[ ${#SECTIONS[@]} -gt 0 ] || die "BENCH_ONLY names no section (sections: ${ALL_SECTIONS[*]})"
wants() { [ -n "${WANT[$1]:-}" ]; }

# ---------------------------------------------------------------------------------------
# Preflight
# ---------------------------------------------------------------------------------------
preflight() {
	local missing=()
	command -v wrk >/dev/null || missing+=(wrk)
	command -v curl >/dev/null || missing+=(curl)
	command -v jq >/dev/null || missing+=(jq)
	command -v psql >/dev/null || missing+=(postgresql-client-15)
	command -v ss >/dev/null || missing+=(iproute2)
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
	case $IMPORT_ROWS$IMPORT_PEOPLE in *[!0-9]*) die "BENCH_IMPORT_ROWS/BENCH_IMPORT_PEOPLE must be numbers" ;; esac
	[ "$IMPORT_ROWS" -ge 1 ] && [ "$IMPORT_PEOPLE" -ge 1 ] || die "BENCH_IMPORT_ROWS/PEOPLE must be >= 1"
	[ "$IMPORT_ROWS" -le $((11 * IMPORT_PEOPLE)) ] ||
		die "BENCH_IMPORT_ROWS may be at most 11 x BENCH_IMPORT_PEOPLE (one departure a year per person and organization)"
	ports_free "BENCH_PG_PORT / BENCH_HTTP_PORT" "$PG_PORT" "$HTTP_PORT"
	mkdir -p "$WORK" "$OUT"
	rm -f "$OUT"/*.txt "$OUT"/*.log "$OUT"/*.json "$OUT"/*.ndjson "$OUT"/*.csv
}

# ---------------------------------------------------------------------------------------
# Throwaway cluster, managed by scripts/pg.sh
# ---------------------------------------------------------------------------------------
pg_init() {
	# Each run starts from an empty cluster: drop what an interrupted earlier run left.
	pgsh destroy "$PGDATA_DIR" 2>>"$OUT/pg.txt" || die "could not remove the old cluster (see $OUT/pg.txt)"
	pgsh init "$PGDATA_DIR" "$PG_PORT" --throwaway 2>>"$OUT/pg.txt" || {
		cat "$OUT/pg.txt" >&2
		die "pg.sh init failed"
	}
	# The hot tables and indexes should fit in shared buffers.
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
	# A second Ctrl-C or TERM must not cut the cleanup short.
	trap '' INT TERM
	[ -n "${RSS_SAMPLER:-}" ] && kill "$RSS_SAMPLER" 2>/dev/null
	stream_client_stop
	scale_cleanup
	server_stop
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

# ---------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------
T_ALL=$(now_ms)
preflight
# A private copy: a rebuild of build/orgwatch during the run cannot pull the binary away.
cp "$BIN" "$WORK/orgwatch"
BIN=$WORK/orgwatch
# The statements' texts: generated from sql/statements/ (make's build/gen/stmt_texts.c).
make --no-print-directory build/gen/stmt_texts.c >/dev/null || die "cannot embed sql/statements/"
"${CC:-cc}" -std=c11 -O1 -Iinclude $(pkg-config --cflags libpq) -o "$WORK/stmt_sql" bench/stmt_sql.c \
	server/stmts.c server/stmt_args.c build/gen/stmt_texts.c $(pkg-config --libs libpq) ||
	die "cannot build bench/stmt_sql.c"

say "sections: ${SECTIONS[*]}"
say "cluster: ${PGDATA_DIR#"$ROOT"/} on 127.0.0.1:$PG_PORT (scripts/pg.sh, throwaway: fsync off)"
pg_init
pg_start
DB_URL=$(pgsh url "$PGDATA_DIR") || die "pg.sh url failed"
export ORGWATCH_DATABASE_URL=$DB_URL ORGWATCH_HOME=$ROOT
"$BIN" migrate >"$OUT/migrate.txt" 2>&1 || {
	cat "$OUT/migrate.txt" >&2
	die "orgwatch migrate failed"
}
# The bootstrap superuser (OID 10) for auto_explain and function statistics, if trusted.
su_name=$(psql_q -At -c "SELECT rolname FROM pg_roles WHERE oid = 10") || su_name=
if [ -n "$su_name" ]; then
	SU_URL=$(printf '%s' "$DB_URL" | sed "s|://[^@/]*@|://$su_name@|")
	psql "$SU_URL" -X -At -c 'SELECT 1' >/dev/null 2>&1 || SU_URL=
fi
[ -n "$SU_URL" ] || note "(no superuser connection: plans inside functions and function statistics are skipped)"
KEY=$("$BIN" key create --name bench-reader --role reader) || die "orgwatch key create failed"
EDITOR_KEY=$("$BIN" key create --name bench-importer --role editor) || die "orgwatch key create failed"
[ "${BENCH_WITH_KEY:-0}" = 1 ] && AUTH_HEADER="Authorization: Bearer $KEY"

say "dataset: bench/generate.sql (issue 3)"
run_sql_file generate "$ROOT/bench/generate.sql" 300
GEN_SECS=$SQL_SECS
read -r N_ORG N_TEAM N_PEOPLE N_POS N_CUR < <(psql_q -At -F ' ' -c \
	"SELECT (SELECT count(*) FROM organizations), (SELECT count(*) FROM teams),
	        (SELECT count(*) FROM people), (SELECT count(*) FROM positions),
	        (SELECT count(*) FROM positions WHERE ended_on IS NULL)")
note "$N_ORG organizations, $N_TEAM teams, $N_PEOPLE people, $N_POS positions ($N_CUR current)" \
	"generated + VACUUM ANALYZE in ${GEN_SECS} s"
psql_q -At -c "SELECT slug FROM organizations WHERE slug ~ '^org-[0-9]+$' ORDER BY slug" >"$WORK/org-slugs.txt"

DEPARTURES_READY=0
for s in "${SECTIONS[@]}"; do
	T_SECTION=$(now_ms)
	"section_$s"
	server_stop
	note "section $s: $(secs_since "$T_SECTION") s"
done

# ---------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------
{
	echo
	printf 'orgwatch bench: %s cores, server %s threads (%s database connections), load average %s\n' \
		"$(nproc)" "$SERVER_THREADS" "$SERVER_THREADS" "$(cut -d' ' -f1-3 /proc/loadavg)"
	printf '%s\n' "${REPORT[@]}"
	if [ -f "$ROOT/bench/before-7128c6d.txt" ] && [ "${BENCH_BEFORE:-1}" = 1 ]; then
		echo
		echo "Before issues 12 and 13 (commit 7128c6d, bench/before-7128c6d.txt; BENCH_BEFORE=0 leaves it out):"
		grep -v '^#' "$ROOT/bench/before-7128c6d.txt" | sed -n '/^Issue [34567] /,/^Issue 15 /p' |
			sed '$d' | sed 's/^/  | /'
	fi
	echo "Figures move by ±15% or more between runs on a shared machine; compare ratios. Raw outputs,"
	echo "plans (explain-*.txt) and server logs: ${OUT#"$ROOT"/}/. Total $(secs_since "$T_ALL") s."
} | tee "$OUT/report.txt"
