# chart.sh — section "chart" of bench/run.sh (issue 5): the 100,000-person organization of
# bench/chart.sql (8 levels), then sequential timings of the whole chart, a ~5,000-person
# subtree and a managers chain, next to EXPLAIN ANALYZE of the statement each handler runs,
# and the server's peak RSS while it answers the whole chart. Sourced by run.sh.
# shellcheck shell=bash

section_chart() {
	say "dataset: bench/chart.sql (issue 5; the reporting lines go through the cycle trigger)"
	run_sql_file chart-generate "$ROOT/bench/chart.sql" 900
	CHART_GEN_SECS=$SQL_SECS
	local n_pos n_lines n_now lines_secs
	IFS='|' read -r n_pos n_lines n_now lines_secs < <(tail -n 1 "$OUT/chart-generate.txt")
	n_now=$(psql_q -At -c "SELECT count(*) FROM reporting_lines WHERE period @> '$AS_OF'::date")
	note "$n_pos people at chart-corp, $n_lines reporting lines ($n_now valid on $AS_OF)," \
		"generated in ${CHART_GEN_SECS} s (reporting lines: ${lines_secs} s)"
	# Per-level insert times of the reporting lines (psql \timing lines, two inserts a level).
	local level_times
	level_times=$(awk '/^Time: / { t[++n] = $2 } END {
		# Per level: the reorganized lines, the current lines, ANALYZE; the \gexec SELECT last.
		for (k = 0; k < 7; k++) { a = t[1 + 3 * k]; b = t[2 + 3 * k]; printf "%s%.1f", (k ? " " : ""), (a + b) / 1000 } }' \
		"$OUT/chart-generate.txt")

	say "chart (issue 5), as of $AS_OF"
	server_start chart
	local idle_kb
	idle_kb=$(rss_kb VmRSS)
	local chart_url="$BASE/organizations/chart-corp/chart?as_of=$AS_OF"
	local reports_url="$BASE/people/chart-2/reports?as_of=$AS_OF"
	local managers_url="$BASE/people/chart-100000/managers?as_of=$AS_OF"

	# Peak RSS: from here on, while it answers whole charts (VmHWM reset when allowed).
	local hwm_note=""
	hwm_reset || hwm_note=" (VmHWM not resettable: peak since start)"
	rss_sampler_start
	timed_gets chart "$CHART_RUNS" "$chart_url" "$OUT/answer-chart.json"
	local chart_hwm
	chart_hwm=$(rss_kb VmHWM)
	rss_sampler_stop
	local chart_sampled=$RSS_PEAK
	timed_gets reports "$REPORTS_RUNS" "$reports_url" "$OUT/answer-reports.json"
	timed_gets managers "$MANAGERS_RUNS" "$managers_url" "$OUT/answer-managers.json"
	server_stop

	# The warm-up answers, counted: every node carries one "person" (plus the head's).
	local chart_nodes reports_nodes managers_n
	chart_nodes=$(grep -o '"person" *:' "$OUT/answer-chart.json" | wc -l)
	reports_nodes=$(($(grep -o '"person" *:' "$OUT/answer-reports.json" | wc -l) - 1))
	managers_n=$(jq '.managers | length' "$OUT/answer-managers.json")
	jq -e '.roots | length >= 1' "$OUT/answer-chart.json" >/dev/null || die "the chart has no roots"

	say "EXPLAIN ANALYZE of the statements the handlers run"
	local q_chart="SELECT * FROM ow_chart_flat('chart-corp', coalesce('$AS_OF'::date, current_date), NULL, NULL::int)"
	local q_reports
	q_reports=$(stmt_sql reports_flat | sed -e "s/\\\$1\\b/'chart-2'/g" -e "s/\\\$2\\b/'$AS_OF'/g" -e 's/\$3\b/NULL/g')
	local q_managers
	q_managers=$(stmt_sql person_managers | sed -e "s/\\\$1\\b/'chart-100000'/g" -e "s/\\\$2\\b/'$AS_OF'/g")
	R_SQL[chart]=$(explain_ms chart "$q_chart" 1)
	R_SQL[reports]=$(explain_ms reports "$q_reports")
	R_SQL[managers]=$(explain_ms managers "$q_managers")
	explain_nested chart "SELECT count(*) FROM ow_chart_flat('chart-corp', '$AS_OF', NULL, NULL)"
	note "SQL: chart ${R_SQL[chart]} ms, reports ${R_SQL[reports]} ms, managers ${R_SQL[managers]} ms"
	local jit_ms sort_disk
	jit_ms=$(sed -n 's/.*Timing: Generation.* Total \([0-9.]*\) ms.*/\1/p' "$OUT/explain-chart-inside.txt" 2>/dev/null | head -n 1 || true)
	sort_disk=$(grep -o 'external merge  Disk: [0-9]*kB' "$OUT/explain-chart-inside.txt" 2>/dev/null |
		awk '{ sub(/kB/, "", $4); s += $4 } END { if (NR) printf "%d sorts spilled %.0f MB to disk", NR, s / 1024 }' || true)

	report_add '\n%s' "Issue 5 — org chart: chart-corp, $n_pos people, 8 levels, $n_lines reporting lines ($n_now valid on $AS_OF); sequential requests, one connection"
	report_line
	report_add '%-48s %7s %9s %5s %9s %9s %9s %8s %6s' request nodes "answer" runs "p50 ms" "p99 ms" "SQL ms" "HTTP/SQL" "not200"
	report_line
	local row
	for row in "chart|GET /organizations/chart-corp/chart?as_of=…|$chart_nodes|answer-chart.json" \
		"reports|GET /people/chart-2/reports?as_of=…|$reports_nodes|answer-reports.json" \
		"managers|GET /people/chart-100000/managers?as_of=…|$managers_n|answer-managers.json"; do
		local name label nodes file bytes
		IFS='|' read -r name label nodes file <<<"$row"
		bytes=$(stat -c %s "$OUT/$file")
		report_add '%-48s %7s %9s %5s %9s %9s %9s %8s %6s' "$label" "$nodes" \
			"$(awk -v b="$bytes" 'BEGIN { if (b >= 1048576) printf "%.1f MB", b / 1048576; else printf "%.1f kB", b / 1024 }')" \
			"${R_N[$name]}" "${R_P50[$name]}" "${R_P99[$name]}" "${R_SQL[$name]:--}" \
			"$(div "${R_P50[$name]}" "${R_SQL[$name]:-}")" "${R_BAD[$name]}"
	done
	report_line
	[ "${R_BAD[chart]}" -gt 0 ] &&
		report_add '%s' "NOT 200: whole-chart requests ${R_BAD_AT[chart]} of one connection (server-chart.log says why)."
	report_add '%s' "Each row: one warm-up request, then the runs, on one keep-alive connection; p99 of $CHART_RUNS/$REPORTS_RUNS/$MANAGERS_RUNS runs is"
	report_add '%s' "their slowest (nearest rank). SQL ms: EXPLAIN ANALYZE of the statement the handler runs (ow_chart_flat's"
	report_add '%s' "flat rows, linked and written by the server; the reports' flat rows likewise; the managers' one statement), in a fresh session;"
	report_add '%s' "plans inside in explain-*-inside.txt."
	report_add '%s' "Server RSS: $(mb "$idle_kb") MB idle; peak while answering the whole chart $(mb "$chart_hwm") MB (VmHWM$hwm_note; sampled"
	report_add '%s' "every 50 ms: $(mb "$chart_sampled") MB) for an answer of $(mb $(($(stat -c %s "$OUT/answer-chart.json") / 1024))) MB."
	[ -n "$jit_ms$sort_disk" ] &&
		report_add '%s' "Inside ow_chart_flat: JIT ${jit_ms:-?} ms${sort_disk:+; $sort_disk} (work_mem $(psql_q -At -c 'SHOW work_mem'))."
	report_add '%s' "Generation: bench/chart.sql ${CHART_GEN_SECS} s, of which the reporting lines ${lines_secs} s (one transaction a level, cycle trigger"
	report_add '%s' "per row; levels 1..7: ${level_times} s)."
}
