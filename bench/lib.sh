# lib.sh — helpers shared by bench/run.sh and its sections (sourced, not run): messages,
# the throwaway cluster, the server process and its memory, wrk, pgbench, sequential curl
# timings, EXPLAIN ANALYZE. Results go to the R_* arrays and to report lines (report_add).
# shellcheck shell=bash

say() { printf '== %s\n' "$*"; }
note() { printf '   %s\n' "$*"; }
die() {
	printf 'bench: %s\n' "$*" >&2
	exit 1
}
now_ms() { date +%s%3N; }
secs_since() { awk -v a="$1" -v b="$(now_ms)" 'BEGIN { printf "%.1f", (b - a) / 1000 }'; }
# div A B [FORMAT] — A / B with awk ("-" when either is missing or B is 0).
div() {
	awk -v a="${1:-}" -v b="${2:-}" -v f="${3:-%.2f}" \
		'BEGIN { if (a == "" || b == "" || a == "-" || b == "-" || b + 0 == 0) print "-"; else printf f "\n", a / b }'
}
hr() { printf "%.0s-" $(seq "${1:-124}"); echo; }

# ---------------------------------------------------------------------------------------
# Report: every section appends its table to REPORT (printed at the end by run.sh).
# ---------------------------------------------------------------------------------------
REPORT=()
report_add() { REPORT+=("$(printf "$@")"); }
report_line() { REPORT+=("$(hr "${1:-124}")"); }

# ---------------------------------------------------------------------------------------
# Cluster (scripts/pg.sh; as root PostgreSQL runs as a system user)
# ---------------------------------------------------------------------------------------
pgsh() { bash "$ROOT/scripts/pg.sh" "$@"; }
psql_q() { psql "$DB_URL" -X -q -v ON_ERROR_STOP=1 "$@"; }
# psql_su — as the cluster's bootstrap superuser (trust authentication on the throwaway
# cluster): auto_explain, track_functions, clear statistics. SU_URL is empty when refused.
psql_su() { psql "$SU_URL" -X -q -v ON_ERROR_STOP=1 "$@"; }

# run_sql_file NAME FILE TIMEOUT [psql args...] — runs a generator file; output in
# $OUT/NAME.txt; dies with its tail on failure. Sets SQL_SECS.
run_sql_file() {
	local name=$1 file=$2 limit=$3
	shift 3
	local t0
	t0=$(now_ms)
	timeout "$limit" psql "$DB_URL" -X -q -At -v ON_ERROR_STOP=1 "$@" -f "$file" \
		>"$OUT/$name.txt" 2>&1 || {
		tail -n 20 "$OUT/$name.txt" >&2
		die "$name failed or took more than $limit s (see $OUT/$name.txt)"
	}
	SQL_SECS=$(secs_since "$t0")
}

# ---------------------------------------------------------------------------------------
# The server: one fresh process per section, so VmHWM (peak RSS) belongs to that section.
# ---------------------------------------------------------------------------------------
SERVER_PID=

# server_spawn PIDVAR PORT LOG [SETTING=VALUE...] — `orgwatch serve` on 127.0.0.1:PORT in the
# background with the bench's settings and then the SETTINGs, its output in LOG and its PID in
# the variable named PIDVAR at once (a cleanup finds it); returns when /health answers, dies
# when the server exits first (its log on stderr) or takes more than 10 s.
server_spawn() {
	local pidvar=$1 port=$2 log=$3 pid
	shift 3
	# No rate limit unless the section sets one (RATE_READS): the clients share one address.
	# SERVER_LOG_LEVEL=info logs every request with its time (section charts reads them).
	# The answer cache is off (ANSWER_CACHE_MB, 0) unless a section measures it (burst): the
	# other sections measure the database path. ORGWATCH_THREADS is the earlier name of
	# ORGWATCH_DB_CONNECTIONS (a baseline build of before the pool reads it as its threads).
	env ORGWATCH_LISTEN="127.0.0.1:$port" ORGWATCH_THREADS="$SERVER_THREADS" \
		ORGWATCH_DB_CONNECTIONS="$SERVER_THREADS" ORGWATCH_ANSWER_CACHE_MB="${ANSWER_CACHE_MB:-0}" \
		ORGWATCH_LOG="${SERVER_LOG_LEVEL:-warn}" ORGWATCH_MAX_CONNECTIONS_PER_IP=100000 \
		ORGWATCH_RATE_READS="${RATE_READS:-0}" ORGWATCH_RATE_WRITES=0 ORGWATCH_RATE_IMPORTS=0 \
		"$@" "$BIN" serve >"$log" 2>&1 &
	pid=$!
	printf -v "$pidvar" '%s' "$pid"
	for _ in $(seq 100); do
		curl -fsS -o /dev/null "http://127.0.0.1:$port/health" 2>/dev/null && return 0
		kill -0 "$pid" 2>/dev/null || {
			cat "$log" >&2
			printf -v "$pidvar" '%s' ""
			die "the server on port $port exited at start"
		}
		sleep 0.1
	done
	die "the server on port $port did not answer /health within 10 s (see $log)"
}

# server_start NAME — the section's server on HTTP_PORT, its log $OUT/server-NAME.log.
server_start() {
	SERVER_LOG=$OUT/server-$1.log
	server_spawn SERVER_PID "$HTTP_PORT" "$SERVER_LOG"
}

# stop_pid PID — SIGTERM, up to 5 s for the process to end, then SIGKILL; reaps it.
stop_pid() {
	[ -n "$1" ] || return 0
	kill -TERM "$1" 2>/dev/null || true
	for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

server_stop() {
	stop_pid "$SERVER_PID"
	SERVER_PID=
}

# server_alive WHEN — dies with the server's exit status and log tail if it is gone.
server_alive() {
	kill -0 "$SERVER_PID" 2>/dev/null && return 0
	local st=0
	wait "$SERVER_PID" || st=$?
	SERVER_PID=
	tail -n 20 "$SERVER_LOG" >&2
	local why="status $st"
	[ "$st" -gt 128 ] && why="$why: killed by signal $((st - 128))"
	[ "$st" = 0 ] && why="$why: it shuts down cleanly only on SIGTERM/SIGINT, so another process signalled it"
	die "the server exited $1 ($why)"
}

# server_quiesce — waits (up to 60 s) until no statement of the server is running, so work
# left queued by the previous load run does not eat into the next one.
server_quiesce() {
	local n
	for _ in $(seq 600); do
		n=$(psql_q -At -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'orgwatch'
			AND state = 'active'") || return 0
		[ "$n" = 0 ] && return 0
		sleep 0.1
	done
	note "(the server still had $n statements running after 60 s)"
}

# rss_kb FIELD — VmRSS or VmHWM of the server process, in kB.
rss_kb() { awk -v f="$1:" '$1 == f { print $2 }' "/proc/$SERVER_PID/status" 2>/dev/null; }
mb() { awk -v k="${1:-}" 'BEGIN { if (k == "") print "-"; else printf "%.1f\n", k / 1024 }'; }
# hwm_reset — resets the server's peak RSS (Linux ≥ 4.0: "5" > clear_refs); 1 when refused.
hwm_reset() { { echo 5 >"/proc/$SERVER_PID/clear_refs"; } 2>/dev/null; }

# rss_sampler_start / rss_sampler_stop — the largest VmRSS seen every 50 ms (kB) in RSS_PEAK;
# a cross-check of VmHWM where clear_refs is refused.
RSS_SAMPLER=
rss_sampler_start() {
	local pid=$SERVER_PID file=$OUT/.rss-peak
	echo 0 >"$file"
	(
		peak=0
		while kill -0 "$pid" 2>/dev/null; do
			v=$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$pid/status" 2>/dev/null)
			if [ -n "$v" ] && [ "$v" -gt "$peak" ]; then
				peak=$v
				echo "$peak" >"$file"
			fi
			sleep 0.05
		done
	) &
	RSS_SAMPLER=$!
}
rss_sampler_stop() {
	[ -n "$RSS_SAMPLER" ] && kill "$RSS_SAMPLER" 2>/dev/null
	wait "$RSS_SAMPLER" 2>/dev/null || true
	RSS_SAMPLER=
	RSS_PEAK=$(cat "$OUT/.rss-peak" 2>/dev/null)
}

# curl_import WHAT FILE ANSWER KEY MAX-SECONDS [QUERY [CONTENT-TYPE]] — POST /import of FILE
# by curl to the section's server as KEY (bearer), the answer to ANSWER; dies when curl fails,
# the server is gone or the answer is not 200. Sets IMPORT_SECS (the request's seconds),
# IMPORT_HWM (the server's VmHWM right after, kB) and IMPORT_ROWS (records created, updated
# or unchanged). WHAT names the import in messages.
# shellcheck disable=SC2034 # IMPORT_* are read by the sections
curl_import() {
	local what=$1 file=$2 answer=$3 key=$4 limit=$5 q=${6:-} ct=${7:-application/x-ndjson} status t0
	t0=$(now_ms)
	status=$(curl -sS --max-time "$limit" -o "$answer" -w '%{http_code}' \
		-H "Authorization: Bearer $key" -H "Content-Type: $ct" \
		--data-binary @"$file" "$BASE/import$q") || die "POST /import of $file failed (curl)"
	IMPORT_SECS=$(secs_since "$t0")
	IMPORT_HWM=$(rss_kb VmHWM)
	server_alive "during the $what import"
	[ "$status" = 200 ] || {
		head -c 2000 "$answer" >&2
		die "POST /import of $file answered $status (see $answer)"
	}
	IMPORT_ROWS=$(jq '.created + .updated + .unchanged' "$answer")
}

# ---------------------------------------------------------------------------------------
# Load generators
# ---------------------------------------------------------------------------------------
declare -A R_RPS R_P99 R_BAD R_TPS R_TPS_SAME R_P50 R_SQL

# run_wrk NAME CONNS DURATION URL [FILE TEMPLATE] — wrk -t2; results in R_RPS/R_P99/R_BAD[NAME].
# WRK_SCRIPT: another wrk script than bench/paths.lua, given the arguments after URL.
run_wrk() {
	local name=$1 conns=$2 dur=$3 url=$4
	shift 4
	local log="$OUT/wrk-$name.txt" args=(-t2 -c"$conns" -d"${dur}s" --timeout 30s --latency)
	[ "$conns" -lt 2 ] && args=(-t1 -c"$conns" -d"${dur}s" --timeout 30s --latency)
	[ -n "${AUTH_HEADER:-}" ] && args+=(-H "$AUTH_HEADER")
	# The database path: never an answer kept in memory (WRK_FROM_MEMORY=1: as a browser asks).
	[ "${WRK_FROM_MEMORY:-0}" = 1 ] || args+=(-H "Cache-Control: no-cache")
	server_quiesce
	local counts_before
	counts_before=$(pool_counts)
	if [ $# -gt 0 ]; then
		args+=(-s "${WRK_SCRIPT:-$ROOT/bench/paths.lua}" "$url" -- "$@")
	else
		args+=("$url")
	fi
	# What the machine does halfway through the run (top: is a core or a database connection
	# idle while requests queue?).
	(sleep "$(((dur + 1) / 2))" && top -b -n 2 -d 1 -w 200 >"$OUT/top-$name.txt" 2>&1) &
	local sampler=$!
	timeout $((dur + 60)) wrk "${args[@]}" >"$log" 2>&1 || {
		cat "$log" >&2
		die "wrk failed for $name"
	}
	wait "$sampler" 2>/dev/null || true
	R_TOP[$name]=$(top_summary "$OUT/top-$name.txt")
	server_alive "during the $name run"
	R_RPS[$name]=$(awk '/^Requests\/sec:/ { print $2 }' "$log")
	# Percentiles as printed (e.g. 12.34ms, 980.00us, 1.20s) → milliseconds.
	local p
	for p in 50 99; do
		local v
		v=$(awk -v want="$p%" '$1 == want {
			v = $2; u = v; sub(/^[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
			f = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : (u == "m") ? 60000 : -1
			printf "%.2f", v * f; exit }' "$log")
		if [ "$p" = 50 ]; then R_P50[$name]=$v; else R_P99[$name]=$v; fi
	done
	local non2xx sockerr
	non2xx=$(awk -F': ' '/Non-2xx or 3xx responses/ { print $2 }' "$log")
	sockerr=$(awk '/Socket errors/ { n = 0; for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) n += $i; print n }' "$log")
	R_BAD[$name]=$((${non2xx:-0} + ${sockerr:-0}))
	[ -n "${R_RPS[$name]}" ] && [ -n "${R_P99[$name]}" ] || {
		cat "$log" >&2
		die "could not read wrk's output for $name"
	}
	R_SPREAD[$name]=$(pool_spread "$counts_before" "$(pool_counts)")
	printf '   %-16s -c%-3s %10s req/s   p50 %9s ms   p99 %9s ms   errors/non-2xx %s   per worker %s\n' "$name" "$conns" \
		"${R_RPS[$name]}" "${R_P50[$name]}" "${R_P99[$name]}" "${R_BAD[$name]}" "${R_SPREAD[$name]}"
	printf '   %-16s top: %s\n' "" "${R_TOP[$name]}"
}

# top_summary FILE — the second sample of `top -b -n 2`: the machine's idle share, the
# server's CPU, PostgreSQL backends busy (>= 10 % of a core) and idle, wrk's CPU.
declare -A R_TOP
top_summary() {
	awk '/^top -/ { n++ } n == 2 && /^%Cpu/ { for (i = 1; i <= NF; i++) if ($i ~ /^id,?$/) idle = $(i - 1) }
		n == 2 && $1 ~ /^[0-9]+$/ && NF >= 12 {
			cpu = $9 + 0
			if ($12 == "orgwatch") srv += cpu
			else if ($12 == "wrk") w += cpu
			else if ($12 == "postgres") { if (cpu >= 10) busy++; else if (cpu >= 0) quiet++; pg += cpu }
		}
		END { printf "idle %s%%, server %.0f%%, postgres %.0f%% (%d processes busy, %d under 10%% on the machine), wrk %.0f%%",
			idle == "" ? "?" : idle, srv, pg, busy, quiet, w }' "$1" 2>/dev/null || echo "-"
}

# pool_counts — requests each of the server's request workers has answered (/metrics; each
# worker holds one database connection), space-separated; empty when the server does not say.
pool_counts() {
	{ curl -fsS "$BASE/metrics" 2>/dev/null || true; } |
		awk '/^orgwatch_worker_requests_total\{/ { printf "%s ", $2 }'
}

# pool_spread BEFORE AFTER — the requests of one run per worker and how far
# apart they are: "a/b/c/d (spread 12%)", spread = (max - min) / max.
declare -A R_SPREAD
pool_spread() {
	local -a b a
	read -r -a b <<<"$1"
	read -r -a a <<<"$2"
	[ ${#a[@]} -gt 0 ] && [ ${#a[@]} -eq ${#b[@]} ] || {
		echo "-"
		return
	}
	local i d list="" min="" max=0
	for i in "${!a[@]}"; do
		d=$((a[i] - b[i]))
		list+="${list:+/}$d"
		[ "$d" -gt "$max" ] && max=$d
		{ [ -z "$min" ] || [ "$d" -lt "$min" ]; } && min=$d
	done
	if [ "$max" -gt 0 ]; then
		echo "$list (spread $(((max - min) * 100 / max))%)"
	else
		echo "$list"
	fi
}

# pgbench_script FILE — the path of FILE as pgbench can run it. pgbench has no include: when
# FILE has lines "\ir NAME" (psql's include, NAME relative to FILE), a copy with the lines of
# NAME in their place is written to $WORK/pgbench-scripts/ and its path printed; else FILE's.
pgbench_script() {
	local file=$1 out
	if ! grep -q '^\\ir ' "$file"; then
		printf '%s\n' "$file"
		return 0
	fi
	mkdir -p "$WORK/pgbench-scripts" || return 1
	out=$WORK/pgbench-scripts/$(basename "$file")
	awk -v dir="$(dirname "$file")" '
		$1 == "\\ir" {
			f = dir "/" $2; n = 0
			while ((r = (getline l < f)) > 0) { print l; n++ }
			close(f)
			if (r < 0 || n == 0) { print "pgbench_script: cannot read " f > "/dev/stderr"; exit 1 }
			next
		}
		{ print }' "$file" >"$out" || return 1
	printf '%s\n' "$out"
}

# run_pgbench NAME FILE CLIENTS — pgbench -M prepared for PG_DURATION s; sets PG_TPS/PG_LAT.
# The server's sessions keep PostgreSQL's default plan_cache_mode (auto: custom plans, then a
# generic one when it is no dearer; server/db.c), so pgbench does too. PG_SESSION_OPTIONS
# (e.g. "-c jit=off", as the server's request connections run) is added to PGOPTIONS.
run_pgbench() {
	local name=$1 file clients=$3
	local log="$OUT/pgbench-$name-c$clients.txt" failed
	file=$(pgbench_script "$2") || die "pgbench $name: cannot make a pgbench script of $2"
	PGOPTIONS="-c statement_timeout=30s${PG_SESSION_OPTIONS:+ $PG_SESSION_OPTIONS}" \
		timeout $((PG_DURATION + 60)) "$PGBIN/pgbench" -M prepared -n -c "$clients" -j 2 \
		-T "$PG_DURATION" -f "$file" "$DB_URL" >"$log" 2>&1 || {
		cat "$log" >&2
		die "pgbench failed for $name"
	}
	PG_TPS=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$log" | tail -n 1)
	PG_LAT=$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' "$log")
	failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$log")
	[ -n "$PG_TPS" ] || {
		cat "$log" >&2
		die "could not read pgbench's output for $name"
	}
	[ "${failed:-0}" = 0 ] || die "pgbench $name: $failed failed transactions (see $log)"
	PG_TPS=$(printf '%.2f' "$PG_TPS")
	printf '   %-16s -c %-3s %10s tps   latency avg %s ms\n' "$name" "$clients" "$PG_TPS" "$PG_LAT"
}

# pgbench_pair NAME FILE — pgbench with CONNS clients (as wrk) and SERVER_THREADS clients
# (the server's own connections); R_TPS[NAME], R_TPS_SAME[NAME].
pgbench_pair() {
	run_pgbench "$1" "$2" "$CONNS"
	R_TPS[$1]=$PG_TPS
	run_pgbench "$1" "$2" "$SERVER_THREADS"
	R_TPS_SAME[$1]=$PG_TPS
}

# stmt_sql NAME [K...] — the SQL text of a prepared statement of sql/statements/ (with K...:
# the variant the server prepares when exactly arguments K... are given).
stmt_sql() { "$WORK/stmt_sql" "$@"; }

# no_params_left FILE... — dies when a pgbench script still has a $n placeholder.
no_params_left() {
	if grep -q '\$[0-9]' "$@"; then
		die "unbound parameters left in $* (did sql/statements/ change?)"
	fi
}

# timed_gets NAME N URL [ANSWER] — one warm-up GET (its body saved to ANSWER), then N timed
# GETs, all on one keep-alive connection (one curl), so all reach the same server thread and
# database connection (whose plan caches count executions: the warm-up is the 1st, the timed
# ones the 2nd..N+1th). R_P50/R_P99[NAME] in ms (nearest rank), R_N, R_BYTES (size of the
# slowest answer), R_BAD (answers other than 200).
timed_gets() {
	local name=$1 n=$2 url=$3 answer=${4:-/dev/null}
	local log="$OUT/curl-$name.txt" args=(-sS --max-time 300)
	[ -n "${AUTH_HEADER:-}" ] && args+=(-H "$AUTH_HEADER")
	args+=(-w '%{http_code} %{time_total} %{size_download}\n' -o "$answer" "$url")
	for _ in $(seq "$n"); do args+=(-o /dev/null "$url"); done
	server_quiesce
	curl "${args[@]}" >"$log.all" 2>&1 || {
		cat "$log.all" >&2
		die "curl failed for $name"
	}
	server_alive "during the $name requests"
	head -n 1 "$log.all" | grep -q '^200 ' || die "$name: the warm-up request failed: $(head -n 1 "$log.all")"
	tail -n +2 "$log.all" >"$log"
	rm -f "$log.all"
	# Answers other than 200 (e.g. a 503 when the statement hits the server's 30 s
	# statement_timeout) are counted in R_BAD and kept in the percentiles.
	R_BAD[$name]=$(awk '$1 != 200' "$log" | wc -l)
	R_BAD_AT[$name]=$(awk '$1 != 200 { printf "%s#%d (%s after %.1f s)", (n++ ? ", " : ""), NR + 1, $1, $2 }' "$log")
	[ "${R_BAD[$name]}" = 0 ] || note "($name: requests ${R_BAD_AT[$name]} of the connection were not 200)"
	local p50 p99
	read -r p50 p99 R_BYTES < <(awk '{ print $2 * 1000, $3 }' "$log" | sort -n | awk -v n="$n" '
		{ t[NR] = $1; b = $2 }
		END { i50 = int(n * 0.50 + 0.999999); i99 = int(n * 0.99 + 0.999999)
		      if (i50 < 1) i50 = 1; if (i99 < 1) i99 = 1
		      printf "%.1f %.1f %d\n", t[i50], t[i99], b }')
	R_P50[$name]=$p50
	R_P99[$name]=$p99
	R_N[$name]=$n
	printf '   %-16s %4s requests   p50 %8s ms   p99 %8s ms   %s bytes (slowest)\n' "$name" "$n" \
		"${R_P50[$name]}" "${R_P99[$name]}" "$R_BYTES"
}
declare -A R_BAD_AT
declare -A R_N

# explain_ms NAME SQL [RUNS] — EXPLAIN (ANALYZE, BUFFERS) of SQL RUNS times (2 by default) in
# one session as the table owner (the server's role): the first call of a PL/pgSQL function
# in a session also compiles it and plans its statements, as only a new server connection
# does. Plans appended to $OUT/explain-NAME.txt; prints the last Execution Time in ms.
explain_ms() {
	local name=$1 sql=$2 runs=${3:-2}
	local file="$OUT/explain-$name.txt" part="$OUT/explain-$name.part" k args=()
	for k in $(seq "$runs"); do args+=(-c "EXPLAIN (ANALYZE, BUFFERS) $sql"); done
	psql_q "${args[@]}" >"$part" 2>&1 || {
		cat "$part" >>"$file"
		rm -f "$part"
		die "EXPLAIN failed for $name (see $file)"
	}
	{
		printf -- '-- %s (%s runs in one session)\n' "$sql" "$runs"
		cat "$part"
	} >>"$file"
	sed -n 's/^ *Execution Time: \([0-9.]*\) ms/\1/p' "$part" | tail -n 1
	rm -f "$part"
}

# explain_nested NAME SQL — runs SQL once with auto_explain (ANALYZE, nested statements
# slower than 20 ms) as the superuser, so the plans inside PL/pgSQL functions are kept
# in $OUT/explain-NAME-inside.txt. Skipped when the superuser connection is refused.
explain_nested() {
	local name=$1 sql=$2 file="$OUT/explain-$1-inside.txt"
	[ -n "$SU_URL" ] || return 0
	local role # the server's role, from its URL (postgresql://ROLE@host:port/db)
	role=$(printf '%s' "$DB_URL" | sed -n 's|^[a-z]*://\([^@:/]*\).*|\1|p')
	psql_su -c "LOAD 'auto_explain'" -c "SET auto_explain.log_min_duration = 20" \
		-c "SET auto_explain.log_analyze = on" -c "SET auto_explain.log_buffers = on" \
		-c "SET auto_explain.log_nested_statements = on" -c "SET client_min_messages = log" \
		-c "SET ROLE \"${role:-orgwatch}\"" -c "$sql" >/dev/null 2>"$file" ||
		echo "   (auto_explain of $name failed; see $file)"
}

# explain_prepared FILE STMT GIVEN ARGS... — the plan the server runs: PREPARE the statement
# of sql/statements/ (for a `replan` statement, the variant the server prepares when the
# arguments numbered in GIVEN, e.g. "2 15", are given: bench/stmt_sql; GIVEN "" for others)
# with the settings of the server's connections (server/db.c: generic plans, JIT off, random_page_cost 1.1),
# EXECUTE it once, then EXPLAIN (ANALYZE, BUFFERS) EXECUTE with each ARGS ("(...)" lists) in
# turn. Appends to $OUT/FILE; prints the Execution Times (ms), one a line.
explain_prepared() {
	local file=$OUT/$1 stmt=$2 given=$3
	shift 3
	local part=$file.part sql n types=
	# shellcheck disable=SC2086 # GIVEN is a list of numbers
	sql=$("$WORK/stmt_sql" "$stmt" $given) || die "stmt_sql $stmt failed"
	if [ -n "$given" ]; then # arguments left out of the text: declare every one text
		n=$(($(grep -o ',' <<<"$1" | wc -l) + 1)) # the arguments of the first list
		types=$(printf 'text,%.0s' $(seq "$n"))
		types="(${types%,})"
	fi
	{
		echo "SET plan_cache_mode = force_generic_plan; SET jit = off; SET random_page_cost = 1.1;"
		echo "PREPARE s $types AS $sql;"
		echo "\\o /dev/null"
		echo "EXECUTE s $1;"
		echo "\\o '$part'"
		local a i=0
		for a in "$@"; do
			i=$((i + 1))
			echo "\\qecho -- $stmt, arguments $i"
			echo "EXPLAIN (ANALYZE, BUFFERS) EXECUTE s $a;"
		done
	} | psql_q >/dev/null 2>>"$file" || {
		echo "   (EXPLAIN of $stmt failed; see $file)" >&2
		rm -f "$part"
		return 0
	}
	{
		local a i=0
		for a in "$@"; do
			i=$((i + 1))
			printf -- '-- %s, arguments %s: %s\n' "$stmt" "$i" "$a"
		done
		cat "$part"
	} >>"$file"
	sed -n 's/^ *Execution Time: \([0-9.]*\) ms/\1/p' "$part"
	rm -f "$part"
}

# dataset_db LABEL URL FILE — the issue's dataset (bench/dataset.sql, 402,199 records, written to
# FILE) into the empty database at URL through POST /import, by a server of its own on it
# (migrate, an editor key, server LABEL); sets IMP_SECS and IMP_ROWS (import_post, import.sh).
# Called with the section's ORGWATCH_DATABASE_URL, DB_URL and EDITOR_KEY made local (the
# section's settings shadow the run's) and exported.
dataset_db() {
	local label=$1 url=$2 file=$3 t0
	t0=$(now_ms)
	psql "$url" -X -q -v ON_ERROR_STOP=1 -v file="$file" -f "$ROOT/bench/dataset.sql" >"$OUT/$label-dataset.txt" 2>&1 ||
		die "bench/dataset.sql failed (see $OUT/$label-dataset.txt)"
	note "dataset: $(wc -l <"$file") records ($(mb $(($(stat -c %s "$file") / 1024))) MB NDJSON) written in $(secs_since "$t0") s"
	"$BIN" migrate >"$OUT/$label-migrate.txt" 2>&1 || die "migrate of $url failed"
	EDITOR_KEY=$("$BIN" key create --name "$label-importer" --role editor) || die "key create failed"
	server_start "$label"
	import_post "$label-dataset" "$file"
	server_stop
	rm -f "$file"
}
