#!/usr/bin/env bash
# recipe_dry_run.sh — proves the recipe of docs/ARCHITECTURE.md ("Adding a record type"): it
# copies the checkout (its tracked files, as they are in the working tree) to build/recipe/tree,
# adds a throwaway record type "award" there by the recipe's steps alone — the files of
# tests/recipe/award/ put where each step says, nothing else edited — builds the copy,
# regenerates the SQL dispatch with the copy's own `orgwatch sql-types`, runs the copy's unit
# test of it, then serves the copy on a cluster of its own and runs
# tests/recipe/award.test.mjs (CRUD, bad input, import, export of awards, every answer
# checked against the copy's openapi.yaml). Everything it starts is stopped on exit.
# Run by `make test` (layer "recipe"). Settings: ORGWATCH_RECIPE_PG_PORT (15491),
# ORGWATCH_RECIPE_HTTP_PORT (18151).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=$ROOT/build/recipe
TREE=$WORK/tree
STEPS=$ROOT/tests/recipe/award
PG_PORT=${ORGWATCH_RECIPE_PG_PORT:-15491}
HTTP_PORT=${ORGWATCH_RECIPE_HTTP_PORT:-18151}
PG=$ROOT/scripts/pg.sh
SERVER_PID=

say() { printf 'recipe: %s\n' "$*"; }
die() {
	say "$*" >&2
	exit 1
}
cleanup() {
	[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
	bash "$PG" destroy "$WORK/pg" >/dev/null 2>&1 || true
}
trap cleanup EXIT

# insert_before FILE ANCHOR_AFTER CLOSING PIECE — inserts PIECE's lines before the first line
# equal to CLOSING that comes after the first line starting with ANCHOR_AFTER.
insert_before() {
	local file=$1 after=$2 closing=$3 piece=$4
	awk -v after="$after" -v closing="$closing" -v piece="$piece" '
		!done && seen && $0 == closing { while ((getline l < piece) > 0) print l; done = 1 }
		index($0, after) == 1 { seen = 1 }
		{ print }
		END { if (!done) exit 3 }' "$file" >"$file.new" || die "no place for $piece in $file"
	mv "$file.new" "$file"
}

say "copying the checkout to $TREE"
rm -rf "$WORK"
mkdir -p "$TREE"
git -C "$ROOT" ls-files -z | (cd "$ROOT" && xargs -0 tar -cf - --no-recursion 2>/dev/null) |
	tar -C "$TREE" -xf -
ln -s "$ROOT/node_modules" "$TREE/node_modules"

say "step 1: the migration"
last=$(cd "$TREE/sql/schema" && ls [0-9][0-9][0-9][0-9]_*.sql | sort | tail -1)
next=$(printf '%04d' $((10#${last:0:4} + 1)))
cp "$STEPS/migration.sql" "$TREE/sql/schema/${next}_awards.sql"

say "step 2: its SQL file"
cp "$STEPS/functions.sql" "$TREE/sql/functions/21_awards.sql"

say "step 3: its registry entry"
insert_before "$TREE/server/rtypes.c" "const struct ow_rtype ow_rtypes[] = {" "};" "$STEPS/registry.c"

say "step 4: its statements and descriptor"
cp "$STEPS/statements.sql" "$TREE/sql/statements/awards.sql"
insert_before "$TREE/include/stmts.h" "enum ow_stmt_id {" "	OW_Q_COUNT" "$STEPS/stmt_ids.h"
insert_before "$TREE/server/stmts.c" "const struct ow_stmt ow_stmts[OW_Q_COUNT] = {" "};" "$STEPS/stmt_rows.c"
cat "$STEPS/resource.c" >>"$TREE/server/resources.c"
printf 'extern const struct ow_resource ow_res_awards;\n' >"$WORK/extern.h"
insert_before "$TREE/include/resource.h" "extern const struct ow_resource ow_res_organizations" "#endif" "$WORK/extern.h"

say "step 5: the spec"
node "$ROOT/tests/recipe/merge_spec.mjs" "$TREE/openapi.yaml" "$STEPS/openapi.yaml"

say "building the copy"
make -C "$TREE" --no-print-directory -s all >"$WORK/build.log" 2>&1 || {
	tail -30 "$WORK/build.log"
	die "the copy does not build (log: $WORK/build.log)"
}
say "step 3, its last line: orgwatch sql-types > sql/functions/90_record_types.sql"
"$TREE/build/orgwatch" sql-types >"$TREE/sql/functions/90_record_types.sql"
grep -q "ow_awards_write" "$TREE/sql/functions/90_record_types.sql" || die "the dispatch does not name awards"
make -C "$TREE" --no-print-directory -s build/unit/test_rtypes_sql >>"$WORK/build.log" 2>&1 ||
	die "the copy's unit test does not build (log: $WORK/build.log)"
(cd "$TREE" && ./build/unit/test_rtypes_sql >"$WORK/unit.log" 2>&1) || {
	cat "$WORK/unit.log"
	die "test_rtypes_sql fails on the copy"
}

say "a cluster on 127.0.0.1:$PG_PORT, the copy's server on 127.0.0.1:$HTTP_PORT"
bash "$PG" init "$WORK/pg" "$PG_PORT" --throwaway >"$WORK/pg.log" 2>&1 || die "cluster init failed ($WORK/pg.log)"
bash "$PG" start "$WORK/pg" >>"$WORK/pg.log" 2>&1 || die "cluster start failed ($WORK/pg.log)"
DB_URL=$(bash "$PG" url "$WORK/pg")
export ORGWATCH_DATABASE_URL=$DB_URL ORGWATCH_HOME=$TREE
"$TREE/build/orgwatch" migrate >"$WORK/migrate.log" 2>&1 || {
	cat "$WORK/migrate.log"
	die "the copy's migrate failed"
}
for role in reader editor admin; do
	key=$("$TREE/build/orgwatch" key create --name "recipe-$role" --role "$role")
	export "ORGWATCH_TEST_${role^^}_KEY=$key"
done
ORGWATCH_LISTEN=127.0.0.1:$HTTP_PORT ORGWATCH_LOG=warn ORGWATCH_RATE_READS=0 ORGWATCH_RATE_WRITES=0 \
	ORGWATCH_RATE_IMPORTS=0 "$TREE/build/orgwatch" serve >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 100); do
	curl -sf "http://127.0.0.1:$HTTP_PORT/ready" >/dev/null && break
	kill -0 "$SERVER_PID" 2>/dev/null || die "the copy's server exited (log: $WORK/server.log)"
	sleep 0.1
done
curl -sf "http://127.0.0.1:$HTTP_PORT/ready" >/dev/null || die "the copy's server is not ready"

say "the tests of the new type"
ORGWATCH_TEST_URL=http://127.0.0.1:$HTTP_PORT ORGWATCH_TEST_DATABASE_URL=$DB_URL \
	node --test "$TREE/tests/recipe/award.test.mjs"
