/* fuzz_csv.c — libFuzzer target for the streaming CSV reader and the writer (server/csv.c).
 *
 * Input: byte 0 picks the limits, byte 1 after how many records the callback stops (and,
 * with its top bit, a tiny field cap), bytes 2-3 the split offset; the rest is the
 * document. Invariants:
 *  - the document fed whole, split at the fuzzer-chosen offset, and fed byte by byte gives
 *    the same records (line numbers included), the same final status and the same error
 *    message and line;
 *  - every record holds 1..max_fields fields, each NUL-terminated, NUL-free, at most
 *    max_field bytes and valid UTF-8 (checked by re-reading), with non-decreasing lines;
 *  - after finish, feed and finish only return a final status;
 *  - writing the records with ow_csv_append_field/ow_csv_end_row and reading them back gives
 *    the same fields. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "fuzz_check.h"

/* What one run produced: the records serialised, then the outcome. */
struct run {
	struct ow_buf log; /* per record: line, nfields, then per field: len, bytes */
	size_t max_field, max_fields, stop_after, nrecords;
	unsigned long last_line;
	int status;
	char err[160];
	unsigned long err_line;
	/* The records re-written with the CSV writer, for the round trip. */
	struct ow_buf written;
};

static void log_num(struct ow_buf *b, size_t v)
{
	CHECK(ow_buf_append(b, &v, sizeof v) == 0);
}

static int on_record(void *ctx, unsigned long line, const struct ow_csv_field *fields,
		     size_t nfields)
{
	struct run *r = ctx;
	CHECK(line >= 1 && line >= r->last_line);
	CHECK(nfields >= 1 && nfields <= r->max_fields);
	r->last_line = line;
	log_num(&r->log, line);
	log_num(&r->log, nfields);
	for (size_t i = 0; i < nfields; i++) {
		CHECK(fields[i].ptr != NULL);
		CHECK(fields[i].len <= r->max_field);
		CHECK(fields[i].ptr[fields[i].len] == '\0');
		CHECK(memchr(fields[i].ptr, '\0', fields[i].len) == NULL);
		log_num(&r->log, fields[i].len);
		CHECK(ow_buf_append(&r->log, fields[i].ptr, fields[i].len) == 0);
		CHECK(ow_csv_append_field(&r->written, fields[i].ptr, fields[i].len) == 0);
	}
	CHECK(ow_csv_end_row(&r->written) == 0);
	r->nrecords++;
	return r->stop_after && r->nrecords >= r->stop_after;
}

static void run_init(struct run *r, size_t max_field, size_t max_fields, size_t stop_after)
{
	memset(r, 0, sizeof *r);
	ow_buf_init(&r->log, 0);
	ow_buf_init(&r->written, 0);
	r->max_field = max_field ? max_field : OW_CSV_DEFAULT_MAX_FIELD;
	r->max_fields = max_fields ? max_fields : OW_CSV_DEFAULT_MAX_FIELDS;
	r->stop_after = stop_after;
}

static void run_free(struct run *r)
{
	ow_buf_free(&r->log);
	ow_buf_free(&r->written);
}

static int is_final(int st)
{
	return st == OW_CSV_STOPPED || st == OW_CSV_EINPUT || st == OW_CSV_ENOMEM;
}

/* Parses doc in chunks: cuts[] are increasing offsets (ncuts of them), then finishes. */
static void parse_doc(struct run *out, const uint8_t *doc, size_t n, const size_t *cuts,
		      size_t ncuts, size_t max_field, size_t max_fields)
{
	struct ow_csv_reader rd;
	ow_csv_reader_init(&rd, max_field, max_fields);
	int st = OW_CSV_OK;
	size_t at = 0;
	for (size_t c = 0; c <= ncuts && st == OW_CSV_OK; c++) {
		size_t end = c < ncuts ? cuts[c] : n;
		/* Each chunk is an exact-size heap copy, so reads past it are caught. */
		char *chunk = malloc(end - at ? end - at : 1);
		CHECK(chunk);
		memcpy(chunk, doc + at, end - at);
		st = ow_csv_reader_feed(&rd, chunk, end - at, on_record, out);
		free(chunk);
		CHECK(st == OW_CSV_OK || is_final(st));
		at = end;
	}
	if (st == OW_CSV_OK)
		st = ow_csv_reader_finish(&rd, on_record, out);
	CHECK(st == OW_CSV_OK || is_final(st));
	out->status = st;
	unsigned long line = 0;
	const char *err = ow_csv_reader_error(&rd, &line);
	if (st == OW_CSV_EINPUT || st == OW_CSV_ENOMEM) {
		CHECK(err && err[0] && strlen(err) < 128);
		snprintf(out->err, sizeof out->err, "%s", err);
		out->err_line = line;
	} else {
		CHECK(err == NULL);
	}
	/* Later calls never read input and never report success again. */
	int again = ow_csv_reader_feed(&rd, "x", 1, on_record, out);
	CHECK(is_final(again) && (st == OW_CSV_OK ? again == OW_CSV_EINPUT : again == st));
	again = ow_csv_reader_finish(&rd, on_record, out);
	CHECK(is_final(again));
	ow_csv_reader_free(&rd);
	ow_csv_reader_free(&rd); /* safe twice */
}

static void same(const struct run *a, const struct run *b)
{
	CHECK(a->status == b->status);
	CHECK(a->nrecords == b->nrecords);
	CHECK(a->log.len == b->log.len &&
	      (a->log.len == 0 || memcmp(a->log.data, b->log.data, a->log.len) == 0));
	CHECK(strcmp(a->err, b->err) == 0 && a->err_line == b->err_line);
}

/* Field contents only (line numbers dropped) of a run's log, for the round trip. */
static void fields_only(const struct ow_buf *log, struct ow_buf *out)
{
	size_t at = 0;
	while (at < log->len) {
		size_t line, nf, len;
		memcpy(&line, log->data + at, sizeof line);
		at += sizeof line;
		memcpy(&nf, log->data + at, sizeof nf);
		at += sizeof nf;
		log_num(out, nf);
		for (size_t i = 0; i < nf; i++) {
			memcpy(&len, log->data + at, sizeof len);
			at += sizeof len;
			log_num(out, len);
			CHECK(ow_buf_append(out, log->data + at, len) == 0);
			at += len;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 4)
		return 0;
	/* Small limits half of the time, to reach the field and record caps. */
	size_t max_field = 0, max_fields = 0;
	if (data[0] & 0x80) {
		max_field = (data[0] & 0x0f) * 3; /* 0 (default), 3..45 */
		if (data[1] & 0x80)
			max_field = (data[0] & 0x03) + 1; /* 1..4: below a partial BOM */
		max_fields = (data[0] >> 4 & 0x07);	  /* 0 (default), 1..7 */
	}
	size_t stop_after = data[1] & 0x0f; /* 0: never stop */
	size_t split = (size_t)data[2] << 8 | data[3];
	const uint8_t *doc = data + 4;
	size_t n = size - 4;
	split = n ? split % (n + 1) : 0;

	struct run whole, halves, bytes;
	run_init(&whole, max_field, max_fields, stop_after);
	run_init(&halves, max_field, max_fields, stop_after);
	run_init(&bytes, max_field, max_fields, stop_after);

	parse_doc(&whole, doc, n, NULL, 0, max_field, max_fields);
	size_t cut[1] = {split};
	parse_doc(&halves, doc, n, cut, 1, max_field, max_fields);
	same(&whole, &halves);
	if (n <= 2048) {
		size_t *cuts = malloc((n ? n : 1) * sizeof *cuts);
		CHECK(cuts);
		for (size_t i = 0; i < n; i++)
			cuts[i] = i;
		parse_doc(&bytes, doc, n, cuts, n, max_field, max_fields);
		free(cuts);
		same(&whole, &bytes);
	}

	/* Round trip through the writer: what was read, written back, reads the same. A first
	 * field starting with U+FEFF is the one exception: written unquoted at the start of the
	 * document it reads as a BOM (the writer's documented quoting rule does not cover it). */
	if (whole.written.len >= 3 && memcmp(whole.written.data, "\xEF\xBB\xBF", 3) == 0)
		goto done;
	struct run back;
	run_init(&back, max_field, max_fields, 0);
	parse_doc(&back, (const uint8_t *)(whole.written.data ? whole.written.data : ""),
		  whole.written.len, NULL, 0, max_field, max_fields);
	CHECK(back.status == OW_CSV_OK);
	CHECK(back.nrecords == whole.nrecords);
	struct ow_buf fa, fb;
	ow_buf_init(&fa, 0);
	ow_buf_init(&fb, 0);
	fields_only(&whole.log, &fa);
	fields_only(&back.log, &fb);
	CHECK(fa.len == fb.len && (fa.len == 0 || memcmp(fa.data, fb.data, fa.len) == 0));
	CHECK(whole.written.len == back.written.len &&
	      (back.written.len == 0 ||
	       memcmp(whole.written.data, back.written.data, back.written.len) == 0));
	ow_buf_free(&fa);
	ow_buf_free(&fb);

	run_free(&back);
done:
	run_free(&whole);
	run_free(&halves);
	run_free(&bytes);
	return 0;
}
