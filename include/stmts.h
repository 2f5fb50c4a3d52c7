/* stmts.h — ids of the named prepared statements (their SQL is in server/stmts.c). */
#ifndef OW_STMTS_H
#define OW_STMTS_H


enum ow_stmt_id {
	OW_Q_READY,
	OW_Q_AUTH_LOOKUP,
	OW_Q_COUNT
};

struct ow_stmt {
	const char *name;
	const char *sql;
	int nparams;
};

/* The statement table, indexed by enum ow_stmt_id. */
extern const struct ow_stmt ow_stmts[OW_Q_COUNT];

#endif
