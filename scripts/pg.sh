#!/usr/bin/env bash
# pg.sh — owns orgwatch's private PostgreSQL 15 clusters: creating, starting, stopping and
# removing them, and telling their connection URI. Used by `make run` (the durable cluster
# in ./var/pg) and `make test` (a throwaway cluster in ./build/test/pg).
#
#   pg.sh init DIR PORT [--throwaway]   create the cluster in DIR (reuses an existing one)
#   pg.sh start DIR                     start it and wait until it accepts connections
#   pg.sh stop DIR                      stop it (fast shutdown)
#   pg.sh status DIR                    exit 0 running, 3 stopped, 4 no cluster
#   pg.sh url DIR                       print the libpq URI of database orgwatch
#   pg.sh where DIR                     print the folder that really holds the data
#   pg.sh destroy DIR                   stop and delete a throwaway cluster
#   pg.sh replica DIR PRIMARY_DIR PORT  a streaming replica of the (running, throwaway)
#                                       cluster in PRIMARY_DIR, in DIR, on PORT (start it)
#
# DIR is the data folder itself; its log goes to DIR/../pg.log and its URI to
# DIR/../database_url (mode 600). Every cluster listens on 127.0.0.1:PORT only, keeps its
# Unix socket inside DIR and has a role `orgwatch` owning the database `orgwatch`.
#   durable (default): fsync on, scram-sha-256 with a random password made at init.
#   --throwaway (tests): initdb --no-sync, fsync/synchronous_commit/full_page_writes off,
#                        trust authentication.
# PostgreSQL refuses to run as root: as root, the server runs as the system user `postgres`
# (or `orgwatch-pg`, created when there is no `postgres`). When that user cannot reach DIR
# (e.g. a checkout under /root), the cluster lives in /var/lib/orgwatch/<sha1 of DIR>/pg.
# Messages go to stderr; only `url` and `where` print to stdout.
set -euo pipefail
umask 022

PGBIN=${ORGWATCH_PGBIN:-/usr/lib/postgresql/15/bin}
FALLBACK_ROOT=/var/lib/orgwatch
MARKER=orgwatch-cluster # written into the data folder as init's very last step
PG_OS_USER=
BLOCKER=

# Connection settings of the caller must not steer the server tools.
unset PGDATA PGHOST PGHOSTADDR PGPORT PGUSER PGDATABASE PGOPTIONS PGPASSWORD PGSERVICE

say() { printf 'pg.sh: %s\n' "$*" >&2; }
die() {
	printf 'pg.sh: error: %s\n' "$*" >&2
	exit 1
}
usage() {
	printf 'usage:\n' >&2
	sed -n 's/^#   \(pg\.sh .*\)/  \1/p' "${BASH_SOURCE[0]}" >&2
	exit 2
}

is_root() { [ "$(id -u)" = 0 ]; }

# ------------------------------------------------------------------ locating a cluster

# resolve DIR — sets REQ (DIR made absolute), FB (its fallback folder) and DATA (the folder
# holding the cluster, or empty when there is none yet).
resolve() {
	REQ=$(realpath -m -- "$1")
	local h
	h=$(printf '%s' "$REQ" | sha1sum | cut -c1-12)
	FB=$FALLBACK_ROOT/$h/pg
	DATA=
	if [ -e "$REQ/PG_VERSION" ]; then
		DATA=$REQ
	elif is_root && [ -e "$FB/PG_VERSION" ]; then
		DATA=$FB
	fi
}

# marker_get KEY — a value from the cluster's marker file (empty when absent).
marker_get() {
	[ -f "$DATA/$MARKER" ] || return 0
	sed -n "s/^$1=//p" "$DATA/$MARKER" | head -n 1
}

# The OS user owning an existing cluster runs its server.
use_owner() {
	if is_root; then
		PG_OS_USER=$(stat -c %U "$DATA")
		[ "$PG_OS_USER" != root ] || die "$DATA is owned by root; PostgreSQL cannot run as root"
	else
		PG_OS_USER=$(id -un)
	fi
}

# The OS user that will run a new cluster.
pick_os_user() {
	if ! is_root; then
		PG_OS_USER=$(id -un)
	elif id -u postgres >/dev/null 2>&1; then
		PG_OS_USER=postgres
	else
		if ! id -u orgwatch-pg >/dev/null 2>&1; then
			say "creating the system user orgwatch-pg to run PostgreSQL (it refuses to run as root)"
			useradd --system --no-create-home --shell /usr/sbin/nologin orgwatch-pg
		fi
		PG_OS_USER=orgwatch-pg
	fi
}

# as_pg CMD... — runs CMD as the cluster's OS user, from / (initdb warns about an
# unreadable working folder otherwise).
as_pg() {
	if is_root; then
		(cd / && runuser -u "$PG_OS_USER" -- "$@")
	else
		(cd / && "$@")
	fi
}

# reachable PATH — whether PG_OS_USER can traverse every existing folder down to PATH;
# sets BLOCKER to the first folder it cannot enter.
reachable() {
	BLOCKER=
	is_root || return 0
	local d=/ part
	local -a parts
	IFS=/ read -r -a parts <<<"${1#/}"
	for part in "" "${parts[@]}"; do
		[ -n "$part" ] && d=${d%/}/$part
		[ -d "$d" ] || return 0 # folders still to create are made world-traversable
		if ! runuser -u "$PG_OS_USER" -- test -x "$d"; then
			BLOCKER=$d
			return 1
		fi
	done
}

# live_pid — prints the PID of DATA/postmaster.pid when that process is a live PostgreSQL
# (not gone, not a zombie, not another program that got the PID after a reboot).
live_pid() {
	local pid comm state
	[ -n "$DATA" ] && [ -f "$DATA/postmaster.pid" ] || return 1
	pid=$(head -n 1 "$DATA/postmaster.pid" 2>/dev/null) || return 1
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	comm=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1
	[ "$comm" = postgres ] || [ "$comm" = postmaster ] || return 1
	state=$(awk '$1 == "State:" { print $2 }' "/proc/$pid/status" 2>/dev/null) || return 1
	[ "$state" != Z ] || return 1
	printf '%s\n' "$pid"
}

pg_running() { live_pid >/dev/null; }

need_server_tools() {
	local prog
	for prog in initdb pg_ctl postgres; do
		[ -x "$PGBIN/$prog" ] ||
			die "PostgreSQL 15 server programs not found in $PGBIN (install them: bash scripts/deps.sh runtime)"
	done
}

check_port() {
	if ! [[ $1 =~ ^[0-9]+$ ]] || [ "$1" -lt 1024 ] || [ "$1" -gt 32767 ]; then
		die "PORT must be a number from 1024 to 32767 (ports from 32768 up are Linux's outgoing ports), not '$1'"
	fi
}

# port_busy PORT — something accepts TCP connections on 127.0.0.1:PORT.
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# file_for_pg PATH — creates PATH if needed and hands it to the cluster's OS user.
file_for_pg() {
	[ -e "$1" ] || : >"$1"
	chmod 600 "$1"
	if is_root; then chown "$PG_OS_USER:" "$1"; fi
}

# single_user SQL... — runs statements in single-user mode (server stopped): no network,
# no authentication. Any error stops it with a non-zero exit.
single_user() {
	local log=$1
	shift
	printf '%s\n' "$@" | as_pg "$PGBIN/postgres" --single -D "$DATA" -c exit_on_error=on template1 \
		>>"$log" 2>&1
}

write_url() {
	local base url=$1
	base=$(dirname "$DATA")
	(umask 077 && printf '%s\n' "$url" >"$base/database_url.tmp")
	chmod 600 "$base/database_url.tmp"
	mv -f "$base/database_url.tmp" "$base/database_url"
}

new_password() { od -An -N24 -tx1 /dev/urandom | tr -d ' \n'; }

# ------------------------------------------------------------------ commands

cmd_init() {
	if [ $# -lt 2 ] || [ $# -gt 3 ]; then usage; fi
	local dir=$1 port=$2 mode=durable
	if [ $# = 3 ]; then
		[ "$3" = --throwaway ] || usage
		mode=throwaway
	fi
	check_port "$port"
	need_server_tools
	resolve "$dir"

	if [ -n "$DATA" ] && [ ! -f "$DATA/$MARKER" ]; then
		use_owner
		pg_running && die "$DATA holds a running cluster not made by pg.sh; stop it first"
		say "$DATA holds an unfinished earlier init (no $MARKER file); starting over"
		rm -rf -- "$DATA"
		DATA=
	fi

	if [ -n "$DATA" ]; then
		local have_mode have_port
		have_mode=$(marker_get mode)
		have_port=$(marker_get port)
		[ "$have_mode" = "$mode" ] ||
			die "$DATA already holds a $have_mode cluster (asked for $mode); use another folder"
		[ "$have_port" = "$port" ] ||
			die "$DATA already holds a cluster on port $have_port (asked for $port); use that port or another folder"
		use_owner
		if [ ! -s "$(dirname "$DATA")/database_url" ]; then
			repair_url "$mode" "$port"
		fi
		say "reusing the $mode cluster in $DATA (port $port)"
		return 0
	fi

	pick_os_user
	local target=$REQ
	if ! reachable "$(dirname "$REQ")"; then
		target=$FB
		say "the user $PG_OS_USER cannot enter $BLOCKER, so it cannot reach $REQ;"
		say "the cluster will live in $target instead"
	fi
	if [ -e "$target" ] && [ -n "$(ls -A -- "$target" 2>/dev/null)" ]; then
		die "$target exists and is not an empty folder or a PostgreSQL cluster; remove it or pick another folder"
	fi
	local base
	base=$(dirname "$target")
	mkdir -p -- "$base"
	if [ "$target" = "$FB" ]; then
		chmod 755 "$FALLBACK_ROOT" "$base"
		printf 'cluster for %s\n' "$REQ" >"$base/README"
	fi
	mkdir -p -- "$target"
	chmod 700 "$target"
	if is_root; then chown "$PG_OS_USER:" "$target"; fi
	DATA=$target
	local log=$base/pg.log
	file_for_pg "$log"

	local -a initdb_args=(-D "$DATA" -E UTF8 --locale=C.UTF-8)
	if [ "$mode" = throwaway ]; then
		initdb_args+=(--no-sync --auth=trust)
	else
		initdb_args+=(--auth-local=peer --auth-host=scram-sha-256)
	fi
	say "initdb: $mode cluster in $DATA (run by $PG_OS_USER)"
	if ! as_pg "$PGBIN/initdb" "${initdb_args[@]}" >>"$log" 2>&1; then
		tail -n 20 "$log" >&2
		die "initdb failed (full log: $log)"
	fi

	local sock="$DATA" sock_note=""
	if [ $((${#DATA} + 16)) -gt 107 ]; then
		sock=""
		sock_note=" (the folder's path is too long for a Unix socket: TCP only)"
		say "note: $DATA is too long a path for a Unix socket; the cluster listens on TCP only"
	fi
	{
		printf '\n# ---- written by scripts/pg.sh (orgwatch): %s cluster%s ----\n' "$mode" "$sock_note"
		printf "listen_addresses = '127.0.0.1'\n"
		printf 'port = %s\n' "$port"
		printf "unix_socket_directories = '%s'\n" "$sock"
		printf 'unix_socket_permissions = 0700\n'
		if [ "$mode" = throwaway ]; then
			printf 'fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n'
		else
			printf 'fsync = on\nsynchronous_commit = on\nfull_page_writes = on\n'
			printf "password_encryption = 'scram-sha-256'\n"
		fi
	} >>"$DATA/postgresql.conf"

	local super
	super=$PG_OS_USER
	if [ "$mode" = throwaway ]; then
		cat >"$DATA/pg_hba.conf" <<-EOF
			# scripts/pg.sh: throwaway test cluster, loopback only, no passwords
			local   all   all                  trust
			host    all   all   127.0.0.1/32   trust
			host    all   all   ::1/128        trust
			host    replication   all   127.0.0.1/32   trust
		EOF
	else
		cat >"$DATA/pg_hba.conf" <<-EOF
			# scripts/pg.sh: durable cluster; the superuser only through the socket as its OS user
			local   all   $super                 peer
			local   all   all                  scram-sha-256
			host    all   all   127.0.0.1/32   scram-sha-256
			host    all   all   ::1/128        scram-sha-256
		EOF
	fi

	local url
	if [ "$mode" = throwaway ]; then
		single_user "$log" "CREATE ROLE orgwatch LOGIN CREATEDB" \
			"CREATE DATABASE orgwatch OWNER orgwatch TEMPLATE template0 ENCODING 'UTF8'" ||
			die "creating the role and database failed (see $log)"
		url="postgresql://orgwatch@127.0.0.1:$port/orgwatch"
	else
		local pass
		pass=$(new_password)
		single_user "$log" "CREATE ROLE orgwatch LOGIN PASSWORD '$pass'" \
			"CREATE DATABASE orgwatch OWNER orgwatch TEMPLATE template0 ENCODING 'UTF8'" ||
			die "creating the role and database failed (see $log)"
		url="postgresql://orgwatch:$pass@127.0.0.1:$port/orgwatch"
	fi
	write_url "$url"
	printf 'mode=%s\nport=%s\nfor=%s\n' "$mode" "$port" "$REQ" >"$DATA/$MARKER"
	if is_root; then chown "$PG_OS_USER:" "$DATA/$MARKER"; fi
	say "initialized the $mode cluster in $DATA (127.0.0.1:$port; URI in $base/database_url)"
}

# repair_url MODE PORT — database_url went missing: write it again (a durable cluster gets a
# new password, set in single-user mode, so the server must be stopped).
repair_url() {
	local mode=$1 port=$2
	if [ "$mode" = throwaway ]; then
		write_url "postgresql://orgwatch@127.0.0.1:$port/orgwatch"
		return 0
	fi
	pg_running && die "$(dirname "$DATA")/database_url is missing; stop the cluster (pg.sh stop) and run init again to set a new password"
	local pass
	pass=$(new_password)
	single_user "$(dirname "$DATA")/pg.log" "ALTER ROLE orgwatch PASSWORD '$pass'" ||
		die "could not set a new password (see $(dirname "$DATA")/pg.log)"
	write_url "postgresql://orgwatch:$pass@127.0.0.1:$port/orgwatch"
	say "database_url was missing: set a new password for orgwatch"
}

# A cluster must exist for the other commands.
need_cluster() {
	resolve "$1"
	if [ -z "$DATA" ] || [ ! -f "$DATA/$MARKER" ]; then
		die "no cluster made by pg.sh in $REQ (create one: bash scripts/pg.sh init $1 PORT)"
	fi
	use_owner
}

cmd_start() {
	[ $# = 1 ] || usage
	need_server_tools
	need_cluster "$1"
	local port base log
	port=$(marker_get port)
	base=$(dirname "$DATA")
	log=$base/pg.log

	local pid
	if pid=$(live_pid); then
		say "already running: $DATA on 127.0.0.1:$port (PID $pid)"
		return 0
	fi
	# A postmaster.pid whose process is gone (or is no PostgreSQL any more: pids get reused
	# after a reboot or in a new container) is stale: remove it and the socket's lock.
	if [ -f "$DATA/postmaster.pid" ]; then
		pid=$(head -n 1 "$DATA/postmaster.pid" 2>/dev/null || true)
		say "removing a stale postmaster.pid (PID ${pid:-?} is not running PostgreSQL)"
		rm -f -- "$DATA/postmaster.pid" "$DATA"/.s.PGSQL.*.lock
	fi
	if port_busy "$port"; then
		die "port $port on 127.0.0.1 is already taken by another program; stop it or re-create this cluster on another port"
	fi
	file_for_pg "$log"
	if ! as_pg "$PGBIN/pg_ctl" start -D "$DATA" -l "$log" -w -t 60 >/dev/null 2>&1; then
		tail -n 20 "$log" >&2
		die "PostgreSQL did not start (full log: $log)"
	fi
	say "PostgreSQL 15 running: $DATA on 127.0.0.1:$port ($(marker_get mode); log $log)"
}

cmd_stop() {
	[ $# = 1 ] || usage
	need_server_tools
	resolve "$1"
	if [ -z "$DATA" ]; then
		say "no cluster in $REQ: nothing to stop"
		return 0
	fi
	use_owner
	if ! pg_running; then
		say "not running: $DATA"
		return 0
	fi
	if ! as_pg "$PGBIN/pg_ctl" stop -D "$DATA" -m fast -w -t 60 >/dev/null 2>&1 && pg_running; then
		say "fast shutdown timed out; stopping immediately"
		if ! as_pg "$PGBIN/pg_ctl" stop -D "$DATA" -m immediate -w -t 30 >/dev/null 2>&1 && pg_running; then
			die "could not stop the cluster in $DATA"
		fi
	fi
	say "stopped: $DATA"
}

cmd_status() {
	[ $# = 1 ] || usage
	resolve "$1"
	if [ -z "$DATA" ] || [ ! -f "$DATA/$MARKER" ]; then
		say "no cluster in $REQ"
		return 4
	fi
	use_owner
	if pg_running; then
		say "running: $DATA on 127.0.0.1:$(marker_get port) ($(marker_get mode))"
		return 0
	fi
	say "stopped: $DATA (port $(marker_get port), $(marker_get mode))"
	return 3
}

cmd_url() {
	[ $# = 1 ] || usage
	need_cluster "$1"
	local f
	f=$(dirname "$DATA")/database_url
	[ -s "$f" ] || die "$f is missing (run: bash scripts/pg.sh init $1 $(marker_get port))"
	cat -- "$f"
}

cmd_where() {
	[ $# = 1 ] || usage
	need_cluster "$1"
	printf '%s\n' "$DATA"
}

cmd_destroy() {
	[ $# = 1 ] || usage
	resolve "$1"
	if [ -z "$DATA" ]; then
		# Nothing but possibly an empty folder.
		if [ -d "$REQ" ] && [ -z "$(ls -A -- "$REQ")" ]; then rmdir -- "$REQ"; fi
		[ ! -e "$REQ" ] || die "$REQ is not a PostgreSQL cluster; not touching it"
		return 0
	fi
	local mode
	mode=$(marker_get mode)
	[ "$mode" != durable ] ||
		die "$DATA holds a durable cluster (real data); pg.sh destroy only deletes throwaway ones"
	use_owner
	if pg_running; then
		as_pg "$PGBIN/pg_ctl" stop -D "$DATA" -m immediate -w -t 30 >/dev/null 2>&1 || true
	fi
	local base
	base=$(dirname "$DATA")
	rm -rf -- "$DATA"
	rm -f -- "$base/pg.log" "$base/database_url"
	if [ "$DATA" = "$FB" ]; then rm -rf -- "$base"; fi
	say "deleted the ${mode:-unfinished} cluster $DATA"
}

# A streaming replica of a throwaway primary: pg_basebackup -R (the replica follows the primary
# with primary_conninfo and standby.signal), its own port and socket, its own marker and URI.
cmd_replica() {
	[ $# = 3 ] || usage
	local dir=$1 primary=$2 port=$3
	check_port "$port"
	need_server_tools
	need_cluster "$primary"
	[ "$(marker_get mode)" = throwaway ] || die "pg.sh replica copies throwaway clusters only"
	pg_running || die "the primary in $DATA is not running (pg.sh start $primary)"
	local pport owner=$PG_OS_USER
	pport=$(marker_get port)
	resolve "$dir"
	[ -z "$DATA" ] || die "$DATA already holds a cluster (pg.sh destroy $dir first)"
	PG_OS_USER=$owner
	local target=$REQ
	reachable "$(dirname "$REQ")" || target=$FB
	mkdir -p -- "$(dirname "$target")"
	mkdir -p -- "$target"
	chmod 700 "$target"
	if is_root; then chown "$PG_OS_USER:" "$target"; fi
	DATA=$target
	local log
	log=$(dirname "$DATA")/pg.log
	file_for_pg "$log"
	if ! as_pg "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$pport" -U "$PG_OS_USER" -D "$DATA" -R \
		-X stream -c fast --no-sync >>"$log" 2>&1; then
		tail -n 20 "$log" >&2
		die "pg_basebackup from 127.0.0.1:$pport failed (full log: $log)"
	fi
	local sock="$DATA"
	[ $((${#DATA} + 16)) -le 107 ] || sock=""
	{
		printf '\n# ---- written by scripts/pg.sh (orgwatch): streaming replica of 127.0.0.1:%s ----\n' "$pport"
		printf 'port = %s\n' "$port"
		printf "unix_socket_directories = '%s'\n" "$sock"
		printf 'hot_standby = on\n'
	} >>"$DATA/postgresql.conf"
	printf 'mode=throwaway\nport=%s\nfor=%s\nreplica_of=%s\n' "$port" "$REQ" "$pport" >"$DATA/$MARKER"
	if is_root; then chown "$PG_OS_USER:" "$DATA/$MARKER" "$DATA/postgresql.conf"; fi
	write_url "postgresql://orgwatch@127.0.0.1:$port/orgwatch"
	say "made a streaming replica of 127.0.0.1:$pport in $DATA (127.0.0.1:$port)"
}

[ $# -ge 1 ] || usage
cmd=$1
shift
case $cmd in
init) cmd_init "$@" ;;
start) cmd_start "$@" ;;
stop) cmd_stop "$@" ;;
status) cmd_status "$@" ;;
url) cmd_url "$@" ;;
where) cmd_where "$@" ;;
destroy) cmd_destroy "$@" ;;
replica) cmd_replica "$@" ;;
-h | --help | help) usage ;;
*) usage ;;
esac
