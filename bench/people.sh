# people.sh — section "people" of bench/run.sh (issue 3): GET /health, GET /people/{slug}
# and GET /people?org=X&limit=50 with wrk, each next to its ceiling: pgbench of the minimal
# hand-written statement giving the same facts (bench/ceiling/w1_person.sql, people_org.sql).
# Sourced by run.sh.
# shellcheck shell=bash

section_people() {
	say "people (issue 3)"
	psql_q -At -c "SELECT slug FROM people WHERE slug ~ '^person-[0-9]+$' ORDER BY random() LIMIT 1000" \
		>"$WORK/people-slugs.txt"

	server_start people
	# Sanity: each endpoint answers what a client expects before it is timed.
	local slug
	slug=$(head -n 1 "$WORK/people-slugs.txt")
	curl -fsS "$BASE/health" >/dev/null || die "GET /health failed"
	curl -fsS "$BASE/people/$slug" | jq -e '.slug and (.current_positions | type == "array")' \
		>/dev/null || die "GET /people/$slug did not return a person"
	curl -fsS "$BASE/people?org=org-1&limit=50" | jq -e '.items | length == 50' >/dev/null ||
		die "GET /people?org=org-1&limit=50 did not return 50 people"

	# Plans of the two statements as the server runs them, for the record.
	local sql_person sql_org
	sql_person=$(explain_prepared explain-people.txt people_get "" "('$slug')" | tail -n 1)
	sql_org=$(explain_prepared explain-people.txt people_list "2 8" \
		"(NULL, 'org-1', NULL, NULL, NULL, NULL, NULL, '51')" \
		"(NULL, 'org-100', NULL, NULL, NULL, NULL, NULL, '51')" \
		"(NULL, 'org-200', NULL, NULL, NULL, NULL, NULL, '51')" | head -n 1)
	R_SQL[person]=$sql_person
	R_SQL[org_list]=$sql_org

	say "wrk -t2 -c$CONNS -d${DURATION}s --latency"
	run_wrk health "$CONNS" "$DURATION" "$BASE/health"
	run_wrk person "$CONNS" "$DURATION" "$BASE" "$WORK/people-slugs.txt" "/people/%s"
	run_wrk org_list "$CONNS" "$DURATION" "$BASE" "$WORK/org-slugs.txt" "/people?org=%s&limit=50"
	server_stop

	say "ceilings: pgbench -M prepared -n -j 2 -T $PG_DURATION of bench/ceiling/: -c $CONNS, then -c $SERVER_THREADS"
	pgbench_pair person "$ROOT/bench/ceiling/w1_person.sql"
	pgbench_pair org_list "$ROOT/bench/ceiling/people_org.sql"

	report_ratio_header "Issue 3 — people: $N_PEOPLE people, $N_POS positions, $N_ORG organizations"
	report_ratio_row "GET /health" health
	report_ratio_row "GET /people/{slug}" person
	report_ratio_row "GET /people?org=X&limit=50" org_list
	report_line
	report_bad health person org_list
	report_add '%s' "ceiling: the minimal hand-written statement giving the same facts (bench/ceiling/) by pgbench with -c$CONNS"
	report_add '%s' "and with the server's own $SERVER_THREADS connections (-c$CONNS oversubscribes the 2 cores; see bench/README.md)."
}

# The table of a wrk-vs-pgbench section (people, departures).
report_ratio_header() {
	report_add '\n%s' "$1"
	report_line
	report_add '%-50s %10s %8s %9s %11s %8s %11s %7s' endpoint "req/s" "p99 ms" "SQL ms" \
		"ceiling" "srv/ceil" "ceiling" "srv/ceil"
	report_add '%-50s %10s %8s %9s %11s %8s %11s %7s' "" "(wrk -c$CONNS)" "" "(EXPLAIN)" \
		"tps -c$CONNS" "" "tps -c$SERVER_THREADS" ""
	report_line
}
report_ratio_row() {
	local label=$1 name=$2
	local tps=${R_TPS[$name]:-} same=${R_TPS_SAME[$name]:-}
	report_add '%-50s %10s %8s %9s %11s %8s %11s %7s' "$label" "${R_RPS[$name]}" "${R_P99[$name]}" \
		"${R_SQL[$name]:--}" "${tps:--}" "$(div "${R_RPS[$name]}" "$tps")" "${same:--}" \
		"$(div "${R_RPS[$name]}" "$same")"
}
report_bad() {
	local n=0 name
	for name in "$@"; do n=$((n + ${R_BAD[$name]:-0})); done
	[ "$n" -gt 0 ] && report_add '%s' "WARNING: $n socket errors or non-2xx answers (see ${OUT#"$ROOT"/}/wrk-*.txt)"
	return 0
}
