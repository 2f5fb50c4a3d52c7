/* docrow.c — a JSON document from one row of flat columns, written by a fixed field list
 * (docrow.h). */
#include "docrow.h"

#include <libpq-fe.h>
#include <string.h>

static int append_value(struct ow_buf *b, const PGresult *pg, int row, const struct ow_docf *f)
{
	if (PQgetisnull(pg, row, f->col))
		return ow_buf_append_str(b, "null");
	const char *v = PQgetvalue(pg, row, f->col);
	size_t n = (size_t)PQgetlength(pg, row, f->col);
	return f->kind == OW_DOCF_STR ? ow_buf_append_json_str(b, v, n) : ow_buf_append(b, v, n);
}

int ow_docrow_append(struct ow_buf *b, const PGresult *pg, int row, const struct ow_docspec *spec)
{
	int ncols = PQnfields(pg), depth = 0, rc = ow_buf_append_str(b, "{");
	int first = 1; /* no field yet in the innermost open object */
	for (size_t i = 0; i < spec->n && rc == 0; i++) {
		const struct ow_docf *f = &spec->fields[i];
		if (f->kind == OW_DOCF_END) {
			if (depth == 0)
				return -1;
			depth--;
			rc = ow_buf_append_str(b, "}");
			first = 0;
			continue;
		}
		if (f->col < 0 || f->col >= ncols || !f->key)
			return -1;
		if (!first)
			rc |= ow_buf_append_str(b, ",");
		rc |= ow_buf_append_json_str(b, f->key, strlen(f->key));
		rc |= ow_buf_append_str(b, ":");
		first = 0;
		if (f->kind != OW_DOCF_OBJ) {
			rc |= append_value(b, pg, row, f);
			continue;
		}
		if (!PQgetisnull(pg, row, f->col)) {
			rc |= ow_buf_append_str(b, "{");
			depth++;
			first = 1;
			continue;
		}
		rc |= ow_buf_append_str(b, "null");
		for (int open = 1; open > 0;) { /* skip the object's fields */
			if (++i >= spec->n)
				return -1;
			if (spec->fields[i].kind == OW_DOCF_OBJ)
				open++;
			else if (spec->fields[i].kind == OW_DOCF_END)
				open--;
		}
	}
	if (rc != 0 || depth != 0)
		return -1;
	return ow_buf_append_str(b, "}");
}
