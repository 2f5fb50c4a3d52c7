/* stmt_sql.c — prints the SQL text of one named prepared statement of server/stmts.c, so
 * the pgbench scripts of bench/run.sh send exactly what the server sends.
 * usage: stmt_sql NAME   (exit 1 when no statement has that name) */
#include <stdio.h>
#include <string.h>

#include "stmts.h"

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s STATEMENT_NAME\n", argv[0]);
		return 2;
	}
	for (int i = 0; i < OW_Q_COUNT; i++) {
		if (ow_stmts[i].name && strcmp(ow_stmts[i].name, argv[1]) == 0) {
			printf("%s\n", ow_stmts[i].sql);
			return 0;
		}
	}
	fprintf(stderr, "%s: no statement named %s in server/stmts.c\n", argv[0], argv[1]);
	return 1;
}
