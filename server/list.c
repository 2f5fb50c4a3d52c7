/* list.c — keyset pages shared by every list endpoint: limit/cursor arguments, JSON or
 * CSV rendering, next_cursor and the Link header. */
#include "list.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "docrow.h"
#include "download.h"
#include "format.h"
#include "pdate.h"
#include "db.h"
#include "db_problem.h"
#include "problem.h"
#include "req.h"

struct parse_ctx {
	const struct ow_filter *filters;
	size_t n;
	const char **values;
	struct ow_list_page *page;
	struct ow_errors errs;
};

/* The OW_F_REF filters given, as references (at most max). */
static size_t given_refs(const struct ow_filter *filters, size_t n, const char **values,
			 struct ow_ref *out, size_t max)
{
	size_t k = 0;
	for (size_t i = 0; i < n && k < max; i++)
		if (filters[i].type == OW_F_REF && values[i] && filters[i].values)
			out[k++] =
				(struct ow_ref){filters[i].values[0], values[i], filters[i].name};
	return k;
}

void ow_list_page_path_ref(struct ow_list_page *p, const char *entity, const char *key)
{
	if (p->nrefs < OW_MAX_REFS)
		p->refs[p->nrefs++] = (struct ow_ref){entity, key, NULL};
}

static int take_arg(void *cls, const char *key, const char *value)
{
	struct parse_ctx *c = cls;
	if (c->page && ow_list_take_page_arg(c->page, key, value, &c->errs))
		return 0;
	/* The representation's arguments, checked by format.c for every read. */
	if (strcmp(key, "format") == 0 || strcmp(key, "all") == 0 || strcmp(key, "excel") == 0)
		return 0;
	/* Taken for every read by known_at.c. */
	if (strcmp(key, "known_at") == 0)
		return 0;
	for (size_t i = 0; i < c->n; i++) {
		if (strcmp(c->filters[i].name, key) != 0)
			continue;
		const char *bad = ow_filter_check(&c->filters[i], value ? value : "");
		if (bad)
			ow_errors_add(&c->errs, key, "%s", bad);
		else
			c->values[i] = value;
		return 0;
	}
	ow_errors_add(&c->errs, key, "unknown query parameter");
	return 0;
}

/* A "from" after the "to" of the same query is named on "to" (whatever their precision:
 * from=2025-06&to=2024 is empty by construction, and surely a typo). */
static void check_period(const struct ow_filter *filters, size_t n, const char **values,
			 struct ow_errors *errs)
{
	const char *from = NULL, *to = NULL;
	for (size_t i = 0; i < n; i++) {
		if (filters[i].type != OW_F_PDATE || !values[i])
			continue;
		if (strcmp(filters[i].name, "from") == 0)
			from = values[i];
		else if (strcmp(filters[i].name, "to") == 0)
			to = values[i];
	}
	struct ow_pdate f, t;
	const char *why;
	if (!from || !to || ow_pdate_parse(from, strlen(from), &f, &why) != 0 ||
	    ow_pdate_parse(to, strlen(to), &t, &why) != 0)
		return;
	char f_first[11], f_last[11], t_first[11], t_last[11];
	ow_pdate_bounds(&f, f_first, f_last);
	ow_pdate_bounds(&t, t_first, t_last);
	if (strcmp(f_first, t_last) > 0)
		ow_errors_add(errs, "to", "must not be before from (%s)", from);
}

int ow_list_parse(struct ow_req *r, const struct ow_filter *filters, size_t n, const char **values,
		  struct ow_list_page *page)
{
	struct parse_ctx c = {filters, n, values, page, {0}};
	ow_errors_init(&c.errs);
	if (page)
		ow_list_page_init(page);
	for (size_t i = 0; i < n; i++)
		values[i] = NULL;
	ow_req_each_query(r, take_arg, &c);
	check_period(filters, n, values, &c.errs);
	if (page) {
		(void)ow_list_decode_cursor(page, &c.errs);
		page->nrefs = given_refs(filters, n, values, page->refs, OW_MAX_REFS);
	}
	if (c.errs.n == 0)
		return 0;
	ow_problem_reply(r, OW_P_VALIDATION, "Invalid query parameters.", &c.errs, NULL);
	return -1;
}

int ow_query_parse(struct ow_req *r, const struct ow_filter *filters, size_t n, const char **values,
		   const char *path_entity)
{
	if (ow_list_parse(r, filters, n, values, NULL) != 0)
		return -1;
	return ow_query_verify_refs(r, filters, n, values, path_entity);
}

int ow_query_verify_refs(struct ow_req *r, const struct ow_filter *filters, size_t n,
			 const char **values, const char *path_entity)
{
	struct ow_ref refs[OW_MAX_REFS];
	size_t k = 0;
	if (path_entity)
		refs[k++] = (struct ow_ref){path_entity, r->params.values[0], NULL};
	k += given_refs(filters, n, values, refs + k, OW_MAX_REFS - k);
	return ow_refs_verify(r, refs, k);
}

void ow_list_page_init(struct ow_list_page *p)
{
	memset(p, 0, sizeof *p);
	p->limit = OW_LIST_DEFAULT_LIMIT;
	snprintf(p->fetch_s, sizeof p->fetch_s, "%ld", p->limit + 1);
}

int ow_list_take_page_arg(struct ow_list_page *p, const char *key, const char *value,
			  struct ow_errors *errs)
{
	if (strcmp(key, "cursor") == 0) {
		p->cursor = value ? value : "";
		return 1;
	}
	if (strcmp(key, "limit") != 0)
		return 0;
	char *end = NULL;
	errno = 0;
	long n = value ? strtol(value, &end, 10) : 0;
	if (!value || !*value || *end || errno || n < 1 || n > OW_LIST_MAX_LIMIT) {
		ow_errors_add(errs, "limit", "must be a whole number from 1 to %d",
			      OW_LIST_MAX_LIMIT);
		return 1;
	}
	p->limit = n;
	snprintf(p->fetch_s, sizeof p->fetch_s, "%ld", n + 1);
	return 1;
}

int ow_list_decode_cursor(struct ow_list_page *p, struct ow_errors *errs)
{
	if (!p->cursor)
		return 0;
	if (ow_cursor_decode(p->cursor, p->parts, 2) != 0) {
		ow_errors_add(errs, "cursor",
			      "is not a cursor this server gave out (use next_cursor as is)");
		return -1;
	}
	return 0;
}

void ow_list_page_params(const struct ow_list_page *p, const char **out3)
{
	out3[0] = p->cursor ? p->parts[0] : NULL;
	out3[1] = p->cursor ? p->parts[1] : NULL;
	out3[2] = p->fetch_s;
}

static int append_encoded(struct ow_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		int plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~';
		char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
		if (plain ? ow_buf_append(b, s, 1) : ow_buf_append(b, esc, 3))
			return -1;
	}
	return 0;
}

struct link_ctx {
	struct ow_buf *b;
	int rc;
};

static int link_arg(void *cls, const char *key, const char *value)
{
	struct link_ctx *c = cls;
	if (strcmp(key, "cursor") == 0)
		return 0;
	c->rc |= append_encoded(c->b, key);
	c->rc |= ow_buf_append_str(c->b, "=");
	c->rc |= append_encoded(c->b, value ? value : "");
	c->rc |= ow_buf_append_str(c->b, "&");
	return 0;
}

/* "<path?args&cursor=NEXT>; rel=\"next\"" */
static int build_link(struct ow_req *r, const char *next, struct ow_buf *b)
{
	struct link_ctx c = {b, 0};
	c.rc |= ow_buf_append_str(b, "<");
	c.rc |= ow_buf_append_str(b, r->path);
	c.rc |= ow_buf_append_str(b, r->suffix);
	c.rc |= ow_buf_append_str(b, "?");
	ow_req_each_query(r, link_arg, &c);
	c.rc |= ow_buf_append_str(b, "cursor=");
	c.rc |= append_encoded(b, next);
	c.rc |= ow_buf_append_str(b, ">; rel=\"next\"");
	return c.rc ? -1 : 0;
}

static int render_rows(struct ow_buf *b, PGresult *pg, int rows, int format,
		       const char *const *columns, const struct ow_docspec *doc, int excel)
{
	int rc = format == OW_FMT_CSV ? ow_list_csv_header(b, columns, excel) : 0;
	for (int i = 0; i < rows && rc == 0; i++)
		rc = ow_list_append_row(b, pg, i, doc, format, columns, excel);
	return rc;
}

static int render_json(struct ow_buf *b, PGresult *pg, int rows, const char *next,
		       const struct ow_docspec *doc)
{
	int rc = ow_buf_append_str(b, "{\"items\":[");
	for (int i = 0; i < rows && rc == 0; i++) {
		if (i)
			rc = ow_buf_append(b, ",", 1);
		if (rc == 0)
			rc = ow_list_append_doc(b, pg, i, doc);
	}
	rc |= ow_buf_append_str(b, "],\"next_cursor\":");
	rc |= next ? ow_buf_append_json_str(b, next, strlen(next)) : ow_buf_append_str(b, "null");
	rc |= ow_buf_append_str(b, "}");
	return rc ? -1 : 0;
}

int ow_list_run(struct ow_req *r, enum ow_stmt_id stmt, const char *const *params,
		const struct ow_list_page *p, const char *const *csv_columns)
{
	return ow_list_run_doc(r, stmt, params, p, csv_columns, NULL, NULL, NULL);
}

int ow_list_run_headers(struct ow_req *r, enum ow_stmt_id stmt, const char *const *params,
			const struct ow_list_page *p, const char *const *csv_columns,
			const char *extra_name, const char *extra_value)
{
	return ow_list_run_doc(r, stmt, params, p, csv_columns, NULL, extra_name, extra_value);
}

int ow_list_run_doc(struct ow_req *r, enum ow_stmt_id stmt, const char *const *params,
		    const struct ow_list_page *p, const char *const *csv_columns,
		    const struct ow_docspec *doc, const char *extra_name, const char *extra_value)
{
	if (r->all_rows)
		return ow_download_run(r, stmt, params, p, csv_columns, doc);
	struct ow_db_error err;
	struct ow_db *db = ow_db_acquire(&err);
	PGresult *pg = db ? ow_db_exec(db, stmt, params, &err) : NULL;
	if (!pg && p->cursor && strncmp(err.sqlstate, "22", 2) == 0) {
		/* Filters are checked before the query; a value PostgreSQL cannot take as a key
		 * came from the cursor (one of another list, or forged): name it, not the
		 * database's message. */
		struct ow_errors errs;
		ow_errors_init(&errs);
		ow_errors_add(&errs, "cursor", "is not a cursor of this list");
		return ow_problem_reply(r, OW_P_VALIDATION, NULL, &errs, NULL);
	}
	if (!pg)
		return ow_db_problem(r, &err);
	int rows = PQntuples(pg);
	if (rows == 0 && ow_refs_verify(r, p->refs, p->nrefs) != 0) {
		PQclear(pg);
		return 0;
	}
	char next[OW_CURSOR_MAX];
	int has_next = rows > p->limit;
	if (has_next) {
		rows = (int)p->limit;
		const char *parts[] = {PQgetvalue(pg, rows - 1, 1), PQgetvalue(pg, rows - 1, 2)};
		if (ow_cursor_encode(parts, 2, next, sizeof next) < 0)
			has_next = 0;
	}
	struct ow_buf body, link;
	ow_buf_init(&body, (size_t)256 << 20);
	ow_buf_init(&link, 8192);
	int format = csv_columns || r->format != OW_FMT_CSV ? r->format : OW_FMT_JSON;
	int rc = format == OW_FMT_JSON
			 ? render_json(&body, pg, rows, has_next ? next : NULL, doc)
			 : render_rows(&body, pg, rows, format, csv_columns, doc, r->excel);
	PQclear(pg);
	if (rc == 0 && has_next)
		rc = build_link(r, next, &link);
	if (rc != 0) {
		rc = ow_problem_reply(r, OW_P_INTERNAL, "The page could not be rendered.", NULL,
				      NULL);
	} else {
		const char *headers[5] = {NULL};
		int h = 0;
		if (has_next) {
			headers[h++] = "Link";
			headers[h++] = link.data;
		}
		if (extra_name) {
			headers[h++] = extra_name;
			headers[h++] = extra_value;
		}
		rc = ow_reply(r, 200, ow_list_content_type(format), body.data, body.len,
			      h ? headers : NULL);
	}
	ow_buf_free(&body);
	ow_buf_free(&link);
	return rc;
}
