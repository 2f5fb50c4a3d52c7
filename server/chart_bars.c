/* chart_bars.c — the bar charts of counts per month (see chart.h): departures, stacked by a
 * series when asked, and people laid off, with layoffs without a count marked under their
 * month. Pure: the same data gives the same bytes.
 *
 * What the markup promises (tests and style sheets may rely on it):
 * - each bar is a <g class="bar" data-key="2024-04"> holding a <title> and its rects;
 * - a group known only to its year ("2024-unknown") is a <g class="bar apart" ...>, drawn
 *   apart: after every month, past a dashed divider (<line class="grid apart" .../>), faded
 *   (fill-opacity 0.45) with a dashed outline (class "ghost"), its year under it and
 *   "month unknown" under the years;
 * - layoffs without a reported count are a <g class="nocount" data-key="..."> under their
 *   month (a pill of class "unknown" with the number, or a dot when the pills would touch),
 *   never part of a bar.
 * Stacked series: the first six series keep their own colour (s0..s5); with more than seven,
 * the seventh and later share s6 and the legend names them "Other". The axes and the X
 * labels: chart_axis.c. */
#include "chart_axis.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LABEL_MAX_CHARS 40 /* a series label in the legend */

static int is_apart(const char *key)
{
	size_t n = strlen(key);
	return n > 8 && strcmp(key + n - 8, "-unknown") == 0;
}

/* Reads data's groups into p (months in their order, then the groups apart): each bar's
 * value from field, its events from events, markers from nocount (NULL: none). */
static int slots_load(struct ow_bars *p, json_t *data, const char *field, const char *events,
		      const char *nocount)
{
	json_t *groups = json_object_get(data, "groups"), *g;
	size_t n = json_array_size(groups), i, k = 0;
	p->s = calloc(n ? n : 1, sizeof *p->s);
	p->l = calloc(2 * n + 8, sizeof *p->l);
	if (!p->s || !p->l)
		return -1;
	for (int pass = 0; pass < 2; pass++) {
		json_array_foreach(groups, i, g)
		{
			const char *key = json_string_value(json_object_get(g, "key"));
			if (!key || is_apart(key) != pass)
				continue;
			struct ow_bar_slot *s = &p->s[k++];
			s->g = g;
			s->key = key;
			s->apart = pass;
			s->value = ow_chart_count(json_object_get(g, field));
			s->events = ow_chart_count(json_object_get(g, events));
			s->nocount = nocount ? ow_chart_count(json_object_get(g, nocount)) : 0;
		}
		if (pass == 0)
			p->nmonths = k;
	}
	p->n = k;
	return 0;
}

static void bars_free(struct ow_bars *p)
{
	free(p->s);
	free(p->l);
}

/* "Jan–Dec 2024": the span of the non-empty groups, into out ("" when none). A year whose
 * month is unknown widens the span only beyond the years of the months. */
static void span_of(const struct ow_bars *p, char *out, size_t n)
{
	const char *first = NULL, *last = NULL, *ymin = NULL, *ymax = NULL;
	for (size_t i = 0; i < p->n; i++) {
		const struct ow_bar_slot *s = &p->s[i];
		if (s->events <= 0)
			continue;
		if (!s->apart) {
			first = first ? first : s->key;
			last = s->key;
		} else {
			if (!ymin || strncmp(s->key, ymin, 4) < 0)
				ymin = s->key;
			if (!ymax || strncmp(s->key, ymax, 4) > 0)
				ymax = s->key;
		}
	}
	out[0] = '\0';
	if (!first && !ymin)
		return;
	if (!first || (ymin && strncmp(ymin, first, 4) < 0))
		first = ymin;
	if (!last || (ymax && strncmp(ymax, last, 4) > 0))
		last = ymax;
	ow_chart_span(first, last, out, n);
}

/* The month with the largest value (the first of equals), or NULL when every one is 0. */
static const struct ow_bar_slot *max_month(const struct ow_bars *p)
{
	const struct ow_bar_slot *best = NULL;
	for (size_t i = 0; i < p->nmonths; i++)
		if (p->s[i].value > 0 && (!best || p->s[i].value > best->value))
			best = &p->s[i];
	return best;
}

/* A group's label from the data, cut for a text. */
static const char *label_of(const struct ow_bar_slot *s)
{
	const char *l = json_string_value(json_object_get(s->g, "label"));
	return l ? l : s->key;
}

/* --- Legend ------------------------------------------------------------------------------ */

struct legend_item {
	const char *cls; /* a swatch of this class, or NULL: the marker of a layoff without count */
	char label[300];
};

/* Writes the legend's items from y (the top), in rows wrapped to width, when b is given;
 * returns the height taken, or -1 when the buffer is full. At most max_rows rows. */
static double legend(struct ow_buf *b, const struct ow_bars *p, double y,
		     const struct legend_item *it, size_t n, int max_rows)
{
	double f = p->font, x = p->m, width = p->c->frame.width - 2 * p->m, lh = f * 1.5;
	double sw = f * 0.8, mark = f * 1.4;
	int row = 0, rc = 0;
	if (max_rows == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		double lead = it[i].cls ? sw + 5 : mark + 5;
		size_t k = ow_chart_fit_chars(it[i].label, f, width - lead);
		double w = lead + ow_svg_text_width(it[i].label, f, k);
		if (x > p->m && x + w > p->m + width) {
			if (++row == max_rows)
				break;
			x = p->m;
		}
		double base = y + f + row * lh;
		if (b && it[i].cls)
			rc |= ow_buf_fmt(b,
					 "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
					 "height=\"%.1f\"/>\n",
					 it[i].cls, x, base - sw, sw, sw);
		if (b && !it[i].cls)
			rc |= ow_buf_fmt(b,
					 "<circle class=\"unknown\" cx=\"%.1f\" cy=\"%.1f\" "
					 "r=\"%.1f\"/>\n",
					 x + mark / 2, base - f * 0.35, mark / 2);
		if (b)
			rc |= ow_svg_text(b, x + lead, base, "fg", "start", it[i].label, k);
		x += w + f * 1.2;
	}
	if (rc)
		return -1;
	return n ? (row < max_rows ? row + 1 : max_rows) * lh : 0;
}

/* Places the markers of layoffs without a count: numbered pills when none touches. */
static double pill_w(const struct ow_bars *p, const struct ow_bar_slot *s)
{
	char t[32];
	ow_chart_digits(s->nocount, t, sizeof t);
	double w = ow_svg_text_width(t, p->font, 0) + 10;
	return w < p->font * 1.4 ? p->font * 1.4 : w;
}

static int markers(struct ow_bars *p)
{
	double right = -1e9;
	int any = 0;
	p->pills = 1;
	for (size_t i = 0; i < p->n; i++) {
		if (p->s[i].nocount <= 0)
			continue;
		double w = pill_w(p, &p->s[i]);
		if (p->s[i].cx - w / 2 < right + 2 || p->s[i].cx + w / 2 > p->c->frame.width - 2)
			p->pills = 0;
		right = p->s[i].cx + w / 2;
		any = 1;
	}
	return any;
}

/* --- Drawing ----------------------------------------------------------------------------- */

/* Opens a bar's group with its tooltip ("April 2024: 9"). */
static int bar_open(struct ow_buf *b, const struct ow_bar_slot *s, const char *what)
{
	char n[32];
	ow_chart_digits(s->value, n, sizeof n);
	int rc = ow_buf_fmt(b, "<g class=\"bar%s\" data-key=\"", s->apart ? " apart" : "");
	rc |= ow_svg_escape(b, s->key, 20);
	rc |= ow_buf_append_str(b, "\"><title>");
	rc |= ow_svg_escape(b, label_of(s), LABEL_MAX_CHARS);
	rc |= ow_buf_fmt(b, ": %s%s</title>\n", n, what);
	return rc ? -1 : 0;
}

static int rect(struct ow_buf *b, const char *cls, const struct ow_bar_slot *s, double y0,
		double y1)
{
	return ow_buf_fmt(b,
			  "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			  "height=\"%.1f\"%s/>\n",
			  cls, s->cx - s->bw / 2, y0, s->bw, y1 - y0,
			  s->apart && strcmp(cls, "ghost") ? " fill-opacity=\"0.45\"" : "");
}

/* Closes a bar: the dashed outline of a group apart, the count over the bar when it fits. */
static int bar_close(struct ow_buf *b, const struct ow_bars *p, const struct ow_bar_slot *s)
{
	char n[32];
	int rc = 0;
	double top = ow_axis_y(p, s->value);
	if (s->value > 0 && p->y1 - top < 1)
		top = p->y1 - 1;
	if (s->apart)
		rc |= rect(b, "ghost", s, top, p->y1);
	ow_chart_digits(s->value, n, sizeof n);
	if (s->value > 0 && ow_svg_text_width(n, p->font, 0) <= s->sw - 2)
		rc |= ow_svg_text(b, s->cx, top - 4, "fg", "middle", n, 0);
	rc |= ow_buf_append_str(b, "</g>\n");
	return rc ? -1 : 0;
}

/* A bar of one colour. */
static int draw_bar(struct ow_buf *b, const struct ow_bars *p, const struct ow_bar_slot *s,
		    const char *what)
{
	int rc = bar_open(b, s, what);
	double top = ow_axis_y(p, s->value);
	if (s->value > 0 && p->y1 - top < 1)
		top = p->y1 - 1;
	if (s->value > 0)
		rc |= rect(b, "s0", s, top, p->y1);
	return rc || bar_close(b, p, s) ? -1 : 0;
}

/* The centred text of an empty chart. */
static int draw_empty(struct ow_buf *b, const struct ow_bars *p, const char *text)
{
	return ow_svg_text(b, (p->x0 + p->x1) / 2, (p->y0 + p->y1) / 2 + p->font * 0.35, "muted",
			   "middle", text, 0);
}

/* --- Departures -------------------------------------------------------------------------- */

/* The series of a stacked chart: its colour class by rank ("Other" past the seventh). */
static const char *series_class(size_t rank)
{
	static const char *const cls[] = {"s0", "s1", "s2", "s3", "s4", "s5", "s6"};
	return rank < OW_SVG_SERIES ? cls[rank] : "s6";
}

static int same_key(json_t *a, json_t *b2)
{
	if (json_is_null(a) || !a)
		return json_is_null(b2) || !b2;
	return json_equal(a, b2);
}

/* A stacked bar: its parts in the series' order, each with its tooltip. */
static int draw_stack(struct ow_buf *b, const struct ow_bars *p, const struct ow_bar_slot *s,
		      json_t *series)
{
	size_t i, j;
	json_t *se, *part;
	long long below = 0;
	int rc = bar_open(b, s, "");
	json_array_foreach(series, i, se)
	{
		json_array_foreach(json_object_get(s->g, "parts"), j, part)
		{
			long long n = ow_chart_count(json_object_get(part, "count"));
			if (!same_key(json_object_get(part, "key"), json_object_get(se, "key")) ||
			    n <= 0)
				continue;
			double ya = ow_axis_y(p, below + n), yb = ow_axis_y(p, below);
			below += n;
			rc |= rect(b, series_class(i), s, ya, yb);
		}
	}
	return rc || bar_close(b, p, s) ? -1 : 0;
}

/* The legend of a stacked chart: "Resigned (12)", ..., "Other (5)". */
static size_t series_legend(json_t *series, struct legend_item *it)
{
	size_t ns = json_array_size(series), i, n = 0;
	long long other = 0;
	json_t *se;
	json_array_foreach(series, i, se)
	{
		const char *label = json_string_value(json_object_get(se, "label"));
		char cut_label[200], num[32];
		long long count = ow_chart_count(json_object_get(se, "count"));
		if (ns > OW_SVG_SERIES && i >= OW_SVG_SERIES - 1) {
			other += count;
			continue;
		}
		ow_chart_cut(label ? label : "Unknown", LABEL_MAX_CHARS, cut_label,
			     sizeof cut_label);
		ow_chart_digits(count, num, sizeof num);
		it[n].cls = series_class(i);
		snprintf(it[n++].label, sizeof it[0].label, "%s (%s)", cut_label, num);
	}
	if (other) {
		char num[32];
		ow_chart_digits(other, num, sizeof num);
		it[n].cls = "s6";
		snprintf(it[n++].label, sizeof it[0].label, "Other (%s)", num);
	}
	return n;
}

static const char *stack_words(const char *stack)
{
	if (!stack)
		return "";
	if (strcmp(stack, "kind") == 0)
		return ", by kind";
	if (strcmp(stack, "reason_category") == 0)
		return ", by reason";
	if (strcmp(stack, "destination_kind") == 0)
		return ", by kind of destination";
	return "";
}

/* The texts of the departures chart written from the data. */
static void departure_texts(const struct ow_bars *p, json_t *data, char *title, char *subtitle,
			    char *desc, size_t n)
{
	char org[256], span[64], total[32], most[32];
	const char *name = ow_chart_org_name(data, org, sizeof org);
	long long t = ow_chart_count(json_object_get(data, "total"));
	span_of(p, span, sizeof span);
	ow_chart_digits(t, total, sizeof total);
	ow_chart_title_with(p->c, name ? "Departures from " : "Departures by month",
			    name ? name : "", "", title, n);
	const struct ow_bar_slot *best = max_month(p);
	if (t <= 0) {
		snprintf(subtitle, n, "No departures");
		snprintf(desc, n, "Departures%s%s: none match these filters.", name ? " from " : "",
			 name ? name : "");
	} else {
		snprintf(subtitle, n, "%s departure%s, %s%s", total, t == 1 ? "" : "s", span,
			 stack_words(json_string_value(json_object_get(data, "stack"))));
		char most_s[300] = "", label[200];
		if (best) {
			ow_chart_digits(best->value, most, sizeof most);
			ow_chart_cut(label_of(best), LABEL_MAX_CHARS, label, sizeof label);
			snprintf(most_s, sizeof most_s, "; most in %s (%s)", label, most);
		}
		snprintf(desc, n, "Departures%s%s, %s: %s%s.", name ? " from " : "",
			 name ? name : "", span, total, most_s);
	}
}

/* Opens the document and draws the head, legend and value axis of both charts. A chart
 * whose height was not asked grows to keep its whole legend and a plot a quarter of its
 * width high (four lines at least); one whose height was asked keeps a plot four lines
 * high by showing one legend row, then no default subtitle, then no legend, then gives the
 * plot what is left (two lines at least). Returns -1 when the buffer is full. */
static int begin(struct ow_buf *b, struct ow_bars *p, struct ow_chart *cc, json_t *data,
		 const char *title, const char *subtitle, const char *desc,
		 const struct legend_item *it, size_t nit, int has_markers)
{
	double y = ow_chart_head_y(cc, title, subtitle), foot = ow_chart_foot_height(cc, data);
	double f = p->font, need = f + 4 + 4 * f + (has_markers ? f + 10 : 0) + f * 1.25 + 6;
	double plot = cc->frame.width / 4.0 > 4 * f ? cc->frame.width / 4.0 : 4 * f;
	int rows = 8; /* the legend's rows at most */
	p->c = cc;
	if (y < 0)
		return -1;
	double full = y + legend(NULL, p, y, it, nit, rows) + need - 4 * f + plot + foot;
	if (!cc->height_given && cc->frame.height < full)
		cc->frame.height = (int)(full + 0.999);
	while (rows > 1 && cc->frame.height - foot - y - legend(NULL, p, y, it, nit, rows) < need)
		rows--;
	if (cc->frame.height - foot - y - legend(NULL, p, y, it, nit, rows) < need &&
	    !cc->subtitle) {
		subtitle = NULL; /* then no legend, then the plot takes what is left (2 lines) */
		y = ow_chart_head_y(cc, title, NULL);
	}
	while (rows > 0 && cc->frame.height - foot - y - legend(NULL, p, y, it, nit, rows) < need)
		rows--;
	if (ow_svg_begin(b, &cc->frame, cc->title ? cc->title : title, desc) != 0 ||
	    ow_chart_head(b, cc, title, subtitle) < 0)
		return -1;
	double lh = legend(b, p, y, it, nit, rows);
	if (lh < 0)
		return -1;
	ow_axis_layout(p, y + lh, foot, has_markers);
	if (has_markers)
		(void)markers(p);
	return ow_axis_draw(b, p);
}

int ow_chart_departures_svg(struct ow_buf *b, const struct ow_chart *c, json_t *data)
{
	struct ow_bars p = {.c = c, .font = ow_svg_font(&c->frame), .m = ow_chart_margin(c)};
	struct legend_item *it = NULL;
	char title[512], subtitle[512], desc[1024];
	int rc = -1;
	if (slots_load(&p, data, "count", "count", NULL) != 0)
		goto out;
	departure_texts(&p, data, title, subtitle, desc, sizeof title);
	struct ow_chart cc = *c;
	json_t *series = json_object_get(data, "series");
	it = calloc(json_array_size(series) + 2, sizeof *it);
	if (!it)
		goto out;
	size_t nit = series_legend(series, it);
	if (p.n > p.nmonths) {
		it[nit].cls = "ghost";
		snprintf(it[nit++].label, sizeof it[0].label, "month unknown");
	}
	int empty = p.n == 0 || ow_chart_count(json_object_get(data, "total")) == 0;
	if (begin(b, &p, &cc, data, title, subtitle, desc, it, empty ? 0 : nit, 0) != 0)
		goto out;
	if (empty && draw_empty(b, &p, "No departures match these filters.") != 0)
		goto out;
	int stacked = json_array_size(series) > 0;
	for (size_t i = 0; i < p.n && !empty; i++)
		if ((stacked ? draw_stack(b, &p, &p.s[i], series) : draw_bar(b, &p, &p.s[i], "")) !=
		    0)
			goto out;
	if (!empty && ow_axis_draw_labels(b, &p, 0) != 0)
		goto out;
	rc = ow_chart_foot(b, &cc, data, NULL) || ow_svg_end(b) ? -1 : 0;
out:
	free(it);
	bars_free(&p);
	return rc;
}

/* --- Layoffs ----------------------------------------------------------------------------- */

/* The marker of a month's layoffs without a count: a pill with the number, or a dot. */
static int draw_marker(struct ow_buf *b, const struct ow_bars *p, const struct ow_bar_slot *s)
{
	char n[32];
	double cy = p->y1 + 5 + (p->font + 4) / 2;
	ow_chart_digits(s->nocount, n, sizeof n);
	int rc = ow_buf_append_str(b, "<g class=\"nocount\" data-key=\"");
	rc |= ow_svg_escape(b, s->key, 20);
	rc |= ow_buf_append_str(b, "\"><title>");
	rc |= ow_svg_escape(b, label_of(s), LABEL_MAX_CHARS);
	rc |= ow_buf_fmt(b, ": %s layoff%s without a reported count</title>\n", n,
			 s->nocount == 1 ? "" : "s");
	if (p->pills) {
		double w = pill_w(p, s), h = p->font + 4, x = s->cx - w / 2;
		rc |= ow_buf_fmt(b,
				 "<rect class=\"unknown\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
				 "height=\"%.1f\" rx=\"%.1f\"/>\n",
				 x, cy - h / 2, w, h, h / 2);
		rc |= ow_svg_text(b, s->cx, cy + p->font * 0.35, "fg", "middle", n, 0);
	} else {
		rc |= ow_buf_fmt(b, "<circle class=\"unknown\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\"/>\n",
				 s->cx, cy);
	}
	rc |= ow_buf_append_str(b, "</g>\n");
	return rc ? -1 : 0;
}

/* The texts of the layoffs chart written from the data. */
static void layoff_texts(const struct ow_bars *p, json_t *data, char *title, char *subtitle,
			 char *desc, size_t n)
{
	char org[256], span[64], people[32], events[32], nc[32], most[32], orgs[32];
	const char *name = ow_chart_org_name(data, org, sizeof org);
	json_t *total = json_object_get(data, "total");
	long long laid = ow_chart_count(json_object_get(total, "laid_off")),
		  all = ow_chart_count(json_object_get(total, "layoffs")),
		  without = ow_chart_count(json_object_get(total, "without_count")),
		  norgs = ow_chart_count(json_object_get(total, "orgs"));
	long long counted = all > without ? all - without : 0;
	const struct ow_bar_slot *best = max_month(p);
	span_of(p, span, sizeof span);
	ow_chart_digits(laid, people, sizeof people);
	ow_chart_digits(counted, events, sizeof events);
	ow_chart_digits(without, nc, sizeof nc);
	ow_chart_digits(norgs, orgs, sizeof orgs);
	ow_chart_digits(best ? best->value : 0, most, sizeof most);
	ow_chart_title_with(p->c, name ? "People laid off at " : "People laid off by month",
			    name ? name : "", "", title, n);
	char what[256], without_s[96] = "", most_s[300] = "";
	snprintf(what, sizeof what, "%s %s in %s layoff%s", people, laid == 1 ? "person" : "people",
		 events, counted == 1 ? "" : "s");
	if (without)
		snprintf(without_s, sizeof without_s, "; %s layoff%s without a reported count", nc,
			 without == 1 ? "" : "s");
	if (best) {
		char label[200];
		ow_chart_cut(label_of(best), LABEL_MAX_CHARS, label, sizeof label);
		snprintf(most_s, sizeof most_s, "; most in %s (%s)", label, most);
	}
	if (all <= 0) {
		snprintf(subtitle, n, "No layoffs");
		snprintf(desc, n, "People laid off%s%s: no layoffs match these filters.",
			 name ? " at " : "", name ? name : "");
		return;
	}
	snprintf(subtitle, n, "%s%s%s, %s%s", what, name || norgs <= 1 ? "" : " at ",
		 name || norgs <= 1 ? "" : orgs, name || norgs <= 1 ? "" : " organizations", span);
	if (without)
		snprintf(subtitle + strlen(subtitle), n - strlen(subtitle), "%s", without_s);
	snprintf(desc, n, "People laid off%s%s, %s: %s in %s layoff%s%s%s.", name ? " at " : "",
		 name ? name : "", span, people, events, counted == 1 ? "" : "s", most_s,
		 without_s);
}

int ow_chart_layoffs_svg(struct ow_buf *b, const struct ow_chart *c, json_t *data)
{
	struct ow_bars p = {.c = c, .font = ow_svg_font(&c->frame), .m = ow_chart_margin(c)};
	struct legend_item it[2];
	char title[512], subtitle[512], desc[1024];
	int rc = -1;
	size_t nit = 0;
	if (slots_load(&p, data, "laid_off", "layoffs", "without_count") != 0)
		goto out;
	layoff_texts(&p, data, title, subtitle, desc, sizeof title);
	long long without = 0;
	for (size_t i = 0; i < p.n; i++)
		without += p.s[i].nocount;
	int empty = p.n == 0 ||
		    ow_chart_count(json_object_get(json_object_get(data, "total"), "layoffs")) == 0;
	static const char long_text[] = "layoffs without a reported count (not in the bars)";
	if (!empty && without) {
		double room = c->frame.width - 2 * p.m - p.font * 2;
		it[nit].cls = NULL;
		snprintf(it[nit++].label, sizeof it[0].label, "%.32s%s", long_text,
			 ow_svg_text_width(long_text, p.font, 0) <= room ? long_text + 32 : "");
	}
	if (!empty && p.n > p.nmonths) {
		it[nit].cls = "ghost";
		snprintf(it[nit++].label, sizeof it[0].label, "month unknown");
	}
	struct ow_chart cc = *c;
	if (begin(b, &p, &cc, data, title, subtitle, desc, it, nit, !empty && without) != 0)
		goto out;
	if (empty && draw_empty(b, &p, "No layoffs match these filters.") != 0)
		goto out;
	for (size_t i = 0; i < p.n && !empty; i++)
		if (draw_bar(b, &p, &p.s[i], " people") != 0 ||
		    (p.s[i].nocount > 0 && draw_marker(b, &p, &p.s[i]) != 0))
			goto out;
	if (!empty && ow_axis_draw_labels(b, &p, without > 0) != 0)
		goto out;
	rc = ow_chart_foot(b, &cc, data, NULL) || ow_svg_end(b) ? -1 : 0;
out:
	bars_free(&p);
	return rc;
}
