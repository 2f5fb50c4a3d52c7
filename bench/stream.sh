# stream.sh — section "stream" of bench/run.sh (issue 27): the live change stream
# (GET /changes/stream) and what commit order costs. Four parts, each with its own server
# (server_start, with the stream limits raised above the subscribers it opens), the load
# average before and after, and where the machine's CPU went meanwhile:
#   1. BENCH_STREAM_IDLE (1,000) idle SSE subscribers: the server's RSS before and with them
#      (per subscriber), next to as many plain keep-alive connections on a fresh server; the
#      server's database connections before and with them (streaming's own: at most 2); one
#      write fanned out to all of them.
#   2. BENCH_STREAM_SUBSCRIBERS (100) NDJSON subscribers while a writer POSTs /sources at
#      BENCH_STREAM_RATE (200) a second for BENCH_STREAM_SECONDS (10): commit-to-client
#      latency p50/p99 (aim p99 <= 250 ms), every subscriber received every write, in commit
#      order (bench/stream_clients.mjs); on the base dataset's database (its history one
#      transaction) and on a fresh one (BENCH_STREAM_LATENCY_DBS).
#   3. BENCH_STREAM_CATCHUP (1,000,000) entries appended to the audit log
#      (bench/stream_catchup.sql: synthetic transactions of 1, 10, 1,000 entries and one
#      transaction), then one subscriber from ?after=<the id before them> reading NDJSON to the
#      last: entries/s, next to the server's own statement paged in psql and to the ceiling,
#      \copy of the same facts in commit order (bench/ceiling/stream_catchup.sql).
#   4. bench/dataset.sql (402,199 records, or its first BENCH_STREAM_IMPORT_RECORDS) by POST
#      /import into two fresh databases, one with the commit-order triggers and one without
#      them (dropped): records/s and the ratio (aim >= 0.9); before it, single-record writes
#      (POST /sources, wrk -c4, bench/stream_writes.lua) on each, with fsync off and with
#      durable commits (BENCH_STREAM_DURABLE), and the triggers' own time (track_functions).
# Runs on the base dataset's database (parts 1-3; part 3 leaves its entries there, so the
# section runs last) and on databases of its own (part 4, dropped). Sourced by run.sh.
# shellcheck shell=bash

STREAM_IDLE=${BENCH_STREAM_IDLE:-1000}
STREAM_SUBS=${BENCH_STREAM_SUBSCRIBERS:-100}
STREAM_RATE=${BENCH_STREAM_RATE:-200}
STREAM_SECS=${BENCH_STREAM_SECONDS:-10}
STREAM_LATENCY_DBS=${BENCH_STREAM_LATENCY_DBS:-base,fresh}
STREAM_CATCHUP=${BENCH_STREAM_CATCHUP:-1000000}
STREAM_OWN_PAGES=${BENCH_STREAM_OWN_PAGES:-50}
STREAM_IMPORT=${BENCH_STREAM_IMPORT_RECORDS:-0} # 0: the whole file
STREAM_WRITES_SECS=${BENCH_STREAM_WRITES_DURATION:-10}
STREAM_DURABLE=${BENCH_STREAM_DURABLE:-1}
STREAM_CATCHUP_TIMEOUT=${BENCH_STREAM_CATCHUP_TIMEOUT:-600}
STREAM_PARTS=${BENCH_STREAM_PARTS:-1,2,3,4}
declare -A S4_ROWS S4_SECS S4_CPU S4_WCPU S4_COMMITS

# ---------------------------------------------------------------------------------------
# Where the machine's time went: /proc/stat for the machine, /proc/PID/stat for the server
# and for every process of the bench cluster (postmaster and its children).
# ---------------------------------------------------------------------------------------
stream_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
# stream_pg_ticks — CPU ticks of the bench cluster: the postmaster's own and those of the
# children it has reaped (cutime, cstime: backends that ended, e.g. an import's connection),
# plus its live children's. A difference of two readings is the cluster's CPU in between.
stream_pg_ticks() {
	local pm t p
	pm=$(head -n 1 "$(pgsh where "$PGDATA_DIR")/postmaster.pid" 2>/dev/null) || pm=
	[ -n "$pm" ] && [ -r "/proc/$pm/stat" ] || {
		echo 0
		return
	}
	t=$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$pm/stat")
	for p in $(pgrep -P "$pm"); do t=$((t + $(stream_ticks "$p"))); done
	echo "$t"
}
stream_cpu_mark() {
	read -r S_BUSY0 S_ALL0 < <(awk '/^cpu / { t = 0; for (i = 2; i <= 9; i++) t += $i; print t - $5 - $6, t }' /proc/stat)
	S_SRV0=$(stream_ticks "$SERVER_PID")
	S_PG0=$(stream_pg_ticks)
	S_T0=$(now_ms)
}
# stream_cpu_since [CLIENT_CPU_S] — "X% of N00% busy: server Y%, PostgreSQL Z%, client C%,
# the rest W%" (100% = one core) since stream_cpu_mark; the client's CPU seconds when known
# (the node client reports its own), else it is in the rest with other sessions' work.
stream_cpu_since() {
	local client=${1:-} busy all srv pg hz secs
	read -r busy all < <(awk '/^cpu / { t = 0; for (i = 2; i <= 9; i++) t += $i; print t - $5 - $6, t }' /proc/stat)
	srv=$(($(stream_ticks "$SERVER_PID") - S_SRV0))
	pg=$(($(stream_pg_ticks) - S_PG0))
	hz=$(getconf CLK_TCK)
	secs=$(awk -v a="$S_T0" -v b="$(now_ms)" 'BEGIN { print (b - a) / 1000 }')
	awk -v b=$((busy - S_BUSY0)) -v a=$((all - S_ALL0)) -v s="$srv" -v g="$pg" -v hz="$hz" -v secs="$secs" -v n="$(nproc)" -v c="$client" '
		BEGIN { m = a > 0 ? 100 * n * b / a : 0; sv = 100 * s / hz / secs; pg = 100 * g / hz / secs
		        cl = c == "" ? 0 : 100 * c / secs; r = m - sv - pg - cl; if (r < 0) r = 0
		        printf "cpu %.0f%% of %d%% busy: server %.0f%%, PostgreSQL %.0f%%", m, 100 * n, sv, pg
		        if (c != "") printf ", client %.0f%%, the rest (other sessions) %.0f%%", cl, r
		        else printf ", the rest (clients, other sessions) %.0f%%", r }'
}
stream_load() { cut -d' ' -f1-3 /proc/loadavg; }

# stream_server NAME — server_start with the stream's limits above what the section opens.
stream_server() {
	local -x ORGWATCH_STREAMS_PER_CLIENT=$((STREAM_IDLE + STREAM_SUBS + 100))
	local -x ORGWATCH_STREAMS_MAX=$((STREAM_IDLE + STREAM_SUBS + 100))
	local -x ORGWATCH_MAX_CONNECTIONS=$((STREAM_IDLE + STREAM_SUBS + 500))
	server_start "$1"
}

# stream_backends — "all streaming": the server's database connections (application_name
# orgwatch on this database), and those of the stream: the follower and the catch-up
# connection, the only ones whose statements are the change feed's page (change_feed of
# sql/statements/changes.sql) or newest key (change_last) — a request connection that began a stream last
# ran stream_start, which is not counted.
stream_backends() {
	psql_q -At -F ' ' -c "SELECT count(*), count(*) FILTER (WHERE query LIKE 'SELECT id, event, doc, %FROM ow_change_feed(%'
			OR query = 'SELECT ow_change_last()')
		FROM pg_stat_activity WHERE application_name = 'orgwatch' AND datname = current_database()"
}

# stream_wait_file FILE PID WHAT — waits (up to 120 s) for FILE while PID runs.
stream_wait_file() {
	for _ in $(seq 1200); do
		[ -s "$1" ] && return 0
		kill -0 "$2" 2>/dev/null || die "$3: the client exited early (see $OUT/stream-$3.err)"
		sleep 0.1
	done
	die "$3: not ready after 120 s"
}

# stream_warm — 8 requests at once, so every request connection of the pool is open.
stream_warm() {
	local pids=() _k
	for _k in $(seq 8); do
		curl -fsS -o /dev/null "$BASE/changes?limit=1" &
		pids+=($!)
	done
	wait "${pids[@]}" || true
}

# stream_server_stop — server_stop, then ends what the server's connections left running in
# the cluster: a change-feed page the follower had asked for goes on in its backend after the
# client is gone (PostgreSQL notices only when it sends the rows) and would load the next
# part. Only the bench cluster's backends named orgwatch (the server's).
stream_server_stop() {
	server_stop
	local n
	for _ in $(seq 50); do
		n=$(psql_q -At -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
			WHERE application_name = 'orgwatch'") || return 0
		[ "$n" = 0 ] && return 0
		sleep 0.1
	done
}

STREAM_CLIENT=
stream_client_stop() {
	[ -n "$STREAM_CLIENT" ] || return 0
	kill "$STREAM_CLIENT" 2>/dev/null || true
	wait "$STREAM_CLIENT" 2>/dev/null || true
	STREAM_CLIENT=
}

# ---------------------------------------------------------------------------------------
# 1. Idle subscribers
# ---------------------------------------------------------------------------------------
stream_idle() {
	say "stream 1: $STREAM_IDLE idle subscribers"
	local ready=$WORK/stream-ready go=$WORK/stream-go
	rm -f "$ready" "$go"
	S1_LOAD0=$(stream_load)
	stream_server stream-idle
	# Every request connection of the pool opened first, so "before" is the server at work.
	stream_warm
	sleep 1
	read -r S1_DB0 S1_STREAMDB0 < <(stream_backends)
	S1_RSS0=$(rss_kb VmRSS)
	stream_cpu_mark
	node "$ROOT/bench/stream_clients.mjs" idle "$BASE" "$STREAM_IDLE" "$EDITOR_KEY" "$ready" "$go" \
		>"$OUT/stream-idle.json" 2>"$OUT/stream-idle.err" &
	STREAM_CLIENT=$!
	stream_wait_file "$ready" "$STREAM_CLIENT" idle
	sleep 2 # settled: every subscriber suspended with nothing to send
	S1_RSS1=$(rss_kb VmRSS)
	read -r S1_DB1 S1_STREAMDB1 < <(stream_backends)
	S1_LIVE=$(curl -fsS "$BASE/metrics" | awk '/^orgwatch_stream_subscribers\{state="live"\}/ { print $2 }')
	S1_FDS=$(find "/proc/$SERVER_PID/fd" -mindepth 1 2>/dev/null | wc -l)
	touch "$go"
	wait "$STREAM_CLIENT" || die "the idle subscribers' client failed (see $OUT/stream-idle.err)"
	STREAM_CLIENT=
	S1_CPU=$(stream_cpu_since "$(jq -r .client_cpu_s "$OUT/stream-idle.json")")
	server_alive "with $STREAM_IDLE subscribers"
	stream_server_stop

	# As many plain keep-alive connections (GET /health once each), on a fresh server.
	rm -f "$ready" "$go"
	stream_server stream-conns
	stream_warm
	sleep 1
	S1_CRSS0=$(rss_kb VmRSS)
	node "$ROOT/bench/stream_clients.mjs" conns "$BASE" "$STREAM_IDLE" "$ready" "$go" \
		>"$OUT/stream-conns.json" 2>"$OUT/stream-conns.err" &
	STREAM_CLIENT=$!
	stream_wait_file "$ready" "$STREAM_CLIENT" conns
	sleep 2
	S1_CRSS1=$(rss_kb VmRSS)
	touch "$go"
	wait "$STREAM_CLIENT" || die "the plain connections' client failed (see $OUT/stream-conns.err)"
	STREAM_CLIENT=
	stream_server_stop
	rm -f "$ready" "$go"
	S1_LOAD1=$(stream_load)
	local j=$OUT/stream-idle.json
	note "$(jq -r '.attached' "$j") attached; RSS $(mb "$S1_RSS0") → $(mb "$S1_RSS1") MB; database connections $S1_DB0 → $S1_DB1 (streaming $S1_STREAMDB0 → $S1_STREAMDB1); fan-out of one write p50 $(jq -r '.fanout_ms.p50' "$j") ms, max $(jq -r '.fanout_ms.max' "$j") ms"
	note "plain connections: $(jq -r '.answered' "$OUT/stream-conns.json") answered; RSS $(mb "$S1_CRSS0") → $(mb "$S1_CRSS1") MB; $S1_CPU"
}

# ---------------------------------------------------------------------------------------
# 2. Commit-to-client latency under writes
# ---------------------------------------------------------------------------------------
stream_latency() {
	local db
	for db in ${STREAM_LATENCY_DBS//,/ }; do
		case $db in
		base)
			local after
			after=$(psql_q -At -c "SELECT coalesce(max(id), 0) FROM audit_log")
			stream_latency_on base "$DB_URL" "$EDITOR_KEY"
			# The follower's statement as the server prepares it, over the first 20 of the
			# part's writes (EXPLAIN ANALYZE, the plans in explain-stream-feed.txt).
			S2_FEED_MS=$(explain_prepared explain-stream-feed.txt change_feed "" "($after, 20)" | tail -n 1)
			;;
		fresh)
			bulk_db stream_fresh
			stream_latency_on fresh "$BULK_URL" "$BULK_KEY"
			psql_q -c "DROP DATABASE IF EXISTS stream_fresh WITH (FORCE)" >/dev/null 2>&1 || true
			;;
		*) die "BENCH_STREAM_LATENCY_DBS: unknown database '$db' (base, fresh)" ;;
		esac
	done
}

# stream_latency_on NAME URL KEY — part 2 on the database at URL (base: the generated dataset,
# whose history is one transaction, as every database's history is after migration 0020;
# fresh: a new database, nothing but this part's writes).
stream_latency_on() {
	local name=$1 url=$2 key=$3 j=$OUT/stream-latency-$1.json
	say "stream 2 ($name database): $STREAM_SUBS subscribers, $STREAM_RATE writes/s for $STREAM_SECS s"
	S2_LOAD0[$name]=$(stream_load)
	ORGWATCH_DATABASE_URL=$url stream_server "stream-latency-$name"
	stream_cpu_mark
	node "$ROOT/bench/stream_clients.mjs" latency "$BASE" "$STREAM_SUBS" "$key" "$STREAM_RATE" \
		"$STREAM_SECS" "$url" >"$j" 2>"$OUT/stream-latency-$name.err" &
	STREAM_CLIENT=$!
	wait "$STREAM_CLIENT" || die "the latency client failed (see $OUT/stream-latency-$name.err)"
	STREAM_CLIENT=
	S2_CPU[$name]=$(stream_cpu_since "$(jq -r .client_cpu_s "$j")")
	server_alive "during the writes"
	S2_SLOW[$name]=$(curl -fsS "$BASE/metrics" | awk '/^orgwatch_stream_disconnects_total\{reason="slow"\}/ { print $2 }')
	stream_server_stop
	S2_LOAD1[$name]=$(stream_load)
	note "$(jq -r '"\(.writes_per_s) writes/s; events \(.events_received)/\(.events_expected), not delivered \(.missing), out of commit order \(.out_of_commit_order); commit → client p50 \(.commit_to_client_ms.p50 // "late") p99 \(.commit_to_client_ms.p99 // "late") ms"' "$j")"
	note "${S2_CPU[$name]}"
}
declare -A S2_LOAD0 S2_LOAD1 S2_CPU S2_SLOW

# ---------------------------------------------------------------------------------------
# 3. Catch-up
# ---------------------------------------------------------------------------------------
stream_catchup() {
	say "stream 3: catch-up of $STREAM_CATCHUP entries"
	run_sql_file stream-catchup-gen "$ROOT/bench/stream_catchup.sql" 900 -v n="$STREAM_CATCHUP"
	S3_GEN_SECS=$SQL_SECS
	local f=$OUT/stream-catchup-gen.txt
	S3_BEFORE=$(awk '$1 == "before" { print $2 }' "$f")
	S3_LAST=$(awk '$1 == "last" { print $2 }' "$f")
	S3_TXS=$(awk '$1 == "txs" { print $2 }' "$f")
	local q0 q1 q2 q3
	q0=$(awk '$1 == "q0" { print $2 }' "$f") q1=$(awk '$1 == "q1" { print $2 }' "$f")
	q2=$(awk '$1 == "q2" { print $2 }' "$f") q3=$(awk '$1 == "q3" { print $2 }' "$f")
	[ -n "$S3_BEFORE" ] && [ -n "$S3_LAST" ] && [ -n "$q3" ] || die "stream_catchup.sql printed no ids (see $f)"
	note "$STREAM_CATCHUP entries (ids $((S3_BEFORE + 1))…$S3_LAST, $S3_TXS transactions) written in $S3_GEN_SECS s"

	S3_LOAD0=$(stream_load)
	stream_server stream-catchup
	stream_cpu_mark
	node "$ROOT/bench/stream_clients.mjs" catchup "$BASE" "$S3_BEFORE" "$S3_LAST" "$STREAM_CATCHUP" "$STREAM_CATCHUP_TIMEOUT" \
		"$q0,$q1,$q2,$q3" >"$OUT/stream-catchup.json" 2>"$OUT/stream-catchup.err" &
	STREAM_CLIENT=$!
	wait "$STREAM_CLIENT" || die "the catch-up client failed (see $OUT/stream-catchup.err)"
	STREAM_CLIENT=
	S3_CPU=$(stream_cpu_since "$(jq -r .client_cpu_s "$OUT/stream-catchup.json")")
	server_alive "during the catch-up"
	read -r S3_DB S3_STREAMDB < <(stream_backends)
	S3_QUERIES=$(curl -fsS "$BASE/metrics" | awk '/^orgwatch_stream_catchup_queries_total/ { print $2 }')
	stream_server_stop
	# One catch-up page (500 entries) as the server prepares it, at the first quarter's start.
	S3_PAGE_MS=$(explain_prepared explain-stream-page.txt change_feed "" "($S3_BEFORE, 500)" | tail -n 1)
	S3_LOAD1=$(stream_load)
	local j=$OUT/stream-catchup.json
	note "$(jq -r '"\(.entries) entries in \(.secs) s: \(.entries_per_s)/s, reached the last: \(.reached_last), out of order \(.out_of_order)"' "$j"); $S3_QUERIES catch-up queries"
	note "$S3_CPU"

	# The server's own statement, paged as its catch-up thread pages it (500 a page), in one
	# psql session: STREAM_OWN_PAGES pages from the start of each quarter.
	local starts="$S3_BEFORE,$q0,$q1,$q2" t0
	t0=$(now_ms)
	psql_q -At -c "DO \$\$ DECLARE a bigint; n int; got int; k int; last bigint; total bigint := 0; bytes bigint := 0; s bigint;
		BEGIN
		FOREACH a IN ARRAY '{$starts}'::bigint[] LOOP
			FOR k IN 1..$STREAM_OWN_PAGES LOOP
				-- max(id) is the page's last entry here: the generated ids rise in commit order.
				SELECT count(*), max(id), sum(length(doc) + length(event) + coalesce(length(orgs), 0)
					+ coalesce(length(teams), 0) + coalesce(length(people), 0) + coalesce(length(import_counts), 0)
					+ tx_last::int + import::int)
				INTO got, last, s FROM ow_change_feed(a, 500);
				EXIT WHEN got = 0;
				total := total + got; bytes := bytes + s; a := last;
			END LOOP;
		END LOOP;
		RAISE NOTICE 'own-rows %', total;
		END \$\$" >"$OUT/stream-own.txt" 2>&1 || die "the own-statement loop failed (see $OUT/stream-own.txt)"
	S3_OWN_SECS=$(secs_since "$t0")
	S3_OWN_ROWS=$(sed -n 's/.*own-rows \([0-9]*\).*/\1/p' "$OUT/stream-own.txt")

	# The ceiling: the same facts, plain columns, in commit order, by \copy.
	local ms
	ms=$(psql_q -v after="$S3_BEFORE" -f "$ROOT/bench/ceiling/stream_catchup.sql" 2>"$OUT/stream-ceiling.err" |
		tee "$OUT/stream-ceiling.txt" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -n 1)
	[ -n "$ms" ] || die "bench/ceiling/stream_catchup.sql failed (see $OUT/stream-ceiling.err)"
	S3_CEIL_ROWS=$(sed -n 's/^rows \([0-9]*\)/\1/p' "$OUT/stream-ceiling.txt" | tail -n 1)
	S3_CEIL_SECS=$(div "$ms" 1000 '%.2f')
	note "own statement: $S3_OWN_ROWS entries in $S3_OWN_SECS s; ceiling: $S3_CEIL_ROWS rows in $S3_CEIL_SECS s"
}

# ---------------------------------------------------------------------------------------
# 4. The import and single-record writes with and without commit order
# ---------------------------------------------------------------------------------------
stream_import() {
	local file=$WORK/stream-dataset.ndjson slice
	say "stream 4: the import and single-record writes with and without the commit-order triggers"
	run_sql_file stream-dataset "$ROOT/bench/dataset.sql" 600 -v file="$file"
	if [ "$STREAM_IMPORT" -gt 0 ] 2>/dev/null; then
		slice=$WORK/stream-slice.ndjson
		head -n "$STREAM_IMPORT" "$file" >"$slice"
		mv "$slice" "$file"
	fi
	S4_LINES=$(wc -l <"$file")
	S4_LOAD0=$(stream_load)
	local v
	declare -gA S4_URL S4_KEY
	for v in with without; do
		bulk_db "stream_$v"
		S4_URL[$v]=$BULK_URL S4_KEY[$v]=$BULK_KEY
		if [ "$v" = without ]; then
			psql "$BULK_URL" -X -q -v ON_ERROR_STOP=1 -c "DROP TRIGGER audit_log_commit_open ON audit_log" \
				-c "DROP TRIGGER audit_commits_seq ON audit_commits" >/dev/null ||
				die "cannot drop the commit-order triggers"
		fi
		# The triggers' own time (calls and milliseconds of their functions), in both
		# databases alike (track_functions costs every function call a few µs).
		[ -z "$SU_URL" ] || psql_su -c "ALTER DATABASE stream_$v SET track_functions = 'all'" >/dev/null ||
			note "(track_functions refused: the triggers' time is not measured)"
	done
	# Single-record writes first (before the imports: after an import the server's change-feed
	# follower reads its entries for a while — with the triggers; without them it sees no
	# committed entry — and would eat into a run after it).
	stream_writes_rounds ""
	BULK_URL=${S4_URL[with]}
	S4_WTRIG=$(stream_trigger_time)
	# The same with durable commits (fsync, synchronous_commit, full_page_writes on for the
	# cluster): the commit-order lock is held until the commit's end, its WAL flush included.
	if [ "$STREAM_DURABLE" = 1 ] && [ -n "$SU_URL" ]; then
		psql_su -c "ALTER SYSTEM SET fsync = on" -c "ALTER SYSTEM SET full_page_writes = on" \
			-c "ALTER SYSTEM SET synchronous_commit = on" -c "SELECT pg_reload_conf()" >/dev/null ||
			die "cannot turn durable commits on"
		sleep 0.5
		S4_SYNC=$(psql "${S4_URL[with]}" -X -At -c "SELECT current_setting('fsync') || '/' || current_setting('synchronous_commit')")
		stream_writes_rounds durable-
		psql_su -c "ALTER SYSTEM RESET fsync" -c "ALTER SYSTEM RESET full_page_writes" \
			-c "ALTER SYSTEM RESET synchronous_commit" -c "SELECT pg_reload_conf()" >/dev/null ||
			die "cannot turn durable commits off again"
		BULK_URL=${S4_URL[with]}
		S4_DTRIG=$(stream_trigger_time)
	fi
	# The import, once into each database.
	for v in with without; do
		BULK_URL=${S4_URL[$v]} BULK_KEY=${S4_KEY[$v]}
		bulk_server "stream-import-$v"
		stream_cpu_mark
		bulk_post "import-$v" "$file"
		S4_CPU[$v]=$(stream_cpu_since)
		S4_ROWS[$v]=$B_ROWS S4_SECS[$v]=$B_SECS
		stream_server_stop
		sleep 0.5
		[ "$v" = with ] && S4_ITRIG=$(stream_trigger_time)
		S4_COMMITS[$v]=$(psql "$BULK_URL" -X -At -c "SELECT count(*) FILTER (WHERE seq IS NOT NULL) || ' of ' || count(*) FROM audit_commits")
	done
	for v in with without; do
		psql_q -c "DROP DATABASE IF EXISTS stream_$v WITH (FORCE)" >/dev/null 2>&1 || true
	done
	S4_LOAD1=$(stream_load)
	[ "${BENCH_KEEP:-0}" = 1 ] || rm -f "$file"
}
declare -A S4_WRPS S4_WP99 S4_WBAD
S4_WTRIG=
S4_ITRIG=
S4_DTRIG=
S4_SYNC=

# stream_writes_rounds PREFIX — POST /sources by wrk -c4, with / without / without / with
# commit order (half of BENCH_STREAM_WRITES_DURATION each run, so a machine getting busier or
# quieter weighs on both alike), each run on a server of its own (whose backends flush their
# function statistics when it stops). S4_WRPS/S4_WP99/S4_WBAD/S4_WCPU[PREFIX with|without].
stream_writes_rounds() {
	local pre=$1 v r=0 half=$(((STREAM_WRITES_SECS + 1) / 2)) name
	for v in with without without with; do
		r=$((r + 1))
		name=writes-$pre$v-$r
		BULK_URL=${S4_URL[$v]}
		bulk_server "stream-$name"
		stream_cpu_mark
		AUTH_HEADER="Authorization: Bearer ${S4_KEY[$v]}" WRK_SCRIPT=$ROOT/bench/stream_writes.lua \
			run_wrk "$name" 4 "$half" "$BASE" "$pre$v$r"
		S4_WCPU[$pre$v]="${S4_WCPU[$pre$v]:+${S4_WCPU[$pre$v]}; }$(stream_cpu_since)"
		S4_WRPS[$pre$v]="${S4_WRPS[$pre$v]:+${S4_WRPS[$pre$v]} + }${R_RPS[$name]}"
		S4_WP99[$pre$v]="${S4_WP99[$pre$v]:+${S4_WP99[$pre$v]} / }${R_P99[$name]}"
		S4_WBAD[$pre$v]=$((${S4_WBAD[$pre$v]:-0} + ${R_BAD[$name]:-0}))
		stream_server_stop
	done
	sleep 0.5
}


# stream_trigger_time — "OPEN_CALLS OPEN_MS SEQ_CALLS SEQ_MS": the commit-order trigger
# functions' calls and total time so far in the database at BULK_URL (track_functions).
stream_trigger_time() {
	[ -n "$SU_URL" ] || {
		echo "- - - -"
		return
	}
	psql "$BULK_URL" -X -At -F ' ' -c "SELECT
		coalesce(sum(calls) FILTER (WHERE funcname = 'ow_audit_commit_open'), 0),
		round(coalesce(sum(total_time) FILTER (WHERE funcname = 'ow_audit_commit_open'), 0)::numeric, 1),
		coalesce(sum(calls) FILTER (WHERE funcname = 'ow_audit_commit_seq'), 0),
		round(coalesce(sum(total_time) FILTER (WHERE funcname = 'ow_audit_commit_seq'), 0)::numeric, 1)
		FROM pg_stat_user_functions" 2>/dev/null || echo "- - - -"
}

# stream_trigger_line A [B] — the triggers' time between two stream_trigger_time readings.
stream_trigger_line() {
	local -a a b=(0 0 0 0)
	read -r -a a <<<"$1"
	[ -n "${2:-}" ] && read -r -a b <<<"$2"
	awk -v oc="${a[0]}" -v om="${a[1]}" -v sc="${a[2]}" -v sm="${a[3]}" \
		-v boc="${b[0]}" -v bom="${b[1]}" -v bsc="${b[2]}" -v bsm="${b[3]}" 'BEGIN {
		if (oc == "-") { print "not measured"; exit }
		oc -= boc; om -= bom; sc -= bsc; sm -= bsm
		printf "open %d calls %.1f ms, seq %d calls %.1f ms", oc, om, sc, sm
		if (sc > 0) printf " (%.1f µs a transaction)", 1000 * (om + sm) / sc }'
}

section_stream() {
	say "stream (issue 27): GET /changes/stream and the cost of commit order (parts $STREAM_PARTS)"
	command -v node >/dev/null || die "node is missing (apt-get install -y nodejs)"
	# One descriptor a subscriber on each side (the client and the server share this limit).
	local need=$((STREAM_IDLE + STREAM_SUBS + 256))
	[ "$(ulimit -n)" -ge "$need" ] || ulimit -n "$need" 2>/dev/null ||
		ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
	[ "$(ulimit -n)" -ge "$need" ] ||
		die "ulimit -n is $(ulimit -n) (hard $(ulimit -Hn)); section stream needs $need descriptors"
	local p
	for p in ${STREAM_PARTS//,/ }; do
		case $p in
		1) stream_idle ;;
		2) stream_latency ;;
		3) stream_catchup ;;
		4) stream_import ;;
		*) die "BENCH_STREAM_PARTS: unknown part '$p' (1,2,3,4)" ;;
		esac
	done
	stream_report
}

stream_report() {
	local W=124 f='%-74s %26s %20s'
	report_add '\n%s' "Issue 27 — the change stream (bench/stream.sh): GET /changes/stream, server with $SERVER_THREADS database connections for requests"
	report_line "$W"
	report_add "$f" "" "measured" "aim"
	report_line "$W"
	if [ -n "${S1_RSS1:-}" ]; then
		local j=$OUT/stream-idle.json n
		n=$(jq -r .attached "$j")
		report_add "$f" "1. $STREAM_IDLE idle subscribers (SSE, one socket each): attached / live in /metrics" "$n / ${S1_LIVE:-?}" ""
		report_add "$f" "   server RSS before → with them" "$(mb "$S1_RSS0") → $(mb "$S1_RSS1") MB" ""
		report_add "$f" "   RSS per subscriber" "$(div $((S1_RSS1 - S1_RSS0)) "$n" '%.1f') kB" ""
		report_add "$f" "   RSS per plain keep-alive connection (GET /health once, no stream)" \
			"$(div $((S1_CRSS1 - S1_CRSS0)) "$(jq -r .answered "$OUT/stream-conns.json")" '%.1f') kB" ""
		report_add "$f" "   the server's open descriptors with them" "$S1_FDS" ""
		report_add "$f" "   server's database connections before → with them" "$S1_DB0 → $S1_DB1" ""
		report_add "$f" "   of them streaming's (follower, catch-up) before → with them" "$S1_STREAMDB0 → $S1_STREAMDB1" "<= 2"
		report_add "$f" "   one write then: its event at all of them, p50 / max (from its send)" \
			"$(jq -r '"\(.fanout_ms.p50 // "late") / \(.fanout_ms.max // "late") ms (\(.received))"' "$j")" ""
		report_add '%s' "   load $S1_LOAD0 → $S1_LOAD1; while attached: $S1_CPU"
	fi
	local db
	for db in ${STREAM_LATENCY_DBS//,/ }; do
		local j=$OUT/stream-latency-$db.json
		[ -s "$j" ] || continue
		report_add "$f" "2. $STREAM_SUBS subscribers (NDJSON), POST /sources at $STREAM_RATE/s for $STREAM_SECS s, $db database: writes/s, 201s" \
			"$(jq -r '"\(.writes_per_s), \(.write_statuses["201"] // 0) of \(.writes)"' "$j")" ""
		report_add "$f" "   events received / expected; not delivered in time; out of commit order" \
			"$(jq -r '"\(.events_received)/\(.events_expected); \(.missing); \(.out_of_commit_order)"' "$j")" "all; 0; 0"
		report_add "$f" "   commit → client p50 / p99 / max ms (audit_commits.committed_at → arrival)" \
			"$(jq -r '.commit_to_client_ms | "\(.p50 // "late") / \(.p99 // "late") / \(.max // "late")"' "$j")" "p99 <= 250"
		report_add "$f" "   send of the write → client p50 / p99 ms (an upper bound)" \
			"$(jq -r '.send_to_client_ms | "\(.p50 // "late") / \(.p99 // "late")"' "$j")" ""
		report_add "$f" "   the write's own answer p50 / p99 ms" \
			"$(jq -r '"\(.write_ack_ms.p50) / \(.write_ack_ms.p99)"' "$j")" ""
		report_add "$f" "   client's event-loop delay p99 / max ms (included above); slow cut-offs" \
			"$(jq -r '"\(.client_loop_delay_ms.p99) / \(.client_loop_delay_ms.max)"' "$j"); ${S2_SLOW[$db]:-?}" ""
		report_add '%s' "   load ${S2_LOAD0[$db]} → ${S2_LOAD1[$db]}; ${S2_CPU[$db]}"
		[ "$db" = base ] && [ -n "${S2_FEED_MS:-}" ] &&
			report_add '%s' "   the follower's statement (change_feed) over the first 20 of these writes: $S2_FEED_MS ms (EXPLAIN ANALYZE; explain-stream-feed.txt)"
	done
	if [ -s "$OUT/stream-catchup.json" ]; then
		local j=$OUT/stream-catchup.json rate own_rate ceil_rate
		rate=$(jq -r .entries_per_s "$j")
		own_rate=$(div "${S3_OWN_ROWS:-}" "${S3_OWN_SECS:-}" '%.0f')
		ceil_rate=$(div "${S3_CEIL_ROWS:-}" "${S3_CEIL_SECS:-}" '%.0f')
		report_add "$f" "3. catch-up of $STREAM_CATCHUP entries, one NDJSON subscriber from after=$S3_BEFORE: entries/s" \
			"$rate ($(jq -r '"\(.entries) in \(.secs) s"' "$j"))" ""
		report_add "$f" "   by quarter, transactions of 1 / 10 / 1,000 / all entries: entries/s" "$(jq -r '.marks_per_s | join(" / ")' "$j")" ""
		report_add "$f" "   reached the last; out of order; first byte" \
			"$(jq -r '"\(.reached_last); \(.out_of_order); \(.first_byte_ms) ms"' "$j")" ""
		report_add "$f" "   its own statement (ow_change_feed, 500 a page) in psql, $STREAM_OWN_PAGES pages a quarter: rows/s" \
			"$own_rate ($S3_OWN_ROWS in $S3_OWN_SECS s)" ""
		report_add "$f" "   ceiling: \\copy of the same facts in commit order (bench/ceiling/): rows/s" \
			"$ceil_rate ($S3_CEIL_ROWS in $S3_CEIL_SECS s)" ""
		report_add "$f" "   one page of 500 (change_feed as prepared, EXPLAIN ANALYZE; explain-stream-page.txt)" "${S3_PAGE_MS:-?} ms" ""
		report_add "$f" "   server / ceiling; server / own statement" "$(div "$rate" "$ceil_rate" '%.3f'); $(div "$rate" "$own_rate" '%.2f')" ""
		report_add "$f" "   database connections of streaming after it ($S3_QUERIES catch-up queries)" "$S3_STREAMDB of $S3_DB" "<= 2"
		report_add '%s' "   generated in $S3_GEN_SECS s ($S3_TXS transactions); load $S3_LOAD0 → $S3_LOAD1; during the catch-up: $S3_CPU"
	fi
	if [ -n "${S4_ROWS[with]:-}" ] && [ -n "${S4_ROWS[without]:-}" ]; then
		local rw ro
		rw=$(div "${S4_ROWS[with]}" "${S4_SECS[with]}" '%.0f')
		ro=$(div "${S4_ROWS[without]}" "${S4_SECS[without]}" '%.0f')
		report_add "$f" "4. POST /import of $S4_LINES records (bench/dataset.sql), fresh database: with commit order" \
			"$rw rec/s (${S4_SECS[with]} s)" ""
		report_add "$f" "   the same without it (the two triggers dropped)" "$ro rec/s (${S4_SECS[without]} s)" ""
		report_add "$f" "   with / without" "$(div "$rw" "$ro" '%.2f')" ">= 0.9"
		local pre ww wo what
		for pre in "" durable-; do
			[ -n "${S4_WRPS[${pre}with]:-}" ] || continue
			ww=$(awk "BEGIN { print (${S4_WRPS[${pre}with]}) / 2 }")
			wo=$(awk "BEGIN { print (${S4_WRPS[${pre}without]}) / 2 }")
			what="fsync off, as the bench cluster"
			[ -n "$pre" ] && what="durable commits (fsync/synchronous_commit $S4_SYNC)"
			report_add "$f" "   single-record writes, $what: with, req/s" "$(printf '%.0f' "$ww") (${S4_WRPS[${pre}with]})" ""
			report_add "$f" "   the same without it" "$(printf '%.0f' "$wo") (${S4_WRPS[${pre}without]})" ""
			report_add "$f" "   with / without; p99 ms with / without runs; errors" \
				"$(div "$ww" "$wo" '%.2f'); ${S4_WP99[${pre}with]} / ${S4_WP99[${pre}without]}; $((S4_WBAD[${pre}with] + S4_WBAD[${pre}without]))" ""
		done
		report_add '%s' "   (writes: POST /sources by wrk -c4, runs of $(((STREAM_WRITES_SECS + 1) / 2)) s in the order with, without, without, with; req/s the mean of the two)"
		report_add '%s' "   commit-order triggers' functions (track_functions), the writes: $(stream_trigger_line "$S4_WTRIG")"
		[ -n "$S4_DTRIG" ] && report_add '%s' "   the same, the durable writes: $(stream_trigger_line "$S4_DTRIG" "$S4_WTRIG")"
		report_add '%s' "   the same, the import: $(stream_trigger_line "$S4_ITRIG" "${S4_DTRIG:-$S4_WTRIG}")"
		report_add '%s' "   audit_commits rows (with a seq / all) at the end: with ${S4_COMMITS[with]}, without ${S4_COMMITS[without]}; load $S4_LOAD0 → $S4_LOAD1"
		report_add '%s' "   import with: ${S4_CPU[with]}"
		report_add '%s' "   import without: ${S4_CPU[without]}"
		report_add '%s' "   writes with: ${S4_WCPU[with]}"
		report_add '%s' "   writes without: ${S4_WCPU[without]}"
		[ -n "${S4_WCPU[durable-with]:-}" ] && report_add '%s' "   durable writes with: ${S4_WCPU[durable-with]}" &&
			report_add '%s' "   durable writes without: ${S4_WCPU[durable-without]}"
	fi
	report_line "$W"
	report_add '%s' "Latency: arrival at the subscriber (node, one process for all) − the write's commit (clock_timestamp() taken under the commit-order"
	report_add '%s' "lock, its last step before COMMIT; same machine, same clock); \"late\": the percentile falls on events not delivered within 10 s of the"
	report_add '%s' "last write's answer. Catch-up entries: copies of the log's entries in synthetic transactions (bench/stream_catchup.sql). cpu: 100% = one core."
}
