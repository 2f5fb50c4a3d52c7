/* stmt_sql.c — prints the SQL text of one named prepared statement (server/stmts.c, its text
 * from sql/statements/), so the pgbench scripts of bench/run.sh send exactly what the server
 * sends. Built by bench/run.sh after `make build/gen/stmt_texts.c`:
 *   cc -std=c11 -Iinclude -I/usr/include/postgresql -o stmt_sql bench/stmt_sql.c \
 *      server/stmts.c server/stmt_args.c build/gen/stmt_texts.c -lpq
 * usage: stmt_sql NAME [K...]   (exit 1 when no statement has that name)
 * With K arguments (numbers of $k): the variant the server prepares when exactly those
 * arguments are given and every other one is NULL (ow_stmt_variant_sql; `replan`
 * statements only). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stmts.h"

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s STATEMENT_NAME [GIVEN_ARGUMENT_NUMBER...]\n", argv[0]);
		return 2;
	}
	for (int i = 0; i < OW_Q_COUNT; i++) {
		if (!ow_stmts[i].name || strcmp(ow_stmts[i].name, argv[1]) != 0)
			continue;
		if (argc == 2) {
			const char *sql = ow_stmt_sql((enum ow_stmt_id)i);
			if (!sql) {
				fprintf(stderr, "%s: %s has no block in sql/statements/\n", argv[0],
					argv[1]);
				return 1;
			}
			printf("%s\n", sql);
			return 0;
		}
		unsigned long long nulls =
			ow_stmts[i].nparams >= 64 ? ~0ULL : (1ULL << ow_stmts[i].nparams) - 1;
		for (int a = 2; a < argc; a++) {
			long k = strtol(argv[a], NULL, 10);
			if (k < 1 || k > ow_stmts[i].nparams) {
				fprintf(stderr, "%s: %s has no $%s\n", argv[0], argv[1], argv[a]);
				return 2;
			}
			nulls &= ~(1ULL << (k - 1));
		}
		static char sql[16384];
		if (ow_stmt_variant_sql((enum ow_stmt_id)i, nulls, sql, sizeof sql) < 0)
			return 1;
		printf("%s\n", sql);
		return 0;
	}
	fprintf(stderr, "%s: no statement named %s in server/stmts.c\n", argv[0], argv[1]);
	return 1;
}
