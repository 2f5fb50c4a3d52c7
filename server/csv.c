/* csv.c — RFC 4180 CSV: the row writer and the bounded, chunk-agnostic push reader. */
#include "csv.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Writer ---------------------------------------------------------------------------- */

static int needs_quotes(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	if (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t')
		return 1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n')
			return 1;
	}
	return 0;
}

/* Appends s as a quoted field, doubling each quote. */
static int append_quoted(struct ow_buf *b, const char *s, size_t n)
{
	if (ow_buf_append(b, "\"", 1) != 0)
		return -1;
	while (n > 0) {
		const char *q = memchr(s, '"', n);
		size_t run = q ? (size_t)(q - s) + 1 : n;
		if (ow_buf_append(b, s, run) != 0 || (q && ow_buf_append(b, "\"", 1) != 0))
			return -1;
		s += run;
		n -= run;
	}
	return ow_buf_append(b, "\"", 1);
}

int ow_csv_append_field(struct ow_buf *b, const char *s, size_t n)
{
	size_t mark = b->len;
	int first = b->len == 0 || b->data[b->len - 1] == '\n';
	int rc;

	if (!first && ow_buf_append(b, ",", 1) != 0)
		return -1;
	if (needs_quotes(s, n) || (first && n == 0))
		rc = append_quoted(b, s, n);
	else
		rc = ow_buf_append(b, s, n);
	if (rc != 0) {
		b->len = mark;
		if (b->data)
			b->data[mark] = '\0';
		return -1;
	}
	return 0;
}

int ow_csv_end_row(struct ow_buf *b)
{
	return ow_buf_append(b, "\r\n", 2);
}

/* ---- Reader ---------------------------------------------------------------------------- */

enum {
	S_FIELD,    /* at the start of a field */
	S_UNQUOTED, /* inside an unquoted field */
	S_QUOTED,   /* inside a quoted field */
	S_QUOTE,    /* just after a quote inside a quoted field: closing or doubled */
	S_CR,	    /* after a CR outside quotes: only LF may follow */
};

static const char BOM[] = "\xEF\xBB\xBF";

void ow_csv_reader_init(struct ow_csv_reader *r, size_t max_field, size_t max_fields)
{
	memset(r, 0, sizeof(*r));
	r->max_field = max_field ? max_field : OW_CSV_DEFAULT_MAX_FIELD;
	r->max_fields = max_fields ? max_fields : OW_CSV_DEFAULT_MAX_FIELDS;
	/* Every field of a record plus its NUL; saturate rather than overflow. */
	size_t cap = r->max_fields > SIZE_MAX / (r->max_field + 1)
			     ? SIZE_MAX / 2
			     : r->max_fields * (r->max_field + 1);
	ow_buf_init(&r->data, cap);
	r->state = S_FIELD;
	r->line = 1;
}

void ow_csv_reader_free(struct ow_csv_reader *r)
{
	ow_buf_free(&r->data);
	free(r->fields);
	r->fields = NULL;
	r->fields_cap = r->nfields = 0;
}

const char *ow_csv_reader_error(const struct ow_csv_reader *r, unsigned long *line)
{
	if (r->status != OW_CSV_EINPUT && r->status != OW_CSV_ENOMEM)
		return NULL;
	if (line)
		*line = r->err_line;
	return r->err;
}

__attribute__((format(printf, 3, 4))) static int fail(struct ow_csv_reader *r, unsigned long line,
						      const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
	r->err_line = line;
	r->status = OW_CSV_EINPUT;
	return r->status;
}

static int fail_nomem(struct ow_csv_reader *r)
{
	snprintf(r->err, sizeof(r->err), "out of memory");
	r->err_line = r->line;
	r->status = OW_CSV_ENOMEM;
	return r->status;
}

/* Adds n bytes to the field being read, enforcing max_field. */
static int field_add(struct ow_csv_reader *r, const char *p, size_t n)
{
	size_t have = r->data.len - r->field_start;
	/* A field past max_fields is refused before it is buffered: the data buffer only has
	 * room for max_fields fields, so it would otherwise run out ("out of memory"). */
	if (r->nfields >= r->max_fields)
		return fail(r, r->line, "record has more than %zu fields", r->max_fields);
	if (n > r->max_field - have)
		return fail(r, r->line, "field %zu is longer than %zu bytes", r->nfields + 1,
			    r->max_field);
	if (ow_buf_append(&r->data, p, n) != 0)
		return fail_nomem(r);
	return OW_CSV_OK;
}

/* Closes the field being read: checks it, NUL-terminates it and records its length. */
static int field_end(struct ow_csv_reader *r)
{
	size_t len = r->data.len - r->field_start;

	if (r->nfields >= r->max_fields)
		return fail(r, r->line, "record has more than %zu fields", r->max_fields);
	if (len && !ow_utf8_valid(r->data.data + r->field_start, len))
		return fail(r, r->line, "field %zu is not valid UTF-8", r->nfields + 1);
	if (r->nfields == r->fields_cap) {
		size_t cap = r->fields_cap ? r->fields_cap * 2 : 16;
		if (cap > r->max_fields)
			cap = r->max_fields;
		struct ow_csv_field *f = realloc(r->fields, cap * sizeof(*f));
		if (!f)
			return fail_nomem(r);
		r->fields = f;
		r->fields_cap = cap;
	}
	if (ow_buf_append(&r->data, "", 1) != 0)
		return fail_nomem(r);
	r->fields[r->nfields].len = len;
	r->fields[r->nfields].ptr = NULL;
	r->nfields++;
	r->field_start = r->data.len;
	return OW_CSV_OK;
}

/* Closes the last field, hands the record to cb and starts a new one. */
static int record_end(struct ow_csv_reader *r, ow_csv_record_cb cb, void *ctx)
{
	int rc = field_end(r);
	if (rc != OW_CSV_OK)
		return rc;
	size_t off = 0;
	for (size_t i = 0; i < r->nfields; i++) {
		r->fields[i].ptr = r->data.data + off;
		off += r->fields[i].len + 1;
	}
	rc = cb ? cb(ctx, r->record_line, r->fields, r->nfields) : 0;
	ow_buf_reset(&r->data);
	r->field_start = 0;
	r->nfields = 0;
	r->started = 0;
	if (rc != 0)
		r->status = OW_CSV_STOPPED;
	return r->status;
}

/* Handles a comma, LF or CR met outside quotes. */
static int delimiter(struct ow_csv_reader *r, char c, ow_csv_record_cb cb, void *ctx)
{
	int rc = OW_CSV_OK;
	if (c == ',') {
		rc = field_end(r);
		r->state = S_FIELD;
	} else if (c == '\n') {
		rc = record_end(r, cb, ctx);
		r->line++;
		r->state = S_FIELD;
	} else {
		r->state = S_CR;
	}
	return rc;
}

static int step_field_start(struct ow_csv_reader *r, char c, size_t *used, ow_csv_record_cb cb,
			    void *ctx)
{
	*used = 1;
	if (!r->started) {
		if (c == '\n') {
			r->line++; /* a blank line */
			return OW_CSV_OK;
		}
		if (c == '\r') {
			r->state = S_CR;
			return OW_CSV_OK;
		}
		r->started = 1;
		r->record_line = r->line;
	}
	switch (c) {
	case '"':
		r->state = S_QUOTED;
		r->quote_line = r->line;
		return OW_CSV_OK;
	case ',':
	case '\n':
	case '\r': return delimiter(r, c, cb, ctx);
	default:
		*used = 0; /* re-read it as the field's first byte */
		r->state = S_UNQUOTED;
		return OW_CSV_OK;
	}
}

static int step_unquoted(struct ow_csv_reader *r, const char *p, size_t n, size_t *used,
			 ow_csv_record_cb cb, void *ctx)
{
	size_t k = 0;
	while (k < n && p[k] != ',' && p[k] != '\n' && p[k] != '\r' && p[k] != '"' && p[k] != '\0')
		k++;
	if (k > 0) {
		*used = k;
		return field_add(r, p, k);
	}
	*used = 1;
	if (p[0] == '"')
		return fail(r, r->line, "a quote may only appear in a quoted field (field %zu)",
			    r->nfields + 1);
	if (p[0] == '\0')
		return fail(r, r->line, "NUL byte in input");
	return delimiter(r, p[0], cb, ctx);
}

static int step_quoted(struct ow_csv_reader *r, const char *p, size_t n, size_t *used)
{
	size_t k = 0;
	while (k < n && p[k] != '"' && p[k] != '\n' && p[k] != '\0')
		k++;
	if (k > 0) {
		*used = k;
		return field_add(r, p, k);
	}
	*used = 1;
	if (p[0] == '"') {
		r->state = S_QUOTE;
		return OW_CSV_OK;
	}
	if (p[0] == '\0')
		return fail(r, r->line, "NUL byte in input");
	int rc = field_add(r, p, 1);
	r->line++;
	return rc;
}

static int step_after_quote(struct ow_csv_reader *r, char c, ow_csv_record_cb cb, void *ctx)
{
	if (c == '"') {
		r->state = S_QUOTED;
		return field_add(r, "\"", 1);
	}
	if (c == ',' || c == '\n' || c == '\r')
		return delimiter(r, c, cb, ctx);
	return fail(r, r->line, "unexpected character after the closing quote of field %zu",
		    r->nfields + 1);
}

static int step_cr(struct ow_csv_reader *r, char c, ow_csv_record_cb cb, void *ctx)
{
	if (c != '\n')
		return fail(r, r->line, "carriage return not followed by a line feed");
	int rc = r->started ? record_end(r, cb, ctx) : OW_CSV_OK;
	r->line++;
	r->state = S_FIELD;
	return rc;
}

/* Runs the state machine over n bytes (BOM already handled). */
static int parse(struct ow_csv_reader *r, const char *p, size_t n, ow_csv_record_cb cb, void *ctx)
{
	size_t i = 0;
	while (i < n && r->status == OW_CSV_OK) {
		size_t used = 1;
		int rc;
		switch (r->state) {
		case S_FIELD: rc = step_field_start(r, p[i], &used, cb, ctx); break;
		case S_UNQUOTED: rc = step_unquoted(r, p + i, n - i, &used, cb, ctx); break;
		case S_QUOTED: rc = step_quoted(r, p + i, n - i, &used); break;
		case S_QUOTE: rc = step_after_quote(r, p[i], cb, ctx); break;
		default: rc = step_cr(r, p[i], cb, ctx); break;
		}
		if (rc != OW_CSV_OK)
			return rc;
		i += used;
	}
	return r->status;
}

/* Before the BOM check ends: skips a complete BOM or replays the bytes of a partial one. */
static size_t skip_bom(struct ow_csv_reader *r, const char *data, size_t n, ow_csv_record_cb cb,
		       void *ctx)
{
	size_t i = 0;
	while (r->bom_seen < 3 && i < n) {
		if (data[i] == BOM[r->bom_seen]) {
			r->bom_seen++;
			i++;
			continue;
		}
		size_t k = (size_t)r->bom_seen;
		r->bom_seen = 3;
		(void)parse(r, BOM, k, cb, ctx);
	}
	return i;
}

int ow_csv_reader_feed(struct ow_csv_reader *r, const char *data, size_t n, ow_csv_record_cb cb,
		       void *ctx)
{
	if (r->status != OW_CSV_OK)
		return r->status;
	if (r->finished)
		return fail(r, r->line, "input after the end of the document");
	if (n == 0)
		return OW_CSV_OK;
	size_t i = skip_bom(r, data, n, cb, ctx);
	if (r->status != OW_CSV_OK)
		return r->status;
	return parse(r, data + i, n - i, cb, ctx);
}

int ow_csv_reader_finish(struct ow_csv_reader *r, ow_csv_record_cb cb, void *ctx)
{
	if (r->status != OW_CSV_OK)
		return r->status;
	if (r->finished)
		return fail(r, r->line, "input after the end of the document");
	r->finished = 1;
	if (r->bom_seen < 3) {
		size_t k = (size_t)r->bom_seen;
		r->bom_seen = 3;
		if (parse(r, BOM, k, cb, ctx) != OW_CSV_OK)
			return r->status;
	}
	if (r->state == S_QUOTED)
		return fail(r, r->quote_line, "quoted field %zu is never closed", r->nfields + 1);
	if (r->started)
		return record_end(r, cb, ctx);
	return OW_CSV_OK;
}
