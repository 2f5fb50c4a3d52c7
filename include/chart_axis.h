/* chart_axis.h — the axes of the bar charts per month (chart_bars.c): the groups placed along
 * X (the months side by side, the years whose month is unknown apart past a divider), the X
 * labels thinned until none touches, the value axis's ticks, and the drawing of both axes.
 * Also the layout they share with the bars drawn on them. */
#ifndef OW_CHART_AXIS_H
#define OW_CHART_AXIS_H

#include <jansson.h>

#include "buf.h"
#include "chart.h"

/* One group: a month ("2024-04"), or a year whose month is unknown ("2024-unknown"). */
struct ow_bar_slot {
	json_t *g;
	const char *key;
	long long value;  /* the bar's height in people */
	long long events; /* > 0: the group is not empty */
	long long nocount;
	int apart;
	double cx, bw, sw; /* centre, bar width, slot width */
};

/* An X axis label. */
struct ow_xlab {
	double cx, w;
	char text[24];
};

/* A bar chart being laid out and drawn. */
struct ow_bars {
	const struct ow_chart *c;
	double font, m;
	struct ow_bar_slot *s;
	size_t n, nmonths; /* the months first, then the groups apart */
	struct ow_xlab *l; /* room for 2 * n + 8 labels */
	size_t nl;
	int pills; /* layoff markers drawn as numbered pills */
	double x0, x1, y0, y1, divider;
	long long top, step;
};

/* Lays p out from y (under the head and legend) to foot_h above the frame's bottom, leaving
 * a row for the markers of layoffs without a count when has_markers: the plot (y0..y1, at
 * least two lines high), the value axis (top, step: 1, 2 or 5 times a power of ten, at most
 * five intervals), x0..x1 past the widest tick label, each slot's place and width (bars at
 * most 64 px wide), the divider before the groups apart, and the X labels: month
 * abbreviations every 1, 2, 3 or 6 months with the years under them, or only the years
 * (every 1, 2, 5, 10... years), the first step whose labels do not touch; the years of the
 * groups apart (every k-th when crowded) first, the months' labels giving way to them. */
void ow_axis_layout(struct ow_bars *p, double y, double foot_h, int has_markers);

/* The y of value v on p's value axis (v = 0: the baseline y1). */
double ow_axis_y(const struct ow_bars *p, long long v);

/* Draws the value axis: a gridline (class "grid") and tick label per step, the dashed
 * divider before the groups apart (class "grid apart"), the baseline (class "axis").
 * 0, or -1 when the buffer is full. */
int ow_axis_draw(struct ow_buf *b, const struct ow_bars *p) OW_WUR;

/* Draws the X labels under the baseline (and under the markers' row when has_markers).
 * 0, or -1 when the buffer is full. */
int ow_axis_draw_labels(struct ow_buf *b, const struct ow_bars *p, int has_markers) OW_WUR;

#endif
