/* stmts.h — ids of the named prepared statements, their table (server/stmts.c: name,
 * parameters, kind) and their SQL texts (sql/statements/, embedded at build time). */
#ifndef OW_STMTS_H
#define OW_STMTS_H

#include <stddef.h>

enum ow_stmt_id {
	OW_Q_READY,
	OW_Q_READY_FUNCTIONS,
	OW_Q_DATA_VERSION,
	OW_Q_AUTH_LOOKUP,
	OW_Q_RECORD_DELETE,
	OW_Q_REFS_MISSING,
	OW_Q_IDEM_CLAIM,
	OW_Q_IDEM_STORE,
	OW_Q_ORGANIZATIONS_LIST,
	OW_Q_ORGANIZATIONS_GET,
	OW_Q_ORGANIZATIONS_GET_ID,
	OW_Q_ORGANIZATIONS_WRITE,
	OW_Q_TEAMS_LIST,
	OW_Q_TEAMS_GET,
	OW_Q_TEAMS_GET_ID,
	OW_Q_TEAMS_WRITE,
	OW_Q_PEOPLE_LIST,
	OW_Q_PEOPLE_SEARCH,
	OW_Q_PEOPLE_GET,
	OW_Q_PEOPLE_GET_ID,
	OW_Q_PEOPLE_MOVED,
	OW_Q_PEOPLE_WRITE,
	OW_Q_POSITIONS_LIST,
	OW_Q_POSITIONS_GET,
	OW_Q_POSITIONS_WRITE,
	OW_Q_SOURCES_LIST,
	OW_Q_SOURCES_GET,
	OW_Q_SOURCES_GET_ID,
	OW_Q_SOURCES_WRITE,
	OW_Q_PEOPLE_SIMILAR_REFRESH,
	OW_Q_PEOPLE_DUPLICATES,
	OW_Q_PEOPLE_MERGE,
	OW_Q_CHANGES_LIST,
	OW_Q_DEPARTURES_LIST,
	OW_Q_DEPARTURES_LIST_DESC,
	OW_Q_DEPARTURES_LIST_ANNOUNCED,
	OW_Q_DEPARTURES_LIST_ANNOUNCED_DESC,
	OW_Q_DEPARTURES_GET,
	OW_Q_DEPARTURES_WRITE,
	OW_Q_LAYOFFS_LIST,
	OW_Q_LAYOFFS_LIST_COUNT_DESC,
	OW_Q_LAYOFFS_GET,
	OW_Q_LAYOFFS_WRITE,
	OW_Q_REPORTING_LINES_LIST,
	OW_Q_REPORTING_LINES_GET,
	OW_Q_REPORTING_LINES_WRITE,
	OW_Q_PERSON_TIMELINE,
	OW_Q_PERSON_MANAGERS,
	OW_Q_ORG_CHANGES,
	OW_Q_CHART_HEAD,
	OW_Q_CHART_FLAT,
	OW_Q_REPORTS_HEAD,
	OW_Q_REPORTS_FLAT,
	OW_Q_TEAM_MEMBERS,
	OW_Q_TEAM_ALUMNI,
	OW_Q_STATS_DEPARTURES,
	OW_Q_STATS_FLOWS,
	OW_Q_STATS_LAYOFFS,
	OW_Q_CHART_DEPARTURES,
	OW_Q_CHART_LAYOFFS,
	OW_Q_CHART_FLOWS,
	OW_Q_CHART_ORG_EXTRAS,
	OW_Q_CHART_SUBTREE,
	OW_Q_CHART_LINKS,
	OW_Q_CHART_PEOPLE,
	OW_Q_STATS_ATTRITION,
	OW_Q_STREAM_START,
	OW_Q_WEBHOOK_CREATE,
	OW_Q_WEBHOOKS_LIST,
	OW_Q_WEBHOOK_GET,
	OW_Q_WEBHOOK_DELETE,
	OW_Q_WEBHOOK_DELIVERIES,
	OW_Q_WEBHOOK_REDELIVER,
	/* Run on connections of their own (imports, exports, the command line, migrate) with
	 * ow_stmt_run, never prepared. */
	OW_Q_CHANGE_FEED,
	OW_Q_CHANGE_LAST,
	OW_Q_CHANGE_SESSION,
	OW_Q_IMPORT_SPOOL_CREATE,
	OW_Q_IMPORT_BEGIN,
	OW_Q_IMPORT_SPOOL_COPY,
	OW_Q_IMPORT_SPOOL_APPLY,
	OW_Q_IMPORT_SPOOL_DROP,
	OW_Q_EXPORT_DECLARE,
	OW_Q_EXPORT_FETCH,
	OW_Q_KEY_CREATE,
	OW_Q_KEY_REVOKE,
	OW_Q_SAMPLE_LOADED,
	OW_Q_SAMPLE_MARK_LOADED,
	OW_Q_MIGRATE_LOCK,
	OW_Q_MIGRATE_UNLOCK,
	OW_Q_MIGRATE_APPLIED,
	OW_Q_MIGRATE_RECORD,
	OW_Q_FUNCTIONS_PRUNE,
	OW_Q_FUNCTIONS_RECORD,
	OW_Q_PRIMARY_LSN,
	OW_Q_REPLICA_REPLAYED,
	OW_Q_REPLICA_HEALTH,
	/* The webhook deliverer's own connection (webhooks.c). */
	OW_Q_WEBHOOKS_DUE,
	OW_Q_WEBHOOK_LOCK,
	OW_Q_WEBHOOK_UNLOCK,
	OW_Q_WEBHOOK_CLAIM,
	OW_Q_WEBHOOK_SKIP,
	OW_Q_WEBHOOK_DELIVERED,
	OW_Q_WEBHOOK_FAILED,
	OW_Q_WEBHOOKS_COUNT,
	/* Reads pinned to a change key (known_at.c, db.c). */
	OW_Q_KNOWN_AT_PIN,
	OW_Q_KNOWN_AT_PIN_SEQ,
	OW_Q_KNOWN_AT_UNPIN,
	OW_Q_COUNT
};

/* How ow_db_exec runs a statement. */
enum ow_stmt_kind {
	/* Prepared by name at first use on a connection (`replan`: a variant per combination of
	 * the arguments given). */
	OW_SK_PLAIN,
	/* A cursor's declaration (DECLARE ... CURSOR FOR): cannot be prepared, so it runs
	 * unnamed with its arguments (PQexecParams). */
	OW_SK_CURSOR_DECLARE,
	/* A cursor's next rows (FETCH): no plan worth keeping, run as is (PQexec). */
	OW_SK_CURSOR_FETCH,
};

struct ow_stmt {
	/* Its name on the server, and its block's `-- name:` in sql/statements/. */
	const char *name;
	int nparams;
	/* 1: takes optional arguments ("$k IS NULL OR ..."): prepared once per connection
	 * for each combination of NULL arguments met, each $k that is NULL written as the
	 * literal NULL (ow_stmt_variant_sql), so that the plan of each combination can use
	 * the indexes of the filters given (a generic plan of the text as written could not
	 * use "($8 IS NULL OR x >= $8)" as an index bound). */
	int replan;
	/* C arguments the statement does not take (bit i: argument i of the caller's array),
	 * so that callers may pass one argument list shape (filters, then cursor parts and
	 * limit) to statements that need less; ow_db_exec leaves them out. nparams counts the
	 * statement's own $n; the caller passes nparams + popcount(skip) arguments
	 * (ow_stmt_nargs). tests/unit/test_stmts.c checks both against the SQL. */
	unsigned long long skip;
	/* 1: its results come in PostgreSQL's binary format (ow_db_exec asks for it): for
	 * arrays of ids read by C, 16 bytes an id instead of 36 characters to parse. */
	int binary;
	enum ow_stmt_kind kind;
};

/* Transactions of one snapshot (ow_db_tx's OW_TX_SNAPSHOT, exports). */
#define OW_SQL_BEGIN_SNAPSHOT "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"

struct pg_conn;
struct pg_result;
/* Runs statement id on connection c, unprepared (PQexec when it takes no parameter, so a
 * statement of several commands runs whole; else PQexecParams). The caller owns the result. */
struct pg_result *ow_stmt_run(struct pg_conn *c, enum ow_stmt_id id, const char *const *params);

/* The arguments statement id takes, in order: params itself, or (when it skips some of the
 * caller's) their copy in taken (64 slots). */
const char *const *ow_stmt_taken_args(enum ow_stmt_id id, const char *const *params,
				      const char **taken);
/* How many C arguments a caller passes to statement id (its $n and the skipped ones). */
int ow_stmt_nargs(enum ow_stmt_id id);

/* The statement table, indexed by enum ow_stmt_id. */
extern const struct ow_stmt ow_stmts[OW_Q_COUNT];

/* Statement id's SQL text: its block of sql/statements/ (found by name among those embedded
 * at build time, once), or NULL when it has none (tests/unit/test_stmts.c fails then). */
const char *ow_stmt_sql(enum ow_stmt_id id);

/* The text of statement id's variant for the arguments that are NULL in this request (bit
 * k-1 of nulls: $k is NULL): each such $k becomes the literal NULL, and "$k::type IS NULL"
 * of an argument that is given becomes false, so the planner folds "($k IS NULL OR ...)" to
 * true or to its condition; each "$?k" (was $k given?) becomes the literal true or
 * false, for functions that take the answer (ow_departures_filtered); a prepared plan of
 * the variant can thus use the indexes of the filters actually given. Only the fixed SQL
 * text and these literals are written; no argument value ever is. The length, or -1 when
 * cap is too small (or the statement has no text). */
int ow_stmt_variant_sql(enum ow_stmt_id id, unsigned long long nulls, char *out, size_t cap);

/* The longest statement text (a variant's included) the server sends, NUL included. */
#define OW_SQL_MAX 16384

#endif
