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

/* Runs a statement returning one JSON text and replies with it. */
static int reply_json_value(struct ow_req *r, enum ow_stmt_id id, const char *const *params)
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

int ow_h_person_timeline(struct ow_req *r)
{
	const char *params[] = {r->params.values[0]};
	if (ow_query_parse(r, NULL, 0, params + 1) != 0)
		return 0;
	return reply_json_value(r, OW_Q_PERSON_TIMELINE, params);
}

static const struct ow_filter as_of_filter[] = {{"as_of", OW_F_DAY, NULL}};

int ow_h_person_managers(struct ow_req *r)
{
	const char *params[2] = {r->params.values[0]};
	if (ow_query_parse(r, as_of_filter, 1, params + 1) != 0)
		return 0;
	return reply_json_value(r, OW_Q_PERSON_MANAGERS, params);
}

static const struct ow_filter changes_filters[] = {
	{"from", OW_F_PDATE, NULL},
	{"to", OW_F_PDATE, NULL},
};

int ow_h_org_changes(struct ow_req *r)
{
	const char *params[3] = {r->params.values[0]};
	if (ow_query_parse(r, changes_filters, 2, params + 1) != 0)
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

/* Appends depth-first rows (depth, node without its closing brace) as nested
 * {"...","reports":[...]} objects; *open is the depth of the last open node (-1 none). */
static int nest_rows(struct ow_buf *b, PGresult *pg, int *open)
{
	int rc = 0;
	for (int i = 0; i < PQntuples(pg) && rc == 0; i++) {
		int d = atoi(PQgetvalue(pg, i, 0));
		if (*open >= d) {
			for (; *open >= d; (*open)--)
				rc |= ow_buf_append_str(b, "]}");
			rc |= ow_buf_append_str(b, ",");
		}
		rc |= ow_buf_append(b, PQgetvalue(pg, i, 1), (size_t)PQgetlength(pg, i, 1));
		rc |= ow_buf_append_str(b, ", \"reports\":[");
		*open = d;
	}
	return rc ? -1 : 0;
}

/* A tree read in one snapshot (ow_db_tx): the head statement ("{...,\"roots\":[") and a
 * DECLARE of the depth-first rows, fetched in batches from its cursor so the rows never sit
 * in memory twice; the JSON is built in b. */
struct tree_tx {
	enum ow_stmt_id head, declare;
	const char *const *head_params, *const *params;
	struct ow_buf b;
	int too_large;
};

static int tree_fn(struct ow_db *db, void *cls, struct ow_db_error *err)
{
	struct tree_tx *t = cls;
	ow_buf_reset(&t->b);
	t->too_large = 0;
	int open = -1, rc = 0;
	PGresult *pg = ow_db_exec(db, t->head, t->head_params, err);
	if (!pg)
		return -1;
	rc = ow_buf_append(&t->b, PQgetvalue(pg, 0, 0), (size_t)PQgetlength(pg, 0, 0));
	PQclear(pg);
	if (!(pg = ow_db_exec(db, t->declare, t->params, err)))
		return -1;
	PQclear(pg);
	for (;;) {
		if (!(pg = ow_db_exec(db, OW_Q_TREE_FETCH, NULL, err)))
			return -1;
		int n = PQntuples(pg);
		rc |= nest_rows(&t->b, pg, &open);
		PQclear(pg);
		if (n == 0 || rc)
			break;
	}
	for (; open >= 0; open--)
		rc |= ow_buf_append_str(&t->b, "]}");
	rc |= ow_buf_append_str(&t->b, "]}");
	t->too_large = rc != 0;
	return 0;
}

static int reply_tree(struct ow_req *r, enum ow_stmt_id head, const char *const *head_params,
		      enum ow_stmt_id declare, const char *const *params)
{
	struct ow_db_error err;
	struct ow_db *db = ow_db_acquire(&err);
	if (!db)
		return ow_db_problem(r, &err);
	struct tree_tx t = {
		.head = head, .declare = declare, .head_params = head_params, .params = params};
	ow_buf_init(&t.b, (size_t)512 << 20);
	int rc;
	if (ow_db_tx(db, OW_TX_SNAPSHOT, tree_fn, &t, &err) != 0)
		rc = ow_db_problem(r, &err);
	else if (t.too_large)
		rc = ow_problem_reply(r, OW_P_INTERNAL, "The tree is too large to answer.", NULL,
				      NULL);
	else
		rc = ow_reply_json_buf(r, 200, &t.b);
	ow_buf_free(&t.b);
	return rc;
}

static const struct ow_filter reports_filters[] = {
	{"as_of", OW_F_DAY, NULL},
	{"depth", OW_F_DEPTH, NULL},
};

int ow_h_person_reports(struct ow_req *r)
{
	const char *params[3] = {r->params.values[0]};
	if (ow_query_parse(r, reports_filters, 2, params + 1) != 0)
		return 0;
	return reply_tree(r, OW_Q_REPORTS_HEAD, params, OW_Q_REPORTS_DECLARE, params);
}

static const char *const member_csv[] = {"person",   "title",	    "started_on",
					 "ended_on", "position_id", NULL};

int ow_h_team_members(struct ow_req *r)
{
	const char *params[5] = {r->params.values[0]};
	struct ow_list_page page;
	if (ow_list_parse(r, as_of_filter, 1, params + 1, &page) != 0)
		return 0;
	ow_list_page_params(&page, params + 2);
	return ow_list_run(r, OW_Q_TEAM_MEMBERS, params, &page, member_csv);
}

static const char *const alumni_csv[] = {"person",  "title",	 "started_on",	      "ended_on",
					 "current", "departure", "current_positions", NULL};

int ow_h_team_alumni(struct ow_req *r)
{
	const char *params[4] = {r->params.values[0]};
	struct ow_list_page page;
	if (ow_list_parse(r, NULL, 0, params + 1, &page) != 0)
		return 0;
	ow_list_page_params(&page, params + 1);
	return ow_list_run(r, OW_Q_TEAM_ALUMNI, params, &page, alumni_csv);
}
