# import.sh — section "import" of bench/run.sh (issue 6): POST /import by curl of people
# (NDJSON), then of departure lines over them (NDJSON), the server's peak RSS during each,
# COPY of the same departure rows as CSV into a plain unindexed table (the physical ceiling),
# \copy of them, references resolved beforehand, into a keyed table shaped like departures
# (primary key, foreign keys, checks, its indexes; no triggers: the comparison users make and
# the aim since issue 13), one INSERT ... SELECT of them, resolved, into the real tables (the
# schema's ceiling), and GET /export of the departures (NDJSON and CSV). Sourced by run.sh.
# shellcheck shell=bash

# import_post NAME FILE — POST /import of an NDJSON file with curl (curl_import, the answer
# in $OUT/import-NAME.json); sets IMP_SECS, IMP_ROWS (records reported
# created/updated/unchanged), IMP_HWM (VmHWM during the import, kB), IMP_SAMPLED (largest VmRSS
# sampled every 50 ms, kB).
import_post() {
	local name=$1
	hwm_reset || IMP_HWM_NOTE=" (VmHWM not resettable: peak since start)"
	rss_sampler_start
	curl_import "$name" "$2" "$OUT/import-$name.json" "$EDITOR_KEY" 7200
	rss_sampler_stop
	IMP_SECS=$IMPORT_SECS IMP_HWM=$IMPORT_HWM IMP_ROWS=$IMPORT_ROWS IMP_SAMPLED=$RSS_PEAK
	printf '   %-22s %8s records in %7s s  %8s rows/s   peak RSS %s MB\n' "$name" "$IMP_ROWS" "$IMP_SECS" \
		"$(div "$IMP_ROWS" "$IMP_SECS" '%.0f')" "$(mb "$IMP_HWM")"
}

# doc_share — percentage of ow_import_batch's time spent in ow_*_doc functions (the
# documents the write functions render and the import discards), from pg_stat_user_functions.
doc_share() {
	psql_su -At -c "SELECT round((100 * sum(total_time) FILTER (WHERE funcname LIKE 'ow\\_%\\_doc')
		/ nullif(sum(total_time) FILTER (WHERE funcname = 'ow_import_spool_apply'), 0))::numeric)
		FROM pg_stat_user_functions"
}

# export_get NAME URL [CURL ARGS] — GET URL to a file; sets EXP_SECS, EXP_ROWS (lines), EXP_BYTES.
export_get() {
	local name=$1 url=$2 file="$WORK/export-$1.out" t0
	shift 2
	local status
	t0=$(now_ms)
	status=$(curl -sS --max-time 3600 -o "$file" -w '%{http_code}' "$@" "$url") || die "GET $url failed"
	EXP_SECS=$(awk -v a="$t0" -v b="$(now_ms)" 'BEGIN { printf "%.2f", (b - a) / 1000 }')
	[ "$status" = 200 ] || die "GET $url answered $status"
	EXP_ROWS=$(wc -l <"$file")
	EXP_BYTES=$(stat -c %s "$file")
	rm -f "$file"
}

section_import() {
	say "import (issue 6): $IMPORT_ROWS departure lines over $IMPORT_PEOPLE people"
	local people_file=$WORK/import-people.ndjson dep_file=$WORK/import-departures.ndjson
	local csv_file=$WORK/import-departures.csv
	run_sql_file import-files "$ROOT/bench/import_data.sql" 600 -v rows="$IMPORT_ROWS" \
		-v people="$IMPORT_PEOPLE" -v people_file="$people_file" -v dep_file="$dep_file" \
		-v csv_file="$csv_file"
	local n_people_lines n_dep_lines
	n_people_lines=$(wc -l <"$people_file")
	n_dep_lines=$(wc -l <"$dep_file")
	note "files: $n_people_lines source + people lines ($(mb $(($(stat -c %s "$people_file") / 1024))) MB)," \
		"$n_dep_lines departure lines ($(mb $(($(stat -c %s "$dep_file") / 1024))) MB NDJSON," \
		"$(mb $(($(stat -c %s "$csv_file") / 1024))) MB CSV), written in ${SQL_SECS} s"

	# The ceiling: COPY of the same rows as CSV into a plain table without indexes.
	psql_q -c "SET client_min_messages = warning" -c "DROP TABLE IF EXISTS bench_copy" -c "CREATE TABLE bench_copy (person text, org text,
		team text, title text, departed_on text, kind text, reason_category text,
		destination_org text, destination_kind text, sources text, status text)"
	local copy_ms
	copy_ms=$(psql "$DB_URL" -X -v ON_ERROR_STOP=1 -c '\timing on' \
		-c "COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER)" <"$csv_file" |
		sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -n 1)
	[ -n "$copy_ms" ] || die "COPY into bench_copy failed"
	local copy_rows
	copy_rows=$(psql_q -At -c "SELECT count(*) FROM bench_copy")
	local copy_rps
	copy_rps=$(div "$copy_rows" "$(div "$copy_ms" 1000 '%.6f')" '%.0f')
	note "COPY: $copy_rows rows in $copy_ms ms ($copy_rps rows/s)"


	# Where the import's time goes: PostgreSQL's per-function statistics (superuser only).
	if [ -n "$SU_URL" ]; then
		psql_su -c "ALTER SYSTEM SET track_functions = 'all'" -c "SELECT pg_reload_conf()" >/dev/null
	fi

	# The state the departure import starts from matters (bench/README.md, finding 9): on an
	# empty departures table that statistics call empty, its cached plans seq-scan the table.
	local dep_before dep_analyzed
	read -r dep_before dep_analyzed < <(psql_q -At -F ' ' -c "SELECT (SELECT count(*) FROM departures),
		coalesce((SELECT last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL FROM pg_stat_user_tables
		WHERE relname = 'departures'), false)")

	server_start import
	local idle_kb
	idle_kb=$(rss_kb VmRSS)
	IMP_HWM_NOTE=
	[ -n "$SU_URL" ] && psql_su -c "SELECT pg_stat_reset()" >/dev/null
	local p_doc=""
	import_post people "$people_file"
	local p_secs=$IMP_SECS p_rows=$IMP_ROWS p_hwm=$IMP_HWM p_sampled=$IMP_SAMPLED
	[ -n "$SU_URL" ] && {
		sleep 0.6 # statistics reach the shared view when the backend reports them (≤ 0.5 s)
		psql_su -A -F ' | ' -c "SELECT funcname, calls, round(total_time::numeric) AS total_ms,
			round(self_time::numeric) AS self_ms FROM pg_stat_user_functions
			ORDER BY self_time DESC LIMIT 15" >"$OUT/import-functions-people.txt"
		p_doc=$(doc_share)
		psql_su -c "SELECT pg_stat_reset()" >/dev/null
	}
	# The schema's own ceiling (issue 13): the same departure rows, references resolved
	# beforehand, by the smallest hand-written statement writing the same facts (rows, audit
	# rows, source links; bench/import_ceiling.sql), rolled back; run here, on the table the
	# import starts from, then VACUUMed away so that the import meets no dead rows.
	run_sql_file import-ceiling "$ROOT/bench/import_ceiling.sql" 1200
	local ceil_ms
	ceil_ms=$(sed -n 's/^ceiling-departures //p' "$OUT/import-ceiling.txt")
	[ -n "$ceil_ms" ] || die "import_ceiling.sql printed no timing"
	psql_q -c "VACUUM ANALYZE departures" -c "VACUUM departure_sources" -c "VACUUM audit_log" >/dev/null
	[ -n "$SU_URL" ] && psql_su -c "SELECT pg_stat_reset()" >/dev/null
	import_post departures "$dep_file"
	local d_secs=$IMP_SECS d_rows=$IMP_ROWS d_hwm=$IMP_HWM d_sampled=$IMP_SAMPLED
	local top_funcs="" d_doc=""
	if [ -n "$SU_URL" ]; then
		sleep 0.6
		psql_su -A -F ' | ' -c "SELECT funcname, calls, round(total_time::numeric) AS total_ms,
			round(self_time::numeric) AS self_ms FROM pg_stat_user_functions
			ORDER BY self_time DESC LIMIT 15" >"$OUT/import-functions-departures.txt"
		top_funcs=$(psql_su -At -c "WITH f AS (SELECT funcname, total_time, self_time,
				(SELECT total_time FROM pg_stat_user_functions WHERE funcname = 'ow_import_spool_apply') AS whole
				FROM pg_stat_user_functions)
			SELECT string_agg(format('%s %s%%', funcname, round((100 * self_time / nullif(whole, 0))::numeric)),
				', ' ORDER BY self_time DESC)
			FROM (SELECT * FROM f ORDER BY self_time DESC LIMIT 6) t")
		d_doc=$(doc_share)
		psql_su -c "ALTER SYSTEM RESET track_functions" -c "SELECT pg_reload_conf()" >/dev/null
	fi

	# Export of the departures (all of them: the generated ones too when the departures or
	# stats section ran), NDJSON then CSV, and optionally everything.
	export_get departures "$BASE/export?type=departures"
	local e_rows=$EXP_ROWS e_secs=$EXP_SECS e_bytes=$EXP_BYTES
	export_get departures-csv "$BASE/export?type=departures" -H 'Accept: text/csv'
	local c_rows=$((EXP_ROWS - 1)) c_secs=$EXP_SECS c_bytes=$EXP_BYTES
	local a_rows="" a_secs="" a_bytes=""
	if [ "${BENCH_EXPORT_ALL:-0}" = 1 ]; then
		export_get all "$BASE/export"
		a_rows=$EXP_ROWS a_secs=$EXP_SECS a_bytes=$EXP_BYTES
	fi
	server_stop

	# The aim (issue 13): \copy of the same rows, references resolved beforehand (not timed; the people are in by now),
	# into a keyed table: departures' columns, checks, generated columns and indexes (LIKE ...
	# INCLUDING ALL) and its foreign keys, no triggers; empty. Years moved back a century so
	# that the rows meet nothing the import writes.
	local keyed_file=$WORK/import-departures-resolved.csv
	psql_q -c "COPY (SELECT p.id, o.id, t.id, b.title, '19' || substr(b.departed_on, 3), b.kind,
		b.reason_category, d.id, b.destination_kind, b.status FROM bench_copy b
		JOIN people p ON p.slug = b.person JOIN organizations o ON o.slug = b.org
		LEFT JOIN (SELECT t.id, o2.slug || '/' || t.slug AS k FROM teams t JOIN organizations o2 ON o2.id = t.org_id) t
			ON t.k = b.team
		LEFT JOIN organizations d ON d.slug = b.destination_org) TO STDOUT WITH (FORMAT csv)" >"$keyed_file" ||
		die "cannot write the resolved departure rows"
	psql_q -c "SET client_min_messages = warning" -c "DROP TABLE IF EXISTS bench_keyed" \
		-c "CREATE TABLE bench_keyed (LIKE departures INCLUDING ALL)" \
		-c "ALTER TABLE bench_keyed ADD FOREIGN KEY (person_id) REFERENCES people,
			ADD FOREIGN KEY (org_id) REFERENCES organizations, ADD FOREIGN KEY (team_id) REFERENCES teams,
			ADD FOREIGN KEY (destination_org_id) REFERENCES organizations, ADD FOREIGN KEY (layoff_id) REFERENCES layoffs"
	local keyed_ms keyed_rows keyed_rps
	keyed_ms=$(psql "$DB_URL" -X -v ON_ERROR_STOP=1 -c '\timing on' \
		-c "\\copy bench_keyed (person_id, org_id, team_id, title, departed_on, kind, reason_category, destination_org_id, destination_kind, status) FROM '$keyed_file' WITH (FORMAT csv)" |
		sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -n 1)
	[ -n "$keyed_ms" ] || die "\\copy into bench_keyed failed"
	keyed_rows=$(psql_q -At -c "SELECT count(*) FROM bench_keyed")
	[ "$keyed_rows" -gt 0 ] || die "the keyed table got no rows (resolved file $keyed_file)"
	keyed_rps=$(div "$keyed_rows" "$(div "$keyed_ms" 1000 '%.6f')" '%.0f')
	psql_q -c "DROP TABLE bench_keyed" >/dev/null
	rm -f "$keyed_file"
	note "\\copy into the keyed table: $keyed_rows rows in $keyed_ms ms ($keyed_rps rows/s)"

	# The generated files (~35 MB at 100,000 lines) go, unless the cluster is kept too.
	local people_kb dep_kb
	people_kb=$(($(stat -c %s "$people_file") / 1024))
	dep_kb=$(($(stat -c %s "$dep_file") / 1024))
	[ "${BENCH_KEEP:-0}" = 1 ] || rm -f "$people_file" "$dep_file" "$csv_file"

	local d_rps p_rps
	d_rps=$(div "$d_rows" "$d_secs" '%.0f')
	p_rps=$(div "$p_rows" "$p_secs" '%.0f')
	report_add '\n%s' "Issue 6 — import by curl (POST /import, NDJSON, one transaction each) and export; COPY of the same rows as the ceiling"
	report_line
	report_add '%-52s %9s %9s %9s %15s' step rows "wall s" "rows/s" "peak RSS MB"
	report_line
	report_add '%-52s %9s %9s %9s %15s' "COPY FROM STDIN, CSV, plain unindexed table" "$copy_rows" \
		"$(div "$copy_ms" 1000 '%.3f')" "$copy_rps" "-"
	report_add '%-52s %9s %9s %9s %15s' "\\copy, resolved rows, keyed table (the aim)" "$keyed_rows" \
		"$(div "$keyed_ms" 1000 '%.3f')" "$keyed_rps" "-"
	report_add '%-52s %9s %9s %9s %15s' "INSERT..SELECT, resolved rows, real tables (ceiling)" "$copy_rows" \
		"$(div "$ceil_ms" 1000 '%.3f')" "$(div "$copy_rows" "$(div "$ceil_ms" 1000 '%.6f')" '%.0f')" "-"
	report_add '%-52s %9s %9s %9s %15s' "POST /import: 500 sources + $IMPORT_PEOPLE people" "$p_rows" "$p_secs" \
		"$p_rps" "$(mb "$p_hwm")"
	report_add '%-52s %9s %9s %9s %15s' "POST /import: departure lines (the measured step)" "$d_rows" "$d_secs" \
		"$d_rps" "$(mb "$d_hwm")"
	report_add '%-52s %9s %9s %9s %15s' "GET /export?type=departures (NDJSON)" "$e_rows" "$e_secs" \
		"$(div "$e_rows" "$e_secs" '%.0f')" "-"
	report_add '%-52s %9s %9s %9s %15s' "GET /export?type=departures (Accept: text/csv)" "$c_rows" "$c_secs" \
		"$(div "$c_rows" "$c_secs" '%.0f')" "-"
	[ -n "$a_rows" ] && report_add '%-52s %9s %9s %9s %15s' "GET /export (everything, NDJSON)" "$a_rows" \
		"$a_secs" "$(div "$a_rows" "$a_secs" '%.0f')" "-"
	report_line
	local ceil_rps
	ceil_rps=$(div "$copy_rows" "$(div "$ceil_ms" 1000 '%.6f')" '%.0f')
	report_add '%s' "import / keyed \\copy (departure lines): $(div "$d_rps" "$keyed_rps" '%.2f') — aim >= 0.5 (issue 13: the keyed table has"
	report_add '%s' "departures' primary key, foreign keys, checks and indexes; no triggers). import / COPY into a plain unindexed table:"
	report_add '%s' "$(div "$d_rps" "$copy_rps" '%.4f') (the physical ceiling, not an aim)."
	report_add '%s' "import / ceiling: $(div "$d_rps" "$ceil_rps" '%.2f'); ceiling / COPY: $(div "$ceil_rps" "$copy_rps" '%.4f'). The ceiling is one INSERT ... SELECT of the"
	report_add '%s' "same rows with their references already resolved into departures, with their audit rows and source links, on the"
	report_add '%s' "table the import starts from, the tables' indexes, foreign keys and checks in force (bench/import_ceiling.sql, rolled back)."
	report_add '%s' "Departure lines: import $d_rps rows/s, ceiling $ceil_rps rows/s — issue 13's aim (at 1,000,000 lines, BENCH_IMPORT_ROWS=1000000):"
	report_add '%s' ">= 15,000 rows/s with flat server RSS; an aim above the ceiling is out of reach of any import writing these facts."
	if [ "$dep_before" = 0 ]; then
		report_add '%s' "The departures table started EMPTY$([ "$dep_analyzed" = t ] && echo ' and analyzed so'): the import's apply ANALYZEs its staging"
		report_add '%s' "tables and, after each run of one type, the tables it filled (issue 13). Run with the departures section to"
		report_add '%s' "measure on a populated table."
	else
		report_add '%s' "The departures table held $dep_before rows before the import (analyzed: $dep_analyzed)."
	fi
	report_add '%s' "Server RSS: $(mb "$idle_kb") MB idle; peak RSS column = VmHWM during each import$IMP_HWM_NOTE (sampled every 50 ms:"
	report_add '%s' "people $(mb "$p_sampled") MB, departures $(mb "$d_sampled") MB), for bodies of $(mb "$people_kb") MB and $(mb "$dep_kb") MB."
	# Extrapolation to the issue's size, assuming the rates stay flat (BENCH_IMPORT_ROWS=1000000
	# BENCH_IMPORT_PEOPLE=200000 measures it).
	report_add '%s' "$(awk -v pr="$p_rps" -v dr="$d_rps" -v cr="$copy_rps" -v er="$(div "$e_rows" "$e_secs" '%.0f')" 'BEGIN {
		if (pr + 0 == 0 || dr + 0 == 0 || cr + 0 == 0) exit
		p = 200000 / pr; d = 1000000 / dr
		printf "Issue size (1,000,000 lines over 200,000 people) at these rates: people %.0f s + departures %.0f s = %.1f min\n", p, d, (p + d) / 60
		printf "(if the rates held; COPY of 1,000,000 rows: %.1f s; export of 1,000,000 departures: %.0f s).", 1000000 / cr, (er + 0 > 0 ? 1000000 / er : 0) }')"
	[ -n "$top_funcs" ] &&
		report_add '%s' "Self time by function during the departure import (share of ow_import_spool_apply; import-functions-*.txt):" &&
		report_add '%s' "  $top_funcs"
	[ -n "$p_doc$d_doc" ] &&
		report_add '%s' "Rendering documents (ow_*_doc, summaries included; imports skip them since 0013):" &&
		report_add '%s' "  ${p_doc:-0}% of the people import, ${d_doc:-0}% of the departure import."
	return 0
}
