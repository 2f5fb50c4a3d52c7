/* import_csv.c — an import's CSV rows (see import.h): the header checked against the record
 * type's fields (?type=), each row turned into the record a JSON line would be (cells typed by
 * the field: numbers, JSON arrays and objects, empty as absent), then validated and queued like
 * an NDJSON line (ow_import_take_record, import.c). */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import_state.h"
#include "jspec.h"
#include "resource.h"
#include "rtypes.h"

static const struct ow_jfield *column_field(const struct ow_resource *res, const char *name)
{
	for (size_t i = 0; i < res->nfields; i++)
		if (strcmp(res->fields[i].name, name) == 0 ||
		    (res->fields[i].alias && strcmp(res->fields[i].alias, name) == 0))
			return &res->fields[i];
	return NULL;
}

/* A CSV cell as JSON for its field: lists as JSON text or "a; b"; maps as JSON text;
 * numbers as numbers; everything else as a string. NULL when the cell is not a value
 * of that shape (the error is recorded). */
static json_t *cell_value(struct ow_import *imp, unsigned long line, const char *col,
			  const struct ow_jfield *f, const char *s, size_t n)
{
	enum ow_jtype t = f ? f->type : OW_J_STRING;
	int list = t == OW_J_UUID_LIST || t == OW_J_STRING_LIST || t == OW_J_REF_LIST ||
		   (f && f->alias && strcmp(f->alias, col) == 0 && t == OW_J_UUID_LIST);
	if (list && n && s[0] != '[') {
		json_t *arr = json_array();
		while (arr && n) {
			const char *semi = memchr(s, ';', n);
			size_t len = semi ? (size_t)(semi - s) : n;
			size_t a = 0, b = len;
			while (a < b && s[a] == ' ')
				a++;
			while (b > a && s[b - 1] == ' ')
				b--;
			if (b > a)
				json_array_append_new(arr, json_stringn(s + a, b - a));
			s += semi ? len + 1 : len;
			n -= semi ? len + 1 : len;
		}
		return arr;
	}
	if (list || t == OW_J_STRING_MAP) {
		json_t *v = json_loadb(s, n, JSON_REJECT_DUPLICATES, NULL);
		if (!v)
			ow_import_add_error(imp, line, col, "must be JSON text (%s)",
					    list ? "an array" : "an object");
		return v;
	}
	if (t == OW_J_INT || t == OW_J_NUMBER) {
		char tmp[64];
		char *end;
		snprintf(tmp, sizeof tmp, "%.*s", (int)(n < 63 ? n : 63), s);
		errno = 0;
		double d = strtod(tmp, &end);
		if (errno || *end || n >= 63 || !isfinite(d)) {
			ow_import_add_error(imp, line, col, "must be a number");
			return NULL;
		}
		return t == OW_J_INT && d == (double)(json_int_t)d ? json_integer((json_int_t)d)
								   : json_real(d);
	}
	return json_stringn(s, n);
}

static int csv_header(struct ow_import *imp, const struct ow_csv_field *fields, size_t nfields)
{
	imp->header_done = 1;
	if (!imp->default_type) {
		/* The callers ask for it first; a CSV without a known type has no columns. */
		ow_import_add_error(imp, 1, "type", "a CSV import needs a record type (?type=)");
		imp->header_bad = 1;
		return 0;
	}
	const struct ow_resource *res = imp->default_type->res;
	for (size_t i = 0; i < nfields && i < MAX_COLUMNS; i++) {
		imp->columns[i] = strndup(fields[i].ptr, fields[i].len);
		if (!imp->columns[i])
			return -1;
		imp->ncolumns++;
		const char *c = imp->columns[i];
		int layoff_id = strcmp(c, "id") == 0 && imp->default_type->import_id;
		if (strcmp(c, "type") != 0 && !layoff_id && !column_field(res, c)) {
			ow_import_add_error(imp, 1, c, "unknown column for %s records",
					    imp->default_type->name);
			imp->header_bad = 1;
		}
		for (size_t k = 0; k < i; k++)
			if (strcmp(imp->columns[k], c) == 0) {
				ow_import_add_error(imp, 1, c, "column given twice");
				imp->header_bad = 1;
			}
	}
	return 0;
}

int ow_import_csv_record(void *ctx, unsigned long line, const struct ow_csv_field *fields,
			 size_t nfields)
{
	struct ow_import *imp = ctx;
	if (!imp->header_done)
		return csv_header(imp, fields, nfields) != 0;
	if (imp->header_bad)
		return 0;
	if (nfields != imp->ncolumns) {
		imp->records++;
		ow_import_add_error(imp, line, NULL, "has %zu fields; the header has %zu", nfields,
				    imp->ncolumns);
		return 0;
	}
	json_t *obj = json_object();
	if (!obj)
		return 1;
	int bad = 0;
	for (size_t i = 0; i < nfields; i++) {
		if (fields[i].len == 0 || strcmp(imp->columns[i], "type") == 0)
			continue; /* empty cell = absent */
		const struct ow_jfield *f = column_field(imp->default_type->res, imp->columns[i]);
		json_t *v = cell_value(imp, line, imp->columns[i], f, fields[i].ptr, fields[i].len);
		if (!v)
			bad = 1;
		else
			json_object_set_new(obj, imp->columns[i], v);
	}
	int rc = 0;
	if (bad)
		imp->records++;
	else
		rc = ow_import_take_record(imp, line, imp->default_type, obj);
	json_decref(obj);
	return rc != 0;
}

int ow_import_csv_status(struct ow_import *imp, int st)
{
	if (st == OW_CSV_OK)
		return 0;
	if (st == OW_CSV_STOPPED)
		return imp->db_failed ? -1 : 0;
	unsigned long line = 0;
	const char *why = ow_csv_reader_error(&imp->csv, &line);
	ow_import_add_error(imp, line ? line : 1, NULL, "%s", why ? why : "malformed CSV");
	return 0;
}
