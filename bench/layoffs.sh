# layoffs.sh — section "layoffs" of bench/run.sh (issue 26): a layoffs tracker's data at size.
#
#   data     bench/layoffs.sql: 20,000 organizations (industry, country, stage, headquarters)
#            and 100,000 layoffs (announced 2020..2025, 5% year-only, 10% month-only; location,
#            count absent for 15%, percentage), one NDJSON file, organizations first; the same
#            rows as CSV with their ids resolved beforehand
#   import   POST /import of the file by curl (application/x-ndjson, the editor key) into a
#            fresh database (orgwatch_layoffs), next to \copy of the CSV rows into empty tables
#            shaped like organizations and layoffs (LIKE ... INCLUDING ALL: keys, checks,
#            generated columns, indexes; their foreign keys; no triggers, no audit rows)
#   stats    GET /stats/layoffs?group_by=month and ?group_by=industry with wrk (as section
#            stats: -c$STATS_CONNS for $STATS_DURATION s), each next to its ceiling: the smallest
#            hand-written statement yielding the same facts (bench/ceiling/layoffs_month.sql,
#            layoffs_industry.sql), run by pgbench -M prepared with as many clients as the
#            server has database connections and the server's session settings (JIT off),
#            after checking that it gives the server's figures; the server's own statement
#            under pgbench too, EXPLAIN ANALYZE of it and the plans inside (auto_explain), and
#            the load average before and after.
# The database is dropped at the end (kept with BENCH_KEEP=1). Sourced by run.sh.
# shellcheck shell=bash

LAYOFFS_DB=orgwatch_layoffs

# layoffs_facts_server FILE — a /stats/layoffs answer as "key|layoffs|laid_off|without_count|orgs"
# lines (the total as key "total"), sorted.
layoffs_facts_server() {
	jq -r '(.groups[] | [.key, .layoffs, .laid_off, .without_count, .orgs]),
		(.total | ["total", .layoffs, .laid_off, .without_count, .orgs]) | map(tostring) | join("|")' "$1" |
		LC_ALL=C sort
}

# layoffs_facts_ceiling FILE — the ceiling's rows in the same form.
layoffs_facts_ceiling() {
	PGOPTIONS="$PG_SESSION_OPTIONS" psql "$DB_URL" -X -q -At -F '|' -P null=null -v ON_ERROR_STOP=1 -f "$1" |
		LC_ALL=C sort
}

section_layoffs() {
	say "layoffs (issue 26): 100,000 layoffs over 20,000 organizations (bench/layoffs.sql)"
	local file=$WORK/layoffs.ndjson orgs_csv=$WORK/layoffs-orgs.csv lay_csv=$WORK/layoffs-layoffs.csv
	run_sql_file layoffs-data "$ROOT/bench/layoffs.sql" 600 -v file="$file" -v orgs_csv="$orgs_csv" \
		-v layoffs_csv="$lay_csv"
	local n_orgs n_lay
	n_orgs=$(grep -c '^{"type":"organization"' "$file") || true
	n_lay=$(grep -c '^{"type":"layoff"' "$file") || true
	note "file: $n_orgs organization + $n_lay layoff lines, $(mb $(($(stat -c %s "$file") / 1024))) MB NDJSON," \
		"written in ${SQL_SECS} s"
	if [ "$n_orgs" = 0 ] || [ "$n_lay" = 0 ]; then
		die "bench/layoffs.sql wrote no organizations or no layoffs (see $OUT/layoffs-data.txt)"
	fi

	# 1. The import, one request, into a fresh database (bulk.sh's helpers).
	local main_url=$DB_URL
	bulk_db "$LAYOFFS_DB"
	local lay_url=$BULK_URL
	bulk_server layoffs-import
	bulk_post layoffs-import "$file"
	local imp_rows=$B_ROWS imp_secs=$B_SECS imp_hwm=$B_HWM created
	server_stop
	created=$(jq '.created' "$OUT/bulk-layoffs-import.json")
	[ "$created" = $((n_orgs + n_lay)) ] ||
		die "POST /import created $created records, not $((n_orgs + n_lay)) (see $OUT/bulk-layoffs-import.json)"

	# The \copy ceiling: the same rows, ids resolved, into empty keyed tables of the same shape.
	psql "$lay_url" -X -q -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" \
		-c "DROP TABLE IF EXISTS bench_layoffs, bench_orgs" \
		-c "CREATE TABLE bench_orgs (LIKE organizations INCLUDING ALL)" \
		-c "ALTER TABLE bench_orgs ADD FOREIGN KEY (parent_id) REFERENCES bench_orgs,
			ADD FOREIGN KEY (country) REFERENCES countries" \
		-c "CREATE TABLE bench_layoffs (LIKE layoffs INCLUDING ALL)" \
		-c "ALTER TABLE bench_layoffs ADD FOREIGN KEY (org_id) REFERENCES bench_orgs,
			ADD FOREIGN KEY (team_id) REFERENCES teams" || die "cannot create bench_orgs / bench_layoffs"
	local copy_ms copy_rows
	copy_ms=$(psql "$lay_url" -X -v ON_ERROR_STOP=1 -c '\timing on' \
		-c "\\copy bench_orgs (id, slug, name, kind, industry, headquarters, country, stage) FROM '$orgs_csv' WITH (FORMAT csv)" \
		-c "\\copy bench_layoffs (org_id, announced_on, location, count, percentage) FROM '$lay_csv' WITH (FORMAT csv)" |
		sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | awk '{ s += $1; n++ } END { if (n == 2) printf "%.3f", s }')
	[ -n "$copy_ms" ] || die "\\copy into bench_orgs / bench_layoffs failed"
	copy_rows=$(psql "$lay_url" -X -At -c "SELECT (SELECT count(*) FROM bench_orgs) + (SELECT count(*) FROM bench_layoffs)")
	psql "$lay_url" -X -q -c "DROP TABLE bench_layoffs, bench_orgs" >/dev/null
	local imp_rps copy_rps
	imp_rps=$(div "$imp_rows" "$imp_secs" '%.0f')
	copy_rps=$(div "$copy_rows" "$(div "$copy_ms" 1000 '%.6f')" '%.0f')
	note "\\copy into the keyed tables: $copy_rows rows in $copy_ms ms ($copy_rps rows/s)"
	psql "$lay_url" -X -q -c "VACUUM ANALYZE organizations" -c "VACUUM ANALYZE layoffs" >/dev/null ||
		die "VACUUM ANALYZE of $LAYOFFS_DB failed"

	# 2. The statistics, on that database: the server, its ceilings, its own statement.
	local DB_URL=$lay_url SU_URL=${SU_URL:+$(printf '%s' "$SU_URL" | sed "s|/[^/?]*\([?].*\)\{0,1\}$|/$LAYOFFS_DB\1|")}
	# The server's request connections run with JIT off and random_page_cost 1.1 (server/db.c);
	# the ceilings, the EXPLAINs and the own-statement runs get the same.
	local PG_SESSION_OPTIONS="-c jit=off -c random_page_cost=1.1"
	local groups=(month industry) g
	bulk_server layoffs
	declare -A same
	for g in "${groups[@]}"; do
		local url="/stats/layoffs?group_by=$g" sql="SELECT ow_stats_layoffs('$g', NULL, NULL, NULL, NULL, NULL, NULL)"
		curl -fsS "$BASE$url" >"$OUT/answer-lo_$g.json" || die "GET $url failed"
		jq -e '.groups | length > 0' "$OUT/answer-lo_$g.json" >/dev/null || die "GET $url answered no groups"
		layoffs_facts_server "$OUT/answer-lo_$g.json" >"$OUT/layoffs-facts-server-$g.txt"
		layoffs_facts_ceiling "$ROOT/bench/ceiling/layoffs_$g.sql" >"$OUT/layoffs-facts-ceiling-$g.txt"
		if cmp -s "$OUT/layoffs-facts-server-$g.txt" "$OUT/layoffs-facts-ceiling-$g.txt"; then
			same[$g]=yes
		else
			same[$g]=NO
			note "(group_by=$g: the ceiling's figures differ from the server's: $OUT/layoffs-facts-*-$g.txt)"
		fi
		R_SQL["lo_$g"]=$(PGOPTIONS="$PG_SESSION_OPTIONS" explain_ms "lo_$g" "$sql")
		PGOPTIONS="$PG_SESSION_OPTIONS" explain_nested "lo_$g" "$sql"
		echo "$sql;" >"$WORK/layoffs-own-$g.sql"
	done
	local n_groups_month n_groups_industry
	n_groups_month=$(jq '.groups | length' "$OUT/answer-lo_month.json")
	n_groups_industry=$(jq '.groups | length' "$OUT/answer-lo_industry.json")

	local load_before load_after
	load_before=$(cut -d' ' -f1-3 /proc/loadavg)
	say "wrk -t2 -c$STATS_CONNS -d${STATS_DURATION}s --latency (load average $load_before)"
	for g in "${groups[@]}"; do
		run_wrk "lo_$g" "$STATS_CONNS" "$STATS_DURATION" "$BASE/stats/layoffs?group_by=$g"
	done
	server_stop
	say "ceilings and the server's own statement: pgbench -M prepared -c $SERVER_THREADS -j 2 -T $PG_DURATION ($PG_SESSION_OPTIONS)"
	for g in "${groups[@]}"; do
		run_pgbench "lo_${g}_ceiling" "$ROOT/bench/ceiling/layoffs_$g.sql" "$SERVER_THREADS"
		R_TPS["lo_$g"]=$PG_TPS
		run_pgbench "lo_${g}_own" "$WORK/layoffs-own-$g.sql" "$SERVER_THREADS"
		R_TPS_SAME["lo_$g"]=$PG_TPS
	done
	load_after=$(cut -d' ' -f1-3 /proc/loadavg)
	note "load average before $load_before, after $load_after"

	if [ "${BENCH_KEEP:-0}" != 1 ]; then
		psql "$main_url" -X -q -c "DROP DATABASE IF EXISTS $LAYOFFS_DB WITH (FORCE)" >/dev/null 2>&1 || true
		rm -f "$file" "$orgs_csv" "$lay_csv"
	fi
	rm -f "$WORK"/layoffs-own-*.sql

	report_add '\n%s' "Issue 26 — layoffs: $n_orgs organizations and $n_lay layoffs (bench/layoffs.sql) in a fresh database"
	report_line
	report_add '%-70s %9s %9s %11s %13s' step rows "wall s" "rows/s" "peak RSS MB"
	report_line
	report_add '%-70s %9s %9s %11s %13s' "POST /import, NDJSON, one request (organizations, then layoffs)" "$imp_rows" "$imp_secs" \
		"$imp_rps" "$(mb "$imp_hwm")"
	report_add '%-70s %9s %9s %11s %13s' "\\copy of the same rows, ids resolved, into keyed tables (the ceiling)" "$copy_rows" \
		"$(div "$copy_ms" 1000 '%.2f')" "$copy_rps" "-"
	report_line
	report_add '%s' "import / \\copy: $(div "$imp_rps" "$copy_rps" '%.3f'). The tables: LIKE organizations / layoffs INCLUDING ALL (primary keys, the"
	report_add '%s' "unique slug, checks, generated announced_range, indexes) with their foreign keys; no triggers, no audit rows."
	report_add '%s' ""
	report_add '%-40s %9s %8s %8s %12s %9s %11s %9s %8s %6s' "statistic (wrk -c$STATS_CONNS -d${STATS_DURATION}s)" "req/s" "p50 ms" "p99 ms" \
		"ceiling tps" "server/" "own SQL" "SQL ms" "same" "errors"
	report_add '%-40s %9s %8s %8s %12s %9s %11s %9s %8s %6s' "" "" "" "" "(-c$SERVER_THREADS)" "ceiling" "tps (-c$SERVER_THREADS)" "" "facts" ""
	report_line
	for g in "${groups[@]}"; do
		report_add '%-40s %9s %8s %8s %12s %9s %11s %9s %8s %6s' "GET /stats/layoffs?group_by=$g" "${R_RPS["lo_$g"]}" \
			"${R_P50["lo_$g"]}" "${R_P99["lo_$g"]}" "${R_TPS["lo_$g"]}" "$(div "${R_RPS["lo_$g"]}" "${R_TPS["lo_$g"]}")" \
			"${R_TPS_SAME["lo_$g"]}" "${R_SQL["lo_$g"]:--}" "${same[$g]}" "${R_BAD["lo_$g"]}"
	done
	report_line
	report_add '%s' "Load average (1, 5, 15 min) before the wrk runs: $load_before; after the pgbench runs: $load_after."
	report_add '%s' "Aim: server/ceiling >= 0.5. Ceiling: bench/ceiling/layoffs_month.sql ($n_groups_month groups: every month, the empty"
	report_add '%s' "2021-08 too, and the 'YYYY-unknown' years) and layoffs_industry.sql ($n_groups_industry groups, case-insensitive), the smallest"
	report_add '%s' "statements giving the same figures and totals (same facts: compared with the server's answer), pgbench -M prepared"
	report_add '%s' "-c$SERVER_THREADS with the server's session settings (JIT off). Own SQL: the handler's statement under the same pgbench (the"
	report_add '%s' "HTTP layer's share is req/s vs own SQL tps). SQL ms: EXPLAIN ANALYZE of it (2nd run in a session); plans inside the"
	report_add '%s' "function: explain-lo_*-inside.txt."
	return 0
}
