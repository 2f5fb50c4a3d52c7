/* h_chart.c — GET /organizations/{id}/chart: the head and the flat rows of ow_chart_flat in
 * one snapshot, written as a nested tree by tree_reply.c; as .svg, the same rows with the
 * people who left since ?departed_since= (ow_chart_org_extras) drawn by chart_org.c. */
#include <arpa/inet.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>

#include "charts.h"
#include "db.h"
#include "db_problem.h"
#include "format.h"
#include "handlers.h"
#include "jspec.h"
#include "list.h"
#include "problem.h"
#include "req.h"
#include "tree_reply.h"

/* as_of, root, depth; then the picture's: departed_since and the chart settings. */
static const struct ow_filter chart_filters[] = {
	OW_FILTER_AS_OF,
	{"root", OW_F_REF, ow_ref_person},
	{"depth", OW_F_DEPTH, NULL},
	{"departed_since", OW_F_DAY, NULL},
	OW_CHART_FILTERS,
};
#define NCHART_FILTERS (sizeof chart_filters / sizeof chart_filters[0])

struct svg_tx {
	const char *const *params; /* org, as_of, root, depth (NULL: all), departed_since */
	PGresult *rows, *extras;
};

static void out_of_memory(struct ow_db_error *err)
{
	snprintf(err->sqlstate, sizeof err->sqlstate, "53200");
	snprintf(err->message, sizeof err->message, "out of memory");
}

/* A 32-bit integer of PostgreSQL's binary format (network order) at p. */
static uint32_t be32(const unsigned char *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return ntohl(v);
}

/* The elements of a one-dimensional uuid[] in PostgreSQL's binary format (v, len bytes; a
 * NULL array is empty): *n ids of 16 bytes into *keys, present[i] 0 for a NULL element.
 * 0, or -1 when it is not such an array or memory runs out. */
static int uuid_array(const char *v, int len, int isnull, unsigned char (**keys)[16],
		      unsigned char **present, size_t *n)
{
	const unsigned char *p = (const unsigned char *)v, *end = p + (len > 0 ? len : 0);
	*n = 0;
	if (isnull)
		return (*keys = malloc(16)) && (*present = malloc(1)) ? 0 : -1;
	if (end - p < 12 || be32(p) > 1)
		return -1;
	size_t count = be32(p) == 0 ? 0 : (end - p < 20 ? SIZE_MAX : be32(p + 12));
	if (count == SIZE_MAX || count > (size_t)(end - p) / 4)
		return -1;
	p += be32(p) == 0 ? 12 : 20;
	*keys = malloc((count + 1) * 16);
	*present = malloc(count + 1);
	if (!*keys || !*present)
		return -1;
	for (size_t i = 0; i < count; i++) {
		if (end - p < 4)
			return -1;
		uint32_t l = be32(p);
		p += 4;
		(*present)[i] = l != 0xffffffffu;
		if (!(*present)[i]) {
			memset((*keys)[i], 0, 16);
			continue;
		}
		if (l != 16 || end - p < 16)
			return -1;
		memcpy((*keys)[i], p, 16);
		p += 16;
	}
	*n = count;
	return 0;
}

/* Appends a 16-byte id as a UUID's text (libuuid's). */
static int append_uuid(struct ow_buf *b, const unsigned char *k)
{
	char t[37];
	uuid_unparse_lower(k, t);
	return ow_buf_append(b, t, 36);
}

/* The rows drawn when the whole organization is collapsed past a depth: the day's links
 * (two arrays of ids, binary), the people drawn found in C (ow_chart_org_collapse), their
 * rows with how many each stands for and the picture's extras (ow_chart_people). 0 or -1. */
static int collapsed_rows(struct ow_db *db, struct svg_tx *t, struct ow_db_error *err)
{
	const char *link_args[] = {t->params[0], t->params[1]};
	PGresult *links = ow_db_exec(db, OW_Q_CHART_LINKS, link_args, err);
	if (!links)
		return -1;
	unsigned char(*ids)[16] = NULL, (*mgr)[16] = NULL, *has_id = NULL, *has_mgr = NULL;
	size_t n = 0, nm = 0;
	int rc = PQntuples(links) == 1 && PQnfields(links) == 2 ? 0 : -1;
	rc = rc ? rc
		: uuid_array(PQgetvalue(links, 0, 0), PQgetlength(links, 0, 0),
			     PQgetisnull(links, 0, 0), &ids, &has_id, &n);
	rc = rc ? rc
		: uuid_array(PQgetvalue(links, 0, 1), PQgetlength(links, 0, 1),
			     PQgetisnull(links, 0, 1), &mgr, &has_mgr, &nm);
	PQclear(links);
	long *drawn = malloc((n + 1) * sizeof *drawn), *hidden = malloc((n + 1) * sizeof *hidden);
	long count = rc == 0 && nm == n && drawn && hidden
			     ? ow_chart_org_collapse((const unsigned char(*)[16])ids,
						     (const unsigned char(*)[16])mgr, has_mgr, n,
						     atoi(t->params[3]), drawn, hidden)
			     : -1;
	struct ow_buf idtext, counts;
	ow_buf_init(&idtext, (size_t)64 << 20);
	ow_buf_init(&counts, (size_t)16 << 20);
	rc = count < 0;
	rc |= ow_buf_append_str(&idtext, "{") | ow_buf_append_str(&counts, "{");
	for (long k = 0; k < count && rc == 0; k++) {
		rc |= (k ? ow_buf_append(&idtext, ",", 1) : 0) |
		      append_uuid(&idtext, ids[drawn[k]]);
		rc |= ow_buf_fmt(&counts, "%s%ld", k ? "," : "", hidden[k]);
	}
	rc |= ow_buf_append(&idtext, "}", 2) | ow_buf_append(&counts, "}", 2);
	free(ids), free(mgr), free(has_id), free(has_mgr), free(drawn), free(hidden);
	if (rc == 0) {
		const char *people_args[] = {t->params[0], t->params[1], idtext.data, counts.data,
					     t->params[4]};
		t->rows = ow_db_exec(db, OW_Q_CHART_PEOPLE, people_args, err);
	} else {
		out_of_memory(err);
	}
	ow_buf_free(&idtext);
	ow_buf_free(&counts);
	return t->rows ? 0 : -1;
}

/* The picture's rows and extras in one snapshot: a subtree's in one statement
 * (ow_chart_org_subtree), a collapsed organization's in two (collapsed_rows), the whole
 * organization's rows (ow_chart_flat) and then its extras (ow_chart_org_extras). */
static int svg_fn(struct ow_db *db, void *cls, struct ow_db_error *err)
{
	struct svg_tx *t = cls;
	PQclear(t->rows);
	PQclear(t->extras);
	t->rows = t->extras = NULL;
	if (t->params[2]) {
		const char *args[] = {t->params[0], t->params[1], t->params[2], t->params[4],
				      t->params[3]};
		return (t->rows = ow_db_exec(db, OW_Q_CHART_SUBTREE, args, err)) ? 0 : -1;
	}
	if (t->params[3])
		return collapsed_rows(db, t, err);
	const char *rows_args[] = {t->params[0], t->params[1], NULL, NULL};
	if (!(t->rows = ow_db_exec(db, OW_Q_CHART_FLAT, rows_args, err)))
		return -1;
	const char *extras_args[] = {t->params[0], t->params[1], t->params[4]};
	return (t->extras = ow_db_exec(db, OW_Q_CHART_ORG_EXTRAS, extras_args, err)) ? 0 : -1;
}

/* The extras' JSON text: its own statement's, or the rows' extras row (person id NULL,
 * column 10: ow_chart_org_subtree, ow_chart_people). NULL when there is none. */
static const char *extras_text(const struct svg_tx *t)
{
	if (t->extras)
		return PQgetvalue(t->extras, 0, 0);
	if (PQnfields(t->rows) < 11)
		return NULL;
	for (int i = PQntuples(t->rows) - 1; i >= 0; i--)
		if (PQgetisnull(t->rows, i, 0) && !PQgetisnull(t->rows, i, 10))
			return PQgetvalue(t->rows, i, 10);
	return NULL;
}

/* The people of the picture: the day's rows (columns of ow_chart_flat: person id, manager
 * id, slug, full name, title, team id, team slug, team name, sort key; then how many each
 * stands for, when given), the extras row left out, then the ghosts. */
static struct ow_org_person *people_of(PGresult *rows, json_t *ghosts, size_t *n)
{
	size_t nrows = (size_t)PQntuples(rows), total = nrows + json_array_size(ghosts);
	struct ow_org_person *p = calloc(total ? total : 1, sizeof *p);
	if (!p)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < nrows; i++) {
		int row = (int)i;
		if (PQgetisnull(rows, row, 0))
			continue;
		p[k++] = (struct ow_org_person){
			PQgetvalue(rows, row, 0),
			PQgetisnull(rows, row, 1) ? NULL : PQgetvalue(rows, row, 1),
			PQgetvalue(rows, row, 3),
			PQgetisnull(rows, row, 4) ? NULL : PQgetvalue(rows, row, 4),
			PQgetvalue(rows, row, 8),
			0,
			NULL,
			NULL,
			PQnfields(rows) > 9 ? atol(PQgetvalue(rows, row, 9)) : 0,
		};
	}
	nrows = k;
	total = nrows + json_array_size(ghosts);
	size_t i;
	json_t *g;
	json_array_foreach(ghosts, i, g)
	{
		p[nrows + i] = (struct ow_org_person){
			json_string_value(json_object_get(g, "person_id")),
			json_string_value(json_object_get(g, "manager_id")),
			json_string_value(json_object_get(g, "full_name")),
			json_string_value(json_object_get(g, "title")),
			json_string_value(json_object_get(g, "full_name")),
			1,
			json_string_value(json_object_get(g, "departed_on")),
			json_string_value(json_object_get(g, "destination")),
			0,
		};
		if (!p[nrows + i].id || !p[nrows + i].name)
			p[nrows + i] =
				(struct ow_org_person){"", NULL, "", NULL, "", 1, NULL, NULL, 0};
	}
	*n = total;
	return p;
}

int ow_chart_org_draw(struct ow_req *r, const char *const *params, const struct ow_chart *c,
		      struct ow_buf *out, json_t **extras)
{
	*extras = NULL;
	struct ow_db_error err;
	struct ow_db *db = ow_db_acquire(&err);
	if (!db)
		return ow_db_problem(r, &err), -1;
	const char *args[] = {params[0], params[1], params[2], params[3], params[4]};
	struct svg_tx t = {.params = args};
	if (ow_db_tx(db, OW_TX_SNAPSHOT, svg_fn, &t, &err) != 0) {
		PQclear(t.rows);
		PQclear(t.extras);
		return ow_db_problem(r, &err), -1;
	}
	const char *text = extras_text(&t);
	*extras = text ? json_loads(text, 0, NULL) : NULL;
	size_t n = 0;
	struct ow_org_person *people =
		*extras ? people_of(t.rows, json_object_get(*extras, "ghosts"), &n) : NULL;
	int depth = params[3] ? atoi(params[3]) : -1;
	int rc = people && ow_chart_org_svg(out, c, people, n, depth, *extras) == 0 ? 0 : -1;
	free(people);
	PQclear(t.rows);
	PQclear(t.extras);
	if (rc != 0)
		(void)ow_problem_reply(r, OW_P_INTERNAL, "The org chart could not be drawn.", NULL,
				       NULL);
	return rc;
}

int ow_chart_org_settings(struct ow_req *r, const char **params, struct ow_chart *c)
{
	params[0] = r->params.values[0];
	if (ow_list_parse(r, chart_filters, NCHART_FILTERS, params + 1, NULL) != 0)
		return -1;
	struct ow_errors errs;
	ow_errors_init(&errs);
	if (ow_chart_settings(params + 5, c, &errs) != 0) {
		(void)ow_problem_reply(r, OW_P_VALIDATION, "Invalid query parameters.", &errs,
				       NULL);
		return -1;
	}
	/* The head resolves the organization itself (a 404 by construction); with a root, both
	 * are resolved first, the organization's 404 before the root's 400. */
	if (params[2] &&
	    ow_query_verify_refs(r, chart_filters, NCHART_FILTERS, params + 1, "organization") != 0)
		return -1;
	return 0;
}

/* Rows of ow_chart_flat by folded name (column 8), then id. */
static int by_name(const void *x, const void *y, void *ctx)
{
	PGresult *pg = ctx;
	int a = *(const int *)x, b = *(const int *)y;
	int c = strcmp(PQgetvalue(pg, a, 8), PQgetvalue(pg, b, 8));
	return c ? c : strcmp(PQgetvalue(pg, a, 0), PQgetvalue(pg, b, 0));
}

/* The org chart as CSV: one row a person of the day (the rows of ow_chart_flat, by folded
 * name then id): the numbers behind the picture. */
static int reply_csv(struct ow_req *r, const char *const *params)
{
	static const char *const cols[] = {"person_id",	 "slug",      "full_name", "title",
					   "manager_id", "team_slug", "team_name", NULL};
	static const int at[] = {0, 2, 3, 4, 1, 6, 7};
	struct ow_db_error err;
	struct ow_db *db = ow_db_acquire(&err);
	const char *args[] = {params[0], params[1], params[2], params[3]};
	PGresult *pg = db ? ow_db_exec(db, OW_Q_CHART_FLAT, args, &err) : NULL;
	if (!pg)
		return ow_db_problem(r, &err);
	struct ow_buf b;
	ow_buf_init(&b, (size_t)256 << 20);
	int rc = ow_list_csv_header(&b, cols, r->excel), n = PQntuples(pg);
	int *order = malloc((size_t)(n ? n : 1) * sizeof *order);
	json_t *row = order ? json_object() : NULL;
	for (int k = 0; k < n && order; k++)
		order[k] = k;
	if (order)
		qsort_r(order, (size_t)n, sizeof *order, by_name, pg);
	for (int k = 0; k < n && rc == 0 && row; k++) {
		int i = order[k];
		for (size_t c = 0; cols[c]; c++)
			json_object_set_new(row, cols[c],
					    PQgetisnull(pg, i, at[c])
						    ? json_null()
						    : json_string(PQgetvalue(pg, i, at[c])));
		char *text = json_dumps(row, JSON_COMPACT);
		rc = text ? ow_list_csv_row(&b, text, cols, r->excel) : -1;
		free(text);
	}
	json_decref(row);
	free(order);
	PQclear(pg);
	rc = rc == 0 && row
		     ? ow_reply(r, 200, ow_list_content_type(OW_FMT_CSV), b.data, b.len, NULL)
		     : ow_problem_reply(r, OW_P_INTERNAL, "The chart could not be written.", NULL,
					NULL);
	ow_buf_free(&b);
	return rc;
}

int ow_h_org_chart(struct ow_req *r)
{
	const char *params[1 + NCHART_FILTERS] = {NULL};
	struct ow_chart c;
	if (ow_chart_org_settings(r, params, &c) != 0)
		return 0;
	if (r->format == OW_FMT_SVG || r->format == OW_FMT_PNG) {
		struct ow_buf b;
		json_t *extras;
		ow_buf_init(&b, (size_t)256 << 20);
		int rc = ow_chart_org_draw(r, params, &c, &b, &extras) != 0 ? 0
			 : r->format == OW_FMT_PNG
				 ? ow_chart_reply_png(r, &b)
				 : ow_reply(r, 200, "image/svg+xml; charset=utf-8", b.data, b.len,
					    NULL);
		ow_buf_free(&b);
		json_decref(extras);
		return rc;
	}
	if (r->format == OW_FMT_CSV)
		return reply_csv(r, params);
	return ow_reply_tree_read(r, OW_Q_CHART_HEAD, OW_Q_CHART_FLAT, params,
				  params[3] ? atoi(params[3]) : -1, -1);
}
