/* docrow.c — a JSON document from one row of flat columns, written by a fixed field list
 * (docrow.h), and PostgreSQL's text form of arrays read an element at a time. */
#include "docrow.h"

#include <libpq-fe.h>
#include <string.h>

int ow_pgarr_open(struct ow_pgarr *a, const char *s, size_t n)
{
	if (n < 2 || s[0] != '{' || s[n - 1] != '}')
		return -1;
	a->p = s + 1;
	a->end = s + n - 1; /* the closing brace */
	return 0;
}

int ow_pgarr_next(struct ow_pgarr *a, struct ow_pgarr_elem *e)
{
	if (a->p >= a->end)
		return 0;
	const char *p = a->p;
	memset(e, 0, sizeof *e);
	if (*p == '"') {
		const char *q = p + 1;
		while (q < a->end && *q != '"')
			q += *q == '\\' ? 2 : 1;
		if (q >= a->end)
			return -1;
		e->s = p + 1;
		e->n = (size_t)(q - e->s);
		e->quoted = 1;
		p = q + 1;
	} else {
		const char *q = p;
		while (q < a->end && *q != ',')
			q++;
		if (q == p || memchr(p, '"', (size_t)(q - p)) || memchr(p, '{', (size_t)(q - p)))
			return -1; /* empty, or a nested array: not a one-dimensional array */
		e->s = p;
		e->n = (size_t)(q - p);
		e->null = e->n == 4 && memcmp(p, "NULL", 4) == 0;
		p = q;
	}
	if (p < a->end && *p++ != ',')
		return -1;
	if (p == a->end && p[-1] == ',')
		return -1; /* a trailing comma */
	a->p = p;
	return 1;
}

int ow_pgarr_elem_json(struct ow_buf *b, const struct ow_pgarr_elem *e)
{
	if (e->null)
		return ow_buf_append_str(b, "null");
	if (!e->quoted)
		return ow_buf_append_json_str(b, e->s, e->n);
	/* quoted: \x stands for x; written a run between backslashes at a time */
	int rc = ow_buf_append_str(b, "\"");
	const char *p = e->s, *end = e->s + e->n;
	while (rc == 0 && p < end) {
		const char *bs = memchr(p, '\\', (size_t)(end - p));
		const char *stop = bs ? bs : end;
		rc = ow_buf_append_json_chars(b, p, (size_t)(stop - p));
		if (!bs)
			break;
		if (rc == 0 && bs + 1 < end)
			rc = ow_buf_append_json_chars(b, bs + 1, 1);
		p = bs + 2;
	}
	return rc != 0 ? -1 : ow_buf_append_str(b, "\"");
}

/* "YYYY-MM-DD HH:MM:SS" and any fraction → "YYYY-MM-DDTHH:MM:SSZ" (seconds truncated, as
 * ow_ts of sql/functions/00_keys_dates_text.sql writes a time); a value of another form
 * (infinity, a year past 9999: never written by orgwatch) as PostgreSQL wrote it. */
static int append_ts(struct ow_buf *b, const char *v, size_t n)
{
	static const char form[] = "dddd-dd-dd dd:dd:dd";
	int ok = n == sizeof form - 1 || (n > sizeof form - 1 && v[sizeof form - 1] == '.');
	for (size_t i = 0; ok && i < sizeof form - 1; i++)
		ok = form[i] == 'd' ? v[i] >= '0' && v[i] <= '9' : v[i] == form[i];
	if (!ok)
		return ow_buf_append_json_str(b, v, n);
	char out[22];
	memcpy(out, "\"", 1);
	memcpy(out + 1, v, 10);
	out[11] = 'T';
	memcpy(out + 12, v + 11, 8);
	memcpy(out + 20, "Z\"", 2);
	return ow_buf_append(b, out, sizeof out);
}

/* "key": — the keys of a spec are plain names, written as they are. */
static int append_key(struct ow_buf *b, const char *key)
{
	size_t n = strlen(key);
	int rc = ow_buf_append(b, "\"", 1);
	rc |= ow_buf_append(b, key, n);
	rc |= ow_buf_append(b, "\":", 2);
	return rc;
}

static int append_array(struct ow_buf *b, const PGresult *pg, int row, int col)
{
	if (PQgetisnull(pg, row, col))
		return ow_buf_append_str(b, "[]");
	struct ow_pgarr a;
	struct ow_pgarr_elem e;
	if (ow_pgarr_open(&a, PQgetvalue(pg, row, col), (size_t)PQgetlength(pg, row, col)) != 0)
		return -1;
	int rc = ow_buf_append_str(b, "["), k, first = 1;
	while (rc == 0 && (k = ow_pgarr_next(&a, &e)) == 1) {
		rc = first ? 0 : ow_buf_append_str(b, ",");
		rc |= ow_pgarr_elem_json(b, &e);
		first = 0;
	}
	return rc != 0 || k != 0 ? -1 : ow_buf_append_str(b, "]");
}

/* The objects of an OW_DOCF_ROWS field (spec->fields[at]); *last: the index of its
 * OW_DOCF_END. Its members are OW_DOCF_ARR fields over arrays as long as the first. */
#define ROWS_MAX_MEMBERS 8
static int append_rows(struct ow_buf *b, const PGresult *pg, int row, const struct ow_docspec *spec,
		       size_t at, size_t *last)
{
	size_t m = 0, i = at + 1;
	const struct ow_docf *member[ROWS_MAX_MEMBERS];
	struct ow_pgarr arr[ROWS_MAX_MEMBERS];
	for (; i < spec->n && spec->fields[i].kind != OW_DOCF_END; i++) {
		const struct ow_docf *f = &spec->fields[i];
		if (f->kind != OW_DOCF_ARR || m == ROWS_MAX_MEMBERS || !f->key || f->col < 0 ||
		    f->col >= PQnfields(pg))
			return -1;
		member[m++] = f;
	}
	if (i >= spec->n || m == 0)
		return -1;
	*last = i;
	if (PQgetisnull(pg, row, spec->fields[at].col))
		return ow_buf_append_str(b, "[]");
	for (size_t j = 0; j < m; j++) {
		int c = member[j]->col;
		if (PQgetisnull(pg, row, c) ||
		    ow_pgarr_open(&arr[j], PQgetvalue(pg, row, c), (size_t)PQgetlength(pg, row, c)))
			return -1;
	}
	int rc = ow_buf_append_str(b, "[");
	for (int first = 1; rc == 0; first = 0) {
		struct ow_pgarr_elem e;
		int k = ow_pgarr_next(&arr[0], &e);
		if (k == 0)
			break;
		if (k < 0)
			return -1;
		rc |= first ? 0 : ow_buf_append_str(b, ",");
		for (size_t j = 0; j < m && rc == 0; j++) {
			if (j > 0 && ow_pgarr_next(&arr[j], &e) != 1)
				return -1; /* a member's array shorter than the first */
			rc |= ow_buf_append(b, j == 0 ? "{" : ",", 1);
			rc |= append_key(b, member[j]->key);
			rc |= ow_pgarr_elem_json(b, &e);
		}
		rc |= ow_buf_append_str(b, "}");
	}
	for (size_t j = 1; j < m && rc == 0; j++) {
		struct ow_pgarr_elem e;
		if (ow_pgarr_next(&arr[j], &e) != 0)
			return -1; /* a member's array longer than the first */
	}
	return rc != 0 ? -1 : ow_buf_append_str(b, "]");
}

static int append_value(struct ow_buf *b, const PGresult *pg, int row, const struct ow_docf *f)
{
	if (f->kind == OW_DOCF_ARR)
		return append_array(b, pg, row, f->col);
	if (PQgetisnull(pg, row, f->col))
		return ow_buf_append_str(b, "null");
	const char *v = PQgetvalue(pg, row, f->col);
	size_t n = (size_t)PQgetlength(pg, row, f->col);
	if (f->kind == OW_DOCF_TS)
		return append_ts(b, v, n);
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
			rc |= ow_buf_append(b, ",", 1);
		rc |= append_key(b, f->key);
		first = 0;
		if (f->kind == OW_DOCF_ROWS) {
			rc |= append_rows(b, pg, row, spec, i, &i);
			continue;
		}
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
			if (spec->fields[i].kind == OW_DOCF_OBJ ||
			    spec->fields[i].kind == OW_DOCF_ROWS)
				open++;
			else if (spec->fields[i].kind == OW_DOCF_END)
				open--;
		}
	}
	if (rc != 0 || depth != 0)
		return -1;
	return ow_buf_append_str(b, "}");
}
