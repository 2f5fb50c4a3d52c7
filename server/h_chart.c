/* h_chart.c — GET /organizations/{id}/chart: the flat rows of ow_chart_flat (one statement,
 * one snapshot), siblings ordered by folded name then id, linked into a forest
 * (server/tree.c) and written as nested JSON while libmicrohttpd sends it: the answer is
 * never held whole, and the database connection is free before the first byte goes out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "db_problem.h"
#include "handlers.h"
#include "list.h"
#include "problem.h"
#include "req.h"
#include "tree.h"

/* Columns of ow_chart_flat. */
enum { C_ID, C_MANAGER, C_SLUG, C_NAME, C_TITLE, C_TEAM_ID, C_TEAM_SLUG, C_TEAM_NAME, C_SORT };

/* Bytes of answer made per part. */
#define CHUNK (48 * 1024)

struct chart {
	PGresult *head, *rows;
	struct ow_tree *tree;
	int *row_of; /* tree node -> row of rows */
	int head_done;
};

static void chart_free(void *p)
{
	struct chart *c = p;
	if (!c)
		return;
	PQclear(c->head);
	PQclear(c->rows);
	ow_tree_free(c->tree);
	free(c->row_of);
	free(c);
}

static const char *field(const struct chart *c, int row, int col, size_t *len)
{
	*len = (size_t)PQgetlength(c->rows, row, col);
	return PQgetvalue(c->rows, row, col);
}

static int append_field_json(struct ow_buf *b, const struct chart *c, int row, int col)
{
	if (PQgetisnull(c->rows, row, col))
		return ow_buf_append_str(b, "null");
	size_t n;
	const char *v = field(c, row, col, &n);
	return ow_buf_append_json_str(b, v, n);
}

/* {"person":{...},"title":...,"team":...,"reports":[ — the node without its closing "]}". */
static int append_node(struct ow_buf *b, const struct chart *c, int row)
{
	size_t n;
	const char *id = field(c, row, C_ID, &n);
	int rc = ow_buf_append_str(b, "{\"person\":{\"id\":\"");
	rc |= ow_buf_append(b, id, n);
	rc |= ow_buf_append_str(b, "\",\"slug\":");
	rc |= append_field_json(b, c, row, C_SLUG);
	rc |= ow_buf_append_str(b, ",\"full_name\":");
	rc |= append_field_json(b, c, row, C_NAME);
	rc |= ow_buf_append_str(b, "},\"title\":");
	rc |= append_field_json(b, c, row, C_TITLE);
	rc |= ow_buf_append_str(b, ",\"team\":");
	if (PQgetisnull(c->rows, row, C_TEAM_ID)) {
		rc |= ow_buf_append_str(b, "null");
	} else {
		const char *tid = field(c, row, C_TEAM_ID, &n);
		rc |= ow_buf_append_str(b, "{\"id\":\"");
		rc |= ow_buf_append(b, tid, n);
		rc |= ow_buf_append_str(b, "\",\"slug\":");
		rc |= append_field_json(b, c, row, C_TEAM_SLUG);
		rc |= ow_buf_append_str(b, ",\"name\":");
		rc |= append_field_json(b, c, row, C_TEAM_NAME);
		rc |= ow_buf_append_str(b, "}");
	}
	rc |= ow_buf_append_str(b, ",\"reports\":[");
	return rc ? -1 : 0;
}

/* The next part of the answer (ow_reply_stream): the head, then nodes until CHUNK bytes. */
static int next_part(void *cls, struct ow_buf *out)
{
	struct chart *c = cls;
	int rc = 0;
	if (!c->head_done) {
		rc |= ow_buf_append(out, PQgetvalue(c->head, 0, 0),
				    (size_t)PQgetlength(c->head, 0, 0));
		c->head_done = 1;
	}
	while (out->len < CHUNK && rc == 0) {
		struct ow_tree_step s;
		ow_tree_next(c->tree, &s);
		if (s.event == OW_TREE_DONE)
			return ow_buf_append_str(out, "]}") ? -1 : 0;
		if (s.event == OW_TREE_LEAVE) {
			rc |= ow_buf_append_str(out, "]}");
		} else {
			if (s.after_sibling)
				rc |= ow_buf_append_str(out, ",");
			rc |= append_node(out, c, c->row_of[s.node]);
		}
	}
	return rc ? -1 : 1;
}

/* Sibling order: the folded name (bytes), then the id (qsort_r comparator; arg: the rows). */
static int by_sort_key(const void *a, const void *b, void *arg)
{
	const PGresult *rows = arg;
	int x = *(const int *)a, y = *(const int *)b;
	int d = strcmp(PQgetvalue(rows, x, C_SORT), PQgetvalue(rows, y, C_SORT));
	return d ? d : strcmp(PQgetvalue(rows, x, C_ID), PQgetvalue(rows, y, C_ID));
}

/* Orders the rows and links them; 0 or -1 (out of memory). */
static int build(struct chart *c, int max_depth)
{
	int n = PQntuples(c->rows);
	size_t cells = n > 0 ? (size_t)n : 1;
	c->row_of = malloc(cells * sizeof *c->row_of);
	const char **ids = malloc(cells * sizeof *ids);
	const char **parents = malloc(cells * sizeof *parents);
	int rc = -1;
	if (!c->row_of || !ids || !parents)
		goto out;
	for (int i = 0; i < n; i++)
		c->row_of[i] = i;
	qsort_r(c->row_of, (size_t)n, sizeof *c->row_of, by_sort_key, c->rows);
	for (int k = 0; k < n; k++) {
		int row = c->row_of[k];
		ids[k] = PQgetvalue(c->rows, row, C_ID);
		parents[k] = PQgetisnull(c->rows, row, C_MANAGER)
				     ? NULL
				     : PQgetvalue(c->rows, row, C_MANAGER);
	}
	c->tree = ow_tree_build((size_t)n, ids, parents, max_depth);
	rc = c->tree ? 0 : -1;
out:
	free(ids);
	free(parents);
	return rc;
}

static const struct ow_filter chart_filters[] = {
	{"as_of", OW_F_DAY, NULL},
	{"root", OW_F_REF, NULL},
	{"depth", OW_F_DEPTH, NULL},
};

/* The head (organization) and the rows, from one snapshot (ow_db_tx). */
struct chart_tx {
	const char *const *params;
	struct chart *c;
};

static int chart_fn(struct ow_db *db, void *cls, struct ow_db_error *err)
{
	struct chart_tx *t = cls;
	PQclear(t->c->head);
	PQclear(t->c->rows);
	t->c->head = t->c->rows = NULL;
	if (!(t->c->head = ow_db_exec(db, OW_Q_CHART_HEAD, t->params, err)) ||
	    !(t->c->rows = ow_db_exec(db, OW_Q_CHART_FLAT, t->params, err)))
		return -1;
	return 0;
}

int ow_h_org_chart(struct ow_req *r)
{
	const char *params[4] = {r->params.values[0]};
	if (ow_query_parse(r, chart_filters, 3, params + 1) != 0)
		return 0;
	struct ow_db_error err;
	struct ow_db *db = ow_db_acquire(&err);
	if (!db)
		return ow_db_problem(r, &err);
	struct chart *c = calloc(1, sizeof *c);
	if (!c)
		return ow_problem_reply(r, OW_P_INTERNAL, "Out of memory.", NULL, NULL);
	struct chart_tx t = {params, c};
	if (ow_db_tx(db, OW_TX_SNAPSHOT, chart_fn, &t, &err) != 0) {
		chart_free(c);
		return ow_db_problem(r, &err);
	}
	if (build(c, params[3] ? atoi(params[3]) : -1) != 0) {
		chart_free(c);
		return ow_problem_reply(r, OW_P_INTERNAL, "Out of memory building the chart.", NULL,
					NULL);
	}
	return ow_reply_stream(r, 200, "application/json; charset=utf-8", next_part, c, chart_free,
			       NULL);
}
