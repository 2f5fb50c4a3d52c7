# scale.sh — section "scale" of bench/run.sh (issue 15): GET /departures?org=org-1&limit=50 on
# the 50,000 departures of bench/departures.sql, read by wrk (-c BENCH_CONNECTIONS) from
#   - one server (its BENCH_THREADS database connections to the primary);
#   - two servers on the same database (two wrk halves at once, req/s summed);
#   - one server whose reads go to a streaming replica of the cluster (pg.sh replica);
#   - one server answering 304 to If-None-Match with the list's ETag (no query run).
# All on this machine's 2 cores: servers, PostgreSQL, replica and wrk share them, so the
# figures show what each arrangement costs here, not what more machines would add.
# Sourced by run.sh.
# shellcheck shell=bash

SCALE_URL="/departures?org=org-1&limit=50"

# scale_second_server PORT SETTINGS... — another `orgwatch serve` on PORT; its PID in SCALE_PID2.
# The settings of server_start (server_spawn, lib.sh): no answer cache, no rate limit (a
# second server with the defaults answered most of its half of the load with 429s).
scale_second_server() {
	local port=$1
	shift
	server_spawn SCALE_PID2 "$port" "$OUT/server-scale-$port.log" "$@"
}

scale_stop_second() {
	stop_pid "${SCALE_PID2:-}"
	SCALE_PID2=
}

# Two wrk runs at once, half the connections each, one per server; req/s summed.
scale_two_servers() {
	local half=$((CONNS / 2)) port2=$((HTTP_PORT + 1)) a b
	scale_second_server "$port2"
	server_quiesce
	# The database path, as run_wrk asks for it (each server's answer cache would serve the rest).
	wrk -t1 -c"$half" -d"${DURATION}s" --latency -H "Cache-Control: no-cache" "$BASE$SCALE_URL" \
		>"$OUT/wrk-scale-2a.txt" 2>&1 &
	a=$!
	wrk -t1 -c"$half" -d"${DURATION}s" --latency -H "Cache-Control: no-cache" \
		"http://127.0.0.1:$port2$SCALE_URL" >"$OUT/wrk-scale-2b.txt" 2>&1 &
	b=$!
	wait "$a" "$b"
	scale_stop_second
	R_RPS[scale_two]=$(awk '/^Requests\/sec:/ { s += $2 } END { printf "%.2f", s }' "$OUT"/wrk-scale-2a.txt "$OUT"/wrk-scale-2b.txt)
	R_P99[scale_two]=$(awk '$1 == "99%" { print $2 }' "$OUT/wrk-scale-2a.txt")
	R_BAD[scale_two]=$(cat "$OUT"/wrk-scale-2a.txt "$OUT"/wrk-scale-2b.txt | awk -F': ' '/Non-2xx/ { n += $2 } END { print n + 0 }')
	printf '   %-16s -c%-3s %10s req/s   p99 (first half) %s\n' scale_two "$CONNS" "${R_RPS[scale_two]}" "${R_P99[scale_two]}"
}

# What the section leaves running when it stops early (run.sh's cleanup calls it): the
# second server and the replica.
scale_cleanup() {
	scale_stop_second
	[ -z "${SCALE_REPLICA_DIR:-}" ] || pgsh destroy "$SCALE_REPLICA_DIR" 2>>"$OUT/pg.txt" || true
}

# A streaming replica of the bench cluster; its URI in SCALE_REPLICA_URL.
scale_replica() {
	SCALE_REPLICA_DIR=$WORK/replica/data
	pgsh destroy "$SCALE_REPLICA_DIR" 2>>"$OUT/pg.txt" || true
	pgsh replica "$SCALE_REPLICA_DIR" "$PGDATA_DIR" $((PG_PORT + 1)) 2>>"$OUT/pg.txt" &&
		pgsh start "$SCALE_REPLICA_DIR" 2>>"$OUT/pg.txt" || {
		tail -n 20 "$OUT/pg.txt" >&2
		die "could not make the streaming replica"
	}
	SCALE_REPLICA_URL=$(pgsh url "$SCALE_REPLICA_DIR")
}

section_scale() {
	departures_dataset
	say "scale (issue 15)"
	server_start scale-one
	run_wrk scale_one "$CONNS" "$DURATION" "$BASE$SCALE_URL"
	local etag
	etag=$(curl -fsS -D - -o /dev/null "$BASE$SCALE_URL" | awk -F': ' 'tolower($1) == "etag" { sub(/\r$/, "", $2); print $2 }')
	[ -n "$etag" ] || die "GET $SCALE_URL answered no ETag"
	[ "$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$BASE$SCALE_URL")" = 304 ] ||
		die "GET $SCALE_URL with its ETag did not answer 304"
	AUTH_HEADER="If-None-Match: $etag" run_wrk scale_304 "$CONNS" "$DURATION" "$BASE$SCALE_URL"
	scale_two_servers
	server_stop

	scale_replica
	local port3=$((HTTP_PORT + 2))
	scale_second_server "$port3" ORGWATCH_REPLICA_URLS="$SCALE_REPLICA_URL"
	for _ in $(seq 50); do
		curl -fsS -D - -o /dev/null "http://127.0.0.1:$port3$SCALE_URL" | grep -qi '^orgwatch-served-by: replica-0' && break
		sleep 0.2
	done
	curl -fsS -D - -o /dev/null "http://127.0.0.1:$port3$SCALE_URL" | grep -qi '^orgwatch-served-by: replica-0' ||
		die "the replica did not take the reads"
	BASE=http://127.0.0.1:$port3 SERVER_PID=$SCALE_PID2 SERVER_LOG=$OUT/server-scale-$port3.log \
		run_wrk scale_replica "$CONNS" "$DURATION" "http://127.0.0.1:$port3$SCALE_URL"
	scale_stop_second
	pgsh destroy "$SCALE_REPLICA_DIR" 2>>"$OUT/pg.txt" || true

	report_add '\n%s' "Issue 15 — GET $SCALE_URL on $N_DEP departures (wrk -c$CONNS -d${DURATION}s; load average $(cut -d' ' -f1 /proc/loadavg))"
	report_line
	report_add '%-62s %11s %9s %7s' arrangement "req/s" "p99 ms" "errors"
	report_line
	report_add '%-62s %11s %9s %7s' "one server ($SERVER_THREADS connections to the primary)" "${R_RPS[scale_one]}" "${R_P99[scale_one]}" "${R_BAD[scale_one]}"
	report_add '%-62s %11s %9s %7s' "two servers on one database (req/s summed)" "${R_RPS[scale_two]}" "${R_P99[scale_two]:--}" "${R_BAD[scale_two]}"
	report_add '%-62s %11s %9s %7s' "one server, reads on a streaming replica" "${R_RPS[scale_replica]}" "${R_P99[scale_replica]}" "${R_BAD[scale_replica]}"
	report_add '%-62s %11s %9s %7s' "304 Not Modified (If-None-Match with the list's ETag)" "${R_RPS[scale_304]}" "${R_P99[scale_304]}" "${R_BAD[scale_304]}"
	report_line
	report_add '%s' "Every process shares this machine's 2 cores: a second server or a replica adds work here, not capacity;"
	report_add '%s' "the rows show the cost of each arrangement and that it serves correctly (errors), not a scale-out gain."
}
