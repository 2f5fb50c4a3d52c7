#!/usr/bin/env bash
# include_cycles.sh — checks that the include graph of the C sources has no cycle: a module
# is a name (server/NAME.c with include/NAME.h), and NAME includes OTHER when either of its
# files has `#include "OTHER.h"`. A cycle (a.c includes b.h and b.c includes a.h, or longer)
# means two modules call each other; the layers in docs/ARCHITECTURE.md go one way. Prints
# each cycle found (tsort's report) and exits 1; run by `make unit`.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
pairs=$(for f in server/*.c include/*.h; do
	name=$(basename "$f")
	name=${name%.*}
	sed -n 's/^#include "\([A-Za-z0-9_]*\)\.h".*/\1/p' "$f" | while read -r dep; do
		[ "$dep" != "$name" ] && printf '%s %s\n' "$name" "$dep"
	done
done | sort -u)
if ! report=$(printf '%s\n' "$pairs" | tsort 2>&1 >/dev/null); then
	printf 'include cycles among the C modules (tsort):\n%s\n' "$report" >&2
	exit 1
fi
printf 'include graph: %d modules, %d edges, no cycle\n' \
	"$(printf '%s\n' "$pairs" | tr ' ' '\n' | sort -u | wc -l)" "$(printf '%s\n' "$pairs" | wc -l)"
