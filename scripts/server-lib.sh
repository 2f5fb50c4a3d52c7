# server-lib.sh — sourced by test.sh, security.sh and soak.sh: the one way their throwaway
# servers are found busy, cleared after an interrupted run, and stopped; bench/run.sh takes
# its ports_free.
# The caller defines say() and sets BIN (the server binary) and SERVER_PID_FILE; SERVER_PID
# holds the running server's PID, SERVER_STATUS its exit status once stopped.
# LEFTOVER_ALSO (optional): another program a leftover PID may be (a glob over its
# executable, e.g. */python3*), taken only when its command line names LEFTOVER_ALSO_ARG.
# shellcheck shell=bash disable=SC2034 # SERVER_STATUS is read by the scripts that source this

SERVER_PID=
SERVER_STATUS=

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ports_free HINT PORT... — dies (the caller's die) unless every PORT is below 32768 (outside
# the ephemeral range) and nothing listens on it; HINT names the settings that pick others.
ports_free() {
	local hint=$1 port
	shift
	for port in "$@"; do
		[ "$port" -lt 32768 ] || die "port $port: use a port below 32768 (outside the ephemeral range)"
		if ss -Hltn "sport = :$port" 2>/dev/null | grep -q .; then
			die "port $port on 127.0.0.1 is in use (set $hint)"
		fi
	done
}

# A server left by an interrupted earlier run holds the port: stop it (only if it is ours).
stop_leftover_server() {
	[ -f "$SERVER_PID_FILE" ] || return 0
	local pid exe
	pid=$(cat "$SERVER_PID_FILE" 2>/dev/null || true)
	rm -f "$SERVER_PID_FILE"
	[[ $pid =~ ^[0-9]+$ ]] || return 0
	exe=$(readlink "/proc/$pid/exe" 2>/dev/null || true)
	case $exe in
	"$BIN" | "$BIN (deleted)") ;;
	*)
		# shellcheck disable=SC2053 # LEFTOVER_ALSO is a glob
		[ -n "${LEFTOVER_ALSO:-}" ] && [[ $exe == $LEFTOVER_ALSO ]] &&
			grep -qa -e "${LEFTOVER_ALSO_ARG:?}" "/proc/$pid/cmdline" 2>/dev/null || return 0
		;;
	esac
	say "stopping a server left by an earlier run (PID $pid)"
	kill -TERM "$pid" 2>/dev/null || true
	for _ in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
}

# SIGTERM, up to 30 s for a clean exit, then SIGKILL; SERVER_STATUS gets the exit status.
stop_server() {
	[ -n "$SERVER_PID" ] || return 0
	if kill -0 "$SERVER_PID" 2>/dev/null; then
		kill -TERM "$SERVER_PID" 2>/dev/null || true
		for _ in $(seq 300); do
			kill -0 "$SERVER_PID" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$SERVER_PID" 2>/dev/null; then
			say "the server did not stop within 30 s of SIGTERM; killing it"
			kill -KILL "$SERVER_PID" 2>/dev/null || true
		fi
	fi
	SERVER_STATUS=0
	wait "$SERVER_PID" 2>/dev/null || SERVER_STATUS=$?
	SERVER_PID=
	rm -f "$SERVER_PID_FILE"
}
