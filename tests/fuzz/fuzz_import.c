/* fuzz_import.c — libFuzzer target for the import engine's parsers (server/import.c): NDJSON
 * line splitting (over-long lines, missing final newline, CR), JSON parsing, record typing,
 * CSV headers and rows, and the validation of every record against its resource's spec.
 *
 * The engine runs without a database (connection NULL): records are parsed and validated as
 * on a real import and every batch sent to PostgreSQL fails as if the server were gone, so
 * the database-side upserts are not exercised here (the API suites do that).
 *
 * Input: byte 0 picks the format (bit 0: CSV) and the record type (bits 1-3: none or one of
 * the types, used as CSV type / NDJSON default), byte 1 the dry-run flag, bytes 2-3 a split
 * offset; the rest is the document. Invariants:
 *  - the document fed whole, split at the fuzzer-chosen offset, and fed byte by byte gives
 *    the same status, the same record count and the same report, byte for byte;
 *  - the report is a JSON object with "created", "updated", "unchanged" (integers),
 *    "errors" (an array of {line, field, message} with 1 <= line <= lines in the document + 1,
 *    at most 1000 entries) and "dry_run" (a boolean);
 *  - feeding after finish changes nothing; free releases everything (LeakSanitizer). */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import.h"
#include "fuzz_check.h"

static const char *const type_names[] = {NULL,	    "people",	      "organization",
					 "teams",   "positions",      "departure",
					 "layoffs", "reporting-lines"};

struct outcome {
	unsigned status;
	unsigned long records;
	struct ow_buf report;
};

/* Runs one import, the document cut into pieces of `step` bytes (0: at `split` only). */
static void run(struct outcome *o, enum ow_import_format fmt, const char *type, int dry,
		const char *doc, size_t n, size_t split, size_t step)
{
	struct ow_import *imp = ow_import_new(NULL, "fuzz", fmt, type, dry);
	CHECK(imp != NULL);
	if (step == 0) {
		ow_import_feed(imp, doc, split);
		ow_import_feed(imp, doc + split, n - split);
	} else {
		for (size_t i = 0; i < n; i += step)
			ow_import_feed(imp, doc + i, n - i < step ? n - i : step);
	}
	ow_import_finish(imp);
	o->status = ow_import_status(imp);
	o->records = ow_import_records(imp);
	ow_buf_init(&o->report, 0);
	CHECK(ow_import_report(imp, &o->report) == 0);
	/* After finish, more bytes change nothing. */
	ow_import_feed(imp, "{}\n", 3);
	CHECK(ow_import_records(imp) == o->records);
	ow_import_free(imp);
}

static void check_report(const struct outcome *o, size_t lines)
{
	json_error_t e;
	json_t *r = json_loadb(o->report.data, o->report.len, 0, &e);
	CHECK(r != NULL && json_is_object(r));
	CHECK(json_is_integer(json_object_get(r, "created")));
	CHECK(json_is_integer(json_object_get(r, "updated")));
	CHECK(json_is_integer(json_object_get(r, "unchanged")));
	CHECK(json_is_boolean(json_object_get(r, "dry_run")));
	json_t *errs = json_object_get(r, "errors");
	CHECK(json_is_array(errs) && json_array_size(errs) <= 1000);
	size_t i;
	json_t *x;
	json_array_foreach(errs, i, x)
	{
		json_t *line = json_object_get(x, "line");
		CHECK(json_is_integer(line));
		CHECK(json_integer_value(line) >= 0 &&
		      (size_t)json_integer_value(line) <= lines + 1);
		CHECK(json_is_string(json_object_get(x, "message")));
	}
	json_decref(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 4)
		return 0;
	enum ow_import_format fmt = (data[0] & 1) ? OW_IMPORT_CSV : OW_IMPORT_NDJSON;
	const char *type = type_names[(data[0] >> 1) & 7];
	int dry = data[1] & 1;
	const char *doc = (const char *)data + 4;
	size_t n = size - 4;
	size_t split = n ? ((size_t)data[2] << 8 | data[3]) % (n + 1) : 0;
	size_t lines = 1;
	for (size_t i = 0; i < n; i++)
		lines += doc[i] == '\n';

	struct outcome a, b, c;
	run(&a, fmt, type, dry, doc, n, split, 0);
	run(&b, fmt, type, dry, doc, n, 0, n ? n : 1);
	run(&c, fmt, type, dry, doc, n, 0, 1);
	CHECK(a.status == b.status && b.status == c.status);
	CHECK(a.records == b.records && b.records == c.records);
	CHECK(a.report.len == b.report.len &&
	      memcmp(a.report.data, b.report.data, a.report.len) == 0);
	CHECK(a.report.len == c.report.len &&
	      memcmp(a.report.data, c.report.data, a.report.len) == 0);
	check_report(&a, lines);
	ow_buf_free(&a.report);
	ow_buf_free(&b.report);
	ow_buf_free(&c.report);
	return 0;
}
