# charts.sh — section "charts" of bench/run.sh (issue 30): the SVG charts on the datasets of the
# earlier sections, each next to its JSON counterpart so the picture's own cost shows.
#
#   departures  GET /charts/departures-by-month.svg?org=org-1 (the organization with the most of
#               bench/departures.sql's departures), wrk -c1 and -c2; beside it the same statement
#               answered as .json (not drawn) and GET /stats/departures?org=org-1&group_by=month
#   org ~1,000  GET /organizations/chart-corp/chart.svg?as_of=&root=R, R the person of
#               bench/chart.sql's tree with the number of people below closest to 1,000 (found by
#               SQL, 900..1,100), wrk -c1 and -c2; beside it the JSON chart of the same root
#   whole tree  GET /organizations/chart-corp/chart.svg?as_of=&depth=3: all 100,000 rows of the
#               day fetched, collapsed in C past level 3 into "+N more" boxes; sequential curl
#               requests (one connection) and wrk -c2; the answer's size, the server's peak RSS;
#               beside it the JSON chart with depth=3
# The server logs every request with its own time (ORGWATCH_LOG=info): the aims (issue 30:
# departures chart <= 5 ms, org chart of 1,000 people <= 30 ms, whole tree at depth 3 <= 300 ms,
# p99 server time) are judged on those; the clients' latencies are printed too. EXPLAIN ANALYZE
# of each statement the handlers send; every SVG answer checked once with xmllint --noout; the
# load average before and after the timed runs. Sourced by run.sh.
# shellcheck shell=bash

CHARTS_DURATION=${BENCH_CHARTS_DURATION:-15}
CHARTS_BIG_RUNS=${BENCH_CHARTS_BIG_RUNS:-20}
CHARTS_BIG_DURATION=${BENCH_CHARTS_BIG_DURATION:-20}
CHARTS_ORG=${BENCH_CHARTS_ORG:-org-1}
declare -A S_P50 S_P99 S_N # S_N: requests counted (srv_ms)

# chart_corp_dataset — bench/chart.sql unless chart-corp exists (section chart made it).
chart_corp_dataset() {
	local have
	have=$(psql_q -At -c "SELECT count(*) FROM organizations WHERE slug = 'chart-corp'")
	[ "$have" = 1 ] && return 0
	say "dataset: bench/chart.sql (issue 5's 100,000-person tree)"
	run_sql_file chart-generate "$ROOT/bench/chart.sql" 900
	note "generated in ${SQL_SECS} s"
}

# bind_stmt NAME ARG... — the SQL text of statement NAME (sql/statements/) with $1..$n replaced
# by the arguments as literals ("" → NULL), for EXPLAIN.
bind_stmt() {
	local sql k v lit
	sql=$(stmt_sql "$1") || die "stmt_sql $1 failed"
	shift
	for ((k = $#; k >= 1; k--)); do
		v=${!k}
		if [ -z "$v" ]; then lit=NULL; else lit="'${v//\'/\'\'}'"; fi
		sql=${sql//\$$k/$lit}
	done
	printf '%s' "$sql"
}

log_mark() { wc -l <"$SERVER_LOG"; }

# srv_ms NAME FROM [SKIP] — the server's own times of the requests it logged after line FROM of
# its log ("GET /path 200 12.3ms …"; /health and requests cut short by the client's end left
# out; the first SKIP left out too): S_P50/S_P99[NAME] (nearest rank), S_N[NAME].
srv_ms() {
	local name=$1 from=$2 skip=${3:-0} p50 p99 n
	read -r p50 p99 n < <(tail -n +$((from + 1)) "$SERVER_LOG" | awk -v skip="$skip" '
		!/ended early/ { for (i = 3; i <= NF; i++) if ($i ~ /^[0-9.]+ms$/ && $(i - 1) ~ /^[0-9][0-9][0-9]$/) {
			if ($(i - 2) != "/health" && $(i - 1) == 200 && ++k > skip) print $i + 0
			break } }' | sort -n | awk '
		{ t[NR] = $1 }
		END { if (!NR) { print "- - 0"; exit }
		      i50 = int(NR * 0.50 + 0.999999); i99 = int(NR * 0.99 + 0.999999)
		      printf "%.1f %.1f %d\n", t[i50], t[i99], NR }')
	S_P50[$name]=$p50 S_P99[$name]=$p99 S_N[$name]=$n
	note "  server's own times: $n requests, p50 $p50 ms, p99 $p99 ms"
}

# charts_wrk NAME CONNS DURATION URL — run_wrk, then the server's times of the same requests.
charts_wrk() {
	server_quiesce
	local from
	from=$(log_mark)
	run_wrk "$@"
	R_N[$1]=$(awk '/requests in/ { print $1; exit }' "$OUT/wrk-$1.txt")
	srv_ms "$1" "$from"
}

# charts_seq NAME N URL [ANSWER] — timed_gets (one warm-up, N sequential requests), then the
# server's times of the N.
charts_seq() {
	server_quiesce
	local from
	from=$(log_mark)
	timed_gets "$@"
	srv_ms "$1" "$from" 1
}

# svg_check NAME URL — one GET saved to $OUT/answer-NAME.svg, checked with xmllint --noout;
# CHECKED[NAME] is "ok" or why not.
declare -A CHECKED
svg_check() {
	local name=$1 url=$2 file=$OUT/answer-$1.svg code type
	read -r code type < <(curl -sS --max-time 300 -o "$file" -w '%{http_code} %{content_type}\n' "$url") ||
		die "curl failed for $url"
	if [ "$code" != 200 ]; then
		CHECKED[$name]="HTTP $code"
	elif [[ "$type" != image/svg+xml* ]]; then
		CHECKED[$name]="type $type"
	elif xmllint --noout "$file" 2>"$OUT/xmllint-$name.txt"; then
		CHECKED[$name]=ok
	else
		CHECKED[$name]="NOT well-formed ($(head -n 1 "$OUT/xmllint-$name.txt"))"
	fi
	note "$(printf '%-12s %-9s %9s bytes  %s' "$name" "${CHECKED[$name]}" "$(stat -c %s "$file")" "${url#"$BASE"}")"
}

section_charts() {
	departures_dataset
	chart_corp_dataset
	command -v xmllint >/dev/null || die "xmllint is missing: apt-get install -y --no-install-recommends libxml2-utils"
	say "charts (issue 30), as of $AS_OF"
	local org=$CHARTS_ORG n_dep_org n_dep_rank
	read -r n_dep_org n_dep_rank < <(psql_q -At -F ' ' -c "
		SELECT n, rank FROM (SELECT o.slug, count(*) AS n, rank() OVER (ORDER BY count(*) DESC) AS rank
			FROM departures d JOIN organizations o ON o.id = d.org_id GROUP BY o.slug) t WHERE slug = '$org'")
	[ -n "$n_dep_org" ] || die "no departures at $org"
	note "$org: $n_dep_org departures (rank $n_dep_rank by departures)"
	# The ~1,000-person subtree: everyone's path from the top (chart-1) on AS_OF, people below
	# each ancestor counted; the one closest to 1,000 (900..1,100).
	local sub_root sub_below sub_depth n_day
	read -r sub_root sub_below sub_depth < <(psql_q -At -F ' ' -c "
		WITH RECURSIVE t (person_id, path) AS (
			SELECT p.id, ARRAY[p.id] FROM people p WHERE p.slug = 'chart-1'
			UNION ALL
			SELECT l.report_id, t.path || l.report_id
			FROM t JOIN reporting_lines l ON l.manager_id = t.person_id AND l.period @> DATE '$AS_OF'
		), below AS (
			SELECT a.person_id, count(*) - 1 AS n FROM t, unnest(t.path) AS a (person_id) GROUP BY a.person_id
		), lvl AS (
			SELECT t.person_id, cardinality(t.path) - 1 AS d FROM t
		)
		SELECT p.slug, b.n, lvl.d FROM below b JOIN people p ON p.id = b.person_id JOIN lvl USING (person_id)
		WHERE b.n BETWEEN 900 AND 1100 ORDER BY abs(b.n - 1000), p.slug LIMIT 1")
	[ -n "$sub_root" ] || die "no person of chart-corp has 900..1,100 people below on $AS_OF"
	n_day=$(psql_q -At -c "SELECT count(*) FROM positions po JOIN organizations o ON o.id = po.org_id
		WHERE o.slug = 'chart-corp' AND po.period @> DATE '$AS_OF'")
	note "subtree: $sub_root (level $sub_depth) has $sub_below people below on $AS_OF; chart-corp: $n_day people that day"

	local dep_svg="$BASE/charts/departures-by-month.svg?org=$org"
	local dep_json="$BASE/charts/departures-by-month.json?org=$org"
	local dep_stats="$BASE/stats/departures?org=$org&group_by=month"
	local o1k_svg="$BASE/organizations/chart-corp/chart.svg?as_of=$AS_OF&root=$sub_root"
	local o1k_json="$BASE/organizations/chart-corp/chart?as_of=$AS_OF&root=$sub_root"
	local big_svg="$BASE/organizations/chart-corp/chart.svg?as_of=$AS_OF&depth=3"
	local big_json="$BASE/organizations/chart-corp/chart?as_of=$AS_OF&depth=3"

	SERVER_LOG_LEVEL=info server_start charts
	local idle_kb
	idle_kb=$(rss_kb VmRSS)

	say "well-formed? (xmllint --noout, one request each)"
	svg_check dep "$dep_svg"
	svg_check o1k "$o1k_svg"
	svg_check big "$big_svg"
	svg_check ghosts "$BASE/organizations/$org/chart.svg?as_of=$AS_OF&departed_since=2024-01-01"
	svg_check flows "$BASE/charts/flows.svg?org=$org"
	svg_check layoffs "$BASE/charts/layoffs-by-month.svg"
	curl -fsS "$dep_json" -o "$OUT/answer-dep.json" || die "GET $dep_json failed"
	jq -e '.groups | length > 0' "$OUT/answer-dep.json" >/dev/null || die "$dep_json: no groups"
	local dep_months o1k_boxes big_boxes big_more big_hidden
	dep_months=$(jq '.groups | length' "$OUT/answer-dep.json")
	o1k_boxes=$(grep -c '<rect class="box"' "$OUT/answer-o1k.svg" || true)
	big_boxes=$(grep -c '<rect class="box"' "$OUT/answer-big.svg" || true)
	big_more=$(grep -o '>+[0-9]* more<' "$OUT/answer-big.svg" | wc -l)
	big_hidden=$(grep -o '>+[0-9]* more<' "$OUT/answer-big.svg" | tr -dc '0-9\n' | awk '{ s += $1 } END { print s + 0 }')
	note "departures chart: $dep_months months; org chart of $sub_root: $o1k_boxes boxes (people below: $sub_below);" \
		"whole tree at depth 3: $big_boxes boxes of which $big_more \"+N more\" ($big_hidden people collapsed)"

	say "EXPLAIN ANALYZE of the statements the handlers send (2nd run in a session)"
	local q_dep q_extras q
	local -A qs
	q_dep=$(bind_stmt chart_departures "" "" "$org" "" "" "" "" "" "" "" "" "" "" "" "" "")
	q_extras=$(bind_stmt chart_org_extras chart-corp "$AS_OF" "")
	qs[dep]=$q_dep qs[extras]=$q_extras
	qs[stats]=$(bind_stmt stats_departures month "" "$org" "" "" "" "" "" "" "" "" "" "" "" "" "")
	qs[flat_1k]=$(bind_stmt chart_flat chart-corp "$AS_OF" "$sub_root" "")
	qs[flat_all]=$(bind_stmt chart_flat chart-corp "$AS_OF" "" "")
	qs[subtree]=$(bind_stmt chart_subtree chart-corp "$AS_OF" "$sub_root" "" "")
	qs[links]=$(bind_stmt chart_links chart-corp "$AS_OF")
	for q in dep stats flat_1k flat_all extras subtree links; do
		R_SQL["ch_$q"]=$(printf '%.1f' "$(explain_ms "ch_$q" "${qs[$q]}")")
	done
	explain_nested ch_dep "$q_dep"
	explain_nested ch_extras "$q_extras"
	note "SQL: departures chart ${R_SQL[ch_dep]} ms, /stats/departures ${R_SQL[ch_stats]} ms;" \
		"ow_chart_flat ~1,000 ${R_SQL[ch_flat_1k]} ms, whole ${R_SQL[ch_flat_all]} ms; ow_chart_org_extras ${R_SQL[ch_extras]} ms;" \
		"ow_chart_org_subtree ~1,000 ${R_SQL[ch_subtree]} ms; ow_chart_links ${R_SQL[ch_links]} ms"

	local load_before load_after
	load_before=$(cut -d' ' -f1-3 /proc/loadavg)
	say "timed runs (load average $load_before): wrk -d${CHARTS_DURATION}s; whole tree $CHARTS_BIG_RUNS sequential + wrk -c2 -d${CHARTS_BIG_DURATION}s"
	charts_wrk ch_dep_c1 1 "$CHARTS_DURATION" "$dep_svg"
	charts_wrk ch_dep_c2 2 "$CHARTS_DURATION" "$dep_svg"
	charts_wrk ch_depj_c1 1 "$CHARTS_DURATION" "$dep_json"
	charts_wrk ch_stats_c1 1 "$CHARTS_DURATION" "$dep_stats"
	charts_wrk ch_o1k_c1 1 "$CHARTS_DURATION" "$o1k_svg"
	charts_wrk ch_o1k_c2 2 "$CHARTS_DURATION" "$o1k_svg"
	charts_wrk ch_o1kj_c1 1 "$CHARTS_DURATION" "$o1k_json"
	# Peak RSS while answering the whole tree (VmHWM reset when allowed; sampled every 50 ms).
	local hwm_note="" big_hwm big_sampled
	hwm_reset || hwm_note=" (VmHWM not resettable: peak since start)"
	rss_sampler_start
	charts_seq ch_big_seq "$CHARTS_BIG_RUNS" "$big_svg"
	charts_wrk ch_big_c2 2 "$CHARTS_BIG_DURATION" "$big_svg"
	big_hwm=$(rss_kb VmHWM)
	rss_sampler_stop
	big_sampled=$RSS_PEAK
	charts_seq ch_bigj_seq "$CHARTS_BIG_RUNS" "$big_json" "$OUT/answer-bigj.json"
	load_after=$(cut -d' ' -f1-3 /proc/loadavg)
	note "load average before $load_before, after $load_after"
	server_stop
	# The departures chart as an article's readers ask for it: the same URL again and again,
	# answered from memory (ORGWATCH_ANSWER_CACHE_MB) after the first; no Cache-Control sent.
	say "the departures chart from memory (answer cache 64 MB, as browsers ask)"
	ANSWER_CACHE_MB=64 SERVER_LOG_LEVEL=info server_start charts-memory
	curl -fsS -o /dev/null "$dep_svg" || die "GET $dep_svg failed"
	WRK_FROM_MEMORY=1 charts_wrk ch_dep_mem_c1 1 "$CHARTS_DURATION" "$dep_svg"
	WRK_FROM_MEMORY=1 charts_wrk ch_dep_mem_c2 2 "$CHARTS_DURATION" "$dep_svg"
	server_stop

	# ---- report ----
	local big_bytes o1k_bytes dep_bytes bigj_bytes
	dep_bytes=$(stat -c %s "$OUT/answer-dep.svg")
	o1k_bytes=$(stat -c %s "$OUT/answer-o1k.svg")
	big_bytes=$(stat -c %s "$OUT/answer-big.svg")
	bigj_bytes=$(stat -c %s "$OUT/answer-bigj.json")
	kb() { awk -v b="$1" 'BEGIN { if (b >= 1048576) printf "%.1f MB", b / 1048576; else printf "%.1f kB", b / 1024 }'; }
	local sql_o1k sql_big
	sql_o1k=${R_SQL[ch_subtree]}
	sql_big=${R_SQL[ch_links]}
	verdict() { # NAME AIM
		awk -v v="${S_P99[$1]:-}" -v a="$2" 'BEGIN { if (v == "" || v == "-") print "?"; else if (v + 0 <= a) print "met"; else print "MISSED" }'
	}
	local fmt='%-64s %-6s %6s %8s %8s %8s %8s %8s %9s %6s %6s'
	report_add '\n%s' "Issue 30 — SVG charts: $org ($n_dep_org of $N_DEP departures), chart-corp ($n_day people on $AS_OF, 8 levels); $(nproc) cores"
	report_line 142
	report_add "$fmt" request load n "p50 ms" "p99 ms" "srv p50" "srv p99" "SQL ms" answer "aim" "p99"
	report_line 142
	local row
	for row in \
		"ch_dep_c1|GET /charts/departures-by-month.svg?org=$org|wrk -c1|${R_SQL[ch_dep]}|$(kb "$dep_bytes")|5" \
		"ch_dep_c2|  the same|wrk -c2|${R_SQL[ch_dep]}||5" \
		"ch_dep_mem_c1|  the same from memory (answer cache; a miss as above)|wrk -c1|-||5" \
		"ch_dep_mem_c2|  the same from memory|wrk -c2|-||5" \
		"ch_depj_c1|  as .json (the same statement, not drawn)|wrk -c1|${R_SQL[ch_dep]}|$(kb "$(stat -c %s "$OUT/answer-dep.json")")|" \
		"ch_stats_c1|  GET /stats/departures?org=$org&group_by=month|wrk -c1|${R_SQL[ch_stats]}||" \
		"ch_o1k_c1|GET /organizations/chart-corp/chart.svg?root=$sub_root|wrk -c1|$sql_o1k|$(kb "$o1k_bytes")|30" \
		"ch_o1k_c2|  the same|wrk -c2|$sql_o1k||30" \
		"ch_o1kj_c1|  GET /organizations/chart-corp/chart?root=$sub_root (JSON)|wrk -c1|${R_SQL[ch_flat_1k]}||" \
		"ch_big_seq|GET /organizations/chart-corp/chart.svg?depth=3|seq|$sql_big|$(kb "$big_bytes")|300" \
		"ch_big_c2|  the same|wrk -c2|$sql_big||300" \
		"ch_bigj_seq|  GET /organizations/chart-corp/chart?depth=3 (JSON)|seq|${R_SQL[ch_flat_all]}|$(kb "$bigj_bytes")|"; do
		local name label how sql answer aim
		IFS='|' read -r name label how sql answer aim <<<"$row"
		report_add "$fmt" "$label" "$how" "${R_N[$name]:--}" "${R_P50[$name]:--}" "${R_P99[$name]:--}" \
			"${S_P50[$name]:--}" "${S_P99[$name]:--}" "${sql:--}" "${answer:-}" "${aim:+<= $aim}" \
			"$([ -n "$aim" ] && verdict "$name" "$aim")"
	done
	report_line 142
	report_bad ch_dep_c1 ch_dep_c2 ch_dep_mem_c1 ch_dep_mem_c2 ch_depj_c1 ch_stats_c1 ch_o1k_c1 ch_o1k_c2 ch_o1kj_c1 ch_big_c2
	local n_bad=$((${R_BAD[ch_big_seq]:-0} + ${R_BAD[ch_bigj_seq]:-0}))
	[ "$n_bad" -gt 0 ] && report_add '%s' "WARNING: $n_bad sequential whole-tree requests were not 200 (see ${OUT#"$ROOT"/}/curl-ch_big*.txt)"
	local svg_dep svg_o1k svg_big
	svg_dep=$(awk -v a="${S_P50[ch_dep_c1]}" -v b="${S_P50[ch_depj_c1]}" 'BEGIN { printf "%.1f", a - b }')
	svg_o1k=$(awk -v a="${S_P50[ch_o1k_c1]}" -v b="${S_P50[ch_o1kj_c1]}" 'BEGIN { printf "%.1f", a - b }')
	svg_big=$(awk -v a="${S_P50[ch_big_seq]}" -v b="${S_P50[ch_bigj_seq]}" 'BEGIN { printf "%.1f", a - b }')
	report_add '%s' "Load average (1, 5, 15 min) before the timed runs: $load_before; after: $load_after (2 cores shared with other sessions:"
	report_add '%s' "above 2, other work took cores during the measurement)."
	report_add '%s' "aim/p99: the issue's aims on the server's own p99 (srv p99: its log, ORGWATCH_LOG=info, request begin to last byte"
	report_add '%s' "handed to the socket); p50/p99 ms: the client's (wrk, or curl for 'seq': one warm-up then $CHARTS_BIG_RUNS requests on one"
	report_add '%s' "connection). wrk -d${CHARTS_DURATION}s (whole tree -d${CHARTS_BIG_DURATION}s); the server has $SERVER_THREADS threads and database connections."
	report_add '%s' "SQL ms: EXPLAIN ANALYZE (2nd run in a session) of what the handler sends: ow_chart_departures; ow_stats_departures;"
	report_add '%s' "for the ~1,000-person org chart SVG ow_chart_org_subtree (rows and extras in one statement); for the whole tree at"
	report_add '%s' "depth 3 ow_chart_links (every position's holder and manager that day; the second statement, ow_chart_people with the"
	report_add '%s' "1,121 people drawn and the extras, is not in the column); the JSON rows ow_chart_flat (~1,000: ${R_SQL[ch_flat_1k]} ms, whole"
	report_add '%s' "day ${R_SQL[ch_flat_all]} ms); ow_chart_org_extras of the whole organization ${R_SQL[ch_extras]} ms (no chart above sends it). Plans in explain-ch_*.txt."
	report_add '%s' "The picture's own cost (server p50, SVG − its JSON counterpart, -c1): departures chart $svg_dep ms (vs .json, same"
	report_add '%s' "statement), org chart ~1,000 $svg_o1k ms, whole tree at depth 3 $svg_big ms."
	report_add '%s' "Answers: departures chart $dep_months months; $sub_root (level $sub_depth) has $sub_below people below: $o1k_boxes boxes; whole tree at"
	report_add '%s' "depth 3: $big_boxes boxes, $big_more \"+N more\" for $big_hidden people; its JSON (depth 3) $(kb "$bigj_bytes")."
	report_add '%s' "Server RSS: $(mb "$idle_kb") MB idle; peak while answering the whole tree $(mb "$big_hwm") MB (VmHWM$hwm_note; sampled"
	report_add '%s' "every 50 ms: $(mb "$big_sampled") MB)."
	local checks="" c
	for c in dep o1k big ghosts flows layoffs; do checks+="$c ${CHECKED[$c]}, "; done
	report_add '%s' "xmllint --noout: ${checks%, } (answer-*.svg; ghosts: /organizations/$org/chart.svg?departed_since=2024-01-01,"
	report_add '%s' "flows: /charts/flows.svg?org=$org, layoffs: /charts/layoffs-by-month.svg)."
	return 0
}
