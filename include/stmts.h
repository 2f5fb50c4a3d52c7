/* stmts.h — ids of the named prepared statements (their SQL is in server/stmts.c). */
#ifndef OW_STMTS_H
#define OW_STMTS_H


enum ow_stmt_id {
	OW_Q_READY,
	OW_Q_AUTH_LOOKUP,
	OW_Q_RECORD_DELETE,
	OW_Q_IDEM_CLAIM,
	OW_Q_IDEM_STORE,
	OW_Q_ORGANIZATIONS_LIST,
	OW_Q_ORGANIZATIONS_GET,
	OW_Q_ORGANIZATIONS_WRITE,
	OW_Q_TEAMS_LIST,
	OW_Q_TEAMS_GET,
	OW_Q_TEAMS_WRITE,
	OW_Q_PEOPLE_LIST,
	OW_Q_PEOPLE_SEARCH,
	OW_Q_PEOPLE_GET,
	OW_Q_PEOPLE_WRITE,
	OW_Q_POSITIONS_LIST,
	OW_Q_POSITIONS_GET,
	OW_Q_POSITIONS_WRITE,
	OW_Q_SOURCES_LIST,
	OW_Q_SOURCES_GET,
	OW_Q_SOURCES_WRITE,
	OW_Q_PEOPLE_DUPLICATES,
	OW_Q_PEOPLE_MERGE,
	OW_Q_CHANGES_LIST,
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
