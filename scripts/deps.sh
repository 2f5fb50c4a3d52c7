#!/usr/bin/env bash
# deps.sh — owns orgwatch's system dependencies: the Debian packages each make target needs
# and, for the tests, the pinned npm dev dependencies (package-lock.json).
#
#   deps.sh runtime   build + run the server (make run)
#   deps.sh test      + unit/API/spec/browser test tools (make test)
#   deps.sh bench     + wrk and the PostgreSQL client (make bench)
#   deps.sh security  + sqlmap (make security)
#   deps.sh soak      + wrk and the PostgreSQL client (make soak)
#
# Missing packages are installed with apt when running as root; otherwise the exact
# `sudo apt-get install ...` line is printed and the exit status is 1. When everything is
# present it returns at once without calling apt.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

say() { printf 'deps: %s\n' "$*" >&2; }
die() {
	printf 'deps: error: %s\n' "$*" >&2
	exit 1
}
usage() {
	printf 'usage: bash scripts/deps.sh runtime|test|bench|security|soak\n' >&2
	exit 2
}

[ $# = 1 ] || usage
MODE=$1

# postgresql-15 carries the contrib extensions (pg_trgm, unaccent, btree_gist) on Debian 12:
# it "Provides: postgresql-contrib-15", which is no package of its own.
RUNTIME=(build-essential pkg-config libmicrohttpd-dev libjansson-dev libpq-dev uuid-dev
	postgresql-15 curl librsvg2-bin libcurl4-openssl-dev libssl-dev)
TEST=(libcmocka-dev clang libclang-rt-14-dev clang-format nodejs npm chromium docker-compose jq python3-yaml libxml2-utils
	python3-pandas)
# pgbench ships in postgresql-15 (/usr/lib/postgresql/15/bin/pgbench); psql in the client.
BENCH=(wrk postgresql-client-15 jq iproute2 nodejs)

case $MODE in
runtime) WANT=("${RUNTIME[@]}") ;;
test) WANT=("${RUNTIME[@]}" "${TEST[@]}") ;;
bench | soak) WANT=("${RUNTIME[@]}" "${BENCH[@]}") ;;
security) WANT=("${RUNTIME[@]}" sqlmap jq) ;;
*) usage ;;
esac

installed() {
	local status
	status=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) || return 1
	[ "$status" = "install ok installed" ]
}

# present PKG — installed, or its program is there by another route: NodeSource's nodejs
# package bundles npm (and conflicts with Debian's npm package).
present() {
	case $1 in
	nodejs) command -v node >/dev/null 2>&1 && return 0 ;;
	npm) command -v npm >/dev/null 2>&1 && return 0 ;;
	esac
	installed "$1"
}

MISSING=()
for pkg in "${WANT[@]}"; do
	present "$pkg" || MISSING+=("$pkg")
done
# De-duplicate (jq is in two lists) while keeping the order.
if [ ${#MISSING[@]} -gt 0 ]; then
	mapfile -t MISSING < <(printf '%s\n' "${MISSING[@]}" | awk '!seen[$0]++')
fi

if [ ${#MISSING[@]} -gt 0 ]; then
	if [ "$(id -u)" != 0 ]; then
		say "missing Debian packages for '$MODE': ${MISSING[*]}"
		say "install them with:"
		printf '  sudo apt-get update && sudo apt-get install -y --no-install-recommends %s\n' "${MISSING[*]}" >&2
		exit 1
	fi
	command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install by hand: ${MISSING[*]}"
	say "installing for '$MODE': ${MISSING[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q </dev/null || die "apt-get update failed"
	apt-get install -y -q --no-install-recommends "${MISSING[@]}" </dev/null ||
		die "apt-get install failed for: ${MISSING[*]}"
	for pkg in "${MISSING[@]}"; do
		present "$pkg" || die "$pkg still missing after apt-get install"
	done
fi

[ "$MODE" = test ] || exit 0

# ------------------------------------------------------------------ npm dev dependencies

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
	say "warning: Node.js $(node --version 2>/dev/null || echo '?') is older than the tests need (20.19 or newer);"
	say "         @redocly/cli will not run on it (install Node.js 20 or 22, e.g. from NodeSource)"
fi

cd "$ROOT"
if [ ! -f package.json ]; then
	say "no package.json yet: skipping npm"
	exit 0
fi
# npm writes node_modules/.package-lock.json on every install: older than the lockfile
# means the lockfile changed since.
stamp=node_modules/.package-lock.json
[ -f "$stamp" ] || stamp=node_modules
if [ -f package-lock.json ]; then
	if [ ! -d node_modules ] || [ package-lock.json -nt "$stamp" ]; then
		say "installing npm dev dependencies (npm ci)"
		npm ci --no-audit --no-fund </dev/null || die "npm ci failed"
	fi
elif [ ! -d node_modules ] || [ package.json -nt node_modules ]; then
	say "no package-lock.json: npm install (commit the lockfile it writes)"
	npm install --no-audit --no-fund </dev/null || die "npm install failed"
fi
