/* h_export.c — GET /export: the whole database (or ?type= one record type) in the
 * import format, streamed from a cursor on a connection of its own, in dependency
 * order; CSV (one type) when the client accepts text/csv. */
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "db.h"
#include "db_problem.h"
#include "download.h"
#include "format.h"
#include "handlers.h"
#include "import.h"
#include "list.h"
#include "log.h"
#include "problem.h"
#include "req.h"
#include "rtypes.h"

struct export_stream {
	struct ow_download_conn c;
	const char *const *columns; /* CSV when set */
	int excel;		    /* ?excel=true: BOM, formula-like cells escaped */
	int json;		    /* .json: one JSON array instead of lines */
	long long lines;	    /* lines written so far (a JSON array's commas) */
	int header_done;
};

/* The next part of the export (ow_reply_stream): the CSV header row, then each FETCH's rows;
 * 0 after the last rows, -1 on a database error. */
static int next_part(void *cls, struct ow_buf *out)
{
	struct export_stream *s = cls;
	int rc = 0;
	if (!s->header_done) {
		s->header_done = 1;
		if (s->columns)
			return ow_list_csv_header(out, s->columns, s->excel) == 0 ? 1 : -1;
		if (s->json)
			return ow_buf_append(out, "[", 1) == 0 ? 1 : -1;
	}
	PGresult *res = ow_stmt_run(s->c.conn, OW_Q_EXPORT_FETCH, NULL);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		ow_log(OW_LOG_WARN, "export %s: %s", s->c.request_id, PQerrorMessage(s->c.conn));
		PQclear(res);
		return -1;
	}
	int n = PQntuples(res);
	for (int i = 0; i < n && rc == 0; i++) {
		if (s->columns)
			rc = ow_list_csv_row(out, PQgetvalue(res, i, 0), s->columns, s->excel);
		else if (s->json) {
			const char *sep = s->lines++ ? ",\n" : "\n";
			rc = ow_buf_append_str(out, sep) |
			     ow_buf_append(out, PQgetvalue(res, i, 0),
					   (size_t)PQgetlength(res, i, 0));
		} else
			rc = ow_buf_append(out, PQgetvalue(res, i, 0),
					   (size_t)PQgetlength(res, i, 0)) |
			     ow_buf_append(out, "\n", 1);
	}
	PQclear(res);
	if (rc)
		return -1;
	if (n > 0)
		return 1;
	if (s->json && ow_buf_append(out, "\n]\n", 3) != 0)
		return -1;
	PGresult *c = PQexec(s->c.conn, "COMMIT");
	PQclear(c);
	return 0;
}

static const struct ow_filter filters[] = {{"type", OW_F_TEXT, NULL}};

int ow_h_export(struct ow_req *r)
{
	const char *args[1];
	if (ow_query_parse(r, filters, 1, args, NULL) != 0)
		return 0;
	const struct ow_rtype *rt = args[0] ? ow_rtype_find(args[0]) : NULL;
	const char *type = rt ? rt->name : NULL;
	int csv = ow_req_wants_csv(r);
	if ((args[0] && !type) || (csv && !type)) {
		return ow_problem_field(
			r, OW_P_VALIDATION, "Name one record type, e.g. ?type=departures.", "type",
			"%s", args[0] ? "is not a record type" : "is required for CSV");
	}
	int rc;
	struct export_stream *s = ow_download_open(r, sizeof *s, &rc);
	if (!s)
		return rc;
	if (csv)
		s->columns = rt->columns; /* the import format's fields: an export imports back */
	s->excel = r->excel;
	s->json = r->format == OW_FMT_JSON && r->suffix[0]; /* NDJSON unless .json or ?format= */
	if (r->format == OW_FMT_JSON && ow_req_query(r, "format"))
		s->json = 1;
	const char *params[] = {type};
	PGresult *res = ow_stmt_run(s->c.conn, OW_Q_EXPORT_DECLARE, params);
	int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	PQclear(res);
	if (!ok) {
		ow_download_free(s);
		return ow_db_dedicated_problem(r, 0);
	}
	static const char *const headers[] = {"Cache-Control", "no-store", NULL};
	return ow_reply_stream(r, 200,
			       s->columns ? "text/csv; charset=utf-8"
			       : s->json  ? "application/json; charset=utf-8"
					  : "application/x-ndjson",
			       next_part, s, ow_download_free, headers);
}
