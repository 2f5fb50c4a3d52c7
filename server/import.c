/* import.c — the bulk import engine: NDJSON lines or CSV rows, pushed in chunks,
 * validated record by record (every error kept with its line), streamed batch by batch
 * with the COPY protocol into a temporary staging table (line, type, document) while the
 * body arrives, then applied set-based by ow_import_spool_apply() in one transaction once
 * it has ended; all or nothing. Memory is bounded: one line, one batch of COPY text and
 * the first 1000 errors. No transaction is open and no lock is held while a client is
 * still sending (each batch is one autocommitted COPY into a temporary table), so a slow or
 * stalled upload never keeps another import waiting. */
#include "import.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "db.h"
#include "jspec.h"
#include "resource.h"
#include "rtypes.h"
#include "stmts.h"

#include "import_state.h"

void ow_import_add_error(struct ow_import *imp, unsigned long line, const char *field,
			 const char *fmt, ...)
{
	imp->errors_total++;
	if (imp->nerrors == MAX_ERRORS)
		return;
	struct import_error *e = &imp->errors[imp->nerrors++];
	e->line = line;
	snprintf(e->field, sizeof e->field, "%s", field ? field : "");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof e->message, fmt, ap);
	va_end(ap);
}

struct ow_import *ow_import_new(PGconn *c, const char *actor, enum ow_import_format format,
				const char *type, int dry_run)
{
	struct ow_import *imp = calloc(1, sizeof *imp);
	if (!imp)
		return NULL;
	imp->errors = calloc(MAX_ERRORS, sizeof *imp->errors);
	if (!imp->errors) {
		free(imp);
		return NULL;
	}
	imp->conn = c;
	snprintf(imp->actor, sizeof imp->actor, "%s", actor);
	imp->format = format;
	imp->default_type = ow_rtype_find(type);
	imp->dry_run = dry_run;
	ow_buf_init(&imp->pending, MAX_LINE + 1);
	ow_buf_init(&imp->batch, BATCH_BYTES + 2 * MAX_LINE + 4096);
	ow_csv_reader_init(&imp->csv, MAX_LINE, MAX_COLUMNS);
	return imp;
}

void ow_import_create_organizations(struct ow_import *imp, int on)
{
	imp->create_organizations = on;
}

unsigned long ow_import_records(const struct ow_import *imp)
{
	return imp->records;
}

static void db_failure(struct ow_import *imp, PGresult *res)
{
	imp->db_failed = 1;
	const char *st = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	imp->lock_busy = st && strcmp(st, "55P03") == 0; /* lock_timeout */
	snprintf(imp->db_message, sizeof imp->db_message, "%s",
		 res ? PQresultErrorMessage(res) : PQerrorMessage(imp->conn));
}

/* Tallies the rows of ow_import_spool_apply(): (NULL, outcome, NULL, NULL, count) for
 * the created / updated / unchanged counts, (line, 'error', field, message, 1) for the first
 * errors in line order, and (NULL, 'errors', NULL, NULL, total) for the number of them. */
static int tally(struct ow_import *imp, PGresult *res)
{
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		db_failure(imp, res);
		PQclear(res);
		return -1;
	}
	unsigned long listed = 0, total = 0;
	for (int i = 0; i < PQntuples(res); i++) {
		const char *outcome = PQgetvalue(res, i, 1);
		unsigned long n = strtoul(PQgetvalue(res, i, 4), NULL, 10);
		if (strcmp(outcome, "created") == 0)
			imp->created += n;
		else if (strcmp(outcome, "updated") == 0)
			imp->updated += n;
		else if (strcmp(outcome, "unchanged") == 0)
			imp->unchanged += n;
		else if (strcmp(outcome, "errors") == 0)
			total = n;
		else if (strcmp(outcome, "notes") == 0) {
			free(imp->notes); /* compact, as the rest of the answer */
			json_t *notes = json_loads(PQgetvalue(res, i, 3), 0, NULL);
			imp->notes = notes ? json_dumps(notes, JSON_COMPACT) : NULL;
			json_decref(notes);
		} else {
			listed++;
			ow_import_add_error(imp, strtoul(PQgetvalue(res, i, 0), NULL, 10),
					    PQgetisnull(res, i, 2) ? NULL : PQgetvalue(res, i, 2),
					    "%s", PQgetvalue(res, i, 3));
		}
	}
	if (total > listed)
		imp->errors_total += total - listed; /* counted, not listed */
	PQclear(res);
	return 0;
}

/* 0 when res is a command's success, else -1 with the failure kept; res is freed. */
static int command_done(struct ow_import *imp, PGresult *res)
{
	int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok)
		db_failure(imp, res);
	PQclear(res);
	return ok ? 0 : -1;
}

static int command(struct ow_import *imp, enum ow_stmt_id id)
{
	return command_done(imp, ow_stmt_run(imp->conn, id, NULL));
}

static void clear_batch(struct ow_import *imp)
{
	ow_buf_reset(&imp->batch);
	imp->batch_n = 0;
}

/* Reads the result of the last batch's COPY. spool() sends a batch without waiting for it,
 * so that the database writes one batch while the next is parsed (they took turns before:
 * neither side was busy more than 60% of an upload). A failure is kept like any other. */
static int copy_collect(struct ow_import *imp)
{
	if (!imp->copy_pending)
		return imp->db_failed ? -1 : 0;
	imp->copy_pending = 0;
	PGresult *res;
	int failed = 0;
	while ((res = PQgetResult(imp->conn)) != NULL) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK && !failed) {
			db_failure(imp, res);
			failed = 1;
		}
		PQclear(res);
	}
	return failed || imp->db_failed ? -1 : 0;
}

/* Sends the batch's COPY text into the session's staging table: one autocommitted COPY into
 * a temporary table, no transaction left open and no lock taken, however slowly the rest of
 * the body arrives (the import lock is taken only by apply(), once the body has ended). The
 * result of the previous batch is read first; this one's is read by the next call. */
static int spool(struct ow_import *imp)
{
	if (imp->batch_n == 0 || imp->db_failed)
		return imp->db_failed ? -1 : 0;
	if (copy_collect(imp) != 0)
		return -1;
	if (!imp->spooled && command(imp, OW_Q_IMPORT_SPOOL_CREATE) != 0)
		return -1;
	PGresult *res = ow_stmt_run(imp->conn, OW_Q_IMPORT_SPOOL_COPY, NULL);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		db_failure(imp, res);
		PQclear(res);
		return -1;
	}
	PQclear(res);
	int ok = PQputCopyData(imp->conn, imp->batch.data, (int)imp->batch.len) == 1;
	ok = PQputCopyEnd(imp->conn, ok ? NULL : "the import could not send its batch") == 1 && ok;
	imp->copy_pending = 1;
	clear_batch(imp);
	if (!ok) {
		(void)copy_collect(imp);
		if (!imp->db_failed)
			db_failure(imp, NULL);
		return -1;
	}
	imp->spooled++;
	return 0;
}

static int begin(struct ow_import *imp)
{
	return command_done(imp, ow_stmt_run(imp->conn, OW_Q_IMPORT_BEGIN, NULL));
}

/* Writes everything in one transaction once the body has ended: the last batch is copied
 * like the others, then ow_import_spool_apply() takes the import lock (7406119) for the rest
 * of the transaction and applies the staged records type by type, set-based. The
 * transaction is left open for finish() to commit or roll back. */
static int apply(struct ow_import *imp)
{
	if (spool(imp) != 0 || copy_collect(imp) != 0)
		return -1;
	if (imp->db_failed || imp->spooled == 0)
		return imp->db_failed ? -1 : 0;
	if (begin(imp) != 0)
		return -1;
	imp->in_tx = 1;
	const char *params[] = {imp->actor, imp->create_organizations ? "organizations" : NULL};
	return tally(imp, ow_stmt_run(imp->conn, OW_Q_IMPORT_SPOOL_APPLY, params));
}

/* Appends s as a COPY text field: backslash, newline, carriage return and tab escaped. */
static int copy_field(struct ow_buf *b, const char *s)
{
	const char *run = s;
	for (; *s; s++) {
		const char *esc = *s == '\\'   ? "\\\\"
				  : *s == '\n' ? "\\n"
				  : *s == '\r' ? "\\r"
				  : *s == '\t' ? "\\t"
					       : NULL;
		if (!esc)
			continue;
		if (ow_buf_append(b, run, (size_t)(s - run)) != 0 || ow_buf_append(b, esc, 2) != 0)
			return -1;
		run = s + 1;
	}
	return ow_buf_append(b, run, (size_t)(s - run));
}

/* Validates one record (its "type" already removed) and queues it for the database. */
int ow_import_take_record(struct ow_import *imp, unsigned long line, const struct ow_rtype *t,
			  json_t *obj)
{
	imp->records++;
	json_t *id = NULL;
	if (t->import_id && (id = json_object_get(obj, "id"))) {
		json_incref(id);
		json_object_del(obj, "id");
		if (!json_is_string(id) || !ow_jspec_is_uuid(json_string_value(id)))
			ow_import_add_error(imp, line, "id", "must be a UUID");
	}
	struct ow_errors errs;
	ow_errors_init(&errs);
	ow_jspec_check(obj, t->res->fields, t->res->nfields, OW_JSPEC_CREATE, &errs);
	for (size_t i = 0; i < errs.n; i++)
		ow_import_add_error(imp, line, errs.items[i].field, "%s", errs.items[i].message);
	if (id) {
		json_object_set(obj, "id", id);
		json_decref(id);
	}
	if (errs.n)
		return 0;
	/* Records after a failed one still go to the database (the transaction will be
	 * rolled back): that is how every reference error of the file gets named. */
	char *doc = json_dumps(obj, JSON_COMPACT);
	if (!doc)
		return -1;
	int rc = ow_buf_appendf(&imp->batch, "%lu\t%s\t", line, t->name);
	rc = rc || copy_field(&imp->batch, doc) || ow_buf_append(&imp->batch, "\n", 1);
	free(doc);
	if (rc != 0)
		return -1;
	imp->batch_n++;
	if (imp->batch_n >= BATCH_RECORDS || imp->batch.len >= BATCH_BYTES)
		return spool(imp);
	return 0;
}

/* ---- NDJSON --------------------------------------------------------------------- */

static int ndjson_line(struct ow_import *imp, const char *s, size_t n)
{
	unsigned long line = imp->line;
	if (n && s[n - 1] == '\r')
		n--;
	size_t blank = 0;
	while (blank < n && (s[blank] == ' ' || s[blank] == '\t'))
		blank++;
	if (blank == n)
		return 0;
	json_error_t jerr;
	json_t *obj = json_loadb(s, n, JSON_REJECT_DUPLICATES, &jerr);
	if (!obj) {
		imp->records++;
		ow_import_add_error(imp, line, NULL, "not valid JSON: %s (column %d)", jerr.text,
				    jerr.column);
		return 0;
	}
	const struct ow_rtype *t = imp->default_type;
	json_t *type = json_object_get(obj, "type");
	int rc = 0;
	if (!json_is_object(obj)) {
		imp->records++;
		ow_import_add_error(imp, line, NULL, "each line must be a JSON object");
	} else if (type && !(t = ow_rtype_find(json_string_value(type)))) {
		imp->records++;
		char names[256];
		ow_import_add_error(imp, line, "type", "must be one of %s",
				    ow_rtype_names(names, sizeof names, 1));
	} else if (!t) {
		imp->records++;
		ow_import_add_error(imp, line, "type",
				    "is required (or give ?type= for the whole body)");
	} else {
		json_object_del(obj, "type");
		rc = ow_import_take_record(imp, line, t, obj);
	}
	json_decref(obj);
	return rc;
}

static int feed_ndjson(struct ow_import *imp, const char *data, size_t n)
{
	while (n) {
		const char *nl = memchr(data, '\n', n);
		size_t take = nl ? (size_t)(nl - data) : n;
		if (!imp->skipping && ow_buf_append(&imp->pending, data, take) != 0) {
			imp->skipping = 1;
			imp->records++;
			ow_import_add_error(imp, imp->line + 1, NULL, "line longer than %zu bytes",
					    MAX_LINE);
		}
		data += take;
		n -= take;
		if (!nl)
			break;
		data++;
		n--;
		imp->line++;
		int rc = imp->skipping
				 ? 0
				 : ndjson_line(imp, imp->pending.data ? imp->pending.data : "",
					       imp->pending.len);
		imp->skipping = 0;
		ow_buf_reset(&imp->pending);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/* ---- the engine ------------------------------------------------------------------ */

int ow_import_feed(struct ow_import *imp, const char *data, size_t n)
{
	if (imp->db_failed || imp->finished)
		return imp->db_failed ? -1 : 0;
	if (imp->format == OW_IMPORT_NDJSON)
		return feed_ndjson(imp, data, n);
	if (ow_csv_reader_error(&imp->csv, NULL))
		return 0; /* a CSV syntax error ends reading; the rest is drained unread */
	return ow_import_csv_status(
		imp, ow_csv_reader_feed(&imp->csv, data, n, ow_import_csv_record, imp));
}

static void end_tx(struct ow_import *imp, int commit)
{
	if (!imp->in_tx)
		return;
	PGresult *res = PQexec(imp->conn, commit ? "COMMIT" : "ROLLBACK");
	if (PQresultStatus(res) != PGRES_COMMAND_OK && commit)
		db_failure(imp, res);
	else if (commit)
		ow_db_write_committed();
	PQclear(res);
	imp->in_tx = 0;
}

static int by_line(const void *a, const void *b)
{
	const struct import_error *x = a, *y = b;
	return x->line < y->line ? -1 : x->line > y->line;
}

int ow_import_finish(struct ow_import *imp)
{
	if (imp->finished)
		return imp->db_failed ? -1 : 0;
	imp->finished = 1;
	if (!imp->db_failed) {
		if (imp->format == OW_IMPORT_NDJSON) {
			if (imp->pending.len && !imp->skipping) {
				imp->line++;
				(void)ndjson_line(imp, imp->pending.data, imp->pending.len);
			}
		} else if (!ow_csv_reader_error(&imp->csv, NULL)) {
			(void)ow_import_csv_status(
				imp, ow_csv_reader_finish(&imp->csv, ow_import_csv_record, imp));
			if (!imp->header_done)
				ow_import_add_error(
					imp, 1, NULL,
					"the CSV body needs a header row naming the fields");
		}
	}
	(void)apply(imp);
	end_tx(imp, !imp->errors_total && !imp->dry_run && !imp->db_failed);
	if (imp->spooled && !imp->db_failed)
		(void)command(imp, OW_Q_IMPORT_SPOOL_DROP);
	qsort(imp->errors, imp->nerrors, sizeof *imp->errors,
	      by_line); /* stable enough: lines differ or fields do */
	return imp->db_failed ? -1 : 0;
}

int ow_import_lock_busy(const struct ow_import *imp)
{
	return imp->db_failed && imp->lock_busy;
}

unsigned ow_import_status(const struct ow_import *imp)
{
	if (imp->db_failed)
		return 503;
	return imp->errors_total ? 422 : 200;
}

int ow_import_report(const struct ow_import *imp, struct ow_buf *out)
{
	int ok = imp->errors_total == 0 && !imp->db_failed;
	int rc = ow_buf_appendf(
		out,
		"{\"created\":%lu,\"updated\":%lu,\"unchanged\":%lu,\"records\":%lu,"
		"\"dry_run\":%s,\"errors\":[",
		ok ? imp->created : 0, ok ? imp->updated : 0, ok ? imp->unchanged : 0, imp->records,
		imp->dry_run ? "true" : "false");
	for (size_t i = 0; i < imp->nerrors && rc == 0; i++) {
		const struct import_error *e = &imp->errors[i];
		rc |= ow_buf_appendf(out, "%s{\"line\":%lu,\"field\":", i ? "," : "", e->line);
		rc |= e->field[0] ? ow_buf_append_json_str(out, e->field, strlen(e->field))
				  : ow_buf_append_str(out, "null");
		rc |= ow_buf_append_str(out, ",\"message\":");
		rc |= ow_buf_append_json_str(out, e->message, strlen(e->message));
		rc |= ow_buf_append_str(out, "}");
	}
	rc |= ow_buf_appendf(out, "],\"errors_total\":%lu", imp->errors_total);
	/* The notes object's members, spliced in (it is one JSON object made by the SQL). */
	if (imp->notes && imp->notes[0] == '{' && imp->notes[1] != '}') {
		rc |= ow_buf_append_str(out, ",");
		rc |= ow_buf_append(out, imp->notes + 1, strlen(imp->notes) - 2);
	} else {
		rc |= ow_buf_append_str(out, ",\"duplicates\":[],\"created_organizations\":[]");
	}
	if (imp->db_failed) {
		rc |= ow_buf_append_str(out, ",\"detail\":");
		rc |= ow_buf_append_json_str(out, imp->db_message, strlen(imp->db_message));
	}
	rc |= ow_buf_append_str(out, "}");
	return rc ? -1 : 0;
}

void ow_import_free(struct ow_import *imp)
{
	if (!imp)
		return;
	(void)copy_collect(imp); /* a batch still in flight when the body was cut */
	if (imp->in_tx) {
		PGresult *res = PQexec(imp->conn, "ROLLBACK");
		PQclear(res);
	}
	for (size_t i = 0; i < imp->ncolumns; i++)
		free(imp->columns[i]);
	ow_csv_reader_free(&imp->csv);
	ow_buf_free(&imp->pending);
	ow_buf_free(&imp->batch);
	free(imp->errors);
	free(imp->notes);
	free(imp);
}
