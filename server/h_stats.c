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

#define OW_STAT_MAX_CELLS 16

static const char *const group_values[] = {
	"month",	   "quarter",	       "year", "team", "org", "destination_org", "kind",
	"reason_category", "destination_kind", NULL};

/* group_by first, then the /departures filters (resource.h), as the SQL takes them. */
static const struct ow_filter departure_stats_filters[] = {
	{"group_by", OW_F_ENUM, group_values},
	OW_DEPARTURE_FILTERS,
};
#define NSTATS_FILTERS (1 + OW_DEPARTURE_NFILTERS)

/* How a statistic is a table: the rows of its array `rows` (and first the answer itself as
 * a row when root_row is set), each cell found by a dotted path in the row, else in the
 * answer ("from" of a team's row of attrition is the answer's). The CSV header names the
 * cells with '_' for '.' ("from_slug"). */
struct stat_table {
	const char *rows;
	int root_row;
	const char *const *cells;
};

static const char *const departure_cells[] = {"key", "label", "count", NULL};
static const char *const flow_cells[] = {"from.id", "from.slug", "from.name", "to.id",
					 "to.slug", "to.name",	 "count",     NULL};
static const char *const attrition_cells[] = {
	"org.id", "org.slug", "org.name",	   "team.id",	 "team.slug", "team.name",
	"from",	  "to",	      "average_headcount", "departures", "rate",      NULL};
static const char *const layoff_cells[] = {"key",	    "label", "layoffs", "laid_off",
					   "without_count", "orgs",  NULL};
static const struct stat_table departure_table = {"groups", 0, departure_cells};
static const struct stat_table layoff_table = {"groups", 0, layoff_cells};
static const struct stat_table flow_table = {"flows", 0, flow_cells};
static const struct stat_table attrition_table = {"teams", 1, attrition_cells};

/* The value at a dotted path ("from.slug") in o, or NULL. */
static json_t *at_path(json_t *o, const char *path)
{
	char key[64];
	while (o && *path) {
		size_t n = strcspn(path, ".");
		if (n >= sizeof key)
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		o = json_is_object(o) ? json_object_get(o, key) : NULL;
		path += n + (path[n] == '.');
	}
	return o;
}

/* Appends one row of the table: each cell from row, else from root. */
static int stat_row(struct ow_buf *b, const struct stat_table *t, json_t *row, json_t *root,
		    int excel)
{
	json_t *flat = json_object();
	if (!flat)
		return -1;
	for (size_t i = 0; t->cells[i]; i++) {
		json_t *v = at_path(row, t->cells[i]);
		if (!v && row != root && !strchr(t->cells[i], '.'))
			v = at_path(root, t->cells[i]);
		json_object_set(flat, t->cells[i], v ? v : json_null());
	}
	char *text = json_dumps(flat, JSON_COMPACT);
	json_decref(flat);
	int rc = text ? ow_list_csv_row(b, text, t->cells, excel) : -1;
	free(text);
	return rc;
}

static int stat_csv(struct ow_buf *b, const struct stat_table *t, const char *json, int excel)
{
	json_t *root = json_loads(json, 0, NULL);
	if (!root)
		return -1;
	char names[OW_STAT_MAX_CELLS][64];
	const char *header[OW_STAT_MAX_CELLS + 1];
	size_t n = 0;
	for (; t->cells[n] && n < OW_STAT_MAX_CELLS; n++) {
		snprintf(names[n], sizeof names[n], "%s", t->cells[n]);
		for (char *c = names[n]; *c; c++)
			if (*c == '.')
				*c = '_';
		header[n] = names[n];
	}
	header[n] = NULL;
	int rc = ow_list_csv_header(b, header, excel);
	if (rc == 0 && t->root_row)
		rc = stat_row(b, t, root, root, excel);
	json_t *rows = json_object_get(root, t->rows);
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row)
	{
		if (rc == 0)
			rc = stat_row(b, t, row, root, excel);
	}
	json_decref(root);
	return rc;
}

static int reply_stat(struct ow_req *r, enum ow_stmt_id id, const char *const *params,
		      const struct stat_table *table)
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
		rc = stat_csv(&b, table, PQgetvalue(pg, 0, 0), r->excel) == 0
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

int ow_h_stats_departures(struct ow_req *r)
{
	const char *params[NSTATS_FILTERS];
	if (ow_query_parse(r, departure_stats_filters, NSTATS_FILTERS, params, NULL) != 0)
		return 0;
	return reply_stat(r, OW_Q_STATS_DEPARTURES, params, &departure_table);
}

static const struct ow_filter flow_filters[] = {
	{"org", OW_F_REF, ow_ref_organization},
	{"from", OW_F_PDATE, NULL},
	{"to", OW_F_PDATE, NULL},
	{"status", OW_F_ENUM_LIST, ow_status_filter_values},
	OW_ORG_ATTRIBUTE_FILTERS,
};
#define NFLOW_FILTERS (sizeof flow_filters / sizeof flow_filters[0])

int ow_h_stats_flows(struct ow_req *r)
{
	const char *params[NFLOW_FILTERS];
	if (ow_query_parse(r, flow_filters, NFLOW_FILTERS, params, NULL) != 0)
		return 0;
	return reply_stat(r, OW_Q_STATS_FLOWS, params, &flow_table);
}

static const char *const layoff_groups[] = {"month",	"quarter", "year",  "org",
					    "industry", "country", "stage", NULL};
/* In the order ow_stats_layoffs (12_stats.sql) takes them. */
static const struct ow_filter layoff_stats_filters[] = {
	{"group_by", OW_F_ENUM, layoff_groups},
	{"org", OW_F_REF, ow_ref_organization},
	OW_ORG_ATTRIBUTE_FILTERS,
	{"from", OW_F_PDATE, NULL},
	{"to", OW_F_PDATE, NULL},
};
#define NLAYOFF_FILTERS (sizeof layoff_stats_filters / sizeof layoff_stats_filters[0])

int ow_h_stats_layoffs(struct ow_req *r)
{
	const char *params[NLAYOFF_FILTERS];
	if (ow_query_parse(r, layoff_stats_filters, NLAYOFF_FILTERS, params, NULL) != 0)
		return 0;
	return reply_stat(r, OW_Q_STATS_LAYOFFS, params, &layoff_table);
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
	return reply_stat(r, OW_Q_STATS_ATTRITION, params, &attrition_table);
}
