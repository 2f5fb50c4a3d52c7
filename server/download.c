/* download.c — ?all=true: every row of a list that matches its filters, in one CSV or NDJSON
 * download. On a connection of its own (like an export) and in one snapshot: the list's own
 * statement (the variant the filters given make, as a page would run) wrapped in count(*)
 * first, so a download over ORGWATCH_MAX_DOWNLOAD_ROWS is a 400 before any byte is sent;
 * then the same statement once, read in single-row mode and written as libmicrohttpd asks
 * for bytes, so memory stays flat whatever the size. Rows come in the order pages give them. */
#include "download.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "db.h"
#include "db_problem.h"
#include "format.h"
#include "listrows.h"
#include "log.h"
#include "problem.h"
#include "req.h"

#define PART_BYTES (64 * 1024)

struct download {
	struct ow_download_conn c;
	int format, excel, header_done;
	const char *const *columns;
	const struct ow_docspec *doc;
	long long rows;
};

void *ow_download_open(struct ow_req *r, size_t size, int *rc)
{
	struct ow_download_conn *d = calloc(1, size);
	if (!d) {
		*rc = ow_problem_reply(r, OW_P_UNAVAILABLE, "Out of memory; retry.", NULL, NULL);
		return NULL;
	}
	memcpy(d->request_id, r->request_id, sizeof d->request_id);
	char err[256];
	int busy = 0;
	if (!(d->conn = ow_db_connect_snapshot(err, sizeof err, &busy))) {
		free(d);
		*rc = ow_db_dedicated_problem(r, busy);
		return NULL;
	}
	return d;
}

void ow_download_free(void *p)
{
	struct ow_download_conn *d = p;
	ow_db_close_dedicated(d->conn);
	free(d);
}

/* The next part (ow_reply_stream): the CSV header, then rows until PART_BYTES; 0 after the
 * last row, -1 on an error (the client sees a cut body). */
static int next_part(void *cls, struct ow_buf *out)
{
	struct download *d = cls;
	if (!d->header_done) {
		d->header_done = 1;
		if (d->format == OW_FMT_CSV)
			return ow_list_csv_header(out, d->columns, d->excel) == 0 ? 1 : -1;
	}
	while (out->len < PART_BYTES) {
		PGresult *res = PQgetResult(d->c.conn);
		ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
		if (st == PGRES_SINGLE_TUPLE) {
			int rc = ow_list_append_row(out, res, 0, d->doc, d->format, d->columns,
						    d->excel);
			PQclear(res);
			if (rc != 0)
				return -1;
			d->rows++;
			continue;
		}
		if (st != PGRES_TUPLES_OK) {
			ow_log(OW_LOG_WARN, "download %s: %s", d->c.request_id,
			       res ? PQresultErrorMessage(res) : PQerrorMessage(d->c.conn));
			PQclear(res);
			return -1;
		}
		PQclear(res);
		while ((res = PQgetResult(d->c.conn)) != NULL)
			PQclear(res);
		res = PQexec(d->c.conn, "COMMIT");
		PQclear(res);
		return 0;
	}
	return 1;
}

/* Sends statement id (the variant for the arguments that are NULL here, the skipped ones left
 * out) on c, unprepared, its text wrapped as prefix + SQL + suffix (both fixed here: a count
 * wraps it in count(*)); rowwise turns on single-row mode. 0, or -1 (c's error message). */
static int send_variant(PGconn *c, enum ow_stmt_id id, const char *const *params,
			const char *prefix, const char *suffix, int rowwise)
{
	const struct ow_stmt *s = &ow_stmts[id];
	const char *taken[64];
	params = ow_stmt_taken_args(id, params, taken);
	unsigned long long nulls = 0;
	for (int i = 0; s->replan && i < s->nparams && i < 64; i++)
		if (!params[i])
			nulls |= 1ULL << i;
	char *sql = malloc(OW_SQL_MAX); /* once per download: not kept by every thread */
	const char *text = ow_stmt_sql(id);
	size_t pre = strlen(prefix), post = strlen(suffix), room = OW_SQL_MAX - pre - post - 1;
	int n = !sql || !text ? -1
		: s->replan   ? ow_stmt_variant_sql(id, nulls, sql + pre, room)
			      : snprintf(sql + pre, room, "%s", text);
	if (n < 0 || (size_t)n >= room) {
		free(sql);
		return -1;
	}
	memcpy(sql, prefix, pre);
	memcpy(sql + pre + (size_t)n, suffix, post + 1);
	Oid types[64] = {0}; /* an argument left out of the text is declared text (exec_variant) */
	for (int k = 0; k < s->nparams && k < 64; k++)
		if (nulls & (1ULL << k))
			types[k] = 25;
	int sent = PQsendQueryParams(c, sql, s->nparams, types, params, NULL, NULL, 0);
	free(sql);
	if (!sent)
		return -1;
	return rowwise && !PQsetSingleRowMode(c) ? -1 : 0;
}

/* The count of the rows the download would send (at most cap + 1), or -1 with err. */
static long long count_rows(PGconn *c, enum ow_stmt_id stmt, const char *const *params,
			    struct ow_db_error *err)
{
	long long n = -1;
	if (send_variant(c, stmt, params, "SELECT count(*) FROM (", ") ow_download", 0) != 0) {
		ow_db_error_from(err, NULL, c);
		return -1;
	}
	PGresult *res;
	while ((res = PQgetResult(c)) != NULL) {
		if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
			n = atoll(PQgetvalue(res, 0, 0));
		else if (n < 0)
			ow_db_error_from(err, res, c);
		PQclear(res);
	}
	return n;
}

int ow_download_run(struct ow_req *r, enum ow_stmt_id stmt, const char *const *params,
		    const struct ow_list_page *p, const char *const *csv_columns,
		    const struct ow_docspec *doc)
{
	int format = r->format == OW_FMT_CSV && !csv_columns ? OW_FMT_NDJSON : r->format;
	int nargs = ow_stmt_nargs(stmt);
	const char *args[64];
	if (nargs < 1 || nargs > 64)
		return ow_problem_reply(r, OW_P_INTERNAL, "This list cannot be downloaded.", NULL,
					NULL);
	memcpy(args, params, sizeof *args * (size_t)nargs);
	long long cap = (long long)r->cfg->max_download_rows;
	char fetch[24];
	snprintf(fetch, sizeof fetch, "%lld", cap + 1);
	args[nargs - 1] = fetch; /* the page's fetch count is the last argument of every list */

	int rc;
	struct download *d = ow_download_open(r, sizeof *d, &rc);
	if (!d)
		return rc;
	d->format = format;
	d->excel = r->excel;
	d->columns = csv_columns;
	d->doc = doc;
	struct ow_db_error err;
	memset(&err, 0, sizeof err);
	long long n = count_rows(d->c.conn, stmt, args, &err);
	if (n < 0) {
		ow_download_free(d);
		if (p->cursor && strncmp(err.sqlstate, "22", 2) == 0) {
			return ow_problem_field(r, OW_P_VALIDATION, NULL, "cursor",
						"is not a cursor of this list");
		}
		return ow_db_problem(r, &err);
	}
	if (n > cap) {
		ow_download_free(d);
		return ow_problem_field(
			r, OW_P_VALIDATION, "Too many rows for one download.", "all",
			"more than %lld rows match (ORGWATCH_MAX_DOWNLOAD_ROWS): narrow "
			"the filters, or read the list in pages",
			cap);
	}
	if (n == 0 && ow_refs_verify(r, p->refs, p->nrefs) != 0) {
		ow_download_free(d);
		return 0;
	}
	if (send_variant(d->c.conn, stmt, args, "", "", 1) != 0) {
		ow_log(OW_LOG_WARN, "download %s: %s", r->request_id, PQerrorMessage(d->c.conn));
		ow_download_free(d);
		return ow_problem_reply(r, OW_P_UNAVAILABLE, "The download could not start; retry.",
					NULL, NULL);
	}
	char rows[32];
	snprintf(rows, sizeof rows, "%lld", n);
	const char *const headers[] = {"Orgwatch-Rows", rows, NULL};
	return ow_reply_stream(r, 200, ow_list_content_type(format), next_part, d, ow_download_free,
			       headers);
}
