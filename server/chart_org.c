/* chart_org.c — an org chart as SVG (see chart.h): the reporting tree of a day laid out by
 * tidy.c, each box a person's name and title; people who left since a date drawn as dashed
 * ghosts under their last manager, labelled with where they went; people with no reporting
 * line on record drawn apart; levels past a depth collapsed into "+N" boxes. Pure. */
#include "chart.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tidy.h"

#define NAME_CHARS 34
#define LINE_CHARS 40
#define BOX_MIN 96.0
#define BOX_MAX 260.0
#define GAP 14.0
#define VGAP 30.0

/* One box of the picture: a person (index into people), or "+N" below a collapsed one. */
struct box {
	long person; /* -1: a "+N" box */
	long hidden; /* "+N": how many */
	int parent;  /* index into boxes, -1 for a root */
	double w;
};

struct org {
	const struct ow_org_person *p;
	size_t n;
	long *parent;	    /* people's parent (index into people) or -1 */
	long *first, *next; /* children lists, in display order */
	long *below;	    /* people below each person (all levels) */
	struct box *boxes;  /* the tree's boxes in preorder, then those drawn apart */
	size_t nboxes, ntree;
	size_t napart_staff; /* the first of the boxes apart: staff, then ghosts */
	struct ow_tidy_node *tidy;
};

/* ---- people by id ------------------------------------------------------------------ */

/* A hash of an id, 8 bytes at a time (ids are 36-character UUIDs: FNV's byte at a time and
 * a strcmp at every probe were a third of a 100,000-person chart's time in C). */
static uint64_t hash_id(const char *s)
{
	size_t n = strlen(s);
	uint64_t h = 0x9E3779B97F4A7C15ULL ^ n, w;
	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, s, n);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 29);
}

/* people's parent indexes from their manager ids (an open-addressing table of ids, each
 * slot with its id's hash); the first row of an id stands for it. */
static int link_parents(struct org *o)
{
	size_t cap = 16;
	while (cap < o->n * 2)
		cap *= 2;
	long *slot = malloc(cap * sizeof *slot);
	uint64_t *hash = malloc((o->n + 1) * sizeof *hash);
	if (!slot || !hash) {
		free(slot), free(hash);
		return -1;
	}
	for (size_t i = 0; i < cap; i++)
		slot[i] = -1;
	for (size_t i = 0; i < o->n; i++) {
		uint64_t hv = hash[i] = hash_id(o->p[i].id);
		size_t h = hv & (cap - 1);
		while (slot[h] >= 0 &&
		       (hash[slot[h]] != hv || strcmp(o->p[slot[h]].id, o->p[i].id) != 0))
			h = (h + 1) & (cap - 1);
		if (slot[h] < 0)
			slot[h] = (long)i; /* the first row of an id wins */
	}
	for (size_t i = 0; i < o->n; i++) {
		o->parent[i] = -1;
		const char *m = o->p[i].manager_id;
		if (!m || !*m)
			continue;
		uint64_t hv = hash_id(m);
		size_t h = hv & (cap - 1);
		while (slot[h] >= 0 && (hash[slot[h]] != hv || strcmp(o->p[slot[h]].id, m) != 0))
			h = (h + 1) & (cap - 1);
		if (slot[h] >= 0 && slot[h] != (long)i)
			o->parent[i] = slot[h];
	}
	free(slot), free(hash);
	return 0;
}

/* Display order of siblings (indexes into ctx's people): staff before ghosts, then by sort
 * key, then id. */
static int cmp_people(const void *x, const void *y, void *ctx)
{
	const struct ow_org_person *p = ctx, *a = &p[*(const long *)x], *b = &p[*(const long *)y];
	if (a->ghost != b->ghost)
		return a->ghost - b->ghost;
	int c = strcmp(a->sort_key ? a->sort_key : "", b->sort_key ? b->sort_key : "");
	return c ? c : strcmp(a->id, b->id);
}

/* Children lists in display order; a cycle (which the database forbids) is cut where it is
 * found, its first member becoming a root (ow_chart_cut_cycles). */
static int build_children(struct org *o)
{
	long *order = malloc((o->n ? o->n : 1) * sizeof *order);
	if (!order || ow_chart_cut_cycles(o->parent, o->n) != 0) {
		free(order);
		return -1;
	}
	for (size_t i = 0; i < o->n; i++)
		order[i] = (long)i;
	qsort_r(order, o->n, sizeof *order, cmp_people, (void *)o->p);
	for (size_t i = 0; i < o->n; i++)
		o->first[i] = o->next[i] = -1;
	for (size_t k = o->n; k-- > 0;) { /* prepend in reverse display order */
		long i = order[k];
		long par = o->parent[i];
		if (par >= 0) {
			o->next[i] = o->first[par];
			o->first[par] = i;
		}
	}
	free(order);
	return 0;
}

/* ---- the boxes: the tree in preorder (collapsed past max_depth), then those apart -------- */

/* The widest prefix of s (at most max characters) that fits in width px at font px. */
static size_t fit_chars(const char *s, double font, double width, size_t max)
{
	size_t k = ow_svg_chars(s, max);
	while (k > 4 && ow_svg_text_width(s, font, k) > width)
		k--;
	return k;
}

/* The second line of a person's box: the title, or for a ghost when and where they went. */
static void second_line(const struct ow_org_person *p, char *out, size_t n)
{
	if (p->ghost)
		snprintf(out, n, "left %s%s%s", p->left_on ? p->left_on : "",
			 p->destination ? " → " : "", p->destination ? p->destination : "");
	else
		snprintf(out, n, "%s", p->title ? p->title : "");
}

static double box_width(const struct org *o, const struct box *b, double font)
{
	char line[600], plus[48];
	double w;
	if (b->person < 0) {
		snprintf(plus, sizeof plus, "+%ld more", b->hidden);
		w = ow_svg_text_width(plus, 12, 0);
	} else {
		const struct ow_org_person *p = &o->p[b->person];
		second_line(p, line, sizeof line);
		double a = ow_svg_text_width(p->name, font * 1.1, NAME_CHARS);
		double c = ow_svg_text_width(line, 12.6, LINE_CHARS);
		w = a > c ? a : c;
	}
	w += 22;
	return w < BOX_MIN ? BOX_MIN : w > BOX_MAX ? BOX_MAX : w;
}

static int add_box(struct org *o, long person, long hidden, int parent, double font)
{
	struct box *b = &o->boxes[o->nboxes];
	*b = (struct box){person, hidden, parent, 0};
	b->w = box_width(o, b, font);
	return (int)o->nboxes++;
}

/* The tree's boxes in preorder from the roots that have someone below them; past max_depth
 * (>= 0) a "+N" box stands for everyone below. */
static int build_tree(struct org *o, int max_depth, double font)
{
	long *stack = malloc((o->n + 1) * sizeof *stack),
	     *roots = malloc((o->n + 1) * sizeof *roots);
	int *pbox = malloc((o->n + 1) * sizeof *pbox), *depth = malloc((o->n + 1) * sizeof *depth);
	if (!stack || !pbox || !depth || !roots) {
		free(stack), free(pbox), free(depth), free(roots);
		return -1;
	}
	size_t top = 0, nroots = 0;
	for (size_t i = 0; i < o->n; i++)
		if (o->parent[i] < 0 && (o->first[i] >= 0 || o->p[i].hidden > 0))
			roots[nroots++] = (long)i;
	qsort_r(roots, nroots, sizeof *roots, cmp_people, (void *)o->p);
	for (size_t k = nroots; k-- > 0;)
		stack[top] = roots[k], pbox[top] = -1, depth[top++] = 0;
	while (top) {
		top--;
		long i = stack[top];
		int d = depth[top], me = add_box(o, i, 0, pbox[top], font);
		if (o->first[i] < 0 && o->p[i].hidden <= 0)
			continue;
		if (o->first[i] < 0 || (max_depth >= 0 && d >= max_depth)) {
			/* "+N" for the staff below; who left from under it is still drawn */
			if (o->below[i] > 0)
				(void)add_box(o, -1, o->below[i], me, font);
			for (long c = o->first[i]; c >= 0; c = o->next[c])
				if (o->p[c].ghost)
					(void)add_box(o, c, 0, me, font);
			continue;
		}
		/* push the children in reverse display order (first on top) */
		size_t base = top;
		for (long c = o->first[i]; c >= 0; c = o->next[c])
			stack[top] = c, pbox[top] = me, depth[top++] = d + 1;
		for (size_t a = base, z = top - 1; a < z; a++, z--) {
			long t = stack[a];
			stack[a] = stack[z];
			stack[z] = t;
		}
	}
	free(stack), free(pbox), free(depth), free(roots);
	o->ntree = o->nboxes;
	return 0;
}

/* People below each person, summed from the leaves up (children come after parents in no
 * particular index order: a walk of the children lists, iterative). */
static int count_below(struct org *o)
{
	long *order = malloc((o->n + 1) * sizeof *order),
	     *stack = malloc((o->n + 1) * sizeof *stack);
	if (!order || !stack) {
		free(order), free(stack);
		return -1;
	}
	size_t norder = 0, top = 0;
	for (size_t i = 0; i < o->n; i++) {
		o->below[i] = o->p[i].hidden; /* people below not among the rows
						 (ow_chart_org_collapse) */
		if (o->parent[i] < 0)
			stack[top++] = (long)i;
	}
	while (top) {
		long i = stack[--top];
		order[norder++] = i;
		for (long c = o->first[i]; c >= 0; c = o->next[c])
			stack[top++] = c;
	}
	for (size_t k = norder; k-- > 0;) {
		long i = order[k];
		if (o->parent[i] >= 0) /* people who left are no one below: drawn, or not */
			o->below[o->parent[i]] += !o->p[i].ghost + o->below[i];
	}
	free(order), free(stack);
	return 0;
}

/* ---- drawing ------------------------------------------------------------------------ */

struct geometry {
	double font, box_h, level_h, m, top, tree_w, tree_h, grid_y, grid_h, width;
	int levels;
	/* The tree is wider than the picture asked for: drawn as an indented list instead, each
	 * box on a row of its own (row_h apart), indented by its depth (tidy[i].x is then the
	 * box's left edge from the margin and boxes[i].w its width). */
	int indented;
	double row_h;
};

static int draw_box(struct ow_buf *b, const struct org *o, const struct box *bx, double x, double y,
		    const struct geometry *g)
{
	int rc = ow_buf_fmt(b,
			    "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			    "height=\"%.1f\" rx=\"4\"/>\n",
			    bx->person >= 0 && o->p[bx->person].ghost ? "ghost" : "box", x, y,
			    bx->w, g->box_h);
	if (bx->person < 0) {
		char plus[48];
		snprintf(plus, sizeof plus, "+%ld more", bx->hidden);
		return rc | ow_svg_text(b, x + bx->w / 2, y + g->box_h / 2 + 4, "muted", "middle",
					plus, 0);
	}
	const struct ow_org_person *p = &o->p[bx->person];
	char line[600];
	second_line(p, line, sizeof line);
	double room = bx->w - 16;
	rc |= ow_svg_text(b, x + 8, y + 6 + g->font, p->ghost ? "muted strong" : "fg strong",
			  "start", p->name, fit_chars(p->name, g->font * 1.1, room, NAME_CHARS));
	if (line[0])
		rc |= ow_svg_text(b, x + 8, y + 10 + g->font + 12, "muted", "start", line,
				  fit_chars(line, 12.6, room, LINE_CHARS));
	return rc ? -1 : 0;
}

/* The indented list: a line from under each parent's left edge down to its child's middle,
 * then across to it. */
static int draw_list(struct ow_buf *b, const struct org *o, const struct geometry *g)
{
	int rc = 0;
	for (size_t i = 0; i < o->ntree && rc == 0; i++) {
		int p = o->boxes[i].parent;
		if (p < 0)
			continue;
		double px = g->m + o->tidy[p].x + 10, py = g->top + p * g->row_h + g->box_h;
		double cx = g->m + o->tidy[i].x, cy = g->top + (double)i * g->row_h + g->box_h / 2;
		rc = ow_buf_fmt(b, "<path class=\"link\" d=\"M%.1f %.1fV%.1fH%.1f\"/>\n", px, py,
				cy, cx);
	}
	for (size_t i = 0; i < o->ntree && rc == 0; i++)
		rc = draw_box(b, o, &o->boxes[i], g->m + o->tidy[i].x,
			      g->top + (double)i * g->row_h, g);
	return rc;
}

static int draw_tree(struct ow_buf *b, const struct org *o, const struct geometry *g)
{
	if (g->indented)
		return draw_list(b, o, g);
	double x0 = g->m + (g->width - 2 * g->m - g->tree_w) / 2;
	int rc = 0;
	for (size_t i = 0; i < o->ntree && rc == 0; i++) {
		const struct ow_tidy_node *t = &o->tidy[i];
		if (t->parent < 0)
			continue;
		const struct ow_tidy_node *pt = &o->tidy[t->parent];
		double px = x0 + pt->x, py = g->top + pt->depth * g->level_h + g->box_h;
		double cx = x0 + t->x, cy = g->top + t->depth * g->level_h;
		rc = ow_buf_fmt(b, "<path class=\"link\" d=\"M%.1f %.1fV%.1fH%.1fV%.1f\"/>\n", px,
				py, py + (cy - py) / 2, cx, cy);
	}
	for (size_t i = 0; i < o->ntree && rc == 0; i++)
		rc = draw_box(b, o, &o->boxes[i], x0 + o->tidy[i].x - o->boxes[i].w / 2,
			      g->top + o->tidy[i].depth * g->level_h, g);
	return rc;
}

/* One group of the boxes drawn apart [from, to), in rows under its heading from y; returns
 * the y under it (writes nothing when b is NULL). */
static double grid_group(struct ow_buf *b, const struct org *o, const struct geometry *g,
			 size_t from, size_t to, const char *heading, double y, int *rc)
{
	if (from == to)
		return y;
	double x = g->m, right = g->width - g->m;
	if (b)
		*rc |= ow_svg_text(b, g->m, y + g->font, "fg strong", "start", heading, 0);
	y += g->font + 10;
	for (size_t i = from; i < to; i++) {
		if (x > g->m && x + o->boxes[i].w > right)
			x = g->m, y += g->box_h + GAP;
		if (b)
			*rc |= draw_box(b, o, &o->boxes[i], x, y, g);
		x += o->boxes[i].w + GAP;
	}
	return y + g->box_h + 18;
}

/* The boxes drawn apart: the people on staff with no reporting line on record, then those who
 * left whose last manager is not on the chart, each group under its heading. Returns the
 * height (lays out only when b is NULL). */
static double grid(struct ow_buf *b, const struct org *o, const struct geometry *g, int *rc)
{
	if (o->nboxes == o->ntree)
		return 0;
	double y = grid_group(b, o, g, o->ntree, o->ntree + o->napart_staff,
			      "No reporting line on record", g->grid_y, rc);
	const char *left = "Left since then; their last manager is not on this chart";
	if (ow_svg_text_width(left, g->font * 1.05, 0) > g->width - 2 * g->m)
		left = "Left since; last manager not drawn"; /* a narrow chart */
	y = grid_group(b, o, g, o->ntree + o->napart_staff, o->nboxes, left, y, rc);
	return y - 18 - g->grid_y;
}

/* "Meta org chart, 1 March 2024" and the like; the description from the counts. */
static void texts(const struct org *o, json_t *extras, char *title, char *sub, char *desc, size_t n)
{
	const char *org =
		json_string_value(json_object_get(json_object_get(extras, "org"), "name"));
	const char *day = json_string_value(json_object_get(extras, "as_of"));
	const char *since = json_string_value(json_object_get(extras, "departed_since"));
	long staff = 0, ghosts = 0, apart = 0;
	for (size_t i = 0; i < o->n; i++)
		staff += o->p[i].ghost ? 0 : 1 + o->p[i].hidden; /* and those it stands for */
	for (size_t i = 0; i < o->nboxes; i++) /* ghosts drawn: not those under a "+N" */
		if (o->boxes[i].person >= 0)
			o->p[o->boxes[i].person].ghost ? ghosts++ : (apart += i >= o->ntree);
	int levels = 0;
	for (size_t i = 0; i < o->ntree; i++)
		levels = o->tidy[i].depth + 1 > levels ? o->tidy[i].depth + 1 : levels;
	snprintf(title, n, "%s org chart, %s", org ? org : "Organization", day ? day : "");
	int k = snprintf(sub, n, "%ld %s on %s", staff, staff == 1 ? "person" : "people",
			 day ? day : "");
	if (ghosts && k > 0 && (size_t)k < n)
		k += snprintf(sub + k, n - (size_t)k, "; %ld who left since %s drawn dashed",
			      ghosts, since ? since : "");
	if (apart && k > 0 && (size_t)k < n)
		snprintf(sub + k, n - (size_t)k,
			 "; %ld with no reporting line on record shown apart", apart);
	const char *head = NULL, *head_title = NULL;
	for (size_t i = 0; i < o->ntree && !head; i++)
		if (o->tidy[i].parent < 0 && o->boxes[i].person >= 0) {
			head = o->p[o->boxes[i].person].name;
			head_title = o->p[o->boxes[i].person].title;
		}
	snprintf(desc, n, "Org chart of %s on %s: %ld %s in %d %s%s%s%s%s%s.",
		 org ? org : "the organization", day ? day : "", staff,
		 staff == 1 ? "person" : "people", levels, levels == 1 ? "level" : "levels",
		 head ? "; at the top: " : "", head ? head : "", head && head_title ? " (" : "",
		 head && head_title ? head_title : "", head && head_title ? ")" : "");
}

static void org_free(struct org *o)
{
	free(o->parent), free(o->first), free(o->next), free(o->below), free(o->boxes),
		free(o->tidy);
}

/* The tree as an indented list at the width asked for (see struct geometry): the boxes in
 * preorder, one a row, each indented by its depth (at most 18 px a level, less when deep so
 * that the deepest box keeps 1.5 times the narrowest box's width) and as wide as the row
 * leaves. */
static void indent(struct org *o, const struct ow_chart *c, struct geometry *g)
{
	double avail = c->frame.width - 2 * g->m;
	int deepest = 0;
	for (size_t i = 0; i < o->ntree; i++) {
		int p = o->boxes[i].parent; /* preorder: a parent comes before its children */
		o->tidy[i].depth = p < 0 ? 0 : o->tidy[p].depth + 1;
		deepest = o->tidy[i].depth > deepest ? o->tidy[i].depth : deepest;
	}
	double step = deepest ? (avail - 1.5 * BOX_MIN) / deepest : 0;
	step = step > 18 ? 18 : step < 4 ? 4 : step;
	for (size_t i = 0; i < o->ntree; i++) {
		o->tidy[i].x = o->tidy[i].depth * step;
		o->boxes[i].w = avail - o->tidy[i].x;
	}
	g->indented = 1;
	g->row_h = g->box_h + 8;
	g->tree_w = avail;
	g->tree_h = (double)o->ntree * g->row_h - 8;
	g->width = c->frame.width;
}

/* Lays out the boxes: the tree by tidy.c, the geometry of the picture. */
static int layout(struct org *o, const struct ow_chart *c, struct geometry *g)
{
	/* The rest apart: roots with nobody below, in display order (not the rows' order, which
	 * follows ids: two loads of the same data must draw the same picture). */
	long *apart = malloc((o->n + 1) * sizeof *apart);
	size_t napart = 0;
	if (!apart)
		return -1;
	for (size_t i = 0; i < o->n; i++)
		if (o->parent[i] < 0 && o->first[i] < 0 && o->p[i].hidden <= 0)
			apart[napart++] = (long)i;
	qsort_r(apart, napart, sizeof *apart, cmp_people, (void *)o->p); /* staff first */
	for (size_t k = 0; k < napart; k++) {
		(void)add_box(o, apart[k], 0, -1, g->font);
		o->napart_staff += !o->p[apart[k]].ghost;
	}
	free(apart);
	for (size_t i = 0; i < o->ntree; i++)
		o->tidy[i] = (struct ow_tidy_node){o->boxes[i].parent, o->boxes[i].w, 0, 0};
	g->tree_w = ow_tidy_layout(o->tidy, o->ntree, GAP);
	if (g->tree_w < 0)
		return -1;
	g->levels = 0;
	for (size_t i = 0; i < o->ntree; i++)
		g->levels = o->tidy[i].depth + 1 > g->levels ? o->tidy[i].depth + 1 : g->levels;
	g->box_h = g->font + 30;
	g->level_h = g->box_h + VGAP;
	g->tree_h = g->levels ? g->levels * g->level_h - VGAP : 0;
	double need = g->tree_w + 2 * g->m;
	g->width = need > c->frame.width ? need : c->frame.width;
	if (need > c->frame.width && o->ntree > 0 && !c->height_given)
		indent(o, c, g);
	return 0;
}

int ow_chart_org_svg(struct ow_buf *b, const struct ow_chart *c, const struct ow_org_person *people,
		     size_t n, int max_depth, json_t *extras)
{
	struct org o = {.p = people, .n = n};
	size_t cap = n + 1;
	o.parent = malloc(cap * sizeof *o.parent), o.first = malloc(cap * sizeof *o.first);
	o.next = malloc(cap * sizeof *o.next), o.below = malloc(cap * sizeof *o.below);
	o.boxes = malloc(2 * cap * sizeof *o.boxes), o.tidy = malloc(2 * cap * sizeof *o.tidy);
	struct geometry g = {.font = ow_svg_font(&c->frame), .m = ow_chart_margin(c)};
	int rc = -1;
	if (!o.parent || !o.first || !o.next || !o.below || !o.boxes || !o.tidy ||
	    link_parents(&o) != 0 || build_children(&o) != 0 || count_below(&o) != 0 ||
	    build_tree(&o, max_depth, g.font) != 0 || layout(&o, c, &g) != 0)
		goto done;
	static __thread char title[8192], sub[8192], desc[8192];
	texts(&o, extras, title, sub, desc, sizeof title);
	/* The picture's own size: the head (measured by writing it aside), the tree, the boxes
	 * apart, the foot. */
	struct ow_chart cc = *c;
	cc.frame.width = (int)(g.width + 0.5);
	struct ow_buf head;
	ow_buf_init(&head, (size_t)1 << 20);
	double y = ow_chart_head(&head, &cc, title, sub);
	g.top = y + 6;
	g.grid_y = g.top + g.tree_h + (g.tree_h > 0 ? 24 : 0);
	int grid_rc = 0;
	double grid_h = grid(NULL, &o, &g, &grid_rc);
	double bottom = (grid_h > 0 ? g.grid_y + grid_h : g.top + g.tree_h) + 16;
	if (o.nboxes == 0)
		bottom = g.top + g.font * 2 + 16;
	cc.frame.height = (int)(bottom + ow_chart_foot_height(&cc, extras) + 0.5);
	struct ow_svg_frame outer = cc.frame;
	if (c->height_given) { /* the asked box, the drawing scaled into it */
		outer.width = c->frame.width, outer.height = c->frame.height;
		outer.view_width = cc.frame.width, outer.view_height = cc.frame.height;
	}
	rc = y < 0 || ow_svg_begin(b, &outer, title, desc) != 0 ||
	     ow_buf_append(b, head.data, head.len) != 0;
	ow_buf_free(&head);
	if (rc == 0 && o.nboxes == 0)
		rc = ow_svg_text(b, g.m, g.top + g.font, "muted", "start",
				 "Nobody held a position at this organization on this day.", 0);
	if (rc == 0)
		rc = draw_tree(b, &o, &g);
	if (rc == 0)
		(void)grid(b, &o, &g, &rc);
	if (rc == 0)
		rc = ow_chart_foot(b, &cc, extras, NULL) | ow_svg_end(b);
	rc = rc ? -1 : 0;
done:
	org_free(&o);
	return rc;
}
