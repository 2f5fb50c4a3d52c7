/* listrows.c — what a list page and a whole-list download share (see listrows.h): the
 * references a page checks when it comes back empty, and its rows written as JSON documents,
 * NDJSON lines or CSV rows with their header. */
#include "listrows.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "db.h"
#include "db_problem.h"
#include "docrow.h"
#include "problem.h"
#include "req.h"

static const char *entity_label(const char *entity)
{
	return strcmp(entity, "reporting_line") == 0 ? "reporting line" : entity;
}

int ow_refs_verify(struct ow_req *r, const struct ow_ref *refs, size_t n)
{
	if (n == 0)
		return 0;
	const char *params[2 * OW_MAX_REFS] = {NULL};
	for (size_t i = 0; i < n && i < OW_MAX_REFS; i++) {
		params[2 * i] = refs[i].entity;
		params[2 * i + 1] = refs[i].key;
	}
	struct ow_db_error err;
	struct ow_db *db = ow_db_acquire(&err);
	PGresult *pg = db ? ow_db_exec(db, OW_Q_REFS_MISSING, params, &err) : NULL;
	if (!pg) {
		(void)ow_db_problem(r, &err);
		return -1;
	}
	struct ow_errors errs;
	ow_errors_init(&errs);
	const struct ow_ref *path = NULL;
	for (int row = 0; row < PQntuples(pg); row++) {
		int i = atoi(PQgetvalue(pg, row, 0)) - 1;
		if (i < 0 || (size_t)i >= n)
			continue;
		if (!refs[i].field)
			path = &refs[i];
		else
			ow_errors_add(&errs, refs[i].field, "no %s with id or %s '%s'",
				      entity_label(refs[i].entity),
				      strcmp(refs[i].entity, "team") == 0 ? "org/team slug"
									  : "slug",
				      refs[i].key);
	}
	PQclear(pg);
	if (path) {
		(void)ow_problem_replyf(r, OW_P_NOT_FOUND, "No %s with id or slug '%s'.",
					entity_label(path->entity), path->key);
		return -1;
	}
	if (errs.n == 0)
		return 0;
	(void)ow_problem_reply(r, OW_P_VALIDATION, "Invalid query parameters.", &errs, NULL);
	return -1;
}

/* A cell that a spreadsheet would run as a formula (=, +, -, @, tab or CR first) gets a
 * leading apostrophe under ?excel=true (OWASP's advice against CSV injection). */
static int formula_like(const char *s, size_t n)
{
	return n > 0 && strchr("=+-@\t\r", s[0]) != NULL;
}

static int csv_value(struct ow_buf *b, json_t *v, int excel)
{
	if (!v || json_is_null(v))
		return ow_csv_append_field(b, "", 0);
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		size_t n = json_string_length(v);
		if (!excel || !formula_like(s, n))
			return ow_csv_append_field(b, s, n);
		struct ow_buf esc;
		ow_buf_init(&esc, n + 2);
		int rc = ow_buf_append(&esc, "'", 1) | ow_buf_append(&esc, s, n);
		if (rc == 0)
			rc = ow_csv_append_field(b, esc.data, esc.len);
		ow_buf_free(&esc);
		return rc;
	}
	char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	if (!text)
		return -1;
	int rc = ow_csv_append_field(b, text, strlen(text));
	free(text);
	return rc;
}

int ow_list_csv_row(struct ow_buf *b, const char *json, const char *const *columns, int excel)
{
	json_t *doc = json_loads(json, 0, NULL);
	if (!doc)
		return -1;
	int rc = 0;
	for (size_t i = 0; columns[i] && rc == 0; i++)
		rc = csv_value(b, json_object_get(doc, columns[i]), excel);
	json_decref(doc);
	return rc ? -1 : ow_csv_end_row(b);
}

int ow_list_csv_header(struct ow_buf *b, const char *const *columns, int excel)
{
	int rc = excel ? ow_buf_append(b, OW_CSV_BOM, 3) : 0;
	for (size_t i = 0; columns[i] && rc == 0; i++) {
		/* after a BOM the first field is no longer at the start of the buffer */
		if (i > 0 && ow_buf_append(b, ",", 1) != 0)
			return -1;
		struct ow_buf one;
		ow_buf_init(&one, 4096);
		rc = ow_csv_append_field(&one, columns[i], strlen(columns[i]));
		if (rc == 0)
			rc = ow_buf_append(b, one.data, one.len);
		ow_buf_free(&one);
	}
	return rc == 0 ? ow_csv_end_row(b) : -1;
}

int ow_list_append_doc(struct ow_buf *b, PGresult *pg, int i, const struct ow_docspec *doc)
{
	if (doc)
		return ow_docrow_append(b, pg, i, doc);
	return ow_buf_append(b, PQgetvalue(pg, i, 0), (size_t)PQgetlength(pg, i, 0));
}

int ow_list_append_row(struct ow_buf *b, PGresult *pg, int i, const struct ow_docspec *doc,
		       int format, const char *const *columns, int excel)
{
	if (format == OW_FMT_JSON)
		return ow_list_append_doc(b, pg, i, doc);
	if (format == OW_FMT_NDJSON)
		return ow_list_append_doc(b, pg, i, doc) == 0 && ow_buf_append(b, "\n", 1) == 0
			       ? 0
			       : -1;
	struct ow_buf one;
	ow_buf_init(&one, (size_t)64 << 20);
	int rc = ow_list_append_doc(&one, pg, i, doc);
	if (rc == 0)
		rc = ow_list_csv_row(b, one.data, columns, excel);
	ow_buf_free(&one);
	return rc;
}

const char *ow_list_content_type(int format)
{
	return format == OW_FMT_CSV	 ? "text/csv; charset=utf-8"
	       : format == OW_FMT_NDJSON ? "application/x-ndjson"
					 : "application/json; charset=utf-8";
}
