/* h_stats.c — GET /stats/departures, /stats/flows and /stats/attrition: one SQL
 * statement per answer (sql/functions/12_stats.sql). */
#include "db.h"
#include "db_problem.h"
#include "handlers.h"
#include "list.h"
#include "req.h"
#include "resource.h"

static const char *const group_values[] = {
	"month",	   "quarter",	       "year", "team", "org", "destination_org", "kind",
	"reason_category", "destination_kind", NULL};

/* group_by first, then the /departures filters (resource.h), as the SQL takes them. */
static const struct ow_filter departure_stats_filters[] = {
	{"group_by", OW_F_ENUM, group_values},
	OW_DEPARTURE_FILTERS,
};
#define NSTATS_FILTERS (1 + OW_DEPARTURE_NFILTERS)

static int reply_stat(struct ow_req *r, enum ow_stmt_id id, const char *const *params)
{
	struct ow_db_error err;
	struct ow_db *db = ow_db_acquire(&err);
	PGresult *pg = db ? ow_db_exec(db, id, params, &err) : NULL;
	if (!pg)
		return ow_db_problem(r, &err);
	int rc = ow_reply_json(r, 200, PQgetvalue(pg, 0, 0), (size_t)PQgetlength(pg, 0, 0), NULL);
	PQclear(pg);
	return rc;
}

int ow_h_stats_departures(struct ow_req *r)
{
	const char *params[NSTATS_FILTERS];
	if (ow_query_parse(r, departure_stats_filters, NSTATS_FILTERS, params, NULL) != 0)
		return 0;
	return reply_stat(r, OW_Q_STATS_DEPARTURES, params);
}

static const struct ow_filter flow_filters[] = {
	{"org", OW_F_REF, ow_ref_organization},
	{"from", OW_F_PDATE, NULL},
	{"to", OW_F_PDATE, NULL},
	{"status", OW_F_ENUM_LIST, ow_status_filter_values},
};

int ow_h_stats_flows(struct ow_req *r)
{
	const char *params[4];
	if (ow_query_parse(r, flow_filters, 4, params, NULL) != 0)
		return 0;
	return reply_stat(r, OW_Q_STATS_FLOWS, params);
}

static const char *const attrition_groups[] = {"team", NULL};
static const struct ow_filter attrition_filters[] = {
	{"org", OW_F_REF, ow_ref_organization},
	{"team", OW_F_REF, ow_ref_team},
	{"from", OW_F_PDATE, NULL},
	{"to", OW_F_PDATE, NULL},
	{"group_by", OW_F_ENUM, attrition_groups},
};

int ow_h_stats_attrition(struct ow_req *r)
{
	const char *params[5];
	if (ow_query_parse(r, attrition_filters, 5, params, NULL) != 0)
		return 0;
	return reply_stat(r, OW_Q_STATS_ATTRITION, params);
}
