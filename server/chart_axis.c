/* chart_axis.c — the axes of the bar charts per month (see chart_axis.h): where each group
 * goes along X, the ticks of the value axis, the X labels thinned until none touches, and
 * the drawing of both axes. Pure.
 *
 * X labels: month abbreviations every 1, 2, 3 or 6 months with the years under them, or only
 * the years (every 1, 2, 5, 10... years), the first step whose labels do not touch; the years
 * of the groups apart under them, every k-th when crowded. */
#include "chart_axis.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BAR_PX 64.0

/* --- Layout ------------------------------------------------------------------------------ */

/* The step of the value axis: 1, 2 or 5 times a power of ten, with at most max_ticks
 * intervals up to max (never fractional people). */
static void ticks(struct ow_bars *p, long long max, int max_ticks)
{
	if (max <= 0)
		max = 5;
	for (long long mag = 1; mag <= 1000000000000000LL; mag *= 10) {
		static const int k[] = {1, 2, 5};
		for (int i = 0; i < 3; i++) {
			long long step = k[i] * mag, n = (max + step - 1) / step;
			if (n <= max_ticks) {
				p->step = step;
				p->top = n * step;
				return;
			}
		}
	}
	p->step = p->top = max;
}

static long long max_value(const struct ow_bars *p)
{
	long long max = 0;
	for (size_t i = 0; i < p->n; i++)
		max = p->s[i].value > max ? p->s[i].value : max;
	return max;
}

/* The intervals of the value axis that fit the plot's height. */
static int max_ticks(const struct ow_bars *p)
{
	int n = (int)((p->y1 - p->y0) / (p->font * 2));
	return n < 1 ? 1 : n > 5 ? 5 : n;
}

/* Places the slots between x0 and x1: the months side by side, then (past a gap with the
 * divider) the groups apart, each at least as wide as a year label when room allows. */
static void layout_x(struct ow_bars *p)
{
	double plot = p->x1 - p->x0, ms = 0, as = 0;
	size_t nm = p->nmonths, na = p->n - nm;
	double gap = nm && na ? p->font : 0, year_w = ow_svg_text_width("2024", p->font, 0) + 8;
	if (nm == 0 && na) {
		as = plot / (double)na;
	} else if (nm) {
		ms = as = (plot - gap) / (double)(nm + na);
		if (na && as < year_w) {
			as = year_w * (double)na > 0.4 * (plot - gap)
				     ? 0.4 * (plot - gap) / (double)na
				     : year_w;
			as = as < ms ? ms : as;
			ms = (plot - gap - (double)na * as) / (double)nm;
		}
	}
	p->divider = na && nm ? p->x0 + (double)nm * ms + gap / 2 : 0;
	for (size_t i = 0; i < p->n; i++) {
		struct ow_bar_slot *s = &p->s[i];
		s->sw = s->apart ? as : ms;
		s->cx = s->apart ? p->x1 - (double)(p->n - i) * as + as / 2
				 : p->x0 + (double)i * ms + ms / 2;
		s->bw = s->sw * 0.8 < MAX_BAR_PX ? s->sw * 0.8 : MAX_BAR_PX;
	}
}

/* A label centred on cx, kept inside the frame. */
static struct ow_xlab xlab_at(const struct ow_bars *p, double cx, const char *text)
{
	struct ow_xlab l;
	memset(&l, 0, sizeof l);
	snprintf(l.text, sizeof l.text, "%s", text);
	l.w = ow_svg_text_width(l.text, p->font, 0);
	double lo = l.w / 2 + 2, hi = p->c->frame.width - 2 - l.w / 2;
	l.cx = cx < lo ? lo : cx > hi ? hi : cx;
	return l;
}

static int touch(const struct ow_xlab *a, const struct ow_xlab *b2)
{
	double d = a->cx - b2->cx;
	return (d < 0 ? -d : d) < (a->w + b2->w) / 2 + 4;
}

static int month_of(const char *key)
{
	return strlen(key) == 7 && key[4] == '-' ? atoi(key + 5) : 0;
}

/* Adds the month labels every step months, January as its year ("2024"), the first month
 * with its year ("Nov 2022") when with_year and it is not January, when none touches the
 * next; returns 1 when added. */
static int month_labels(struct ow_bars *p, int step, int with_year)
{
	size_t start = p->nl;
	for (size_t i = 0; i < p->nmonths; i++) {
		int mo = month_of(p->s[i].key);
		if (mo < 1 || mo > 12 || (mo - 1) % step)
			continue;
		char t[24];
		if (mo == 1)
			snprintf(t, sizeof t, "%.4s", p->s[i].key);
		else if (with_year && p->nl == start)
			snprintf(t, sizeof t, "%s %.4s", ow_chart_month_abbr(mo), p->s[i].key);
		else
			snprintf(t, sizeof t, "%s", ow_chart_month_abbr(mo));
		p->l[p->nl] = xlab_at(p, p->s[i].cx, t);
		if (p->nl > start && touch(&p->l[p->nl - 1], &p->l[p->nl])) {
			p->nl = start;
			return 0;
		}
		p->nl++;
	}
	return 1;
}

/* Adds the year labels at January of every year divisible by ystep, and at the first month
 * unless it would touch the next, when none touches; 1 when added. */
static int year_labels(struct ow_bars *p, int ystep)
{
	size_t start = p->nl;
	for (size_t i = 0; i < p->nmonths; i++) {
		int year = atoi(p->s[i].key);
		if ((i > 0 && month_of(p->s[i].key) != 1) || year % ystep)
			continue;
		char t[8];
		snprintf(t, sizeof t, "%.4s", p->s[i].key);
		p->l[p->nl] = xlab_at(p, p->s[i].cx, t);
		if (p->nl > start && touch(&p->l[p->nl - 1], &p->l[p->nl])) {
			if (p->nl - 1 == start && month_of(p->s[0].key) != 1) {
				p->l[start] = p->l[p->nl]; /* drop the first month's year */
				continue;
			}
			p->nl = start;
			return 0;
		}
		p->nl++;
	}
	return 1;
}

/* The labels of the groups apart: their years (every k-th when crowded). */
static void apart_labels(struct ow_bars *p)
{
	size_t first = p->nmonths, na = p->n - first;
	for (size_t k = 1; k <= na; k++) {
		size_t start = p->nl, ok = 1;
		for (size_t i = first; i < p->n && ok; i += k) {
			char t[8];
			snprintf(t, sizeof t, "%.4s", p->s[i].key);
			p->l[p->nl] = xlab_at(p, p->s[i].cx, t);
			ok = p->nl == start || !touch(&p->l[p->nl - 1], &p->l[p->nl]);
			p->nl++;
		}
		if (ok)
			break;
		p->nl = start;
	}
}

/* Chooses the X labels (see the top of the file). */
static void layout_labels(struct ow_bars *p)
{
	static const int steps[] = {1, 2, 3, 6}, ysteps[] = {1, 2, 5, 10, 20, 50, 100, 1000};
	int done = 0;
	p->nl = 0;
	apart_labels(p);
	size_t napart = p->nl;
	for (int i = 0; i < 8 && p->nmonths && !done; i++)
		done = month_labels(p, steps[i / 2], !(i % 2));
	for (int i = 0; i < 8 && p->nmonths && !done; i++)
		done = year_labels(p, ysteps[i]);
	/* The months' labels give way to the labels apart. */
	size_t k = napart;
	for (size_t i = napart; i < p->nl; i++) {
		int keep = 1;
		for (size_t j = 0; j < napart; j++)
			keep = keep && !touch(&p->l[i], &p->l[j]);
		if (keep)
			p->l[k++] = p->l[i];
	}
	p->nl = k;
}

/* The value axis, then the slots, then the labels (see chart_axis.h). */
void ow_axis_layout(struct ow_bars *p, double y, double foot_h, int has_markers)
{
	double f = p->font, pill_h = has_markers ? f + 10 : 0;
	p->y0 = y + f + 4;
	p->y1 = p->c->frame.height - foot_h - pill_h - f * 1.25 - 6;
	if (p->y1 < p->y0 + 2 * f)
		p->y1 = p->y0 + 2 * f;
	ticks(p, max_value(p), max_ticks(p));
	char t[32];
	ow_chart_digits(p->top, t, sizeof t);
	p->x0 = p->m + ow_svg_text_width(t, f, 0) + 8;
	p->x1 = p->c->frame.width - p->m;
	layout_x(p);
	layout_labels(p);
}

/* --- Drawing ----------------------------------------------------------------------------- */

double ow_axis_y(const struct ow_bars *p, long long v)
{
	return p->y1 - (double)v / (double)p->top * (p->y1 - p->y0);
}

/* The value axis: gridlines, tick labels, the baseline. */
int ow_axis_draw(struct ow_buf *b, const struct ow_bars *p)
{
	int rc = 0;
	char t[32];
	for (long long v = 0; v <= p->top; v += p->step) {
		double y = ow_axis_y(p, v);
		if (v)
			rc |= ow_buf_fmt(b,
					 "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
					 "y2=\"%.1f\"/>\n",
					 p->x0, y, p->x1, y);
		ow_chart_digits(v, t, sizeof t);
		rc |= ow_svg_text(b, p->x0 - 8, y + p->font * 0.35, "muted", "end", t, 0);
	}
	if (p->divider)
		rc |= ow_buf_fmt(b,
				 "<line class=\"grid apart\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
				 "y2=\"%.1f\" stroke-dasharray=\"3 3\"/>\n",
				 p->divider, p->y0 - p->font, p->divider, p->y1 + p->font);
	rc |= ow_buf_fmt(b,
			 "<line class=\"axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
			 p->x0, p->y1, p->x1, p->y1);
	return rc ? -1 : 0;
}

/* The X labels under the axis (and the markers' row). */
int ow_axis_draw_labels(struct ow_buf *b, const struct ow_bars *p, int has_markers)
{
	double base = p->y1 + (has_markers ? p->font + 10 : 0) + p->font + 6;
	for (size_t i = 0; i < p->nl; i++)
		if (ow_svg_text(b, p->l[i].cx, base, "fg", "middle", p->l[i].text, 0) != 0)
			return -1;
	return 0;
}
