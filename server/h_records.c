/* h_records.c — the generic record endpoints (list, read, create, merge-patch, delete)
 * for every resource described in resources.c: query validation, keyset cursors,
 * JSON or CSV lists, ETags and If-Match, Idempotency-Key on POST. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "body.h"
#include "db.h"
#include "db_problem.h"
#include "handlers.h"
#include "list.h"
#include "problem.h"
#include "req.h"
#include "resource.h"

static const struct ow_resource *resource(struct ow_req *r)
{
	return r->route->arg;
}

/* ---- lists ---------------------------------------------------------------------- */

int ow_h_record_list(struct ow_req *r)
{
	const struct ow_resource *res = resource(r);
	const char *params[OW_MAX_FILTERS + 3];
	struct ow_list_page page;
	if (ow_list_parse(r, res->filters, res->nfilters, params, &page) != 0)
		return 0;
	enum ow_stmt_id stmt = res->q_search && params[0] ? res->q_search : res->q_list;
	for (size_t i = 0; res->sorts && i < res->nfilters; i++) {
		if (strcmp(res->filters[i].name, "sort") != 0 || !params[i])
			continue;
		for (const struct ow_sort *so = res->sorts; so->value; so++)
			if (strcmp(so->value, params[i]) == 0)
				stmt = so->stmt;
	}
	ow_list_page_params(&page, params + res->nfilters);
	return ow_list_run(r, stmt, params, &page, res->csv_columns);
}

/* ---- single records ------------------------------------------------------------- */

int ow_h_record_get(struct ow_req *r)
{
	const struct ow_resource *res = resource(r);
	struct ow_db_error err;
	struct ow_db *db = ow_db_acquire(&err);
	const char *params[] = {r->params.values[0]};
	PGresult *pg = db ? ow_db_exec(db, res->q_get, params, &err) : NULL;
	if (!pg)
		return ow_db_problem(r, &err);
	int rc;
	if (PQntuples(pg) == 0) {
		rc = ow_problem_replyf(r, OW_P_NOT_FOUND, "No %s with id or slug '%s'.",
				       res->entity, r->params.values[0]);
	} else if (!PQgetisnull(pg, 0, 2)) {
		char location[512], body[600];
		snprintf(location, sizeof location, "/%s/%s", res->plural, PQgetvalue(pg, 0, 2));
		int n = snprintf(body, sizeof body, "{\"moved_to\":\"%s\"}", location);
		rc = ow_reply_json(r, 301, body, (size_t)n,
				   (const char *const[]){"Location", location, NULL});
	} else {
		const char *etag = PQgetvalue(pg, 0, 1);
		const char *inm = ow_req_header(r, "If-None-Match");
		const char *const headers[] = {"ETag", etag, NULL};
		if (inm && (strstr(inm, etag) || strcmp(inm, "*") == 0))
			rc = ow_reply(r, 304, NULL, "", 0, headers);
		else
			rc = ow_reply_json(r, 200, PQgetvalue(pg, 0, 0),
					   (size_t)PQgetlength(pg, 0, 0), headers);
	}
	PQclear(pg);
	return rc;
}

/* Runs the resource's write statement (create when key is NULL); *out holds the row. */
static int write_record(struct ow_req *r, struct ow_db *db, const char *key, char *location,
			size_t locsz, PGresult **out, struct ow_db_error *err)
{
	const struct ow_resource *res = resource(r);
	const char *params[] = {r->who.name, key, r->body.data, ow_req_header(r, "If-Match")};
	PGresult *pg = ow_db_exec(db, res->q_write, params, err);
	if (!pg)
		return -1;
	snprintf(location, locsz, "/%s/%s", res->plural, PQgetvalue(pg, 0, 2));
	*out = pg;
	return 0;
}

static int reply_record(struct ow_req *r, unsigned status, PGresult *pg, const char *location)
{
	const char *const created[] = {"ETag", PQgetvalue(pg, 0, 1), "Location", location, NULL};
	const char *const updated[] = {"ETag", PQgetvalue(pg, 0, 1), NULL};
	return ow_reply_json(r, status, PQgetvalue(pg, 0, 0), (size_t)PQgetlength(pg, 0, 0),
			     status == 201 ? created : updated);
}

/* POST with an Idempotency-Key: claim the key, write, store the answer, all in one
 * transaction, so concurrent retries wait and then replay the first answer. */
static int create_idempotent(struct ow_req *r, struct ow_db *db, const char *key)
{
	struct ow_db_error err;
	char location[512], status_s[8];
	const char *claim_params[] = {r->who.name, key, r->method, r->path, r->body.data};
	if (ow_db_command(db, "BEGIN", &err) != 0)
		return ow_db_problem(r, &err);
	PGresult *claim = ow_db_exec(db, OW_Q_IDEM_CLAIM, claim_params, &err);
	if (!claim)
		goto fail;
	const char *state = PQgetvalue(claim, 0, 0);
	if (strcmp(state, "mismatch") == 0) {
		PQclear(claim);
		ow_db_rollback(db);
		return ow_problem_reply(r, OW_P_CONFLICT,
					"This Idempotency-Key was used with another request body.",
					NULL, NULL);
	}
	if (strcmp(state, "replay") == 0) {
		const char *const headers[] = {"Location",
					       PQgetvalue(claim, 0, 2),
					       "ETag",
					       PQgetvalue(claim, 0, 3),
					       "Idempotent-Replayed",
					       "true",
					       NULL};
		int rc = ow_reply_json(r, (unsigned)atoi(PQgetvalue(claim, 0, 1)),
				       PQgetvalue(claim, 0, 4), (size_t)PQgetlength(claim, 0, 4),
				       headers);
		PQclear(claim);
		if (ow_db_command(db, "COMMIT", &err) != 0)
			ow_db_rollback(db);
		return rc;
	}
	PQclear(claim);
	PGresult *pg;
	if (write_record(r, db, NULL, location, sizeof location, &pg, &err) != 0)
		goto fail;
	snprintf(status_s, sizeof status_s, "201");
	const char *store[] = {r->who.name,	    key, status_s, location, PQgetvalue(pg, 0, 1),
			       PQgetvalue(pg, 0, 0)};
	PGresult *st = ow_db_exec(db, OW_Q_IDEM_STORE, store, &err);
	if (!st || ow_db_command(db, "COMMIT", &err) != 0) {
		PQclear(st);
		PQclear(pg);
		goto fail;
	}
	PQclear(st);
	int rc = reply_record(r, 201, pg, location);
	PQclear(pg);
	return rc;
fail:
	ow_db_rollback(db);
	return ow_db_problem(r, &err);
}

int ow_h_record_create(struct ow_req *r)
{
	const struct ow_resource *res = resource(r);
	json_t *doc = ow_body_json(r, res->fields, res->nfields, OW_JSPEC_CREATE);
	if (!doc)
		return 0;
	json_decref(doc);
	const char *idem = ow_req_header(r, "Idempotency-Key");
	if (idem && (strlen(idem) == 0 || strlen(idem) > 255))
		return ow_problem_reply(r, OW_P_BAD_REQUEST,
					"Idempotency-Key must have 1 to 255 characters.", NULL,
					NULL);
	struct ow_db_error err;
	struct ow_db *db = ow_db_acquire(&err);
	if (!db)
		return ow_db_problem(r, &err);
	if (idem)
		return create_idempotent(r, db, idem);
	char location[512];
	PGresult *pg;
	if (write_record(r, db, NULL, location, sizeof location, &pg, &err) != 0)
		return ow_db_problem(r, &err);
	int rc = reply_record(r, 201, pg, location);
	PQclear(pg);
	return rc;
}

int ow_h_record_patch(struct ow_req *r)
{
	const struct ow_resource *res = resource(r);
	json_t *doc = ow_body_json(r, res->fields, res->nfields, OW_JSPEC_PATCH);
	if (!doc)
		return 0;
	json_decref(doc);
	struct ow_db_error err;
	struct ow_db *db = ow_db_acquire(&err);
	char location[512];
	PGresult *pg;
	if (!db ||
	    write_record(r, db, r->params.values[0], location, sizeof location, &pg, &err) != 0)
		return ow_db_problem(r, &err);
	int rc = reply_record(r, 200, pg, location);
	PQclear(pg);
	return rc;
}

int ow_h_record_delete(struct ow_req *r)
{
	const struct ow_resource *res = resource(r);
	struct ow_db_error err;
	struct ow_db *db = ow_db_acquire(&err);
	const char *params[] = {res->entity, r->who.name, r->params.values[0],
				ow_req_header(r, "If-Match")};
	PGresult *pg = db ? ow_db_exec(db, OW_Q_RECORD_DELETE, params, &err) : NULL;
	if (!pg)
		return ow_db_problem(r, &err);
	PQclear(pg);
	return ow_reply(r, 204, NULL, "", 0, NULL);
}
