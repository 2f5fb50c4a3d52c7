# bulk.sh — section "bulk" of bench/run.sh (issue 13): the issue's dataset (bench/dataset.sql,
# 402,199 records, one NDJSON file, references by slug, dependency order) imported by curl
# POST /import into FRESH databases of the bench cluster, each served by a second server of its
# own:
#   1. bulk_all: the whole file in one request (the issue's first line);
#   2. bulk_types: the same file split by record type, one request a type in dependency order
#      (per-type seconds and records/s: each request is one type alone, so its time is that
#      type's, upload and parsing included);
#   3. then, on bulk_types, 100,000 departures as CSV (?type=departures): every person leaves
#      the organization of their open position, closing it and their open reporting lines;
#      next to `\copy` of the same rows, references resolved beforehand (not timed), into a
#      keyed table shaped like departures (primary key, the foreign keys, the checks and the
#      indexes orgwatch keeps on departures; no triggers): the ratio is the issue's aim (>= 0.5).
# The databases are dropped at the end. Sourced by run.sh.
# shellcheck shell=bash

# bulk_db NAME — a fresh, migrated database on the bench cluster with an editor key; sets
# BULK_URL and BULK_KEY.
bulk_db() {
	psql_q -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1" >/dev/null 2>&1 ||
		die "cannot create the database $1"
	BULK_URL=$(printf '%s' "$DB_URL" | sed "s|/[^/?]*\([?].*\)\{0,1\}$|/$1\1|")
	ORGWATCH_DATABASE_URL=$BULK_URL "$BIN" migrate >"$OUT/migrate-$1.txt" 2>&1 || die "migrate of $1 failed"
	BULK_KEY=$(ORGWATCH_DATABASE_URL=$BULK_URL "$BIN" key create --name bench-bulk --role editor) ||
		die "key create on $1 failed"
}

# bulk_server NAME — starts the section's server on BULK_URL (server_start, other database).
bulk_server() {
	local saved=$ORGWATCH_DATABASE_URL
	export ORGWATCH_DATABASE_URL=$BULK_URL
	server_start "$1"
	export ORGWATCH_DATABASE_URL=$saved
}

# bulk_post NAME FILE [QUERY CONTENT-TYPE] — POST /import with curl to the section's server
# (curl_import, the answer in $OUT/bulk-NAME.json); sets B_SECS, B_ROWS (records
# created/updated/unchanged), B_HWM (kB).
bulk_post() {
	local name=$1
	hwm_reset || true
	curl_import "$name" "$2" "$OUT/bulk-$name.json" "$BULK_KEY" 3600 "${3:-}" "${4:-}"
	B_SECS=$IMPORT_SECS B_HWM=$IMPORT_HWM B_ROWS=$IMPORT_ROWS
	printf '   %-26s %8s records in %7s s  %8s records/s   peak RSS %s MB\n' "$name" "$B_ROWS" "$B_SECS" \
		"$(div "$B_ROWS" "$B_SECS" '%.0f')" "$(mb "$B_HWM")"
}

section_bulk() {
	say "bulk (issue 13): the issue's dataset (bench/dataset.sql) into fresh databases"
	local file=$WORK/bulk-dataset.ndjson
	run_sql_file bulk-dataset "$ROOT/bench/dataset.sql" 600 -v file="$file"
	local n_lines
	n_lines=$(wc -l <"$file")
	note "file: $n_lines records, $(mb $(($(stat -c %s "$file") / 1024))) MB, written in ${SQL_SECS} s"

	# 1. The whole file, one request.
	bulk_db bulk_all
	bulk_server bulk-all
	bulk_post whole-file "$file"
	local all_rows=$B_ROWS all_secs=$B_SECS all_hwm=$B_HWM
	server_stop
	psql_q -c "DROP DATABASE IF EXISTS bulk_all WITH (FORCE)" >/dev/null 2>&1 || true

	# 2. One request a type (the file's runs of one type, split in file order).
	local types=(organization team person position reporting_line departure)
	local t
	for t in "${types[@]}"; do : >"$WORK/bulk-$t.ndjson"; done
	awk -v dir="$WORK" 'match($0, /"type" *: *"[a-z_]+"/) {
		t = substr($0, RSTART, RLENGTH); sub(/.*: *"/, "", t); sub(/"$/, "", t)
		print > (dir "/bulk-" t ".ndjson") }' "$file"
	bulk_db bulk_types
	bulk_server bulk-types
	declare -A T_ROWS T_SECS
	for t in "${types[@]}"; do
		bulk_post "$t" "$WORK/bulk-$t.ndjson"
		T_ROWS[$t]=$B_ROWS T_SECS[$t]=$B_SECS
	done

	# 3. 100,000 departures as CSV over it, each closing the open position it leaves and the
	#    open reporting lines of its person (as report and as manager).
	local csv=$WORK/bulk-departures.csv resolved=$WORK/bulk-departures-resolved.csv
	psql "$BULK_URL" -X -q -v ON_ERROR_STOP=1 -c "COPY (SELECT p.slug AS person, o.slug AS org,
		'2026-0' || (1 + p.n % 9) AS departed_on, 'resigned' AS kind
		FROM (SELECT id, slug, substr(slug, 8)::int AS n FROM people WHERE slug ~ '^person-[0-9]+\$') p
		JOIN positions po ON po.person_id = p.id AND po.ended_on IS NULL
		JOIN organizations o ON o.id = po.org_id ORDER BY p.n LIMIT 100000) TO STDOUT WITH (FORMAT csv, HEADER)" >"$csv" ||
		die "cannot write the departures CSV"
	psql "$BULK_URL" -X -q -v ON_ERROR_STOP=1 -c "COPY (SELECT p.id, o.id, '2026-0' || (1 + p.n % 9), 'resigned'
		FROM (SELECT id, slug, substr(slug, 8)::int AS n FROM people WHERE slug ~ '^person-[0-9]+\$') p
		JOIN positions po ON po.person_id = p.id AND po.ended_on IS NULL
		JOIN organizations o ON o.id = po.org_id ORDER BY p.n LIMIT 100000) TO STDOUT WITH (FORMAT csv)" >"$resolved" ||
		die "cannot write the resolved departures"
	local open_pos open_lines
	read -r open_pos open_lines < <(psql "$BULK_URL" -X -At -F ' ' -c "SELECT
		(SELECT count(*) FROM positions WHERE ended_on IS NULL), (SELECT count(*) FROM reporting_lines WHERE valid_to IS NULL)")
	# The ceiling of this step (bench/ceiling/bulk_close.sql): the same facts written by the
	# smallest hand-written statements, references resolved, on this very database, rolled
	# back and VACUUMed away before the import starts from the same state.
	timeout 1200 psql "$BULK_URL" -X -q -At -v ON_ERROR_STOP=1 -f "$ROOT/bench/ceiling/bulk_close.sql" \
		<"$resolved" >"$OUT/bulk-close-ceiling.txt" 2>&1 || {
		tail -n 20 "$OUT/bulk-close-ceiling.txt" >&2
		die "bench/ceiling/bulk_close.sql failed (see $OUT/bulk-close-ceiling.txt)"
	}
	local ceil_ms ceil_rows
	ceil_ms=$(sed -n 's/^ceiling-close //p' "$OUT/bulk-close-ceiling.txt")
	ceil_rows=$(sed -n 's/^ceiling-rows //p' "$OUT/bulk-close-ceiling.txt")
	[ -n "$ceil_ms" ] || die "bulk_close.sql printed no timing"
	psql "$BULK_URL" -X -q -c "VACUUM ANALYZE departures" -c "VACUUM positions" -c "VACUUM reporting_lines" \
		-c "VACUUM audit_log" >/dev/null || die "VACUUM after the ceiling failed"
	bulk_post departures-csv "$csv" "?type=departures" text/csv
	local d_rows=$B_ROWS d_secs=$B_SECS
	local left_pos left_lines
	read -r left_pos left_lines < <(psql "$BULK_URL" -X -At -F ' ' -c "SELECT
		(SELECT count(*) FROM positions WHERE ended_on IS NULL), (SELECT count(*) FROM reporting_lines WHERE valid_to IS NULL)")
	server_stop

	# The keyed table: departures' columns, checks, generated columns and indexes (LIKE ...
	# INCLUDING ALL, after 0017), its foreign keys; no triggers, no audit. Empty, then \copy.
	psql "$BULK_URL" -X -q -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning" \
		-c "DROP TABLE IF EXISTS bench_keyed" \
		-c "CREATE TABLE bench_keyed (LIKE departures INCLUDING ALL)" \
		-c "ALTER TABLE bench_keyed ADD FOREIGN KEY (person_id) REFERENCES people,
			ADD FOREIGN KEY (org_id) REFERENCES organizations, ADD FOREIGN KEY (team_id) REFERENCES teams,
			ADD FOREIGN KEY (destination_org_id) REFERENCES organizations, ADD FOREIGN KEY (layoff_id) REFERENCES layoffs" ||
		die "cannot create bench_keyed"
	local n_idx copy_ms
	n_idx=$(psql "$BULK_URL" -X -At -c "SELECT count(*) FROM pg_indexes WHERE tablename = 'bench_keyed'")
	copy_ms=$(psql "$BULK_URL" -X -v ON_ERROR_STOP=1 -c '\timing on' \
		-c "\\copy bench_keyed (person_id, org_id, departed_on, kind) FROM '$resolved' WITH (FORMAT csv)" |
		sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -n 1)
	[ -n "$copy_ms" ] || die "\\copy into bench_keyed failed"
	local copy_rows copy_rps d_rps
	copy_rows=$(psql "$BULK_URL" -X -At -c "SELECT count(*) FROM bench_keyed")
	copy_rps=$(div "$copy_rows" "$(div "$copy_ms" 1000 '%.6f')" '%.0f')
	d_rps=$(div "$d_rows" "$d_secs" '%.0f')
	psql_q -c "DROP DATABASE IF EXISTS bulk_types WITH (FORCE)" >/dev/null 2>&1 || true
	[ "${BENCH_KEEP:-0}" = 1 ] || rm -f "$file" "$csv" "$resolved" "$WORK"/bulk-*.ndjson

	report_add '\n%s' "Issue 13 — bulk import of the issue's dataset by curl (POST /import, fresh databases, one transaction a request)"
	report_line
	report_add '%-58s %9s %9s %11s %13s' step records "wall s" "records/s" "peak RSS MB"
	report_line
	report_add '%-58s %9s %9s %11s %13s' "the whole dataset, one file (aim: <= 30 s)" "$all_rows" "$all_secs" \
		"$(div "$all_rows" "$all_secs" '%.0f')" "$(mb "$all_hwm")"
	for t in "${types[@]}"; do
		report_add '%-58s %9s %9s %11s %13s' "  $t (its lines alone, one request)" "${T_ROWS[$t]}" "${T_SECS[$t]}" \
			"$(div "${T_ROWS[$t]}" "${T_SECS[$t]}" '%.0f')" "-"
	done
	report_add '%-58s %9s %9s %11s %13s' "then 100,000 departures, CSV, closing positions and lines" "$d_rows" "$d_secs" \
		"$d_rps" "-"
	report_add '%-58s %9s %9s %11s %13s' "\\copy of the same rows, resolved, into the keyed table" "$copy_rows" \
		"$(div "$copy_ms" 1000 '%.2f')" "$copy_rps" "-"
	report_add '%-58s %9s %9s %11s %13s' "the same facts by hand-written statements (the ceiling)" "$d_rows" \
		"$(div "$ceil_ms" 1000 '%.2f')" "$(div "$d_rows" "$(div "$ceil_ms" 1000 '%.6f')" '%.0f')" "-"
	report_line
	local ceil_rps
	ceil_rps=$(div "$d_rows" "$(div "$ceil_ms" 1000 '%.6f')" '%.0f')
	report_add '%s' "import / keyed \\copy (departures): $(div "$d_rps" "$copy_rps" '%.2f') — aim >= 0.5 (issue 13); ceiling / keyed \\copy: $(div "$ceil_rps" "$copy_rps" '%.2f');"
	report_add '%s' "import / ceiling: $(div "$d_rps" "$ceil_rps" '%.2f'). The ceiling (bench/ceiling/bulk_close.sql, rolled back) writes the departures, the positions and"
	report_add '%s' "lines they close and the audit rows of all three (departures, positions, lines: $ceil_rows), references resolved, on the same database."
	report_add '%s' "The keyed table is departures' shape with its primary key, $n_idx indexes in all, checks and 5 foreign keys, no triggers and no audit rows."
	report_add '%s' "The departures closed $((open_pos - left_pos)) open positions and $((open_lines - left_lines)) open reporting lines."
	report_add '%s' "Aims: whole file <= 30 s (>= 13,000 records/s); positions and reporting lines >= 10,000 records/s each."
	return 0
}
