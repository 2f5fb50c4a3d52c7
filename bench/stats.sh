# stats.sh — section "stats" of bench/run.sh (issue 7): each statistics answer on the 50,000
# departures of bench/departures.sql with wrk, and the SQL's own time (EXPLAIN ANALYZE of the
# statement the handler sends). Sourced by run.sh.
# shellcheck shell=bash

section_stats() {
	departures_dataset
	say "stats (issue 7)"
	server_start stats
	local urls=(
		"/stats/departures?group_by=month&from=2015&to=2025"
		"/stats/departures?group_by=destination_org"
		"/stats/flows?org=org-1"
		"/stats/attrition?org=org-1&from=2024&to=2024"
	)
	# The statement each handler sends (sql/statements/), with its arguments bound.
	local sqls=(
		"SELECT ow_stats_departures(coalesce('month', 'month'), NULL, NULL, NULL, NULL, NULL, NULL, NULL, '2015', '2025', NULL, NULL::timestamptz, NULL, NULL, NULL, NULL)"
		"SELECT ow_stats_departures(coalesce('destination_org', 'month'), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL::timestamptz, NULL, NULL, NULL, NULL)"
		"SELECT ow_stats_flows('org-1', NULL, NULL, NULL, NULL, NULL, NULL)"
		"SELECT ow_stats_attrition('org-1', NULL, '2024', '2024', NULL)"
	)
	local names=(st_month st_dest st_flows st_attrition) i
	for i in 0 1 2 3; do
		curl -fsS "$BASE${urls[$i]}" | jq -e 'type == "object"' >/dev/null ||
			die "GET ${urls[$i]} did not answer a JSON object"
		curl -fsS "$BASE${urls[$i]}" >"$OUT/answer-${names[$i]}.json"
		R_SQL[${names[$i]}]=$(explain_ms "${names[$i]}" "${sqls[$i]}")
		explain_nested "${names[$i]}" "${sqls[$i]}"
	done

	say "wrk -t2 -c$STATS_CONNS -d${STATS_DURATION}s --latency"
	for i in 0 1 2 3; do
		run_wrk "${names[$i]}" "$STATS_CONNS" "$STATS_DURATION" "$BASE${urls[$i]}"
	done
	server_stop

	report_add '\n%s' "Issue 7 — statistics on $N_DEP departures (wrk -t2 -c$STATS_CONNS -d${STATS_DURATION}s; the server has $SERVER_THREADS database connections)"
	report_line
	report_add '%-54s %9s %9s %9s %9s %7s' endpoint "req/s" "p50 ms" "p99 ms" "SQL ms" "errors"
	report_line
	for i in 0 1 2 3; do
		report_add '%-54s %9s %9s %9s %9s %7s' "GET ${urls[$i]}" "${R_RPS[${names[$i]}]}" \
			"${R_P50[${names[$i]}]}" "${R_P99[${names[$i]}]}" "${R_SQL[${names[$i]}]:--}" "${R_BAD[${names[$i]}]}"
	done
	report_line
	report_add '%s' "SQL ms: EXPLAIN ANALYZE of the statement as sent (second run in a session); plans inside the functions in"
	report_add '%s' "explain-st_*-inside.txt. With $SERVER_THREADS connections, req/s cannot exceed $SERVER_THREADS x 1000 / SQL ms."
}
