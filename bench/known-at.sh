# known-at.sh — section "known-at" of bench/run.sh (issue 29): reads pinned to a past change
# (known_at=, docs/KNOWN_AT.md) against the same reads of the present, on the issue's dataset.
#
#   data   bench/dataset.sql (402,199 records) imported by curl POST /import into a database of
#          its own (orgwatch_knownat; the import writes the history too), then 100,000 later
#          corrections in 200 transactions of 500 (people's bios, departures' notes), through the
#          tables' triggers as any write: each corrected row has two versions
#   K      the key of the last change before the corrections: a pinned read must pass over
#          the newer version of every corrected row
#   W1     GET /people/{slug}                                    (random person)
#   W2     GET /departures?org={slug}&sort=-departed_on&limit=50 (random organization)
#   W3     GET /people/{slug}/reports                            (a level-4 manager: ~500 below)
#   S      GET /stats/departures?org={slug}&group_by=month       (random organization)
#
# Each with wrk -c$CONNS, present and with known_at=K; the report prints pinned / present
# (the issue's aim: pinned costs at most 3x, so the ratio of req/s >= 0.33), and next to it the
# ceilings of W1-W3 (bench/ceiling/, pgbench -c4) on the tables and on the history as known at
# K: how much of the cost is the database's. Sourced by run.sh.
# shellcheck shell=bash

KNOWN_DB=orgwatch_knownat

# known_wrk SUFFIX QUERY — the four reads, QUERY ("" or "known_at=K") added to each.
known_wrk() {
	local s=$1 q=$2
	run_wrk "ka_w1$s" "$CONNS" "$DURATION" "$BASE" "$WORK/reads-people.txt" "/people/%s${q:+?$q}"
	run_wrk "ka_w2$s" "$CONNS" "$DURATION" "$BASE" "$WORK/reads-orgs.txt" \
		"/departures?org=%s&sort=-departed_on&limit=50${q:+&$q}"
	run_wrk "ka_w3$s" "$CONNS" "$DURATION" "$BASE" "$WORK/reads-managers.txt" "/people/%s/reports${q:+?$q}"
	run_wrk "ka_s$s" "$CONNS" "$DURATION" "$BASE" "$WORK/reads-orgs.txt" \
		"/stats/departures?org=%s&group_by=month${q:+&$q}"
}

section_known-at() {
	say "known-at (issue 29): reads pinned to a past change against the present, on the issue's dataset"
	local url
	url=$(printf '%s' "$DB_URL" | sed "s|/[^/?]*\$|/$KNOWN_DB|")
	psql_q -c "DROP DATABASE IF EXISTS $KNOWN_DB" -c "CREATE DATABASE $KNOWN_DB TEMPLATE template0 ENCODING 'UTF8'" ||
		die "could not create the database $KNOWN_DB"
	local ORGWATCH_DATABASE_URL=$url DB_URL=$url EDITOR_KEY
	export ORGWATCH_DATABASE_URL EDITOR_KEY
	dataset_db known "$url" "$WORK/known-dataset.ndjson"
	local import_secs=$IMP_SECS import_rows=$IMP_ROWS

	local key t0
	key=$(psql_q -At -c "SELECT max(id) FROM audit_log") || die "no change key"
	t0=$(now_ms)
	for i in $(seq 0 99); do
		printf "UPDATE people SET bio = 'corrected %s' WHERE id IN (SELECT id FROM people ORDER BY id OFFSET %s LIMIT 500);\n" "$i" $((i * 500))
		printf "UPDATE departures SET notes = 'corrected %s' WHERE id IN (SELECT id FROM departures ORDER BY id OFFSET %s LIMIT 500);\n" "$i" $((i * 500))
	done | psql "$url" -X -q -v ON_ERROR_STOP=1 >"$OUT/known-corrections.txt" 2>&1 ||
		die "the corrections failed (see $OUT/known-corrections.txt)"
	local corr_secs
	corr_secs=$(secs_since "$t0")
	psql_q -c "VACUUM ANALYZE" 2>/dev/null || true
	local versions
	versions=$(psql_q -At -c "SELECT (SELECT count(*) FROM people_history) + (SELECT count(*) FROM departures_history)")
	note "100,000 corrections in 200 transactions: ${corr_secs} s; people and departures: $versions versions; K = $key"

	seq 1 200 | sed 's/^/org-/' >"$WORK/reads-orgs.txt"
	seq 26 225 | sed 's/^/person-/' >"$WORK/reads-managers.txt"
	psql_q -At -c "SELECT slug FROM people ORDER BY random() LIMIT 2000" >"$WORK/reads-people.txt"

	server_start known
	# Sanity: pinned reads answer the state before the corrections, the present after them.
	local slug
	slug=$(psql_q -At -c "SELECT slug FROM people ORDER BY id LIMIT 1")
	curl -fsS "$BASE/people/$slug?known_at=$key" | jq -e '.bio == null' >/dev/null ||
		die "GET /people/$slug?known_at=$key did not answer the person before the correction"
	curl -fsS "$BASE/people/$slug" | jq -e '.bio == "corrected 0"' >/dev/null ||
		die "GET /people/$slug did not answer the corrected person"
	say "wrk -t2 -c$CONNS -d${DURATION}s --latency: present, pinned (known_at=$key), present, pinned"
	known_wrk _now1 ""
	known_wrk _then1 "known_at=$key"
	known_wrk _now2 ""
	known_wrk _then2 "known_at=$key"
	server_stop

	# The ceilings: the minimal statements of the reads section (bench/ceiling/) on the tables,
	# and the same on the history as known at K (search_path asof first: the views are the
	# history tables with the visibility test a hand-written statement would carry).
	local seq
	seq=$(psql_q -At -c "SELECT c.seq FROM audit_log a JOIN audit_commits c ON c.txid = a.txid WHERE a.id = $key")
	say "ceilings: pgbench -M prepared -n -c4 -j2 -T $PG_DURATION of bench/ceiling/w1..w3, present and at K (seq $seq)"
	for row in ka_w1:w1_person ka_w2:w2_departures ka_w3:w3_reports; do
		run_pgbench "${row%%:*}_now" "$ROOT/bench/ceiling/${row#*:}.sql" 4
		R_TPS[${row%%:*}_now]=$PG_TPS
		PG_SESSION_OPTIONS="-c search_path=asof,public -c orgwatch.known_seq=$seq" \
			run_pgbench "${row%%:*}_then" "$ROOT/bench/ceiling/${row#*:}.sql" 4
		R_TPS[${row%%:*}_then]=$PG_TPS
	done

	report_add '\n%s' "Issue 29 — known_at on the issue's dataset ($import_rows records imported in ${import_secs} s, then 100,000 corrections); wrk -c$CONNS, two runs each, alternating"
	report_line
	report_add '%-44s %10s %10s %10s %10s %8s %10s %10s %8s' workload "present" "present" "pinned" "pinned" \
		"pinned/" "ceiling" "ceiling" "ceiling"
	report_add '%-44s %10s %10s %10s %10s %8s %10s %10s %8s' "" "r/s run 1" "r/s run 2" "r/s run 1" "r/s run 2" \
		"present" "tps now" "tps at K" "at K/now"
	report_line
	local row name label
	for row in "ka_w1|W1 GET /people/{slug}" "ka_w2|W2 GET /departures?org=&limit=50" \
		"ka_w3|W3 GET /people/{slug}/reports" "ka_s|S GET /stats/departures?group_by=month"; do
		IFS='|' read -r name label <<<"$row"
		local now then
		now=$(awk -v a="${R_RPS[${name}_now1]}" -v b="${R_RPS[${name}_now2]}" 'BEGIN { print (a + b) / 2 }')
		then=$(awk -v a="${R_RPS[${name}_then1]}" -v b="${R_RPS[${name}_then2]}" 'BEGIN { print (a + b) / 2 }')
		report_add '%-44s %10s %10s %10s %10s %8s %10s %10s %8s' "$label" "${R_RPS[${name}_now1]}" \
			"${R_RPS[${name}_now2]}" "${R_RPS[${name}_then1]}" "${R_RPS[${name}_then2]}" "$(div "$then" "$now")" \
			"${R_TPS[${name}_now]:--}" "${R_TPS[${name}_then]:--}" \
			"$( [ -n "${R_TPS[${name}_now]:-}" ] && div "${R_TPS[${name}_then]}" "${R_TPS[${name}_now]}" || echo -)"
	done
	report_line
	report_bad ka_w1_now1 ka_w1_then1 ka_w2_now1 ka_w2_then1 ka_w3_now1 ka_w3_then1 ka_s_now1 ka_s_then1
	report_add '%s' "Ceilings: bench/ceiling/w1_person, w2_departures, w3_reports by pgbench -c4 on the tables (now) and on the asof views"
	report_add '%s' "at K (the history with the visibility test): what the database alone loses by reading the history (no stats ceiling exists)."
	report_add '%s' "aim (issue 29): a pinned read costs at most 3x the present one (pinned/present >= 0.33). K is the key before"
	report_add '%s' "the corrections; corrections took ${corr_secs} s; the history held $versions versions of people and departures."
}
