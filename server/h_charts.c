/* h_charts.c — GET /charts/departures-by-month, /charts/layoffs-by-month and /charts/flows:
 * the numbers a chart draws from one SQL statement (sql/functions/17_charts.sql), answered as
 * SVG (.svg, or Accept: image/svg+xml), JSON (the numbers, with their sources) or CSV (its
 * rows); and the SVG of each for the embed pages (h_embed.c). */
#include "charts.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "db_problem.h"
#include "format.h"
#include "handlers.h"
#include "jspec.h"
#include "list.h"
#include "png.h"
#include "problem.h"
#include "req.h"
#include "resource.h"
#include "stat_table.h"

static const char *const stacks[] = {"kind", "reason_category", "destination_kind", NULL};

/* stack, the /departures filters (as ow_chart_departures takes them), the chart's. */
static const struct ow_filter departure_filters[] = {
	{"stack", OW_F_ENUM, stacks},
	OW_DEPARTURE_FILTERS,
	OW_CHART_FILTERS,
};
/* org, the organization's attributes, from, to (as ow_chart_layoffs takes them). */
static const struct ow_filter layoff_filters[] = {
	OW_FILTER_ORG,
	OW_ORG_ATTRIBUTE_FILTERS,
	OW_FILTER_PERIOD,
	OW_CHART_FILTERS,
};
/* org, from, to, status, the organization's attributes, top (as ow_chart_flows). */
static const struct ow_filter flow_filters[] = {
	OW_FLOW_FILTERS,
	{"top", OW_F_TEXT, NULL},
	OW_CHART_FILTERS,
};
#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *const layoff_cells[] = {"key",	    "label", "layoffs", "laid_off",
					   "without_count", "orgs",  NULL};
static const char *const flow_cells[] = {"from.id", "from.slug", "from.name", "to.id",
					 "to.slug", "to.name",	 "count",     NULL};
static const struct ow_stat_table layoff_table = {"groups", 0, layoff_cells};
static const struct ow_stat_table flow_table = {"flows", 0, flow_cells};

const struct ow_chart_kind ow_chart_kinds[] = {
	{"departures-by-month", departure_filters, N(departure_filters), OW_Q_CHART_DEPARTURES,
	 ow_chart_departures_svg, NULL},
	{"layoffs-by-month", layoff_filters, N(layoff_filters), OW_Q_CHART_LAYOFFS,
	 ow_chart_layoffs_svg, &layoff_table},
	{"flows", flow_filters, N(flow_filters), OW_Q_CHART_FLOWS, ow_chart_flows_svg, &flow_table},
};
const size_t ow_chart_nkinds = N(ow_chart_kinds);

const struct ow_chart_kind *ow_chart_kind_find(const char *name)
{
	for (size_t i = 0; i < ow_chart_nkinds; i++)
		if (strcmp(ow_chart_kinds[i].name, name) == 0)
			return &ow_chart_kinds[i];
	return NULL;
}

/* ?top= of the flows: 1..50, default 10 (into out). */
static int top_arg(const char *v, char *out, size_t n, struct ow_errors *errs)
{
	long top = 10;
	if (v) {
		char *end;
		top = strtol(v, &end, 10);
		if (*v < '0' || *v > '9' || *end || top < 1 || top > 50) {
			ow_errors_add(errs, "top", "must be a whole number from 1 to 50");
			return -1;
		}
	}
	snprintf(out, n, "%ld", top);
	return 0;
}

int ow_chart_data(struct ow_req *r, const struct ow_chart_kind *k, struct ow_chart *c,
		  PGresult **data)
{
	const char *values[40] = {NULL};
	*data = NULL;
	if (k->nfilters > N(values) ||
	    ow_query_parse(r, k->filters, k->nfilters, values, NULL) != 0)
		return -1;
	size_t ndata = k->nfilters - OW_CHART_NFILTERS;
	struct ow_errors errs;
	ow_errors_init(&errs);
	(void)ow_chart_settings(values + ndata, c, &errs);
	char top[8];
	if (k->stmt == OW_Q_CHART_FLOWS && top_arg(values[ndata - 1], top, sizeof top, &errs) == 0)
		values[ndata - 1] = top;
	if (errs.n) {
		(void)ow_problem_reply(r, OW_P_VALIDATION, "Invalid query parameters.", &errs,
				       NULL);
		return -1;
	}
	struct ow_db_error err;
	struct ow_db *db = ow_db_acquire(&err);
	*data = db ? ow_db_exec(db, k->stmt, values, &err) : NULL;
	if (!*data) {
		(void)ow_db_problem(r, &err);
		return -1;
	}
	return 0;
}

int ow_chart_render(const struct ow_chart_kind *k, const struct ow_chart *c, const char *json,
		    struct ow_buf *out)
{
	json_t *data = json_loads(json, 0, NULL);
	if (!data)
		return -1;
	int rc = k->svg(out, c, data);
	json_decref(data);
	return rc;
}

/* The departures chart as CSV: key, label, count, and a column per series when stacked. */
static int departures_csv(struct ow_buf *b, const char *json, int excel)
{
	json_t *data = json_loads(json, 0, NULL);
	if (!data)
		return -1;
	json_t *series = json_object_get(data, "series"), *groups = json_object_get(data, "groups");
	const char *header[OW_STAT_MAX_CELLS + 1] = {"key", "label", "count"};
	size_t ncols = 3, i, j;
	json_t *s, *g, *p;
	json_array_foreach(series, i, s)
	{
		if (ncols < OW_STAT_MAX_CELLS) {
			const char *key = json_string_value(json_object_get(s, "key"));
			header[ncols++] = key ? key : "unknown";
		}
	}
	header[ncols] = NULL;
	int rc = ow_list_csv_header(b, header, excel);
	json_array_foreach(groups, i, g)
	{
		json_t *row = json_object();
		json_object_set(row, "key", json_object_get(g, "key"));
		json_object_set(row, "label", json_object_get(g, "label"));
		json_object_set(row, "count", json_object_get(g, "count"));
		for (size_t col = 3; col < ncols; col++)
			json_object_set_new(row, header[col], json_integer(0));
		json_array_foreach(json_object_get(g, "parts"), j, p)
		{
			const char *key = json_string_value(json_object_get(p, "key"));
			json_object_set(row, key ? key : "unknown", json_object_get(p, "count"));
		}
		char *text = json_dumps(row, JSON_COMPACT);
		rc |= text ? ow_list_csv_row(b, text, header, excel) : -1;
		free(text);
		json_decref(row);
	}
	json_decref(data);
	return rc ? -1 : 0;
}

int ow_chart_reply_png(struct ow_req *r, const struct ow_buf *svg)
{
	struct ow_buf png;
	ow_buf_init(&png, (size_t)64 << 20);
	int got = ow_png_from_svg(svg->data, svg->len, &png);
	int rc = got == OW_PNG_OK ? ow_reply(r, 200, "image/png", png.data, png.len, NULL)
		 : got == OW_PNG_UNAVAILABLE
			 ? ow_problem_reply(
				   r, OW_P_PNG_UNAVAILABLE,
				   "PNG needs rsvg-convert (Debian's librsvg2-bin) on the server;"
				   " the chart is at the same path as .svg.",
				   NULL, NULL)
			 : ow_problem_reply(r, OW_P_INTERNAL,
					    "The chart could not be drawn as PNG.", NULL, NULL);
	ow_buf_free(&png);
	return rc;
}

int ow_h_chart(struct ow_req *r)
{
	const struct ow_chart_kind *k = r->route->arg;
	struct ow_chart c;
	PGresult *pg;
	if (ow_chart_data(r, k, &c, &pg) != 0)
		return 0;
	const char *json = PQgetvalue(pg, 0, 0);
	struct ow_buf b;
	ow_buf_init(&b, (size_t)64 << 20);
	int ok, rc;
	const char *type;
	if (r->format == OW_FMT_SVG || r->format == OW_FMT_PNG) {
		ok = ow_chart_render(k, &c, json, &b) == 0;
		type = "image/svg+xml; charset=utf-8";
		if (ok && r->format == OW_FMT_PNG) {
			PQclear(pg);
			rc = ow_chart_reply_png(r, &b);
			ow_buf_free(&b);
			return rc;
		}
	} else if (r->format == OW_FMT_CSV) {
		ok = (k->table ? ow_stat_table_csv(&b, k->table, json, r->excel)
			       : departures_csv(&b, json, r->excel)) == 0;
		type = ow_list_content_type(OW_FMT_CSV);
	} else {
		ok = ow_buf_append_str(&b, json) == 0;
		type = ow_list_content_type(OW_FMT_JSON);
	}
	PQclear(pg);
	rc = ok ? ow_reply(r, 200, type, b.data, b.len, NULL)
		: ow_problem_reply(r, OW_P_INTERNAL, "The chart could not be drawn.", NULL, NULL);
	ow_buf_free(&b);
	return rc;
}
