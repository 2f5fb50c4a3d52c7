/* h_stats.c — GET /stats/departures, /stats/flows, /stats/layoffs and /stats/attrition: one SQL
 * statement per answer (sql/functions/12_stats.sql), as JSON or as a CSV table. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "db_problem.h"
#include "format.h"
#include "handlers.h"
#include "list.h"
#include "req.h"
#include "problem.h"
#include "resource.h"
#include "stat_table.h"

static const char *const group_values[] = {
	"month",	   "quarter",	       "year", "team", "org", "destination_org", "kind",
	"reason_category", "destination_kind", NULL};

/* group_by first, then the /departures filters (resource.h), as the SQL takes them. */
static const struct ow_filter departure_stats_filters[] = {
	{"group_by", OW_F_ENUM, group_values},
	OW_DEPARTURE_FILTERS,
};
#define NSTATS_FILTERS (1 + OW_DEPARTURE_NFILTERS)

static const char *const departure_cells[] = {"key", "label", "count", NULL};
static const char *const flow_cells[] = {"from.id", "from.slug", "from.name", "to.id",
					 "to.slug", "to.name",	 "count",     NULL};
static const char *const attrition_cells[] = {
	"org.id", "org.slug", "org.name",	   "team.id",	 "team.slug", "team.name",
	"from",	  "to",	      "average_headcount", "departures", "rate",      NULL};
static const char *const layoff_cells[] = {"key",	    "label", "layoffs", "laid_off",
					   "without_count", "orgs",  NULL};
static const struct ow_stat_table departure_table = {"groups", 0, departure_cells};
static const struct ow_stat_table layoff_table = {"groups", 0, layoff_cells};
static const struct ow_stat_table flow_table = {"flows", 0, flow_cells};
static const struct ow_stat_table attrition_table = {"teams", 1, attrition_cells};

static int reply_stat(struct ow_req *r, enum ow_stmt_id id, const char *const *params,
		      const struct ow_stat_table *table)
{
	struct ow_db_error err;
	struct ow_db *db = ow_db_acquire(&err);
	PGresult *pg = db ? ow_db_exec(db, id, params, &err) : NULL;
	if (!pg)
		return ow_db_problem(r, &err);
	int rc;
	if (r->format == OW_FMT_CSV) {
		struct ow_buf b;
		ow_buf_init(&b, (size_t)64 << 20);
		rc = ow_stat_table_csv(&b, table, PQgetvalue(pg, 0, 0), r->excel) == 0
			     ? ow_reply(r, 200, ow_list_content_type(OW_FMT_CSV), b.data, b.len,
					NULL)
			     : ow_problem_reply(r, OW_P_INTERNAL,
						"The statistic could not be rendered.", NULL, NULL);
		ow_buf_free(&b);
	} else {
		rc = ow_reply_json(r, 200, PQgetvalue(pg, 0, 0), (size_t)PQgetlength(pg, 0, 0),
				   NULL);
	}
	PQclear(pg);
	return rc;
}

/* The most filters a statistic takes (the departures': group_by and the /departures ones). */
#define MAX_STAT_FILTERS NSTATS_FILTERS

/* Parses the query by the n filters (the statistic's arguments, in its order) and answers
 * statistic id; a bad query is answered by ow_query_parse. */
static int reply_filtered(struct ow_req *r, const struct ow_filter *filters, size_t n,
			  enum ow_stmt_id id, const struct ow_stat_table *table)
{
	const char *params[MAX_STAT_FILTERS];
	if (n > MAX_STAT_FILTERS)
		return ow_problem_reply(r, OW_P_INTERNAL, "The statistic takes too many filters.",
					NULL, NULL);
	if (ow_query_parse(r, filters, n, params, NULL) != 0)
		return 0;
	return reply_stat(r, id, params, table);
}

int ow_h_stats_departures(struct ow_req *r)
{
	return reply_filtered(r, departure_stats_filters, NSTATS_FILTERS, OW_Q_STATS_DEPARTURES,
			      &departure_table);
}

static const struct ow_filter flow_filters[] = {OW_FLOW_FILTERS};
#define NFLOW_FILTERS (sizeof flow_filters / sizeof flow_filters[0])

int ow_h_stats_flows(struct ow_req *r)
{
	return reply_filtered(r, flow_filters, NFLOW_FILTERS, OW_Q_STATS_FLOWS, &flow_table);
}

static const char *const layoff_groups[] = {"month",	"quarter", "year",  "org",
					    "industry", "country", "stage", NULL};
/* In the order ow_stats_layoffs (12_stats.sql) takes them. */
static const struct ow_filter layoff_stats_filters[] = {
	{"group_by", OW_F_ENUM, layoff_groups},
	OW_FILTER_ORG,
	OW_ORG_ATTRIBUTE_FILTERS,
	OW_FILTER_PERIOD,
};
#define NLAYOFF_FILTERS (sizeof layoff_stats_filters / sizeof layoff_stats_filters[0])

int ow_h_stats_layoffs(struct ow_req *r)
{
	return reply_filtered(r, layoff_stats_filters, NLAYOFF_FILTERS, OW_Q_STATS_LAYOFFS,
			      &layoff_table);
}

static const char *const attrition_groups[] = {"team", NULL};
static const struct ow_filter attrition_filters[] = {
	OW_FILTER_ORG,
	OW_FILTER_TEAM,
	OW_FILTER_PERIOD,
	{"group_by", OW_F_ENUM, attrition_groups},
};

int ow_h_stats_attrition(struct ow_req *r)
{
	return reply_filtered(r, attrition_filters,
			      sizeof attrition_filters / sizeof attrition_filters[0],
			      OW_Q_STATS_ATTRITION, &attrition_table);
}
