/* chart_flows.c — where people went (see chart.h): a two-column flow diagram, the
 * organizations left on the left, their destinations on the right ("Unknown or none" for
 * departures without one, last), each flow a band as thick as its count, coloured by its
 * origin. Pure: the same data gives the same bytes.
 *
 * Markup: each origin is a <rect class="sN origin">, each destination a <rect class="box
 * destination"> (class "ghost destination" for "Unknown or none"), each flow a <path
 * class="sN band" fill-opacity="0.6"> holding its <title>. Origins past the seventh reuse the
 * colours in turn (their bands start at their own labelled block). When the blocks are too
 * thin for every label, the largest blocks are labelled first and a label that would touch
 * another is left out (the block's <title> still names it). */
#include "chart.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_PX 10.0

/* One block of a column: an organization left, or a destination. */
struct node {
	const char *id;	  /* the organization's id (or name); NULL: unknown */
	char name[256];	  /* cut to OW_CHART_NAME_MAX */
	long long total;  /* departures through the block */
	size_t first;	  /* the first flow naming it: ties keep the data's order */
	double slot, top; /* the room the block and its label take; the block's top */
	int labelled;
};

struct flow {
	size_t from, to; /* indices in their columns, in drawing order once sorted */
	long long n;
	double ya, yb; /* the band's top at its origin and at its destination */
};

struct column {
	struct node *v;
	size_t n;
};

struct flows {
	const struct ow_chart *c;
	double font, m, x0, x1, y0, y1, scale, lw, rw;
	struct column left, right;
	struct flow *f;
	size_t nf;
};

/* The node of ref in col (added when new): by id, else by name; NULL ref: the unknown one. */
static size_t node_of(struct column *col, json_t *ref, const char *unknown, size_t flow)
{
	const char *id = json_string_value(json_object_get(ref, "id"));
	const char *name = json_string_value(json_object_get(ref, "name"));
	id = id ? id : name;
	for (size_t i = 0; i < col->n; i++)
		if ((!id && !col->v[i].id) || (id && col->v[i].id && strcmp(id, col->v[i].id) == 0))
			return i;
	struct node *nd = &col->v[col->n];
	memset(nd, 0, sizeof *nd);
	nd->id = id;
	nd->first = flow;
	ow_chart_cut(name ? name : unknown, OW_CHART_NAME_MAX, nd->name, sizeof nd->name);
	return col->n++;
}

/* Orders a column by total, largest first (the unknown destination last, ties in the data's
 * order), and renumbers the flows' ends (side 0: origins, 1: destinations). */
static void order(struct flows *p, struct column *col, int side)
{
	size_t *rank = malloc(col->n * sizeof *rank);
	struct node *sorted = malloc(col->n * sizeof *sorted);
	if (!rank || !sorted)
		goto out;
	for (size_t i = 0; i < col->n; i++) {
		size_t r = 0;
		for (size_t j = 0; j < col->n; j++) {
			const struct node *a = &col->v[j], *z = &col->v[i];
			int a_last = side && !a->id, z_last = side && !z->id;
			r += a_last != z_last	    ? z_last
			     : a->total != z->total ? a->total > z->total
						    : a->first < z->first;
		}
		rank[i] = r;
		sorted[r] = col->v[i];
	}
	memcpy(col->v, sorted, col->n * sizeof *sorted);
	for (size_t k = 0; k < p->nf; k++) {
		size_t *end = side ? &p->f[k].to : &p->f[k].from;
		*end = rank[*end];
	}
out:
	free(rank);
	free(sorted);
}

static void flows_free(struct flows *p)
{
	free(p->left.v);
	free(p->right.v);
	free(p->f);
}

/* Reads data's flows into p: the two columns, in order. */
static int load(struct flows *p, json_t *data)
{
	json_t *list = json_object_get(data, "flows"), *fl;
	size_t n = json_array_size(list), i;
	p->left.v = calloc(n + 1, sizeof *p->left.v);
	p->right.v = calloc(n + 1, sizeof *p->right.v);
	p->f = calloc(n + 1, sizeof *p->f);
	if (!p->left.v || !p->right.v || !p->f)
		return -1;
	json_array_foreach(list, i, fl)
	{
		long long cnt = ow_chart_count(json_object_get(fl, "count"));
		if (cnt <= 0)
			continue;
		struct flow *f = &p->f[p->nf];
		f->from = node_of(&p->left, json_object_get(fl, "from"), "Unknown", p->nf);
		f->to = node_of(&p->right, json_object_get(fl, "to"), "Unknown or none", p->nf);
		f->n = cnt;
		p->left.v[f->from].total += cnt;
		p->right.v[f->to].total += cnt;
		p->nf++;
	}
	order(p, &p->left, 0);
	order(p, &p->right, 1);
	return 0;
}

/* --- Texts ------------------------------------------------------------------------------- */

static void texts(const struct flows *p, json_t *data, char *title, char *subtitle, char *desc,
		  size_t n)
{
	char org[256], total[32], others[32];
	const char *name = ow_chart_org_name(data, org, sizeof org);
	long long t = ow_chart_count(json_object_get(data, "total")),
		  o = ow_chart_count(json_object_get(data, "others"));
	ow_chart_digits(t, total, sizeof total);
	ow_chart_digits(o, others, sizeof others);
	char head[400];
	if (name) {
		snprintf(head, sizeof head, "Where people who left %s went", org);
		ow_chart_title_with(p->c, "Where people who left ", org, " went", title, n);
	} else {
		snprintf(head, sizeof head, "Where people went after leaving");
		snprintf(title, n, "%s", head);
	}
	if (p->nf == 0) {
		snprintf(subtitle, n, "No departures");
		snprintf(desc, n, "%s: no departures match these filters.", head);
		return;
	}
	const char *ds = t == 1 ? "" : "s", *os = o == 1 ? "" : "s";
	if (o)
		snprintf(subtitle, n,
			 "%s departure%s: the %zu largest flows, and %s departure%s in "
			 "smaller flows",
			 total, ds, p->nf, others, os);
	else
		snprintf(subtitle, n, "%s departure%s, %s", total, ds,
			 name ? "by destination" : "by organization left and destination");
	size_t known = 0;
	const struct node *best = NULL;
	for (size_t i = 0; i < p->right.n; i++)
		if (p->right.v[i].id) {
			known++;
			best = best && best->total >= p->right.v[i].total ? best : &p->right.v[i];
		}
	char most[300] = "", more[96] = "", bn[32];
	if (best) {
		ow_chart_digits(best->total, bn, sizeof bn);
		snprintf(most, sizeof most, "; most to %s (%s)", best->name, bn);
	}
	if (o)
		snprintf(more, sizeof more, "; and %s departure%s in smaller flows", others, os);
	if (known)
		snprintf(desc, n, "%s: %s departure%s to %zu destination%s%s%s.", head, total, ds,
			 known, known == 1 ? "" : "s", most, more);
	else
		snprintf(desc, n, "%s: %s departure%s to no known destination%s.", head, total, ds,
			 more);
}

/* --- Layout ------------------------------------------------------------------------------ */

/* The height col takes at scale with labels line_h apart (gaps of gap between blocks). */
static double column_h(const struct column *col, double scale, double line_h, double gap)
{
	double h = gap * (double)(col->n ? col->n - 1 : 0);
	for (size_t i = 0; i < col->n; i++) {
		double b = (double)col->v[i].total * scale;
		h += b > line_h ? b : line_h;
	}
	return h;
}

/* The scale (px per departure) that fits both columns, every label its own line when that
 * fits (found by bisection: the same steps every time); sets each block's slot. */
static void layout_y(struct flows *p)
{
	double h = p->y1 - p->y0, lh = p->font * 1.3, gap = 4;
	size_t most = p->left.n > p->right.n ? p->left.n : p->right.n;
	long long sum = 0;
	for (size_t i = 0; i < p->left.n; i++)
		sum += p->left.v[i].total;
	if (most > 1 && gap * (double)(most - 1) > h * 0.3)
		gap = h * 0.3 / (double)(most - 1);
	int labels = column_h(&p->left, 0, lh, gap) <= h && column_h(&p->right, 0, lh, gap) <= h;
	double line = labels ? lh : 0, lo = 0, hi = sum ? h / (double)sum : 0;
	for (int i = 0; i < 60; i++) {
		double mid = (lo + hi) / 2;
		if (column_h(&p->left, mid, line, gap) <= h &&
		    column_h(&p->right, mid, line, gap) <= h)
			lo = mid;
		else
			hi = mid;
	}
	p->scale = lo;
	struct column *cols[] = {&p->left, &p->right};
	for (int c = 0; c < 2; c++) {
		struct column *col = cols[c];
		double y = p->y0 + (h - column_h(col, lo, line, gap)) / 2;
		for (size_t i = 0; i < col->n; i++) {
			struct node *nd = &col->v[i];
			double b = (double)nd->total * lo;
			nd->slot = b > line ? b : line;
			nd->top = y + (nd->slot - b) / 2;
			y += nd->slot + gap;
		}
	}
}

/* Which blocks of col get a label: the largest first, none touching another. */
static void choose_labels(const struct flows *p, struct column *col)
{
	double lh = p->font * 1.3;
	for (size_t i = 0; i < col->n; i++) { /* the column is ordered largest first */
		struct node *nd = &col->v[i];
		double cy = nd->top + (double)nd->total * p->scale / 2;
		nd->labelled = cy - p->font * 0.65 >= p->y0 - p->font * 0.5 &&
			       cy + p->font * 0.65 <= p->y1 + p->font * 0.3;
		for (size_t j = 0; j < i && nd->labelled; j++) {
			const struct node *o = &col->v[j];
			double d = cy - (o->top + (double)o->total * p->scale / 2);
			nd->labelled = !o->labelled || (d < 0 ? -d : d) >= lh;
		}
	}
}

/* Where each band starts and ends: at its origin in its destinations' order, at its
 * destination in its origins' order. */
static void layout_bands(struct flows *p)
{
	for (size_t k = 0; k < p->nf; k++) {
		struct flow *f = &p->f[k];
		double a = 0, z = 0;
		for (size_t j = 0; j < p->nf; j++) {
			const struct flow *g = &p->f[j];
			if (g->from == f->from && (g->to < f->to || (g->to == f->to && j < k)))
				a += (double)g->n * p->scale;
			if (g->to == f->to && (g->from < f->from || (g->from == f->from && j < k)))
				z += (double)g->n * p->scale;
		}
		f->ya = p->left.v[f->from].top + a;
		f->yb = p->right.v[f->to].top + z;
	}
}

/* The width of a column's labels: its longest, at most cap. */
static double label_w(const struct flows *p, const struct column *col, double cap)
{
	double w = 0;
	for (size_t i = 0; i < col->n; i++) {
		char n[32];
		ow_chart_digits(col->v[i].total, n, sizeof n);
		double x = ow_svg_text_width(col->v[i].name, p->font, 0) +
			   ow_svg_text_width(n, p->font, 0) + p->font * 1.2;
		w = x > w ? x : w;
	}
	return w < cap ? w : cap;
}

/* --- Drawing ----------------------------------------------------------------------------- */

static const char *origin_class(size_t i)
{
	static const char *const cls[] = {"s0", "s1", "s2", "s3", "s4", "s5", "s6"};
	return cls[i % OW_SVG_SERIES];
}

/* "Meta (12)": the name cut to fit width, then the count. */
static int node_label(struct ow_buf *b, const struct flows *p, const struct node *nd, double x,
		      const char *anchor, double width)
{
	char n[32], text[300];
	ow_chart_digits(nd->total, n, sizeof n);
	double room = width - ow_svg_text_width(n, p->font, 0) - p->font * 1.2;
	size_t k = 0;
	if (ow_svg_text_width(nd->name, p->font, 0) > room) {
		k = ow_svg_chars(nd->name, 0);
		while (k > 1 && ow_svg_text_width(nd->name, p->font, k) > room)
			k--;
	}
	/* The cut name, escaped by ow_svg_text: cut here so the count follows it. */
	size_t chars = 0, i = 0;
	if (k)
		for (; nd->name[i]; i++)
			if (((unsigned char)nd->name[i] & 0xC0) != 0x80 && ++chars == k)
				break;
	snprintf(text, sizeof text, "%.*s%s (%s)", k ? (int)i : (int)strlen(nd->name), nd->name,
		 k ? "\xE2\x80\xA6" : "", n);
	double cy = nd->top + (double)nd->total * p->scale / 2;
	return ow_svg_text(b, x, cy + p->font * 0.35, "fg", anchor, text, 0);
}

/* A block with its tooltip ("Meta: 12 departures"). */
static int block(struct ow_buf *b, const struct flows *p, const struct node *nd, double x,
		 const char *cls)
{
	char n[32];
	double h = (double)nd->total * p->scale;
	ow_chart_digits(nd->total, n, sizeof n);
	int rc = ow_buf_fmt(b,
			    "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			    "height=\"%.1f\"><title>",
			    cls, x, nd->top, BLOCK_PX, h < 1 ? 1 : h);
	rc |= ow_svg_escape(b, nd->name, 0);
	rc |= ow_buf_fmt(b, ": %s departure%s</title></rect>\n", n, nd->total == 1 ? "" : "s");
	return rc ? -1 : 0;
}

static int band(struct ow_buf *b, const struct flows *p, const struct flow *f, double xa, double xb)
{
	double t = (double)f->n * p->scale, xm = (xa + xb) / 2;
	char n[32];
	ow_chart_digits(f->n, n, sizeof n);
	int rc = ow_buf_fmt(b,
			    "<path class=\"%s band\" fill-opacity=\"0.6\" d=\"M%.1f %.1fC%.1f "
			    "%.1f %.1f %.1f %.1f %.1fL%.1f %.1fC%.1f %.1f %.1f %.1f %.1f "
			    "%.1fZ\"><title>",
			    origin_class(f->from), xa, f->ya, xm, f->ya, xm, f->yb, xb, f->yb, xb,
			    f->yb + t, xm, f->yb + t, xm, f->ya + t, xa, f->ya + t);
	rc |= ow_svg_escape(b, p->left.v[f->from].name, 0);
	rc |= ow_buf_append_str(b, " \xE2\x86\x92 "); /* → */
	rc |= ow_svg_escape(b, p->right.v[f->to].name, 0);
	rc |= ow_buf_fmt(b, ": %s</title></path>\n", n);
	return rc ? -1 : 0;
}

/* The diagram between y0 and y1. */
static int draw(struct ow_buf *b, struct flows *p)
{
	/* Labels take at most 70% of the width: the origins up to half of that, the destinations
	 * what the origins leave (a narrow chart keeps "Unknown or none (2)" whole). */
	double span = p->x1 - p->x0;
	p->lw = label_w(p, &p->left, span * 0.35);
	p->rw = label_w(p, &p->right, span * 0.70 - p->lw);
	double xa = p->x0 + p->lw + 6, xb = p->x1 - p->rw - 6 - BLOCK_PX;
	layout_y(p);
	choose_labels(p, &p->left);
	choose_labels(p, &p->right);
	layout_bands(p);
	for (size_t k = 0; k < p->nf; k++)
		if (band(b, p, &p->f[k], xa + BLOCK_PX, xb) != 0)
			return -1;
	for (size_t i = 0; i < p->left.n; i++) {
		char cls[32];
		snprintf(cls, sizeof cls, "%s origin", origin_class(i));
		if (block(b, p, &p->left.v[i], xa, cls) != 0 ||
		    (p->left.v[i].labelled &&
		     node_label(b, p, &p->left.v[i], xa - 6, "end", p->lw) != 0))
			return -1;
	}
	for (size_t i = 0; i < p->right.n; i++) {
		const char *cls = p->right.v[i].id ? "box destination" : "ghost destination";
		if (block(b, p, &p->right.v[i], xb, cls) != 0 ||
		    (p->right.v[i].labelled &&
		     node_label(b, p, &p->right.v[i], xb + BLOCK_PX + 6, "start", p->rw) != 0))
			return -1;
	}
	return 0;
}

/* The height the diagram needs for a label on every block (four lines at least). */
static double needed_h(const struct flows *p)
{
	double lh = p->font * 1.3, need = 4 * lh;
	const struct column *cols[] = {&p->left, &p->right};
	for (int i = 0; i < 2; i++) {
		double h = column_h(cols[i], 0, lh, 4);
		need = h > need ? h : need;
	}
	return need;
}

int ow_chart_flows_svg(struct ow_buf *b, const struct ow_chart *c, json_t *data)
{
	struct ow_chart cc = *c;
	struct flows p = {.c = &cc, .font = ow_svg_font(&c->frame), .m = ow_chart_margin(c)};
	char title[512], subtitle[512], desc[1024];
	int rc = -1;
	if (load(&p, data) != 0)
		goto out;
	texts(&p, data, title, subtitle, desc, sizeof title);
	double y = ow_chart_head_y(&cc, title, subtitle), foot = ow_chart_foot_height(&cc, data);
	if (y < 0)
		goto out;
	/* A chart whose height was not asked grows until every block has its label. */
	double full = y + p.font * 0.5 + needed_h(&p) + p.font * 0.5 + foot;
	if (!cc.height_given && cc.frame.height < full)
		cc.frame.height = full < 4000 ? (int)(full + 0.999) : 4000;
	if (ow_svg_begin(b, &cc.frame, cc.title ? cc.title : title, desc) != 0 ||
	    ow_chart_head(b, &cc, title, subtitle) < 0)
		goto out;
	p.x0 = p.m;
	p.x1 = cc.frame.width - p.m;
	p.y0 = y + p.font * 0.5;
	p.y1 = cc.frame.height - foot - p.font * 0.5;
	if (p.y1 < p.y0 + p.font * 2)
		p.y1 = p.y0 + p.font * 2;
	if (p.nf == 0 && ow_svg_text(b, cc.frame.width / 2.0, (p.y0 + p.y1) / 2, "muted", "middle",
				     "No departures match these filters.", 0) != 0)
		goto out;
	if (p.nf && draw(b, &p) != 0)
		goto out;
	rc = ow_chart_foot(b, &cc, data, NULL) || ow_svg_end(b) ? -1 : 0;
out:
	flows_free(&p);
	return rc;
}
