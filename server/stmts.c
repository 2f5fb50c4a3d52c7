/* stmts.c — the one table of named prepared statements: each id's name (the name of its
 * block in sql/statements/, which holds its SQL text), number of parameters, kind and flags.
 * No SQL here: the texts are embedded at build time (include/stmt_texts.h) and found by name
 * (ow_stmt_sql, stmt_args.c). List statements take their filters first (NULL = not
 * filtering), then the cursor's parts, then the limit. */
#include "stmts.h"

/* The C argument a statement does not take (bit i = argument i): a cursor's second part where
 * one part is enough; the departures' sort filter (C argument 15), the layoffs' (8): the sort
 * chose the statement. */
#define SKIP_ARG(i) (1ULL << (i))
#define SKIP_SORT SKIP_ARG(15)
#define SKIP_LAYOFF_SORT SKIP_ARG(8)

/* {name, nparams, replan, skip}, then .binary and .kind where they are not 0 (OW_SK_PLAIN). */
const struct ow_stmt ow_stmts[OW_Q_COUNT] = {
	/* sql/statements/service.sql: readiness, data version, keys, idempotency, replicas. */
	[OW_Q_READY] = {"ready", 0},
	[OW_Q_READY_FUNCTIONS] = {"ready_functions", 0},
	[OW_Q_DATA_VERSION] = {"data_version", 0},
	[OW_Q_AUTH_LOOKUP] = {"auth_lookup", 1},
	[OW_Q_RECORD_DELETE] = {"record_delete", 4},
	[OW_Q_REFS_MISSING] = {"refs_missing", 16},
	[OW_Q_IDEM_CLAIM] = {"idem_claim", 5},
	[OW_Q_IDEM_STORE] = {"idem_store", 6},
	[OW_Q_PRIMARY_LSN] = {"primary_lsn", 0},
	[OW_Q_REPLICA_REPLAYED] = {"replica_replayed", 1},
	[OW_Q_REPLICA_HEALTH] = {"replica_health", 1},

	/* sql/statements/records.sql: organizations, teams, positions, sources, reporting lines. */
	[OW_Q_ORGANIZATIONS_LIST] = {"organizations_list", 10, 1},
	[OW_Q_ORGANIZATIONS_GET] = {"organizations_get", 1},
	[OW_Q_ORGANIZATIONS_GET_ID] = {"organizations_get_id", 1},
	[OW_Q_ORGANIZATIONS_WRITE] = {"organizations_write", 4},
	[OW_Q_TEAMS_LIST] = {"teams_list", 7, 1},
	[OW_Q_TEAMS_GET] = {"teams_get", 1},
	[OW_Q_TEAMS_GET_ID] = {"teams_get_id", 1},
	[OW_Q_TEAMS_WRITE] = {"teams_write", 4},
	[OW_Q_POSITIONS_LIST] = {"positions_list", 8, 1},
	[OW_Q_POSITIONS_GET] = {"positions_get", 1},
	[OW_Q_POSITIONS_WRITE] = {"positions_write", 4},
	[OW_Q_SOURCES_LIST] = {"sources_list", 6, 1},
	[OW_Q_SOURCES_GET] = {"sources_get", 1},
	[OW_Q_SOURCES_GET_ID] = {"sources_get_id", 1},
	[OW_Q_SOURCES_WRITE] = {"sources_write", 4},
	[OW_Q_REPORTING_LINES_LIST] = {"reporting_lines_list", 7, 1},
	[OW_Q_REPORTING_LINES_GET] = {"reporting_lines_get", 1},
	[OW_Q_REPORTING_LINES_WRITE] = {"reporting_lines_write", 4},

	/* sql/statements/people.sql: people, their duplicates, timeline and managers. */
	[OW_Q_PEOPLE_LIST] = {"people_list", 8, 1},
	[OW_Q_PEOPLE_SEARCH] = {"people_search", 8, 1},
	[OW_Q_PEOPLE_GET] = {"people_get", 1},
	[OW_Q_PEOPLE_GET_ID] = {"people_get_id", 1},
	[OW_Q_PEOPLE_MOVED] = {"people_moved", 1},
	[OW_Q_PEOPLE_WRITE] = {"people_write", 4},
	[OW_Q_PEOPLE_SIMILAR_REFRESH] = {"people_similar_refresh", 0},
	[OW_Q_PEOPLE_DUPLICATES] = {"people_duplicates", 3, 1},
	[OW_Q_PEOPLE_MERGE] = {"people_merge", 4},
	[OW_Q_PERSON_TIMELINE] = {"person_timeline", 1},
	[OW_Q_PERSON_MANAGERS] = {"person_managers", 2, 1},

	/* sql/statements/departures.sql: departures and layoffs. */
	[OW_Q_DEPARTURES_LIST] = {"departures_list", 18, 1, SKIP_SORT},
	[OW_Q_DEPARTURES_LIST_DESC] = {"departures_list_desc", 18, 1, SKIP_SORT},
	[OW_Q_DEPARTURES_LIST_ANNOUNCED] = {"departures_list_announced", 18, 1, SKIP_SORT},
	[OW_Q_DEPARTURES_LIST_ANNOUNCED_DESC] = {"departures_list_announced_desc", 18, 1,
						 SKIP_SORT},
	[OW_Q_DEPARTURES_GET] = {"departures_get", 1},
	[OW_Q_DEPARTURES_WRITE] = {"departures_write", 4},
	[OW_Q_LAYOFFS_LIST] = {"layoffs_list", 11, 1, SKIP_LAYOFF_SORT},
	[OW_Q_LAYOFFS_LIST_COUNT_DESC] = {"layoffs_list_count_desc", 11, 1, SKIP_LAYOFF_SORT},
	[OW_Q_LAYOFFS_GET] = {"layoffs_get", 1},
	[OW_Q_LAYOFFS_WRITE] = {"layoffs_write", 4},

	/* sql/statements/charts.sql: charts, reports, team members and alumni, statistics. */
	[OW_Q_ORG_CHANGES] = {"org_changes", 3},
	[OW_Q_CHART_HEAD] = {"chart_head", 2},
	[OW_Q_CHART_FLAT] = {"chart_flat", 4},
	[OW_Q_REPORTS_HEAD] = {"reports_head", 2},
	[OW_Q_REPORTS_FLAT] = {"reports_flat", 3, 1},
	[OW_Q_TEAM_MEMBERS] = {"team_members", 4, 1, SKIP_ARG(3)},
	[OW_Q_TEAM_ALUMNI] = {"team_alumni", 3, 1, SKIP_ARG(2)},
	[OW_Q_STATS_DEPARTURES] = {"stats_departures", 16},
	[OW_Q_STATS_FLOWS] = {"stats_flows", 7},
	[OW_Q_STATS_LAYOFFS] = {"stats_layoffs", 7},
	[OW_Q_STATS_ATTRITION] = {"stats_attrition", 5},
	[OW_Q_CHART_DEPARTURES] = {"chart_departures", 16},
	[OW_Q_CHART_LAYOFFS] = {"chart_layoffs", 6},
	[OW_Q_CHART_FLOWS] = {"chart_flows", 8},
	[OW_Q_CHART_ORG_EXTRAS] = {"chart_org_extras", 3},
	[OW_Q_CHART_SUBTREE] = {"chart_subtree", 5},
	[OW_Q_CHART_LINKS] = {"chart_links", 2, .binary = 1},
	[OW_Q_CHART_PEOPLE] = {"chart_people", 5},

	/* sql/statements/changes.sql: the change log, streams, the change feed, webhooks. */
	[OW_Q_CHANGES_LIST] = {"changes_list", 5, 1, SKIP_ARG(4)},
	[OW_Q_STREAM_START] = {"stream_start", 4},
	[OW_Q_CHANGE_FEED] = {"change_feed", 2},
	[OW_Q_CHANGE_LAST] = {"change_last", 0},
	[OW_Q_CHANGE_SESSION] = {"change_session", 0},
	[OW_Q_WEBHOOK_CREATE] = {"webhook_create", 9},
	[OW_Q_WEBHOOKS_LIST] = {"webhooks_list", 0},
	[OW_Q_WEBHOOK_GET] = {"webhook_get", 1},
	[OW_Q_WEBHOOK_DELETE] = {"webhook_delete", 1},
	[OW_Q_WEBHOOK_DELIVERIES] = {"webhook_deliveries", 1},
	[OW_Q_WEBHOOK_REDELIVER] = {"webhook_redeliver", 2},
	[OW_Q_WEBHOOKS_DUE] = {"webhooks_due", 0},
	[OW_Q_WEBHOOK_LOCK] = {"webhook_lock", 1},
	[OW_Q_WEBHOOK_UNLOCK] = {"webhook_unlock", 1},
	[OW_Q_WEBHOOK_CLAIM] = {"webhook_claim", 1},
	[OW_Q_WEBHOOK_SKIP] = {"webhook_skip", 3},
	[OW_Q_WEBHOOK_DELIVERED] = {"webhook_delivered", 5},
	[OW_Q_WEBHOOK_FAILED] = {"webhook_failed", 8},
	[OW_Q_WEBHOOKS_COUNT] = {"webhooks_count", 0},

	/* sql/statements/admin.sql: migrate, keys, the sample, imports, exports (ow_stmt_run). */
	[OW_Q_MIGRATE_LOCK] = {"migrate_lock", 0},
	[OW_Q_MIGRATE_UNLOCK] = {"migrate_unlock", 0},
	[OW_Q_MIGRATE_APPLIED] = {"migrate_applied", 1},
	[OW_Q_MIGRATE_RECORD] = {"migrate_record", 1},
	[OW_Q_FUNCTIONS_PRUNE] = {"functions_prune", 0},
	[OW_Q_FUNCTIONS_RECORD] = {"functions_record", 1},
	[OW_Q_KEY_CREATE] = {"key_create", 3},
	[OW_Q_KEY_REVOKE] = {"key_revoke", 1},
	[OW_Q_SAMPLE_LOADED] = {"sample_loaded", 0},
	[OW_Q_SAMPLE_MARK_LOADED] = {"sample_mark_loaded", 0},
	[OW_Q_IMPORT_SPOOL_CREATE] = {"import_spool_create", 0},
	[OW_Q_IMPORT_BEGIN] = {"import_begin", 0},
	[OW_Q_IMPORT_SPOOL_COPY] = {"import_spool_copy", 0},
	[OW_Q_IMPORT_SPOOL_APPLY] = {"import_spool_apply", 2},
	[OW_Q_IMPORT_SPOOL_DROP] = {"import_spool_drop", 0},
	[OW_Q_EXPORT_DECLARE] = {"export_declare", 1, .kind = OW_SK_CURSOR_DECLARE},
	[OW_Q_EXPORT_FETCH] = {"export_fetch", 0, .kind = OW_SK_CURSOR_FETCH},

	/* sql/statements/known_at.sql: reads pinned to a change key (known_at.c, db.c). */
	[OW_Q_KNOWN_AT_PIN] = {"known_at_pin", 1},
	[OW_Q_KNOWN_AT_PIN_SEQ] = {"known_at_pin_seq", 1},
	[OW_Q_KNOWN_AT_UNPIN] = {"known_at_unpin", 0},
};
