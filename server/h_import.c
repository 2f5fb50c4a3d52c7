/* h_import.c — POST /import: NDJSON (application/x-ndjson) or CSV (text/csv with
 * ?type=) streamed through the import engine on a connection of its own; 200 with
 * counts, 422 with every error, ?dry_run=true validates without writing. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db.h"
#include "db_problem.h"
#include "handlers.h"
#include "import.h"
#include "list.h"
#include "log.h"
#include "problem.h"
#include "req.h"
#include "rtypes.h"

struct import_stream {
	PGconn *conn;
	struct ow_import *imp;
};

static void stream_free(void *p)
{
	struct import_stream *s = p;
	if (!s)
		return;
	ow_import_free(s->imp); /* rolls back an import cut short (client gone) */
	ow_db_close_dedicated(s->conn);
	free(s);
}

static int feed(struct ow_req *r, const char *data, size_t n)
{
	struct import_stream *s = r->stream;
	return ow_import_feed(s->imp, data, n);
}

static int media_is(const char *ct, const char *want)
{
	size_t n = strcspn(ct, ";");
	while (n && ct[n - 1] == ' ')
		n--;
	return n == strlen(want) && strncasecmp(ct, want, n) == 0;
}

static const char *const dry_values[] = {"true", "false", NULL};
static const char *const create_values[] = {"organizations", NULL};
static const struct ow_filter filters[] = {
	{"type", OW_F_TEXT, NULL},
	{"dry_run", OW_F_BOOL, dry_values},
	{"create", OW_F_ENUM, create_values},
};

static int start(struct ow_req *r)
{
	const char *args[3];
	if (ow_query_parse(r, filters, 3, args, NULL) != 0)
		return 0;
	const char *ct = ow_req_header(r, "Content-Type");
	enum ow_import_format format;
	if (ct && (media_is(ct, "application/x-ndjson") || media_is(ct, "application/jsonl")))
		format = OW_IMPORT_NDJSON;
	else if (ct && media_is(ct, "text/csv"))
		format = OW_IMPORT_CSV;
	else
		return ow_problem_replyf(
			r, OW_P_MEDIA_TYPE,
			"Send the records as application/x-ndjson (one JSON object a line)"
			" or text/csv with ?type=.");
	const struct ow_rtype *rt = args[0] ? ow_rtype_find(args[0]) : NULL;
	const char *type = rt ? rt->name : NULL;
	if ((args[0] && !type) || (format == OW_IMPORT_CSV && !type)) {
		char names[256], detail[300];
		snprintf(detail, sizeof detail, "type is one of %s.",
			 ow_rtype_names(names, sizeof names, 0));
		return ow_problem_field(r, OW_P_VALIDATION, detail, "type", "%s",
					args[0] ? "is not a record type" : "is required for CSV");
	}
	char err[256];
	struct import_stream *s = calloc(1, sizeof *s);
	if (!s)
		return ow_problem_reply(r, OW_P_UNAVAILABLE, "Out of memory; retry.", NULL, NULL);
	int busy;
	s->conn = ow_db_connect_dedicated(err, sizeof err, &busy);
	if (!s->conn) {
		free(s);
		return ow_db_dedicated_problem(r, busy);
	}
	s->imp = ow_import_new(s->conn, r->who.name, format, type,
			       args[1] && strcmp(args[1], "true") == 0);
	r->stream = s;
	r->stream_free = stream_free;
	if (!s->imp)
		return ow_problem_reply(r, OW_P_UNAVAILABLE, "Out of memory; retry.", NULL, NULL);
	ow_import_create_organizations(s->imp, args[2] != NULL);
	r->stream_feed = feed;
	return 0;
}

int ow_h_import(struct ow_req *r)
{
	if (r->phase == OW_PHASE_START)
		return start(r);
	struct import_stream *s = r->stream;
	(void)ow_import_finish(s->imp);
	unsigned status = ow_import_status(s->imp);
	struct ow_buf b;
	ow_buf_init(&b, 1 << 20);
	if (status == 503 && ow_import_lock_busy(s->imp)) {
		ow_log(OW_LOG_WARN, "import %s: the import lock stayed taken", r->request_id);
		return ow_problem_reply(
			r, OW_P_UNAVAILABLE,
			"Another import was being written and did not finish in time; nothing was"
			" written. Retry.",
			NULL, (const char *const[]){"Retry-After", "5", NULL});
	}
	if (status == 503) {
		ow_log(OW_LOG_WARN, "import %s failed in the database", r->request_id);
		return ow_problem_reply(
			r, OW_P_UNAVAILABLE,
			"The database failed during the import; nothing was written. Retry.", NULL,
			NULL);
	}
	int rc = ow_import_report(s->imp, &b);
	rc = rc == 0 ? ow_reply_json(r, status, b.data, b.len, NULL)
		     : ow_problem_reply(r, OW_P_INTERNAL, "The import report could not be written.",
					NULL, NULL);
	ow_buf_free(&b);
	return rc;
}
