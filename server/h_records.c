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
#include "format.h"
#include "handlers.h"
#include "jspec.h"
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
	return ow_list_run_doc(r, stmt, params, &page, res->csv_columns, res->list_doc, NULL, NULL);
}

/* ---- single records ------------------------------------------------------------- */

/* A record as CSV: the list's header row and its one row. */
static int reply_csv_record(struct ow_req *r, const struct ow_resource *res, const char *doc,
			    const char *const *headers)
{
	struct ow_buf b;
	ow_buf_init(&b, (size_t)64 << 20);
	int rc =
		ow_list_csv_header(&b, res->csv_columns, r->excel) == 0 &&
				ow_list_csv_row(&b, doc, res->csv_columns, r->excel) == 0
			? ow_reply(r, 200, ow_list_content_type(OW_FMT_CSV), b.data, b.len, headers)
			: ow_problem_reply(r, OW_P_INTERNAL, "The record could not be rendered.",
					   NULL, NULL);
	ow_buf_free(&b);
	return rc;
}

int ow_h_record_get(struct ow_req *r)
{
	const struct ow_resource *res = resource(r);
	struct ow_db_error err;
	struct ow_db *db = ow_db_acquire(&err);
	const char *params[] = {r->params.values[0]};
	enum ow_stmt_id q = res->q_get;
	if (res->q_get_id && ow_jspec_is_uuid(params[0]))
		q = res->q_get_id;
	PGresult *pg = db ? ow_db_exec(db, q, params, &err) : NULL;
	if (pg && PQntuples(pg) == 0 && res->q_moved) { /* merged into another? */
		PQclear(pg);
		pg = ow_db_exec(db, res->q_moved, params, &err);
	}
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
		else if (r->format == OW_FMT_CSV)
			rc = reply_csv_record(r, res, PQgetvalue(pg, 0, 0), headers);
		else
			rc = ow_reply_json(r, 200, PQgetvalue(pg, 0, 0),
					   (size_t)PQgetlength(pg, 0, 0), headers);
	}
	PQclear(pg);
	return rc;
}

/* One write of a record, run by ow_db_tx: the resource's write statement (create when key
 * is NULL), and with an Idempotency-Key the claim of the key before it and the stored
 * answer after it, so concurrent retries wait and then replay the first answer. */
struct write_tx {
	struct ow_req *r;
	const char *key;  /* the record's id or slug; NULL to create */
	const char *idem; /* Idempotency-Key, or NULL */
	PGresult *row;	  /* the write's row (doc, etag, id), or the replayed claim */
	int replay;	  /* row is a replay: status, location, etag, doc */
	int mismatch;	  /* the key was used with another body */
	char location[512];
};

static int write_fn(struct ow_db *db, void *cls, struct ow_db_error *err)
{
	struct write_tx *w = cls;
	struct ow_req *r = w->r;
	const struct ow_resource *res = resource(r);
	PQclear(w->row); /* from an earlier run of this transaction */
	w->row = NULL;
	w->replay = w->mismatch = 0;
	if (w->idem) {
		const char *claim_params[] = {r->who.name, w->idem, r->method, r->path,
					      r->body.data};
		PGresult *claim = ow_db_exec(db, OW_Q_IDEM_CLAIM, claim_params, err);
		if (!claim)
			return -1;
		const char *state = PQgetvalue(claim, 0, 0);
		if (strcmp(state, "mismatch") == 0 || strcmp(state, "replay") == 0) {
			w->mismatch = state[0] == 'm';
			w->replay = !w->mismatch;
			w->row = claim;
			return w->mismatch ? 1 : 0;
		}
		PQclear(claim);
	}
	const char *params[] = {r->who.name, w->key, r->body.data, ow_req_header(r, "If-Match")};
	if (!(w->row = ow_db_exec(db, res->q_write, params, err)))
		return -1;
	snprintf(w->location, sizeof w->location, "/%s/%s", res->plural, PQgetvalue(w->row, 0, 2));
	if (!w->idem)
		return 0;
	const char *store[] = {r->who.name,
			       w->idem,
			       "201",
			       w->location,
			       PQgetvalue(w->row, 0, 1),
			       PQgetvalue(w->row, 0, 0)};
	PGresult *st = ow_db_exec(db, OW_Q_IDEM_STORE, store, err);
	PQclear(st);
	return st ? 0 : -1;
}

/* Runs one write and answers it: 201 or 200 with the document, ETag and Location, the
 * replayed answer of an Idempotency-Key, or the problem. */
static int run_write(struct ow_req *r, const char *key, const char *idem)
{
	struct ow_db_error err;
	struct ow_db *db = ow_db_acquire(&err);
	if (!db)
		return ow_db_problem(r, &err);
	struct write_tx w = {.r = r, .key = key, .idem = idem};
	int rc = ow_db_tx(db, OW_TX_WRITE, write_fn, &w, &err);
	if (rc < 0) {
		PQclear(w.row);
		return ow_db_problem(r, &err);
	}
	PGresult *pg = w.row;
	if (w.mismatch)
		rc = ow_problem_reply(r, OW_P_CONFLICT,
				      "This Idempotency-Key was used with another request body.",
				      NULL, NULL);
	else if (w.replay)
		rc = ow_reply_json(r, (unsigned)atoi(PQgetvalue(pg, 0, 1)), PQgetvalue(pg, 0, 4),
				   (size_t)PQgetlength(pg, 0, 4),
				   (const char *const[]){"Location", PQgetvalue(pg, 0, 2), "ETag",
							 PQgetvalue(pg, 0, 3),
							 "Idempotent-Replayed", "true", NULL});
	else if (key)
		rc = ow_reply_json(r, 200, PQgetvalue(pg, 0, 0), (size_t)PQgetlength(pg, 0, 0),
				   (const char *const[]){"ETag", PQgetvalue(pg, 0, 1), NULL});
	else
		rc = ow_reply_json(r, 201, PQgetvalue(pg, 0, 0), (size_t)PQgetlength(pg, 0, 0),
				   (const char *const[]){"ETag", PQgetvalue(pg, 0, 1), "Location",
							 w.location, NULL});
	PQclear(pg);
	return rc;
}

/* 1 to 255 printable ASCII characters, as the spec's pattern says. */
static int idempotency_key_ok(const char *k)
{
	size_t n = strlen(k);
	if (n == 0 || n > 255)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (k[i] < 0x20 || k[i] > 0x7e)
			return 0;
	return 1;
}

/* 1 when the request's JSON body fits the resource's fields for mode; 0 when it does not
 * (the problem is queued). The parsed value is dropped: the write sends r->body as it came. */
static int body_fits(struct ow_req *r, enum ow_jmode mode)
{
	const struct ow_resource *res = resource(r);
	json_t *doc = ow_body_json(r, res->fields, res->nfields, mode);
	if (!doc)
		return 0;
	json_decref(doc);
	return 1;
}

int ow_h_record_create(struct ow_req *r)
{
	if (!body_fits(r, OW_JSPEC_CREATE))
		return 0;
	const char *idem = ow_req_header(r, "Idempotency-Key");
	if (idem && !idempotency_key_ok(idem)) {
		struct ow_errors errs;
		ow_errors_init(&errs);
		ow_errors_add(&errs, "Idempotency-Key",
			      "must be 1 to 255 printable ASCII characters (space to ~)");
		return ow_problem_reply(r, OW_P_VALIDATION, "Send a usable Idempotency-Key.", &errs,
					NULL);
	}
	return run_write(r, NULL, idem);
}

int ow_h_record_patch(struct ow_req *r)
{
	if (!body_fits(r, OW_JSPEC_PATCH))
		return 0;
	return run_write(r, r->params.values[0], NULL);
}

int ow_h_record_delete(struct ow_req *r)
{
	struct ow_db_error err;
	struct ow_db *db = ow_db_acquire(&err);
	const char *params[] = {resource(r)->entity, r->who.name, r->params.values[0],
				ow_req_header(r, "If-Match")};
	PGresult *pg = db ? ow_db_write(db, OW_Q_RECORD_DELETE, params, &err) : NULL;
	if (!pg)
		return ow_db_problem(r, &err);
	PQclear(pg);
	return ow_reply(r, 204, NULL, "", 0, NULL);
}
