# burst.sh — section "burst" of bench/run.sh (issue 28): a breaking story. 256 connections
# read 20 hot URLs of the reads dataset (people, departures lists, charts, statistics, reports
# trees) as browsers do, with the answer cache on (ORGWATCH_ANSWER_CACHE_MB, 64), while
# bench/burst_check.mjs writes once a second and checks that no answer read after a write was
# acknowledged predates it. Aims: req/s >= 10x W2's ceiling (section reads), p99 < 25 ms,
# server RSS <= the cache's size + 40 MB. Needs the database of section reads (orgwatch_reads):
# run with it (BENCH_ONLY=reads,burst). Sourced by run.sh.
# shellcheck shell=bash

BURST_CONNS=${BENCH_BURST_CONNECTIONS:-256}
BURST_CACHE_MB=${BENCH_BURST_CACHE_MB:-64}

section_burst() {
	say "burst (issue 28): $BURST_CONNS connections over 20 hot URLs, answer cache ${BURST_CACHE_MB} MB, a write a second"
	command -v node >/dev/null || die "node is missing (apt-get install -y nodejs)"
	local url
	url=$(printf '%s' "$DB_URL" | sed "s|/[^/?]*\$|/${READS_DB}|")
	psql "$url" -XAtqc "SELECT 1 FROM people WHERE slug = 'person-30'" 2>/dev/null | grep -q 1 ||
		die "section burst reads the database of section reads: run BENCH_ONLY=reads,burst"
	local ORGWATCH_DATABASE_URL=$url DB_URL=$url key
	export ORGWATCH_DATABASE_URL
	key=$("$BIN" key create --name burst-writer --role editor) || die "key create failed"
	local paths=$WORK/burst-paths.txt
	cat >"$paths" <<'PATHS'
/people/person-77
/people/person-1000
/people/person-5000
/people/person-20000
/people/person-50000
/people/person-99000
/departures?org=org-1&sort=-departed_on&limit=50
/departures?org=org-2&sort=-departed_on&limit=50
/departures?org=org-3&sort=-departed_on&limit=50
/departures?org=org-4&sort=-departed_on&limit=50
/departures?org=org-5&sort=-departed_on&limit=50
/charts/departures-by-month.svg?org=org-1
/charts/departures-by-month.svg?org=org-2
/stats/departures?group_by=month&org=org-1
/stats/departures?group_by=year
/stats/layoffs?group_by=month
/people/person-30/reports
/people/person-31/reports
/organizations/org-1
/people?org=org-1&limit=50
PATHS
	ANSWER_CACHE_MB=$BURST_CACHE_MB server_start burst
	local p
	while read -r p; do
		curl -fsS -o /dev/null "$BASE$p" || die "burst: GET $p failed"
	done <"$paths"
	node "$ROOT/bench/burst_check.mjs" "$BASE" "$key" "$paths" /people/person-77 "$((DURATION + 2))" \
		>"$OUT/burst-check.json" 2>"$OUT/burst-check.err" &
	local checker=$!
	sleep 1
	WRK_FROM_MEMORY=1 run_wrk burst "$BURST_CONNS" "$DURATION" "$BASE" "$paths" "%s"
	wait "$checker" || die "bench/burst_check.mjs failed (see $OUT/burst-check.err)"
	local rss_kb metrics
	rss_kb=$(awk '/^VmRSS:/ { print $2 }' "/proc/$SERVER_PID/status")
	metrics=$(curl -fsS "$BASE/metrics")
	server_stop
	local j hits misses stale_drops
	j=$(cat "$OUT/burst-check.json")
	hits=$(awk '/^orgwatch_answer_cache_requests_total\{result="hit"\}/ { print $2 }' <<<"$metrics")
	misses=$(awk '/^orgwatch_answer_cache_requests_total\{result="miss"\}/ { print $2 }' <<<"$metrics")
	stale_drops=$(awk '/^orgwatch_answer_cache_requests_total\{result="stale"\}/ { print $2 }' <<<"$metrics")
	local ceiling=${R_TPS[w2]:-}
	report_add '\n%s' "Issue 28 — a breaking story: wrk -c$BURST_CONNS over 20 hot URLs (bench/burst.sh) for ${DURATION} s, answer cache ${BURST_CACHE_MB} MB, one write a second (bench/burst_check.mjs)"
	report_line
	report_add '%-44s %12s %10s %10s %14s %12s' "" "req/s" "p50 ms" "p99 ms" "W2 ceiling x" "RSS MB"
	report_line
	report_add '%-44s %12s %10s %10s %14s %12s' "20 hot URLs, as browsers ask" "${R_RPS[burst]}" "${R_P50[burst]}" "${R_P99[burst]}" \
		"$(div "${R_RPS[burst]}" "$ceiling" '%.1f')" "$(div "$rss_kb" 1024 '%.1f')"
	report_line
	report_add '%s' "Answer cache: $hits hits, $misses misses, $stale_drops dropped as stale by the $(jq -r .writes <<<"$j") writes; errors/non-2xx ${R_BAD[burst]}."
	report_add '%s' "Checker: $(jq -r .reads <<<"$j") reads right after acknowledged writes; answers older than the write: $(jq -r '.stale | length' <<<"$j")$(jq -r 'if (.stale | length) > 0 then " (" + (.stale[:3] | join("; ")) + ")" else "" end' <<<"$j"); failures: $(jq -r '.failed | length' <<<"$j")."
	report_add '%s' "Aims: req/s >= 10x W2's ceiling (${ceiling:-run section reads first} tps), p99 < 25 ms, no stale answer, RSS <= ${BURST_CACHE_MB} + 40 MB."
	[ "$(jq -r '.stale | length' <<<"$j")" = 0 ] || note "STALE ANSWERS: see $OUT/burst-check.json"
}
