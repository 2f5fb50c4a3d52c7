# departures.sh — section "departures" of bench/run.sh (issue 4): the 50,000 departures of
# bench/departures.sql, then GET /departures?org=X&limit=50 and
# GET /departures?from=2024-01&to=2024-06&limit=50 with wrk, each next to its ceiling: pgbench
# of the minimal hand-written statement giving the same facts (bench/ceiling/departures_org.sql,
# departures_window.sql). Sourced by run.sh.
# shellcheck shell=bash

# departures_dataset — bench/departures.sql once per run (the stats section needs it too).
departures_dataset() {
	[ "$DEPARTURES_READY" = 1 ] && return 0
	say "dataset: bench/departures.sql (issues 4 and 7)"
	run_sql_file departures-generate "$ROOT/bench/departures.sql" 300
	DEP_GEN_SECS=$SQL_SECS
	read -r N_DEP N_DEP_LISTED N_LAYOFF N_SRC < <(psql_q -At -F ' ' -c \
		"SELECT count(*), count(*) FILTER (WHERE status <> 'retracted'),
		        (SELECT count(*) FROM layoffs), (SELECT count(*) FROM sources) FROM departures")
	note "$N_DEP departures ($N_DEP_LISTED not retracted), $N_LAYOFF layoffs, $N_SRC sources" \
		"generated + VACUUM ANALYZE in ${DEP_GEN_SECS} s"
	DEPARTURES_READY=1
}

# departures_list: $1 person, $2 org, $3 team, $4 destination_org, $5 kind, $6 reason_category,
# $7 destination_kind, $8 from, $9 to, $10 layoff, $11 updated_since, $12 status (sort picks the statement),
# $13-$15 the organization's industry, country, stage, $16/$17 cursor, $18 limit + 1.
DEP_ARGS_ORG="(NULL, 'org-1', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '51')"
DEP_ARGS_ORG_SMALL="(NULL, 'org-150', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '51')"
DEP_ARGS_WINDOW="(NULL, NULL, NULL, NULL, NULL, NULL, NULL, '2024-01', '2024-06', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '51')"

section_departures() {
	departures_dataset
	say "departures (issue 4)"
	server_start departures
	curl -fsS "$BASE/departures?org=org-1&limit=50" |
		jq -e '(.items | length == 50) and (.items[0].person.slug | startswith("person-"))' >/dev/null ||
		die "GET /departures?org=org-1&limit=50 did not return 50 departures with embedded people"
	curl -fsS "$BASE/departures?from=2024-01&to=2024-06&limit=50" | jq -e '.items | length == 50' >/dev/null ||
		die "GET /departures?from=2024-01&to=2024-06&limit=50 did not return 50 departures"

	local t
	t=$(explain_prepared explain-departures.txt departures_list "2 18" "$DEP_ARGS_ORG" "$DEP_ARGS_ORG" \
		"$DEP_ARGS_ORG_SMALL")
	R_SQL[dep_org]=$(echo "$t" | head -n 1)
	t=$(explain_prepared explain-departures.txt departures_list "8 9 18" "$DEP_ARGS_WINDOW" "$DEP_ARGS_WINDOW")
	R_SQL[dep_window]=$(echo "$t" | head -n 1)
	# How far the window query walks its index before it has 51 rows.
	DEP_WINDOW_WALK=$(awk '/arguments 1:.*2024-01/ { f = 1 } f && /Rows Removed by Filter/ { print $NF; exit }' \
		"$OUT/explain-departures.txt")
	DEP_WINDOW_INDEX=$(awk '/arguments 1:.*2024-01/ { f = 1 } f && /Index Scan using|Bitmap Index Scan on/ {
		for (i = 1; i <= NF; i++) if ($i == "using" || $i == "on") { print $(i + 1); exit } }' \
		"$OUT/explain-departures.txt")

	say "wrk -t2 -c$CONNS -d${DURATION}s --latency"
	run_wrk dep_org "$CONNS" "$DURATION" "$BASE" "$WORK/org-slugs.txt" "/departures?org=%s&limit=50"
	run_wrk dep_window "$CONNS" "$DURATION" "$BASE/departures?from=2024-01&to=2024-06&limit=50"
	server_stop

	say "ceilings: pgbench -M prepared -n -j 2 -T $PG_DURATION of bench/ceiling/: -c $CONNS, then -c $SERVER_THREADS"
	pgbench_pair dep_org "$ROOT/bench/ceiling/departures_org.sql"
	pgbench_pair dep_window "$ROOT/bench/ceiling/departures_window.sql"

	report_ratio_header "Issue 4 — departures: $N_DEP departures ($N_DEP_LISTED listed), $N_LAYOFF layoffs, $N_SRC sources; pages embed person, org, team, destination, layoff, sources"
	report_ratio_row "GET /departures?org=X&limit=50" dep_org
	report_ratio_row "GET /departures?from=2024-01&to=2024-06&limit=50" dep_window
	report_line
	report_bad dep_org dep_window
	report_add '%s' "SQL ms: EXPLAIN ANALYZE of departures_list for org-1 and for the window, as the server runs it; ceiling: the"
	report_add '%s' "minimal hand-written statement giving the same facts (bench/ceiling/), by pgbench."
	if [ -n "${DEP_WINDOW_WALK:-}" ]; then
		report_add '%s' "The window page scans ${DEP_WINDOW_INDEX:-its index} from 366 days before the window (a partial date spans at most"
		report_add '%s' "a year) and filters out $DEP_WINDOW_WALK rows before it has 51 (explain-departures.txt; bench/README.md, finding 3)."
	fi
}
