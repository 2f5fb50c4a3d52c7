/* h_history.c — time travel: GET /people/{id}/timeline, /people/{id}/reports,
 * /people/{id}/managers, /organizations/{id}/changes,
 * /teams/{id}/members and /teams/{id}/alumni. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "db_problem.h"
#include "handlers.h"
#include "list.h"
#include "problem.h"
#include "req.h"
#include "tree_reply.h"

/* Runs a statement returning one JSON text and replies with it. */
static int reply_json_value(struct ow_req *r, enum ow_stmt_id id, const char *const *params)
{
	struct ow_db_error err;
	struct ow_db *db = ow_db_acquire(&err);
	PGresult *pg = db ? ow_db_exec(db, id, params, &err) : NULL;
	if (!pg)
		return ow_db_problem(r, &err);
	if (PQntuples(pg) != 1) { /* its record went between the check and the statement */
		PQclear(pg);
		return ow_problem_replyf(r, OW_P_NOT_FOUND, "No record with id or slug '%s'.",
					 r->params.values[0]);
	}
	int rc = ow_reply_json(r, 200, PQgetvalue(pg, 0, 0), (size_t)PQgetlength(pg, 0, 0), NULL);
	PQclear(pg);
	return rc;
}

/* A read of one JSON value: statement id over the path's {id}, then the n filters' values
 * (entity: the path's record type when it is resolved before the statement, else NULL). */
static int read_json(struct ow_req *r, const struct ow_filter *filters, size_t n,
		     const char *entity, enum ow_stmt_id id)
{
	const char *params[4] = {r->params.values[0]};
	if (ow_query_parse(r, filters, n, params + 1, entity) != 0)
		return 0;
	return reply_json_value(r, id, params);
}

int ow_h_person_timeline(struct ow_req *r)
{
	return read_json(r, NULL, 0, NULL, OW_Q_PERSON_TIMELINE);
}

static const struct ow_filter as_of_filter[] = {OW_FILTER_AS_OF};

int ow_h_person_managers(struct ow_req *r)
{
	return read_json(r, as_of_filter, 1, "person", OW_Q_PERSON_MANAGERS);
}

static const struct ow_filter changes_filters[] = {
	OW_FILTER_PERIOD,
};

int ow_h_org_changes(struct ow_req *r)
{
	const char *params[3] = {r->params.values[0]};
	if (ow_query_parse(r, changes_filters, 2, params + 1, NULL) != 0)
		return 0;
	if (!params[1] || !params[2]) {
		struct ow_errors errs;
		ow_errors_init(&errs);
		if (!params[1])
			ow_errors_add(&errs, "from",
				      "is required (a date: YYYY, YYYY-MM or YYYY-MM-DD)");
		if (!params[2])
			ow_errors_add(&errs, "to",
				      "is required (a date: YYYY, YYYY-MM or YYYY-MM-DD)");
		return ow_problem_reply(r, OW_P_VALIDATION, "Give the period with from and to.",
					&errs, NULL);
	}
	return reply_json_value(r, OW_Q_ORG_CHANGES, params);
}

static const struct ow_filter reports_filters[] = {
	OW_FILTER_AS_OF,
	{"depth", OW_F_DEPTH, NULL},
};

int ow_h_person_reports(struct ow_req *r)
{
	const char *params[3] = {r->params.values[0]};
	if (ow_query_parse(r, reports_filters, 2, params + 1, NULL) != 0)
		return 0;
	/* depth=1: the direct reports, the roots of the walk (depth 0 below them). */
	int max_depth = params[2] ? atoi(params[2]) - 1 : -1;
	return ow_reply_tree_read(r, OW_Q_REPORTS_HEAD, OW_Q_REPORTS_FLAT, params,
				  max_depth < 0 ? -1 : max_depth, 1);
}

static const char *const member_csv[] = {"person",   "title",	    "started_on",
					 "ended_on", "position_id", NULL};

/* A list of the people of the path's team: statement stmt over the team, the n filters'
 * values and the page's cursor and limit. */
static int team_list(struct ow_req *r, const struct ow_filter *filters, size_t n,
		     enum ow_stmt_id stmt, const char *const *csv)
{
	const char *params[5] = {r->params.values[0]};
	struct ow_list_page page;
	if (ow_list_parse(r, filters, n, params + 1, &page) != 0)
		return 0;
	ow_list_page_path_ref(&page, "team", params[0]);
	ow_list_page_params(&page, params + 1 + n);
	return ow_list_run(r, stmt, params, &page, csv);
}

int ow_h_team_members(struct ow_req *r)
{
	return team_list(r, as_of_filter, 1, OW_Q_TEAM_MEMBERS, member_csv);
}

static const char *const alumni_csv[] = {"person",  "title",	 "started_on",	      "ended_on",
					 "current", "departure", "current_positions", NULL};

int ow_h_team_alumni(struct ow_req *r)
{
	return team_list(r, NULL, 0, OW_Q_TEAM_ALUMNI, alumni_csv);
}
