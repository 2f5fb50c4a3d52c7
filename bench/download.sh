# download.sh — section "download" of bench/run.sh (issue 32): every one of the generated
# dataset's 100,000 people in one download (GET /people.csv?all=true and .ndjson) with curl,
# next to the smallest statement that writes the same facts as CSV, run by psql's
# \copy ... to stdout on the same data (the ceiling: bench/ceiling/download_people.sql); rows/s,
# and the server's RSS before and at its peak during the download (flat: streamed). Sourced by
# run.sh.
# shellcheck shell=bash

# download_get NAME URL — GET URL to $OUT/NAME.out; sets D_SECS, D_ROWS, D_BYTES.
download_get() {
	local t0
	t0=$(now_ms)
	curl -fsS -D "$OUT/$1.headers" -o "$OUT/$1.out" "$2" || die "GET $2 failed"
	D_SECS=$(secs_since "$t0")
	D_ROWS=$(tr -d '\r' <"$OUT/$1.headers" | awk 'tolower($1) == "orgwatch-rows:" { print $2 }')
	D_BYTES=$(stat -c %s "$OUT/$1.out")
}

section_download() {
	say "download (issue 32): $N_PEOPLE people in one download"
	server_start download
	curl -fsS "$BASE/people.csv?limit=1" >/dev/null || die "GET /people.csv failed"
	local rss_idle csv_s csv_rows csv_bytes nd_s nd_rows ceil_s ceil_rows t0 rss_peak
	rss_idle=$(rss_kb VmRSS)
	hwm_reset
	rss_sampler_start
	download_get download-csv "$BASE/people.csv?all=true"
	csv_s=$D_SECS csv_rows=$D_ROWS csv_bytes=$D_BYTES
	download_get download-ndjson "$BASE/people.ndjson?all=true"
	nd_s=$D_SECS nd_rows=$D_ROWS
	rss_sampler_stop
	rss_peak=${RSS_PEAK:-$(rss_kb VmHWM)}
	# The same rows as paging gives them: every page of 1,000, ids in order.
	local url="/people?limit=1000" pages=0 page_s
	t0=$(now_ms)
	: >"$OUT/download-paged.ids"
	while [ -n "$url" ] && [ "$pages" -lt 1000 ]; do
		curl -fsS "$BASE$url" >"$OUT/download-page.json" || die "GET $url failed"
		jq -r '.items[].id' "$OUT/download-page.json" >>"$OUT/download-paged.ids"
		url=$(jq -r 'if .next_cursor then "/people?limit=1000&cursor=" + (.next_cursor | @uri) else "" end' "$OUT/download-page.json")
		pages=$((pages + 1))
	done
	page_s=$(secs_since "$t0")
	jq -r '.id' "$OUT/download-ndjson.out" >"$OUT/download-all.ids"
	cmp -s "$OUT/download-paged.ids" "$OUT/download-all.ids" ||
		die "GET /people.ndjson?all=true differs from the $pages pages of /people?limit=1000 (build/bench/results/download-*.ids)"
	server_stop
	[ "$csv_rows" = "$N_PEOPLE" ] || die "the CSV download holds $csv_rows rows, not $N_PEOPLE"
	t0=$(now_ms)
	psql_q -c "\\copy ($(grep -v '^--' "$ROOT/bench/ceiling/download_people.sql" | tr '\n' ' ')) to '$OUT/download-ceiling.csv' with (format csv, header)" ||
		die "the ceiling's \\copy failed"
	ceil_s=$(secs_since "$t0")
	ceil_rows=$(($(psql_q -At -c "SELECT count(*) FROM people")))
	local csv_rps nd_rps ceil_rps
	csv_rps=$(awk -v r="$csv_rows" -v s="$csv_s" 'BEGIN { printf "%.0f", r / (s > 0 ? s : 0.001) }')
	nd_rps=$(awk -v r="$nd_rows" -v s="$nd_s" 'BEGIN { printf "%.0f", r / (s > 0 ? s : 0.001) }')
	ceil_rps=$(awk -v r="$ceil_rows" -v s="$ceil_s" 'BEGIN { printf "%.0f", r / (s > 0 ? s : 0.001) }')
	report_add '\n%s' "Issue 32 — every person in one download ($N_PEOPLE rows; curl, one request at a time)"
	report_line
	report_add '%-58s %9s %9s %11s %12s' what rows seconds "rows/s" "vs ceiling"
	report_line
	report_add '%-58s %9s %9s %11s %12s' "ceiling: \\copy (bench/ceiling/download_people.sql) to stdout" "$ceil_rows" "$ceil_s" "$ceil_rps" 1
	report_add '%-58s %9s %9s %11s %12s' "GET /people.csv?all=true ($(mb $((csv_bytes / 1024))) MB)" "$csv_rows" "$csv_s" "$csv_rps" "$(div "$csv_rps" "$ceil_rps")"
	report_add '%-58s %9s %9s %11s %12s' "GET /people.ndjson?all=true" "$nd_rows" "$nd_s" "$nd_rps" "$(div "$nd_rps" "$ceil_rps")"
	report_add '%-58s %9s %9s %11s %12s' "GET /people?limit=1000, $pages pages (JSON; the same ids, in order)" "$(wc -l <"$OUT/download-paged.ids")" "$page_s" \
		"$(awk -v r="$(wc -l <"$OUT/download-paged.ids")" -v s="$page_s" 'BEGIN { printf "%.0f", r / (s > 0 ? s : 0.001) }')" "-"
	report_line
	report_add '%s' "server RSS: $(mb "$rss_idle") MB before, $(mb "$rss_peak") MB at its peak during both downloads (aim: flat). The aim is >= 0.5 x the ceiling."
	report_add '%s' "The server counts the rows first (a download over ORGWATCH_MAX_DOWNLOAD_ROWS is a 400 before any byte), then streams them."
}
