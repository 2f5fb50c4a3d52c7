/* tree_reply.c — replies with a reporting tree read as flat rows (person, manager, name,
 * position that day: the columns of ow_chart_flat and of the reports statement): siblings
 * ordered by folded name then id, linked into a forest (server/tree.c) and written as nested
 * ChartNode JSON while libmicrohttpd sends it. The answer is never held whole, and the
 * database connection is free before the first byte goes out. Used by the org chart and by
 * a person's reports. */
#include "tree_reply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "db_problem.h"
#include "problem.h"
#include "req.h"
#include "tree.h"

/* Columns of the flat rows (ow_chart_flat, reports_flat); reports_flat adds three that choose
 * between a person's positions of the day (a row each): C_PREF how many positions the manager
 * holds at the position's organization (NULL: the person's only one), C_START its start
 * (ISO date, NULL: unknown), C_POS its id. */
enum {
	C_ID,
	C_MANAGER,
	C_SLUG,
	C_NAME,
	C_TITLE,
	C_TEAM_ID,
	C_TEAM_SLUG,
	C_TEAM_NAME,
	C_SORT,
	C_PREF,
	C_START,
	C_POS
};

/* Bytes of answer made per part. */
#define CHUNK (48 * 1024)

struct chart {
	PGresult *head, *rows;
	struct ow_tree *tree;
	int *row_of;	/* tree node -> row of rows */
	int depth_from; /* write "depth" (this for the roots, one more a level), or -1 not */
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

/* {"id":"...","slug":...,"<name_key>":...} of columns id_col, slug_col, name_col; null when
 * id_col is. */
static int append_summary(struct ow_buf *b, const struct chart *c, int row, int id_col,
			  int slug_col, int name_col, const char *name_key)
{
	if (PQgetisnull(c->rows, row, id_col))
		return ow_buf_append_str(b, "null");
	size_t n;
	const char *id = field(c, row, id_col, &n);
	int rc = ow_buf_append_str(b, "{\"id\":\"");
	rc |= ow_buf_append(b, id, n);
	rc |= ow_buf_append_str(b, "\",\"slug\":");
	rc |= append_field_json(b, c, row, slug_col);
	rc |= ow_buf_append_str(b, ",");
	rc |= ow_buf_append_json_str(b, name_key, strlen(name_key));
	rc |= ow_buf_append_str(b, ":");
	rc |= append_field_json(b, c, row, name_col);
	rc |= ow_buf_append_str(b, "}");
	return rc ? -1 : 0;
}

/* {"person":{...},"title":...,"team":...,"reports":[ — the node without its closing "]}". */
static int append_node(struct ow_buf *b, const struct chart *c, int row, unsigned depth)
{
	int rc = ow_buf_append_str(b, "{\"person\":");
	rc |= append_summary(b, c, row, C_ID, C_SLUG, C_NAME, "full_name");
	if (c->depth_from >= 0) {
		char d[32];
		int k = snprintf(d, sizeof d, ",\"depth\":%u", (unsigned)c->depth_from + depth);
		rc |= ow_buf_append(b, d, (size_t)k);
	}
	rc |= ow_buf_append_str(b, ",\"title\":");
	rc |= append_field_json(b, c, row, C_TITLE);
	rc |= ow_buf_append_str(b, ",\"team\":");
	rc |= append_summary(b, c, row, C_TEAM_ID, C_TEAM_SLUG, C_TEAM_NAME, "name");
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
			rc |= append_node(out, c, c->row_of[s.node], s.depth);
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

/* A person's rows, best first: by id, then the position at an organization where the manager
 * holds one, the earliest start (unknown first), the lowest position id (qsort_r comparator;
 * arg: the rows). ISO dates and ids in lower-case hex order as their text does. */
static int by_person_then_choice(const void *a, const void *b, void *arg)
{
	const PGresult *rows = arg;
	int x = *(const int *)a, y = *(const int *)b;
	int d = strcmp(PQgetvalue(rows, x, C_ID), PQgetvalue(rows, y, C_ID));
	if (d)
		return d;
	long px = PQgetisnull(rows, x, C_PREF) ? 0 : strtol(PQgetvalue(rows, x, C_PREF), NULL, 10);
	long py = PQgetisnull(rows, y, C_PREF) ? 0 : strtol(PQgetvalue(rows, y, C_PREF), NULL, 10);
	if (px != py)
		return px > py ? -1 : 1;
	int nx = PQgetisnull(rows, x, C_START), ny = PQgetisnull(rows, y, C_START);
	if (nx != ny)
		return nx ? -1 : 1;
	if (!nx && (d = strcmp(PQgetvalue(rows, x, C_START), PQgetvalue(rows, y, C_START))))
		return d;
	return strcmp(PQgetvalue(rows, x, C_POS), PQgetvalue(rows, y, C_POS));
}

/* row_of[0..n) keeps one row a person (the first of by_person_then_choice) when the rows
 * carry the choice's columns; the number kept. */
static int one_row_a_person(const PGresult *rows, int *row_of, int n)
{
	if (PQnfields(rows) <= C_POS || n < 2)
		return n;
	int shared = 0; /* C_PREF is set on every row of a person holding two positions */
	for (int k = 0; k < n && !shared; k++)
		shared = !PQgetisnull(rows, k, C_PREF);
	if (!shared)
		return n;
	qsort_r(row_of, (size_t)n, sizeof *row_of, by_person_then_choice, (void *)rows);
	int kept = 1;
	for (int k = 1; k < n; k++)
		if (strcmp(PQgetvalue(rows, row_of[k], C_ID),
			   PQgetvalue(rows, row_of[kept - 1], C_ID)) != 0)
			row_of[kept++] = row_of[k];
	return kept;
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
	n = one_row_a_person(c->rows, c->row_of, n);
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

int ow_reply_tree_rows(struct ow_req *r, PGresult *head, PGresult *rows, int max_depth,
		       int depth_from)
{
	struct chart *c = calloc(1, sizeof *c);
	if (!c) {
		PQclear(head);
		PQclear(rows);
		return ow_problem_reply(r, OW_P_INTERNAL, "Out of memory.", NULL, NULL);
	}
	c->head = head;
	c->rows = rows;
	c->depth_from = depth_from;
	if (build(c, max_depth) != 0) {
		chart_free(c);
		return ow_problem_reply(r, OW_P_INTERNAL, "Out of memory building the tree.", NULL,
					NULL);
	}
	return ow_reply_stream(r, 200, "application/json; charset=utf-8", next_part, c, chart_free,
			       NULL);
}

/* The head and the rows, from one snapshot (ow_db_tx). */
struct tree_tx {
	enum ow_stmt_id head_id, rows_id;
	const char *const *params;
	PGresult *head, *rows;
};

static int tree_fn(struct ow_db *db, void *cls, struct ow_db_error *err)
{
	struct tree_tx *t = cls;
	PQclear(t->head);
	PQclear(t->rows);
	t->head = t->rows = NULL;
	if (!(t->head = ow_db_exec(db, t->head_id, t->params, err)) ||
	    !(t->rows = ow_db_exec(db, t->rows_id, t->params, err)))
		return -1;
	return 0;
}

int ow_reply_tree_read(struct ow_req *r, enum ow_stmt_id head, enum ow_stmt_id rows,
		       const char *const *params, int max_depth, int depth_from)
{
	struct ow_db_error err;
	struct ow_db *db = ow_db_acquire(&err);
	if (!db)
		return ow_db_problem(r, &err);
	struct tree_tx t = {.head_id = head, .rows_id = rows, .params = params};
	if (ow_db_tx(db, OW_TX_SNAPSHOT, tree_fn, &t, &err) != 0) {
		PQclear(t.head);
		PQclear(t.rows);
		return ow_db_problem(r, &err);
	}
	return ow_reply_tree_rows(r, t.head, t.rows, max_depth, depth_from);
}
