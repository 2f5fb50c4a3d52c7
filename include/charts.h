/* charts.h — the charts served as SVG, JSON and CSV (h_charts.c) and embedded in pages
 * (h_embed.c): each kind's query filters, statement and renderer. */
#ifndef OW_CHARTS_H
#define OW_CHARTS_H

#include <libpq-fe.h>
#include <stddef.h>

#include "chart.h"
#include "filter.h"
#include "stmts.h"

struct ow_req;
struct ow_stat_table;

struct ow_chart_kind {
	const char *name; /* "departures-by-month": /charts/<name> */
	/* the data filters (the statement's arguments, in order), then OW_CHART_FILTERS */
	const struct ow_filter *filters;
	size_t nfilters;
	enum ow_stmt_id stmt; /* one row, one JSON text: the numbers drawn */
	int (*svg)(struct ow_buf *b, const struct ow_chart *c, json_t *data);
	const struct ow_stat_table *table; /* its CSV; NULL: written by h_charts.c */
};

extern const struct ow_chart_kind ow_chart_kinds[];
extern const size_t ow_chart_nkinds;

/* The kind named name, or NULL. */
const struct ow_chart_kind *ow_chart_kind_find(const char *name);

/* Parses r's query for chart k (its filters and the chart settings into c) and runs its
 * statement: 0 with *data (the caller clears it), or -1 after answering (400 naming the bad
 * parameter, 404/503 as the database says). */
int ow_chart_data(struct ow_req *r, const struct ow_chart_kind *k, struct ow_chart *c,
		  PGresult **data);

/* Draws chart k with settings c from its JSON data into out: 0, or -1. */
int ow_chart_render(const struct ow_chart_kind *k, const struct ow_chart *c, const char *json,
		    struct ow_buf *out);

/* Replies 200 image/png with svg drawn as PNG (png.c), or the problem: 501 when rsvg-convert
 * is not installed. */
int ow_chart_reply_png(struct ow_req *r, const struct ow_buf *svg);

/* The org chart (h_chart.c): parses r's query (as_of, root, depth, departed_since, the chart
 * settings) into params (org, as_of, root, depth, departed_since, then the settings' values)
 * and c; 0, or -1 after answering. params holds at least 16 entries. */
int ow_chart_org_settings(struct ow_req *r, const char **params, struct ow_chart *c);

/* Draws the org chart of params (as ow_chart_org_settings filled them) into out, its extras
 * (org, as_of, ghosts, sources, data_date) in *extras (the caller decrefs it, even on
 * failure); 0, or -1 after answering. */
int ow_chart_org_draw(struct ow_req *r, const char *const *params, const struct ow_chart *c,
		      struct ow_buf *out, json_t **extras);

#endif
