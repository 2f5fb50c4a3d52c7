/* h_people.c — GET /people/duplicates and POST /people/{id}/merge. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "body.h"
#include "db.h"
#include "db_problem.h"
#include "handlers.h"
#include "list.h"
#include "problem.h"
#include "req.h"

static const char *const duplicate_csv[] = {"a", "b", "score", NULL};

int ow_h_people_duplicates(struct ow_req *r)
{
	const char *params[3];
	struct ow_list_page page;
	if (ow_list_parse(r, NULL, 0, params, &page) != 0)
		return 0;
	ow_list_page_params(&page, params);
	/* Pairs are recomputed for people whose names changed since the last call, for at most a
	 * second; the people still waiting are counted in Orgwatch-Duplicates-Pending. */
	struct ow_db_error err;
	struct ow_db *db = ow_db_acquire(&err);
	PGresult *pg = db ? ow_db_write(db, OW_Q_PEOPLE_SIMILAR_REFRESH, NULL, &err) : NULL;
	if (!pg)
		return ow_db_problem(r, &err);
	char pending[24];
	snprintf(pending, sizeof pending, "%s", PQgetvalue(pg, 0, 0));
	PQclear(pg);
	return ow_list_run_headers(r, OW_Q_PEOPLE_DUPLICATES, params, &page, duplicate_csv,
				   "Orgwatch-Duplicates-Pending", pending);
}

static const struct ow_jfield merge_fields[] = {
	{.name = "duplicate", .type = OW_J_REF, .flags = OW_JF_REQUIRED},
};

int ow_h_people_merge(struct ow_req *r)
{
	json_t *doc = ow_body_json(r, merge_fields, 1, OW_JSPEC_CREATE);
	if (!doc)
		return 0;
	const char *params[] = {r->who.name, r->params.values[0],
				json_string_value(json_object_get(doc, "duplicate")),
				ow_req_header(r, "If-Match")};
	struct ow_db_error err;
	struct ow_db *db = ow_db_acquire(&err);
	PGresult *pg = db ? ow_db_write(db, OW_Q_PEOPLE_MERGE, params, &err) : NULL;
	json_decref(doc);
	if (!pg)
		return ow_db_problem(r, &err);
	const char *const headers[] = {"ETag", PQgetvalue(pg, 0, 1), NULL};
	int rc =
		ow_reply_json(r, 200, PQgetvalue(pg, 0, 0), (size_t)PQgetlength(pg, 0, 0), headers);
	PQclear(pg);
	return rc;
}
