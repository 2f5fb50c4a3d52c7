# reads.sh — section "reads" of bench/run.sh (issue 12): the three reads of the issue at its
# size, against the best the database can do.
#
#   data   bench/dataset.sql (402,199 records: 200 organizations, 2,000 teams, 100,000 people,
#          150,000 positions, 99,999 reporting lines in one tree 8 levels deep, 50,000
#          departures) imported by curl POST /import into a database of its own
#          (orgwatch_reads), then VACUUM ANALYZE
#   W1     GET /people/{slug}                                  (random person)
#   W2     GET /departures?org={slug}&sort=-departed_on&limit=50 (random organization)
#   W3     GET /people/{slug}/reports                          (random level-4 manager: ~500
#          people on 4 levels below)
#
# Each with wrk -c$CONNS, next to its ceiling: the minimal hand-written statement on the same
# tables that yields the same facts (bench/ceiling/), run by pgbench -M prepared -c4 -j2 on
# the same data in the same run; the report prints server / ceiling. Then EXPLAIN ANALYZE of
# W2's and W3's statements as the server prepares them (explain-reads.txt).
#
# BENCH_BASELINE_BIN + BENCH_BASELINE_HOME (a build of an earlier commit and its checkout):
# the same three workloads are run against that server too, on a copy of the database
# migrated by it, and printed in a "before" column. Sourced by run.sh.
# shellcheck shell=bash

READS_DB=orgwatch_reads
READS_RUNS=${BENCH_READS_RUNS:-5}

# explain_variant LABEL STMT GIVEN ARGS — EXPLAIN (ANALYZE, BUFFERS) of the variant of STMT the
# server prepares when the arguments numbered in GIVEN ("2 15") are given (bench/stmt_sql),
# planned generic as the server's connections plan it, executed once before; ARGS is the
# argument list "(...)". Appends to explain-reads.txt; prints the Execution Time (ms).
explain_variant() {
	local label=$1 stmt=$2 given=$3 args=$4 file=$OUT/explain-reads.txt part n types
	part=$file.part
	local sql
	# shellcheck disable=SC2086 # GIVEN is a list of numbers
	sql=$("$WORK/stmt_sql" "$stmt" $given) || die "stmt_sql $stmt failed"
	n=$(($(grep -o ',' <<<"$args" | wc -l) + 1)) # every argument, those left out too
	types=$(printf 'text,%.0s' $(seq "$n"))
	types=${types%,}
	{
		echo "SET plan_cache_mode = force_generic_plan; SET jit = off; SET random_page_cost = 1.1;"
		echo "PREPARE s ($types) AS $sql;"
		echo "\\o /dev/null"
		echo "EXECUTE s $args;"
		echo "\\o '$part'"
		echo "EXPLAIN (ANALYZE, BUFFERS) EXECUTE s $args;"
	} | psql "$READS_URL" -X -q -v ON_ERROR_STOP=1 >/dev/null 2>>"$file" || {
		echo "   (EXPLAIN of $stmt failed; see $file)" >&2
		rm -f "$part"
		return 0
	}
	{
		printf -- '\n-- %s: %s, given arguments %s, executed with %s (generic plan, as prepared by the server)\n' \
			"$label" "$stmt" "$given" "$args"
		cat "$part"
	} >>"$file"
	sed -n 's/^ *Execution Time: \([0-9.]*\) ms/\1/p' "$part"
	rm -f "$part"
}

# ceiling_p99 NAME FILE — the ceiling's statement run by pgbench with $CONNS clients (as many
# as wrk's connections) for PG_DURATION s, every transaction's latency logged (-l): sets
# R_CEIL_P99[NAME] (ms, nearest rank) and R_CEIL_TPS32[NAME]. What the database alone does
# with 32 clients waiting: a p99 no server in front of it can beat.
declare -A R_CEIL_P99 R_CEIL_TPS32
ceiling_p99() {
	local name=$1 file dir=$WORK/pgbench-log-$1
	file=$(pgbench_script "$2") || die "pgbench $name: cannot make a pgbench script of $2"
	rm -rf "$dir" && mkdir -p "$dir"
	(cd "$dir" && PGOPTIONS="-c statement_timeout=30s" timeout $((PG_DURATION + 60)) \
		"$PGBIN/pgbench" -M prepared -n -c "$CONNS" -j 2 -T "$PG_DURATION" -l -f "$file" \
		"$DB_URL" >"$OUT/pgbench-$name-c$CONNS-log.txt" 2>&1) || die "pgbench -l failed for $name"
	R_CEIL_TPS32[$name]=$(printf '%.2f' "$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$OUT/pgbench-$name-c$CONNS-log.txt" | tail -n 1)")
	R_CEIL_P99[$name]=$(cat "$dir"/pgbench_log.* | awk '{ print $3 }' | sort -n |
		awk '{ t[NR] = $1 } END { i = int(NR * 0.99 + 0.999999); if (i < 1) i = 1; printf "%.2f", t[i] / 1000 }')
	rm -rf "$dir"
	printf '   %-16s -c %-3s %10.2f tps   p99 %s ms (every transaction logged)\n' "$name" "$CONNS" \
		"${R_CEIL_TPS32[$name]}" "${R_CEIL_P99[$name]}"
}

# reads_wrk SUFFIX — W1..W3 with wrk against the server on $BASE; results under w1$SUFFIX...
reads_wrk() {
	local s=$1
	run_wrk "w1$s" "$CONNS" "$DURATION" "$BASE" "$WORK/reads-people.txt" "/people/%s"
	run_wrk "w2$s" "$CONNS" "$DURATION" "$BASE" "$WORK/reads-orgs.txt" \
		"/departures?org=%s&sort=-departed_on&limit=50"
	run_wrk "w3$s" "$CONNS" "$DURATION" "$BASE" "$WORK/reads-managers.txt" "/people/%s/reports"
	# The lists' latency without a queue: as many connections as the server has database
	# connections (with -c32 on 2 cores, p99 >= 32 / req/s whatever the statement costs).
	run_wrk "w2q$s" "$SERVER_THREADS" "$DURATION" "$BASE" "$WORK/reads-orgs.txt" \
		"/departures?org=%s&sort=-departed_on&limit=50"
}

section_reads() {
	say "reads (issue 12): W1 W2 W3 on the issue's dataset, against their ceilings"
	local main_url=$DB_URL
	READS_URL=$(printf '%s' "$DB_URL" | sed "s|/[^/?]*\$|/$READS_DB|")
	psql_q -c "DROP DATABASE IF EXISTS $READS_DB" -c "CREATE DATABASE $READS_DB TEMPLATE template0 ENCODING 'UTF8'" ||
		die "could not create the database $READS_DB"
	# A server of its own on the new database (the section's settings shadow the run's).
	local ORGWATCH_DATABASE_URL=$READS_URL DB_URL=$READS_URL EDITOR_KEY
	export ORGWATCH_DATABASE_URL EDITOR_KEY # for import_post
	dataset_db reads "$READS_URL" "$WORK/reads-dataset.ndjson"
	local import_secs=$IMP_SECS import_rows=$IMP_ROWS
	psql_q -c "VACUUM ANALYZE" 2>/dev/null || true

	seq 1 200 | sed 's/^/org-/' >"$WORK/reads-orgs.txt"
	seq 26 225 | sed 's/^/person-/' >"$WORK/reads-managers.txt"
	psql_q -At -c "SELECT slug FROM people ORDER BY random() LIMIT 2000" >"$WORK/reads-people.txt"

	server_start reads
	# Sanity: each workload answers what a client expects before it is timed.
	curl -fsS "$BASE/people/person-77" | jq -e '.slug == "person-77" and (.current_positions | length >= 1)' \
		>/dev/null || die "W1: GET /people/person-77 did not answer the person"
	curl -fsS "$BASE/departures?org=org-1&sort=-departed_on&limit=50" | jq -e '.items | length == 50' \
		>/dev/null || die "W2: GET /departures?org=org-1 did not answer 50 departures"
	local w3_nodes
	w3_nodes=$(curl -fsS "$BASE/people/person-30/reports" | grep -o '"person" *:' | wc -l)
	[ "$w3_nodes" -ge 400 ] || die "W3: GET /people/person-30/reports answered $w3_nodes people (expected ~500)"
	note "W3 sample: person-30 has $((w3_nodes - 1)) people below"
	say "wrk -t2 -c$CONNS -d${DURATION}s --latency, $READS_RUNS runs (Cache-Control: no-cache: the database path)"
	local r n
	for r in $(seq "$READS_RUNS"); do
		note "run $r of $READS_RUNS"
		reads_wrk "_r$r"
	done
	# Each workload's figure is the median run; every run is printed in the report.
	for n in w1 w2 w3 w2q; do
		local runs=()
		for r in $(seq "$READS_RUNS"); do runs+=("${R_RPS[${n}_r$r]}"); done
		local med
		med=$(printf '%s\n' "${runs[@]}" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
		for r in $(seq "$READS_RUNS"); do
			if [ "${R_RPS[${n}_r$r]}" = "$med" ]; then
				R_RPS[$n]=$med
				R_P99[$n]=${R_P99[${n}_r$r]}
				R_BAD[$n]=${R_BAD[${n}_r$r]}
				break
			fi
		done
	done
	server_stop

	say "ceilings: pgbench -M prepared -n -c4 -j2 -T $PG_DURATION of bench/ceiling/*.sql"
	run_pgbench w1 "$ROOT/bench/ceiling/w1_person.sql" 4
	R_TPS["w1"]=$PG_TPS
	run_pgbench w2 "$ROOT/bench/ceiling/w2_departures.sql" 4
	R_TPS["w2"]=$PG_TPS
	run_pgbench w3 "$ROOT/bench/ceiling/w3_reports.sql" 4
	R_TPS["w3"]=$PG_TPS

	say "the lists' ceilings with $CONNS clients, every latency logged (pgbench -l)"
	ceiling_p99 w2 "$ROOT/bench/ceiling/w2_departures.sql"
	ceiling_p99 w3 "$ROOT/bench/ceiling/w3_reports.sql"

	say "EXPLAIN ANALYZE of W2 and W3 as the server prepares them (explain-reads.txt)"
	: >"$OUT/explain-reads.txt"
	R_SQL[w2]=$(explain_variant W2 departures_list_desc "2 18" \
		"(NULL, 'org-1', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '51')")
	R_SQL[w3]=$(explain_variant W3 reports_flat "1" "('person-30', NULL, NULL)")
	note "SQL: W2 ${R_SQL[w2]:-?} ms (org-1, the largest), W3 ${R_SQL[w3]:-?} ms (person-30)"

	if [ -n "${BENCH_BASELINE_BIN:-}" ]; then
		say "baseline: $BENCH_BASELINE_BIN on a copy of $READS_DB migrated by it"
		local base_db=${READS_DB}_base
		psql "$main_url" -X -q -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS $base_db" \
			-c "CREATE DATABASE $base_db TEMPLATE $READS_DB" ||
			die "could not copy $READS_DB"
		local ORGWATCH_HOME=$BENCH_BASELINE_HOME BIN=$BENCH_BASELINE_BIN
		ORGWATCH_DATABASE_URL=$(printf '%s' "$READS_URL" | sed "s|/[^/?]*\$|/$base_db|")
		export ORGWATCH_HOME ORGWATCH_DATABASE_URL
		"$BIN" migrate >"$OUT/reads-migrate-base.txt" 2>&1 || die "baseline migrate failed"
		server_start reads-base
		reads_wrk _base
		server_stop
	fi

	report_add '\n%s' "Issue 12 — reads on the issue's dataset ($import_rows records imported by POST /import in ${import_secs} s); wrk -c$CONNS unless said"
	report_line
	report_add '%-58s %10s %8s %11s %9s %10s %8s' workload "req/s" "p99 ms" "ceiling" "server/" "before" "before"
	report_add '%-58s %10s %8s %11s %9s %10s %8s' "" "(wrk)" "" "tps (-c4)" "ceiling" "req/s" "p99 ms"
	report_line
	local row name label
	for row in "w1|W1 GET /people/{slug}" "w2|W2 GET /departures?org=&sort=-departed_on&limit=50" \
		"w3|W3 GET /people/{slug}/reports (~500 below)" \
			"w2q|W2 with -c$SERVER_THREADS (the server's connections: no queue)"; do
		IFS='|' read -r name label <<<"$row"
		local tps=${R_TPS[$name]:-${R_TPS[${name%q}]}}
		report_add '%-58s %10s %8s %11s %9s %10s %8s' "$label" "${R_RPS[$name]}" "${R_P99[$name]}" \
			"$tps" "$(div "${R_RPS[$name]}" "$tps")" \
			"${R_RPS[${name}_base]:--}" "${R_P99[${name}_base]:--}"
	done
	report_line
	local n
	for n in w2 w3; do
		report_add '%s' "The ${n^^} ceiling alone with -c$CONNS (pgbench, every transaction logged): ${R_CEIL_TPS32[$n]} tps, p99 ${R_CEIL_P99[$n]} ms."
	done
	report_bad w1 w2 w3 w2q
	report_add '%s' "Every run (req/s, p99 ms, requests per worker, each with its database connection; the median run is the figure above):"
	for n in w1 w2 w3 w2q; do
		local low=""
		for r in $(seq "$READS_RUNS"); do
			report_add '  %-4s run %s %10s req/s %8s ms   %s' "$n" "$r" "${R_RPS[${n}_r$r]}" "${R_P99[${n}_r$r]}" "${R_SPREAD[${n}_r$r]}"
			report_add '                top halfway: %s' "${R_TOP[${n}_r$r]:--}"
			[ "$(awk -v a="${R_RPS[${n}_r$r]}" -v m="${R_RPS[$n]}" 'BEGIN { print (a < 0.8 * m) ? 1 : 0 }')" = 1 ] && low+=" $r"
		done
		report_add '  %-4s min/median %s%s' "$n" "$(div "$(printf '%s\n' "$(for r in $(seq "$READS_RUNS"); do echo "${R_RPS[${n}_r$r]}"; done)" | sort -g | head -1)" "${R_RPS[$n]}")" \
			"${low:+ — runs below 0.8x of the median:$low}"
	done
	report_add '%s' "aim (issue 12): server/ceiling >= 0.5 for each; p99 < 25 ms for the lists. Ceiling: bench/ceiling/*.sql, the"
	report_add '%s' "minimal statement on the same tables giving the same facts as plain columns. SQL: W2 ${R_SQL[w2]:-?} ms, W3 ${R_SQL[w3]:-?} ms"
	report_add '%s' "(EXPLAIN ANALYZE of the prepared variants, explain-reads.txt).${BENCH_BASELINE_BIN:+ Before: $BENCH_BASELINE_BIN.}"
}
