/* chart.h — what every SVG chart shares: its frame and texts from the query (width, height
 * or aspect, theme, title/subtitle/note overrides), the head (title, subtitle) and the foot
 * (note, the source line naming the publications behind the facts drawn and the date of the
 * data). The renderers (chart_bars.c, chart_flows.c, chart_org.c) draw between them. */
#ifndef OW_CHART_H
#define OW_CHART_H

#include <jansson.h>

#include "buf.h"
#include "filter.h"
#include "svg.h"

struct ow_errors;

/* A chart's settings from the query. */
struct ow_chart {
	struct ow_svg_frame frame;
	int height_given; /* height or aspect asked: the frame's height is kept */
	const char *title, *subtitle, *note; /* overrides from the query, or NULL */
};

/* The query parameters of every chart, in this order (OW_CHART_NFILTERS of them). */
extern const char *const ow_chart_aspects[], *const ow_chart_themes[];
/* clang-format off */
#define OW_CHART_FILTERS \
	{"width", OW_F_TEXT, NULL}, \
	{"height", OW_F_TEXT, NULL}, \
	{"aspect", OW_F_ENUM, ow_chart_aspects}, \
	{"theme", OW_F_ENUM, ow_chart_themes}, \
	{"title", OW_F_TEXT, NULL}, \
	{"subtitle", OW_F_TEXT, NULL}, \
	{"note", OW_F_TEXT, NULL}
/* clang-format on */
#define OW_CHART_NFILTERS 7

/* Reads the chart parameters (values in OW_CHART_FILTERS order, NULL when absent) into c:
 * width 320..1600 (default 800), height 200..4000 or aspect article (3:2... see chart.c),
 * square or social, not both (default: article, or the chart's own height for charts that
 * grow with their content), theme light, dark or auto (default light), title at most 120
 * characters, subtitle 200, note 300. Each bad value is added to errs naming its
 * parameter; returns 0 when none was bad. */
int ow_chart_settings(const char *const *values, struct ow_chart *c, struct ow_errors *errs);

/* The height an aspect preset gives at width w (article 3:2, square 1:1, social 1.91:1). */
int ow_chart_aspect_height(const char *aspect, int w);

/* The chart's margin (px) at its width. */
double ow_chart_margin(const struct ow_chart *c);

/* Writes the title (the override, else title) and subtitle (the override, else subtitle;
 * none when both are NULL), wrapped to the width, from the top margin. Returns the y where
 * the drawing may start, or -1 when the buffer is full. */
double ow_chart_head(struct ow_buf *b, const struct ow_chart *c, const char *title,
		     const char *subtitle);

/* The height the foot takes (note, source line) at this width. */
double ow_chart_foot_height(const struct ow_chart *c, json_t *data);

/* Writes the foot ending at the frame's bottom margin: the note (the override, else note),
 * then "Source: <publications> · Data as of <date> · orgwatch" from data's "sources"
 * ([{"publisher", "count"}], the most cited first), "sources_total" and "data_date". */
int ow_chart_foot(struct ow_buf *b, const struct ow_chart *c, json_t *data,
		  const char *note) OW_WUR;

/* --- Helpers of the renderers ------------------------------------------------------------ */

#define OW_CHART_NAME_MAX 60 /* an organization's name in a chart's texts, in characters */

/* A number read from JSON as a whole count: rounded, never negative, at most 1e15; 0 for
 * anything not a number (NULL included). */
long long ow_chart_count(json_t *v);

/* n with thousands separators ("11,050"; a negative n as "0"), into out of size bytes
 * (truncated to fit, always terminated). */
void ow_chart_digits(long long n, char *out, size_t size);

/* s (UTF-8) cut to at most max characters, the last one "…" when cut (never splitting a
 * character), into out of size bytes (s itself when not cut, truncated to size). */
void ow_chart_cut(const char *s, size_t max, char *out, size_t size);

/* How many characters of s fit in width px at font, for ow_svg_text: 0 when the whole of s
 * fits, else the most that fit, at least 1. */
size_t ow_chart_fit_chars(const char *s, double font, double width);

/* The y where the drawing may start under the head ow_chart_head would write for these
 * texts (written to a scratch buffer and dropped), or -1 when out of memory. */
double ow_chart_head_y(const struct ow_chart *c, const char *title, const char *subtitle);

/* The name of data's "org" cut to OW_CHART_NAME_MAX characters, into out; returns out, or
 * NULL (out untouched) when data names no organization. */
const char *ow_chart_org_name(json_t *data, char *out, size_t n);

/* The title "<before><name><after>", the name cut to keep the title on one line of c's
 * head when it can (never under 12 characters, never over OW_CHART_NAME_MAX), into out. */
void ow_chart_title_with(const struct ow_chart *c, const char *before, const char *name,
			 const char *after, char *out, size_t n);

/* "Jan" for 1 ... "Dec" for 12; "?" for any other month. */
const char *ow_chart_month_abbr(int month);

/* "Jan 2024" for "2024-01", "2024" for "2024" or "2024-unknown", "Q2 2024" for "2024-Q2":
 * the short label of a period key, into out. */
void ow_chart_period_short(const char *key, char *out, size_t n);

/* "Jan–Dec 2024", "Nov 2022 – Mar 2023": a span of two period keys, into out. */
void ow_chart_span(const char *first, const char *last, char *out, size_t n);

/* A person of an org chart: a row of the day's chart (ow_chart_flat), or a ghost (who left
 * since ?departed_since=, under the manager of their last day). */
struct ow_org_person {
	const char *id, *manager_id; /* manager_id: NULL or not on the chart → a root */
	const char *name, *title, *sort_key;
	int ghost;
	const char *left_on, *destination; /* ghosts: the departure's date, where they went */
	long hidden; /* people below not among the rows: drawn as "+N more" under this one */
};

/* org_collapse.c: parent[i] (-1: a root) of n nodes with every cycle cut where a walk up
 * from a node meets itself, the node met becoming a root (the database forbids cycles; a
 * picture never loops on one). 0, or -1 when memory runs out. */
int ow_chart_cut_cycles(long *parent, size_t n);

/* org_collapse.c: the people drawn when an org chart is collapsed past max_depth (>= 0), from
 * the day's links alone: ids[i] (16-byte UUIDs) of n rows and managers[i] (when
 * has_manager[i]; else none), an id on several rows being one person (its first row; the
 * others are never drawn). Fills drawn (n entries at most) with the rows of the people drawn
 * (the roots and everyone down to max_depth) and hidden with how many people below each are
 * not drawn (0 above max_depth). Returns how many are drawn, or -1 when memory runs out. */
long ow_chart_org_collapse(const unsigned char (*ids)[16], const unsigned char (*managers)[16],
			   const unsigned char *has_manager, size_t n, int max_depth, long *drawn,
			   long *hidden);

/* chart_org.c: the org chart of extras' "org" on its "as_of" (ow_chart_org_extras: org,
 * as_of, departed_since, sources, sources_total, data_date) from people; max_depth >= 0
 * collapses the levels past it into "+N" boxes. The picture is as wide and high as the tree
 * needs (at least the frame's width); with a height or aspect asked, it is scaled into the
 * frame. */
int ow_chart_org_svg(struct ow_buf *b, const struct ow_chart *c, const struct ow_org_person *people,
		     size_t n, int max_depth, json_t *extras) OW_WUR;

/* The renderers: each writes a whole SVG document for c from data, the JSON answer of its SQL
 * function (sql/functions/17_charts.sql), with a title, subtitle and description written from
 * the data unless c overrides them; 0, or -1 when the buffer is full. */
/* chart_bars.c: departures per month (ow_chart_departures), stacked by data's "series" when
 * it has any; the "YYYY-unknown" groups drawn apart. */
int ow_chart_departures_svg(struct ow_buf *b, const struct ow_chart *c, json_t *data) OW_WUR;
/* chart_bars.c: people laid off per month (ow_chart_layoffs); layoffs without a count marked
 * under their month, never drawn as people. */
int ow_chart_layoffs_svg(struct ow_buf *b, const struct ow_chart *c, json_t *data) OW_WUR;
/* chart_flows.c: origin → destination flows, largest first (ow_chart_flows). */
int ow_chart_flows_svg(struct ow_buf *b, const struct ow_chart *c, json_t *data) OW_WUR;

#endif
